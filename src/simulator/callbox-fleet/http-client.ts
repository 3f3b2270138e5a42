import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  ok: boolean;
  body: string;
}

/** A request that got no answer within its time limit. */
export class HttpTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
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
    // lifo: the sockets used last go first, so idle ones age out at the server instead of being
    // picked just as the server closes them. maxFreeSockets as many: Node's default (256) destroyed
    // every free socket past 256 when a slow server's answers came in a burst, and a fleet of
    // 10 000 then opened a hundred new connections a second (each box in the field keeps its own).
    const options = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' } as const;
    this.agent = this.secure ? new HttpsAgent(options) : new Agent(options);
  }

  /** `timeoutMs`: the request is abandoned (its socket destroyed) with an HttpTimeoutError past it, counted from the send. */
  send(method: string, path: string, headers: Record<string, string>, body?: string, timeoutMs?: number): Promise<HttpAnswer> {
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
      // From the send, the wait for a free socket included (a socket's own idle timeout starts only
      // once it is assigned: a request queued behind a slow server's sockets waited without end).
      if (timeoutMs !== undefined) {
        // Rejected at once: a request still queued in the agent is destroyed only once it gets a socket.
        const timer = setTimeout(() => {
          const error = new HttpTimeoutError(timeoutMs);
          reject(error);
          outgoing.destroy(error);
        }, timeoutMs);
        outgoing.once('close', () => clearTimeout(timer));
      }
      outgoing.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
