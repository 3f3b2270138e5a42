import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { signCallback, verifyCallback } from './callback-signature';

const SECRET = 'readme-example-secret-0123';

/** The README's receiver example, exactly as printed between its markers. */
function readmeExample(): string {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = /<!-- callback-receiver-example:start -->\s*```js\n([\s\S]*?)```\s*<!-- callback-receiver-example:end -->/.exec(readme);
  if (!block) throw new Error('README.md has no callback receiver example between its markers');
  return block[1];
}

type Handler = (req: EventEmitter & { headers: Record<string, string | undefined> }, res: unknown) => void;

/**
 * Runs the example with node:http replaced by a stand-in that hands its request handler to the
 * spec (no port is opened), and console.log recording what it settled.
 */
function startExample() {
  let handler: Handler | null = null;
  const settled: string[] = [];
  const http = { createServer: (h: Handler) => ((handler = h), { listen: () => undefined }) };
  const context = {
    require: (name: string) => (name === 'node:http' ? http : require(name)),
    process: { env: { CALLBACK_SECRET: SECRET } },
    console: { log: (line: string) => settled.push(line) },
    Buffer,
  };
  runInNewContext(readmeExample(), context);
  if (!handler) throw new Error('the example did not create a server');
  const serve = handler as Handler;

  /** POSTs `body` with these headers; resolves with the status the example answered. */
  const post = (headers: Record<string, string | undefined>, body: string) =>
    new Promise<number>((resolve) => {
      const req = Object.assign(new EventEmitter(), { headers });
      const res = { writeHead: (status: number) => ({ end: () => resolve(status) }) };
      serve(req, res);
      req.emit('data', Buffer.from(body, 'utf8'));
      req.emit('end');
    });
  return { post, settled };
}

/** Headers as the gateway sends them, signed at `timestamp` (unix seconds). */
const signed = (delivery: number, body: string, timestamp = Math.floor(Date.now() / 1000)) => ({
  'x-merecharge-timestamp': String(timestamp),
  'x-merecharge-delivery': String(delivery),
  'x-merecharge-event': 'transaction.completed',
  'x-merecharge-signature': signCallback({ secret: SECRET, timestamp, delivery, body }),
});
const message = (transactionId: string, status: string, sequence: number) => JSON.stringify({ transactionId, status, sequence, note: 'Aïssatou' });

describe('README: the callback receiver example', () => {
  it('accepts a signed message and settles it', async () => {
    const sut = startExample();
    const body = message('tx_1', 'needs_review', 1);

    await expect(sut.post(signed(7, body), body)).resolves.toBe(204);
    expect(sut.settled).toEqual(['tx_1: needs_review (#1)']);
  });

  it('acknowledges a repeated delivery without settling it twice, and keeps the highest sequence per transaction', async () => {
    const sut = startExample();
    const first = message('tx_1', 'needs_review', 1);
    const second = message('tx_1', 'completed', 2);

    await expect(sut.post(signed(7, first), first)).resolves.toBe(204);
    await expect(sut.post(signed(8, second), second)).resolves.toBe(204);
    await expect(sut.post(signed(7, first), first)).resolves.toBe(204);
    // A lower sequence under a new delivery id does not move the transaction back either.
    const stale = message('tx_1', 'needs_review', 1);
    await expect(sut.post(signed(9, stale), stale)).resolves.toBe(204);

    expect(sut.settled).toEqual(['tx_1: needs_review (#1)', 'tx_1: completed (#2)']);
  });

  it('refuses, as verifyCallback does, a replay outside the window, a moved signature, a changed body, a missing header', async () => {
    const sut = startExample();
    const body = message('tx_2', 'completed', 1);
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, Record<string, string | undefined>, string]> = [
      ['outside the window', signed(10, body, now - 301), body],
      ['another delivery id', { ...signed(10, body), 'x-merecharge-delivery': '11' }, body],
      ['another timestamp', { ...signed(10, body, now), 'x-merecharge-timestamp': String(now - 1) }, body],
      ['a changed body', signed(10, body), body.replace('completed', 'failed')],
      ['no signature', { ...signed(10, body), 'x-merecharge-signature': undefined }, body],
      ['no timestamp', { ...signed(10, body), 'x-merecharge-timestamp': undefined }, body],
    ];
    for (const [, headers, sent] of cases) {
      await expect(sut.post(headers, sent)).resolves.toBe(401);
      const verdict = verifyCallback({
        secret: SECRET,
        timestamp: headers['x-merecharge-timestamp'],
        delivery: headers['x-merecharge-delivery'],
        signature: headers['x-merecharge-signature'],
        body: sent,
        nowMs: Date.now(),
      });
      expect(verdict).not.toBe('valid');
    }
    expect(sut.settled).toEqual([]);
  });
});
