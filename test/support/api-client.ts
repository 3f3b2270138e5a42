import { TEST_API_KEY, TEST_CALLBOX_TOKEN } from './test-app';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export type Auth = { bearer?: string; apiKey?: string } | 'callbox' | 'admin' | 'none';

export interface RequestOptions {
  auth?: Auth;
  headers?: Record<string, string>;
  /** Sent as is (already serialized) when a string. */
  body?: unknown;
}

/** Real HTTP over loopback against the test app, with the CallBox token by default. */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  get<T = any>(path: string, options: RequestOptions = {}) {
    return this.request<T>('GET', path, options);
  }
  post<T = any>(path: string, body?: unknown, options: RequestOptions = {}) {
    return this.request<T>('POST', path, { ...options, body });
  }
  put<T = any>(path: string, body?: unknown, options: RequestOptions = {}) {
    return this.request<T>('PUT', path, { ...options, body });
  }
  delete<T = any>(path: string, body?: unknown, options: RequestOptions = {}) {
    return this.request<T>('DELETE', path, { ...options, body });
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...authHeaders(options.auth ?? 'callbox'), ...options.headers };
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: the spec asserting on it will say so.
    }
    return { status: response.status, headers: response.headers, body: body as T };
  }
}

function authHeaders(auth: Auth): Record<string, string> {
  if (auth === 'none') return {};
  if (auth === 'callbox') return { authorization: `Bearer ${TEST_CALLBOX_TOKEN}` };
  if (auth === 'admin') return { 'x-api-key': TEST_API_KEY };
  return {
    ...(auth.bearer !== undefined && { authorization: `Bearer ${auth.bearer}` }),
    ...(auth.apiKey !== undefined && { 'x-api-key': auth.apiKey }),
  };
}
