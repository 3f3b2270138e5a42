import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CALLBACK_HEADERS, verifyCallback } from '../../../src/callbacks/callback-signature';

export const CALLBACK_SECRET = 'reliability-callback-secret-0001';

/** The main system's outcome endpoint on loopback: counts what each replica delivers. */
export interface OutcomeReceiver {
  url: string;
  /** X-MeRecharge-Delivery -> how many times it arrived. */
  readonly deliveries: Map<string, number>;
  /** Transaction id -> the delivery ids that spoke of it. */
  readonly byTransaction: Map<string, Set<string>>;
  badSignatures: number;
  close(): Promise<void>;
}

export async function startOutcomeReceiver(): Promise<OutcomeReceiver> {
  const deliveries = new Map<string, number>();
  const byTransaction = new Map<string, Set<string>>();
  const receiver = { deliveries, byTransaction, badSignatures: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const delivery = String(req.headers['x-merecharge-delivery']);
      const verdict = verifyCallback({
        secret: CALLBACK_SECRET,
        timestamp: req.headers[CALLBACK_HEADERS.timestamp],
        delivery: req.headers[CALLBACK_HEADERS.delivery],
        signature: req.headers[CALLBACK_HEADERS.signature],
        body,
        nowMs: Date.now(),
      });
      if (verdict !== 'valid') receiver.badSignatures += 1;
      deliveries.set(delivery, (deliveries.get(delivery) ?? 0) + 1);
      try {
        const { transactionId } = JSON.parse(body) as { transactionId: string };
        const ids = byTransaction.get(transactionId) ?? new Set<string>();
        ids.add(delivery);
        byTransaction.set(transactionId, ids);
      } catch {
        receiver.badSignatures += 1;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/merecharge/outcomes`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
