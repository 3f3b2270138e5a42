import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the proxy loses the operator's answer after forwarding the request (so the operator ran it):
 * `reset` cuts the connection, `bad-gateway` answers a proxy's 502, `truncate` sends half the XML;
 * `pass` forwards the answer, `refuse` closes the port (nothing reaches the operator).
 */
export type ProxyMode = 'pass' | 'reset' | 'bad-gateway' | 'truncate' | 'refuse';

/** An HTTP proxy between the gateway and the SOAP simulator that loses answers on demand. */
export class SoapProxy {
  mode: ProxyMode = 'pass';
  /** SOAP requests forwarded to the operator, by the operation named in their body. */
  readonly forwarded: string[] = [];
  private server: Server | null = null;
  private port = 0;

  constructor(private readonly target: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}${new URL(this.target).pathname}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** `refuse` closes the listening socket (connection refused); any other mode opens it again on the same port. */
  async setMode(mode: ProxyMode): Promise<void> {
    if (mode === 'refuse' && this.server) await this.stop();
    if (mode !== 'refuse' && !this.server) await this.start();
    this.mode = mode;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const target = new URL(req.url ?? '/', this.target);
    let answer: Awaited<ReturnType<typeof forward>>;
    try {
      answer = await forward(target, req, body);
    } catch {
      res.writeHead(502).end();
      return;
    }
    const operation = /<(?:\w+:)?(\w+)Request[\s>]/.exec(body.toString('utf8'))?.[1] ?? 'unknown';
    this.forwarded.push(operation);
    const mode = this.mode;
    if (mode === 'reset') {
      req.socket.destroy();
      return;
    }
    if (mode === 'bad-gateway') {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
      return;
    }
    if (mode === 'truncate') {
      res.writeHead(200, { 'content-type': answer.headers['content-type'] ?? 'text/xml' });
      res.end(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
      return;
    }
    res.writeHead(answer.status, { 'content-type': answer.headers['content-type'] ?? 'text/xml' }).end(answer.body);
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
    const upstream = httpRequest(target, { method: req.method, headers }, (response) => {
      readAll(response).then((data) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }), reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}
