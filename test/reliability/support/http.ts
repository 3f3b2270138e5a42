import { Agent, IncomingHttpHeaders, request as httpRequest } from 'node:http';

export interface HttpResult<T = any> {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when the answer is not JSON. */
  body: T;
  text: string;
  ms: number;
}

export interface HttpOptions {
  headers?: Record<string, string>;
  /** JSON-serialized unless `raw` is given. */
  json?: unknown;
  /** Sent as is (any content-type set in headers). */
  raw?: string | Buffer;
  timeoutMs?: number;
}

/** No answer at all: refused, reset, cut by a kill, or timed out. */
export class NetworkError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Plain node:http over one keep-alive agent, counting what it sends and gets back (the numbers of
 * each scenario's summary line).
 */
export class HttpClient {
  readonly agent: Agent;
  sent = 0;
  networkErrors = 0;
  readonly statuses = new Map<number, number>();
  /** Answers received per base URL (which replica served how much). */
  readonly answeredBy = new Map<string, number>();

  constructor(maxSockets = 128) {
    this.agent = new Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 1000 });
  }

  get serverErrors(): number {
    let n = 0;
    for (const [status, count] of this.statuses) if (status >= 500) n += count;
    return n;
  }

  count(predicate: (status: number) => boolean): number {
    let n = 0;
    for (const [status, count] of this.statuses) if (predicate(status)) n += count;
    return n;
  }

  request<T = any>(baseUrl: string, method: string, path: string, options: HttpOptions = {}): Promise<HttpResult<T>> {
    const url = new URL(baseUrl);
    const headers: Record<string, string | number> = { ...options.headers };
    let payload: string | Buffer | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (options.json !== undefined) {
      payload = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    if (payload !== undefined) headers['content-length'] = Buffer.byteLength(payload);
    const began = performance.now();
    this.sent += 1;
    return new Promise((resolve, reject) => {
      const fail = (error: NodeJS.ErrnoException) => {
        this.networkErrors += 1;
        reject(new NetworkError(error.code ?? 'ERR', `${method} ${path}: ${error.code ?? ''} ${error.message}`));
      };
      let req;
      try {
        req = httpRequest({ host: url.hostname, port: url.port, method, path, headers, agent: this.agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', fail);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text.length > 0 ? JSON.parse(text) : undefined;
            } catch {
              // Not JSON: callers asserting on the body say so.
            }
            const status = res.statusCode ?? 0;
            this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
            this.answeredBy.set(baseUrl, (this.answeredBy.get(baseUrl) ?? 0) + 1);
            resolve({ status, headers: res.headers, body: body as T, text, ms: performance.now() - began });
          });
        });
      } catch (error) {
        // node:http refuses some paths or header values before sending anything.
        this.sent -= 1;
        reject(error);
        return;
      }
      req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', fail);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** `METHOD /path/{param}` of every operation the app documents (its Swagger document). */
export async function documentedRoutes(client: HttpClient, baseUrl: string, protectedOnly = false): Promise<string[]> {
  const doc = (await client.request(baseUrl, 'GET', '/api/docs-json')).body as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([, operation]) => !protectedOnly || (operation.security?.length ?? 0) > 0)
      .map(([method]) => `${method.toUpperCase()} ${path}`),
  );
}
