/** The admin key lives in sessionStorage only: gone when the tab closes, never in a URL or a cookie. */
const KEY = 'merecharge.adminKey';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  signIn: (key: string) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string[]> = {},
    readonly context: Record<string, unknown> = {},
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

/** Called when the key stops working (revoked, or the session was signed out elsewhere). */
let onUnauthenticated: (error: ApiError) => void = () => undefined;
export const whenUnauthenticated = (handler: (error: ApiError) => void) => (onUnauthenticated = handler);

export async function request(method: string, path: string, body?: unknown, key = session.key()): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key !== null) headers['x-api-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  if (response.ok) return response;
  const error = await errorOf(response);
  if (response.status === 401 && key === session.key()) onUnauthenticated(error);
  throw error;
}

export async function api<T>(method: string, path: string, body?: unknown, key?: string): Promise<T> {
  const response = await request(method, path, body, key);
  return (await response.json()) as T;
}

async function errorOf(response: Response): Promise<ApiError> {
  const retryAfter = response.headers.get('retry-after');
  let payload: Record<string, unknown> = {};
  try {
    payload = (await response.json()) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const message = typeof payload.details === 'string' ? payload.details : typeof payload.error === 'string' ? payload.error : `HTTP ${response.status}`;
  return new ApiError(
    response.status,
    typeof payload.code === 'string' ? payload.code : `HTTP.${response.status}`,
    message,
    (payload.fields as Record<string, string[]> | undefined) ?? {},
    (payload.context as Record<string, unknown> | undefined) ?? {},
    retryAfter === null ? null : Number(retryAfter),
  );
}

/** A query string of the non-empty values. */
export function query(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
