import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../reliability/support/fleet';
import { RELIABILITY_CALLBOX_TOKEN, stopAll } from '../reliability/support/processes';
import { summarize } from './support/bodies';
import { AttackTally } from './support/tally';
import { engines, send, startTarget, Target } from './support/target';

/**
 * Hole 7: replaying an outcome callback. Each message must carry X-MeRecharge-Timestamp (unix
 * seconds), X-MeRecharge-Delivery, X-MeRecharge-Event and
 * `X-MeRecharge-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<delivery>.<body>")>`.
 * This suite's receiver checks every message with that rule (its own code, not the service's),
 * then forges variants of each: another delivery id, another timestamp, a fresh timestamp, an
 * altered body. Legit = genuine messages that verify. got_through = forged variants a receiver
 * would accept: with the rule above, or, for messages without a timestamp, with the only check
 * such a message allows (an HMAC of the body alone).
 */
const ATTACK = 'callback-replay';
const SECRET = 'security-callback-secret-0000001';
const TOLERANCE_SECONDS = 300;
const BOX = 'sec_callback_box';
const SHARED = { authorization: `Bearer ${RELIABILITY_CALLBOX_TOKEN}` };
const OUTCOMES: Array<'completed' | 'failed'> = ['completed', 'completed', 'completed', 'failed'];

interface Message {
  headers: IncomingHttpHeaders;
  body: string;
}

const header = (m: Message, name: string) => {
  const value = m.headers[name];
  return typeof value === 'string' ? value : undefined;
};
const hmacHex = (data: string) => createHmac('sha256', SECRET).update(data, 'utf8').digest('hex');
const sameHex = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The contract's check: headers present, timestamp within the window, signature over "<ts>.<delivery>.<body>". */
function verifies(m: Message, nowMs: number): boolean {
  const timestamp = header(m, 'x-merecharge-timestamp');
  const delivery = header(m, 'x-merecharge-delivery');
  const signature = header(m, 'x-merecharge-signature');
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !delivery || !header(m, 'x-merecharge-event') || !signature?.startsWith('sha256=')) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  return sameHex(signature.slice('sha256='.length), hmacHex(`${timestamp}.${delivery}.${m.body}`));
}

/**
 * Whether a receiver accepts a forgery of `original`: by the rule, or, when the service sends no
 * timestamp (so a receiver can check nothing else), by the body's HMAC alone.
 */
function accepted(original: Message, m: Message, nowMs: number): boolean {
  if (header(original, 'x-merecharge-timestamp') !== undefined) return verifies(m, nowMs);
  const signature = header(m, 'x-merecharge-signature');
  return !!signature?.startsWith('sha256=') && sameHex(signature.slice('sha256='.length), hmacHex(m.body));
}

function forgeries(m: Message, nowMs: number): Array<[string, Message]> {
  const ts = header(m, 'x-merecharge-timestamp');
  const with_ = (changes: Record<string, string>, body = m.body): Message => ({ headers: { ...m.headers, ...changes }, body });
  const altered = m.body.replace(/"amount":\s*(\d+)/, (_, n: string) => `"amount":${Number(n) + 1}`);
  return [
    ['another delivery id', with_({ 'x-merecharge-delivery': `${header(m, 'x-merecharge-delivery') ?? ''}1` })],
    ['another timestamp', with_({ 'x-merecharge-timestamp': String(Number(ts ?? Math.floor(nowMs / 1000)) - 1) })],
    ['replayed later with a fresh timestamp', with_({ 'x-merecharge-timestamp': String(Math.floor(nowMs / 1000) + 60) })],
    ['altered body', with_({}, altered === m.body ? `${m.body} ` : altered)],
  ];
}

describe.each(engines())(`Security: ${ATTACK} (%s)`, (engine) => {
  let target: Target;
  const received: Message[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    target = await startTarget(ATTACK, engine, { MAIN_CALLBACK_URL: `http://127.0.0.1:${port}/outcomes`, CALLBACK_SECRET: SECRET, MAX_RETRIES: '0' });
  }, 120_000);
  afterAll(async () => {
    await stopAll();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await target?.db.drop();
  }, 30_000);

  it('signs timestamp, delivery id and body together, so no altered replay verifies', async () => {
    const t = target;
    const tally = new AttackTally(ATTACK, engine);
    const genuine = tally.variant('genuine');
    const forged = tally.variant('forged');
    const call = (method: string, path: string, json?: unknown) => send(t.http, t.app.url, method, path, { headers: SHARED, json });

    const register = await call('POST', '/api/call-box/register', { callboxId: BOX, capabilities: { maxConcurrentTransactions: 10, supportedTypes: ['recharge'] }, version: '1.0.0' });
    if (register.status >= 300) throw new Error(`register: ${summarize(register)}`);
    const ids: string[] = [];
    for (const [i] of OUTCOMES.entries()) {
      const res = await call('POST', '/api/call-box/transactions/submit', { type: 'recharge', phoneNumber: `+2376770000${10 + i}`, amount: 1000 + i, payItemId: 'MTN_RECHARGE_1000' });
      ids.push(res.body?.transaction?.id);
    }
    await call('GET', `/api/call-box/transactions/pending?callboxId=${BOX}&limit=10`);
    for (const [i, outcome] of OUTCOMES.entries()) {
      await call('PUT', `/api/call-box/transactions/${ids[i]}/status`, { status: 'processing', callboxId: BOX });
      const result = outcome === 'completed' ? { success: true, transactionRef: `MTN${i}` } : { success: false, errorCode: 'USSD_TIMEOUT' };
      const res = await call('PUT', `/api/call-box/transactions/${ids[i]}/status`, { status: outcome, callboxId: BOX, result });
      if (res.status !== 200) throw new Error(`report ${outcome}: ${summarize(res)}`);
    }
    await waitFor(() => received.length >= OUTCOMES.length, Date.now() + 30_000, 100);

    const now = Date.now();
    for (const [i, message] of received.entries()) {
      genuine.legit(verifies(message, now), `message ${i} does not verify: ${JSON.stringify({ ...pick(message.headers), body: message.body.slice(0, 80) })}`);
      for (const [what, forgery] of forgeries(message, now)) {
        forged.attempt();
        if (accepted(message, forgery, now)) forged.through(1, `message ${i} with ${what} verifies`);
      }
    }
    for (let missing = received.length; missing < OUTCOMES.length; missing++) genuine.legit(false, `outcome ${missing} never arrived`);
    tally.printAndExpectClean();
  }, 60_000);
});

function pick(headers: IncomingHttpHeaders): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('x-merecharge-')));
}
