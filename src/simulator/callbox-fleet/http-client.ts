import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  ok: boolean;
  body: string;
}

/**
 * A minimal keep-alive JSON client. A simulated fleet sends thousands of requests a second from
 * one process; Node's fetch costs several times more per request than node:http, and the
 * benchmark needs its load generator to leave the CPU to the service.
 */
export class HttpClient {
  private readonly agent: Agent;
  private readonly secure: boolean;

  constructor(
    private readonly baseUrl: string,
    maxSockets = 256,
  ) {
    this.secure = baseUrl.startsWith('https:');
    this.agent = this.secure ? new HttpsAgent({ keepAlive: true, maxSockets }) : new Agent({ keepAlive: true, maxSockets });
  }

  send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<HttpAnswer> {
    const send = this.secure ? httpsRequest : request;
    const allHeaders = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    return new Promise((resolve, reject) => {
      const outgoing = send(`${this.baseUrl}${path}`, { method, agent: this.agent, headers: allHeaders }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          resolve({ status, ok: status >= 200 && status < 300, body: text });
        });
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
