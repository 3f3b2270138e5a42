import { HttpResult } from '../reliability/support/http';
import { RELIABILITY_CALLBOX_TOKEN, stopAll } from '../reliability/support/processes';
import { isCallBoxErrorBody, isTopUpErrorBody, summarize } from './support/bodies';
import { AttackTally, VariantTally } from './support/tally';
import { awayFromMinuteBoundary, engines, inParallel, send, startTarget, Target } from './support/target';

/**
 * Hole 2: the same route reached through encoded letters, %2F, double and trailing slashes, mixed
 * case, a `.` segment, so that a family test on the raw URL misses it. Each spelling is either
 * refused (404) or counted against the same budget as the plain path: with L requests a minute,
 * at most L of the whole mix are served. Every refusal carries its own family's body (TopUp
 * `{erreur, message, returnCode, details}`, CallBox `{success: false, error, code, details}`).
 * got_through = requests served beyond L, plus refusals in the other family's body.
 */
const ATTACK = 'encoded-paths';
const LIMIT = 30;
/** Each spelling is sent this many times, all spellings interleaved. */
const REPEAT = 6;
const MSISDN = '77654321';
const BOX = 'sec_encoded_box';
const BOX_AUTH = { authorization: `Bearer ${RELIABILITY_CALLBOX_TOKEN}` };

interface Spelling {
  name: string;
  method: string;
  path: string;
  json?: unknown;
}

const TOPUP_SPELLINGS: Spelling[] = [
  ['plain', `/api/topup/numbers/${MSISDN}`],
  ['encoded-t', `/api/%74opup/numbers/${MSISDN}`],
  ['encoded-u', `/api/top%75p/numbers/${MSISDN}`],
  ['encoded-slash', `/api/topup%2Fnumbers/${MSISDN}`],
  ['encoded-slash-lower', `/api/topup/numbers%2f${MSISDN}`],
  ['double-slash-lead', `//api/topup/numbers/${MSISDN}`],
  ['double-slash-prefix', `/api//topup/numbers/${MSISDN}`],
  ['double-slash-inner', `/api/topup//numbers/${MSISDN}`],
  ['trailing-slash', `/api/topup/numbers/${MSISDN}/`],
  ['mixed-case', `/api/TopUp/numbers/${MSISDN}`],
  ['upper-prefix', `/API/topup/numbers/${MSISDN}`],
  ['encoded-digits', `/api/topup/numbers/%37%37${MSISDN.slice(2)}`],
  ['international-form', `/api/topup/numbers/253${MSISDN}`],
  ['dot-segment', `/api/topup/./numbers/${MSISDN}`],
  ['query-string', `/api/topup/numbers/${MSISDN}?x=1`],
].map(([name, path]) => ({ name, method: 'GET', path }));
TOPUP_SPELLINGS.push(
  { name: 'post-encoded-t', method: 'POST', path: '/api/%74opup/numbers', json: { msisdn: MSISDN } },
  { name: 'post-balances-trailing', method: 'POST', path: '/api/topup/balances/', json: { msisdn: MSISDN, isdn: '21123456' } },
);

const POLL = `transactions/pending?callboxId=${BOX}&limit=1`;
const CALLBOX_SPELLINGS: Spelling[] = [
  ['plain', `/api/call-box/${POLL}`],
  ['encoded-dash', `/api/call%2Dbox/${POLL}`],
  ['encoded-dash-lower', `/api/call%2dbox/${POLL}`],
  ['encoded-c', `/api/%63all-box/${POLL}`],
  ['encoded-slash', `/api/call-box%2F${POLL}`],
  ['encoded-slash-inner', `/api/call-box/transactions%2Fpending?callboxId=${BOX}&limit=1`],
  ['encoded-p', `/api/call-box/transactions/%70ending?callboxId=${BOX}&limit=1`],
  ['double-slash-lead', `//api/call-box/${POLL}`],
  ['double-slash-prefix', `/api//call-box/${POLL}`],
  ['double-slash-inner', `/api/call-box//${POLL}`],
  ['trailing-slash', `/api/call-box/transactions/pending/?callboxId=${BOX}&limit=1`],
  ['mixed-case', `/api/Call-Box/${POLL}`],
  ['dot-segment', `/api/call-box/./${POLL}`],
].map(([name, path]) => ({ name, method: 'GET', path }));
CALLBOX_SPELLINGS.push(
  { name: 'heartbeat-encoded-dash', method: 'POST', path: '/api/call%2Dbox/heartbeat', json: { callboxId: BOX, status: 'active' } },
  { name: 'heartbeat-trailing-slash', method: 'POST', path: '/api/call-box/heartbeat/', json: { callboxId: BOX, status: 'active' } },
);

describe.each(engines())(`Security: ${ATTACK} (%s)`, (engine) => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget(ATTACK, engine, { TOPUP_RATE_LIMIT_PER_MINUTE: String(LIMIT), RATE_LIMIT_PER_MINUTE: String(LIMIT) });
  }, 120_000);
  afterAll(async () => {
    await stopAll();
    await target?.db.drop();
  }, 30_000);

  it(`serves at most ${LIMIT} a minute whatever the spelling, and answers each family in its own body`, async () => {
    const tally = new AttackTally(ATTACK, engine);
    const t = target;

    await awayFromMinuteBoundary(15_000);
    const topup = tally.variant('topup');
    const firstTopUp = await send(t.http, t.app.url, 'GET', `/api/topup/numbers/${MSISDN}`);
    topup.legit(firstTopUp.status === 200, `the plain path, first request: ${summarize(firstTopUp)}`);
    await burst(t, topup, TOPUP_SPELLINGS, 1, isTopUpErrorBody, 'TopUp');

    await awayFromMinuteBoundary(15_000);
    const callbox = tally.variant('callbox');
    const register = await send(t.http, t.app.url, 'POST', '/api/call-box/register', {
      headers: BOX_AUTH,
      json: { callboxId: BOX, capabilities: { maxConcurrentTransactions: 5, supportedTypes: ['recharge'] }, version: '1.0.0', location: 'Djibouti' },
    });
    callbox.legit(register.status === 200 || register.status === 201, `the box registers: ${summarize(register)}`);
    const firstPoll = await send(t.http, t.app.url, 'GET', `/api/call-box/${POLL}`, { headers: BOX_AUTH });
    callbox.legit(firstPoll.status === 200, `the plain poll, first request: ${summarize(firstPoll)}`);
    await burst(t, callbox, CALLBOX_SPELLINGS, 2, isCallBoxErrorBody, 'CallBox');

    tally.printAndExpectClean();
  }, 120_000);
});

/** Every spelling REPEAT times, shuffled, 8 at a time; `alreadyServed` requests of the budget went before. */
async function burst(
  t: Target,
  tally: VariantTally,
  spellings: Spelling[],
  alreadyServed: number,
  ownBody: (body: unknown) => boolean,
  family: string,
): Promise<void> {
  const requests = shuffle(spellings.flatMap((s) => Array.from({ length: REPEAT }, () => s)));
  const served = new Map<string, number>();
  const results = await inParallel(requests, 8, async (s): Promise<[Spelling, HttpResult]> => {
    const headers = family === 'CallBox' ? BOX_AUTH : {};
    return [s, await send(t.http, t.app.url, s.method, s.path, { headers, json: s.json })];
  });
  for (const [s, res] of results) {
    if (res.status >= 200 && res.status < 300) served.set(s.name, (served.get(s.name) ?? 0) + 1);
    else if (!ownBody(res.body)) tally.through(1, `${s.method} ${s.path} answered outside the ${family} body: ${summarize(res)}`);
  }
  tally.attempt(requests.length);
  const total = [...served.values()].reduce((a, b) => a + b, alreadyServed);
  const bySpelling = [...served].map(([name, n]) => `${name}=${n}`).join(' ');
  tally.through(Math.max(0, total - LIMIT), `${total} served with a limit of ${LIMIT} (${bySpelling})`);
}

/** Deterministic order (a fixed seed): a failure reruns the same interleaving. */
function shuffle<T>(items: T[]): T[] {
  let seed = 12;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
