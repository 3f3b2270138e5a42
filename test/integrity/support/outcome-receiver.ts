import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CALLBACK_HEADERS, verifyCallback } from '../../../src/callbacks/callback-signature';

export const OUTCOMES_PATH = '/merecharge/outcomes';
/** Where the redirects point: it answers 200 to anything, so a sender that followed one would call it delivered. */
export const LANDING_PATH = '/landing';

export interface ReceivedRequest {
  method: string;
  path: string;
  delivery: string;
  transactionId: string | null;
  status: string | null;
  sequence: number | null;
  answered: number;
  signature: 'valid' | string;
}

/** What to answer a POST to OUTCOMES_PATH, given how many times this delivery id came before. */
export type Behaviour = (message: { delivery: string; status: string | null; earlierAttempts: number }) => number;

/**
 * The main system's outcome endpoint on loopback, with a behaviour the scenario chooses (redirect,
 * refuse, accept). Records every request in arrival order, whatever its method and path, with the
 * verdict of the receiver's signature check.
 */
export async function startOutcomeReceiver(secret: string, behaviour: Behaviour) {
  const requests: ReceivedRequest[] = [];
  const attempts = new Map<string, number>();
  let base = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const delivery = String(req.headers[CALLBACK_HEADERS.delivery] ?? '');
      let message: { transactionId?: string; status?: string; sequence?: number } = {};
      try {
        message = JSON.parse(body.toString('utf8'));
      } catch {
        // A GET that followed a redirect has no body.
      }
      const outcomes = req.method === 'POST' && req.url === OUTCOMES_PATH;
      const earlierAttempts = attempts.get(delivery) ?? 0;
      if (outcomes) attempts.set(delivery, earlierAttempts + 1);
      const answered = outcomes ? behaviour({ delivery, status: message.status ?? null, earlierAttempts }) : 200;
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        delivery,
        transactionId: message.transactionId ?? null,
        status: message.status ?? null,
        sequence: typeof message.sequence === 'number' ? message.sequence : null,
        answered,
        signature: verifyCallback({
          secret,
          timestamp: req.headers[CALLBACK_HEADERS.timestamp],
          delivery: req.headers[CALLBACK_HEADERS.delivery],
          signature: req.headers[CALLBACK_HEADERS.signature],
          body,
          nowMs: Date.now(),
        }),
      });
      const headers: Record<string, string> = answered >= 300 && answered < 400 ? { location: `${base}${LANDING_PATH}` } : {};
      res.writeHead(answered, { 'content-type': 'application/json', ...headers }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}${OUTCOMES_PATH}`,
    requests,
    /** POSTs to the outcomes path answered 2xx. */
    acknowledged: () => requests.filter((r) => r.method === 'POST' && r.path === OUTCOMES_PATH && r.answered >= 200 && r.answered < 300),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type OutcomeReceiver = Awaited<ReturnType<typeof startOutcomeReceiver>>;

/**
 * Requests for a message sent while an earlier message of its transaction had not been
 * acknowledged yet (in arrival order at the receiver).
 */
export function outOfOrder(receiver: OutcomeReceiver): string[] {
  const problems: string[] = [];
  const upTo = new Map<string, number>();
  for (const r of receiver.requests) {
    if (r.method !== 'POST' || r.path !== OUTCOMES_PATH || r.transactionId === null || r.sequence === null) continue;
    const acknowledged = upTo.get(r.transactionId) ?? 0;
    if (r.sequence > acknowledged + 1) problems.push(`${r.transactionId}: #${r.sequence} sent before #${acknowledged + 1} was acknowledged`);
    if (r.answered >= 200 && r.answered < 300 && r.sequence === acknowledged + 1) upTo.set(r.transactionId, r.sequence);
  }
  return problems;
}
