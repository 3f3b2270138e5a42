import { createServer, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CallbackDeliveryService } from '../../src/callbacks/callback-delivery.service';
import type { TestApp } from '../support/test-app';

export interface Received {
  method: string;
  /** The path asked for: the receiver's own, or where a redirect sent a follower. */
  path: string;
  /** The raw body, byte for byte, as the signature covers it. */
  body: string;
  headers: IncomingHttpHeaders;
  /** What the receiver answered. */
  answered: number;
}

/** The receiver's answer to a request (all earlier requests in `received`): a status, and its headers. */
export type Answer = (request: Omit<Received, 'answered'>, received: readonly Received[]) => { status: number; headers?: Record<string, string> };

/** The path callbacks are sent to; anything else answers 200 (a redirect target that would "accept"). */
export const RECEIVER_PATH = '/merecharge/outcomes';

export interface CallbackReceiver {
  url: string;
  received: Received[];
  /** POSTs to RECEIVER_PATH answered 2xx: the acknowledged deliveries. */
  acknowledged(): Received[];
  close(): Promise<void>;
}

/**
 * The main system's endpoint on loopback. With a number, answers 500 to the first `failFirst`
 * requests and 200 afterwards; with a function, what it says. Records every request, whatever its
 * method and path.
 */
export async function startReceiver(behaviour: number | Answer): Promise<CallbackReceiver> {
  const received: Received[] = [];
  const answer: Answer = typeof behaviour === 'number' ? (_request, before) => ({ status: before.length < behaviour ? 500 : 200 }) : behaviour;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), headers: req.headers };
      const { status, headers } = request.method === 'POST' && request.path === RECEIVER_PATH ? answer(request, received) : { status: 200, headers: {} };
      received.push({ ...request, answered: status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ ok: status === 200 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${RECEIVER_PATH}`,
    received,
    acknowledged: () => received.filter((r) => r.method === 'POST' && r.path === RECEIVER_PATH && r.answered >= 200 && r.answered < 300),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The app polls the outbox every second on the real clock; the specs deliver by hand, on the fake
 * clock, so that each pass is theirs alone.
 */
export function takeOverDelivery(t: TestApp): CallbackDeliveryService {
  const registry = t.app.get(SchedulerRegistry);
  expect(registry.getIntervals()).toContain('outcome-callbacks');
  registry.deleteInterval('outcome-callbacks');
  return t.app.get(CallbackDeliveryService);
}
