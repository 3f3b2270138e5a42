import { createServer, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CallbackDeliveryService } from '../../src/callbacks/callback-delivery.service';
import type { TestApp } from '../support/test-app';

export interface Received {
  /** The raw body, byte for byte, as the signature covers it. */
  body: string;
  headers: IncomingHttpHeaders;
  /** What the receiver answered. */
  answered: number;
}

export interface CallbackReceiver {
  url: string;
  received: Received[];
  /** Requests answered 2xx: the acknowledged deliveries. */
  acknowledged(): Received[];
  close(): Promise<void>;
}

/** The main system's endpoint on loopback: answers 500 to the first `failFirst` requests, 200 afterwards. */
export async function startReceiver(failFirst: number): Promise<CallbackReceiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answered = received.length < failFirst ? 500 : 200;
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers, answered });
      res.writeHead(answered, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: answered === 200 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/merecharge/outcomes`,
    received,
    acknowledged: () => received.filter((r) => r.answered >= 200 && r.answered < 300),
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
