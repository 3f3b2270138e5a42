import { sleep, stopAll } from '../reliability/support/processes';
import { codeOf, summarize } from './support/bodies';
import { AttackTally, VariantTally } from './support/tally';
import { awayFromMinuteBoundary, engines, from, inParallel, send, startTarget, Target } from './support/target';

/**
 * Hole 3: spending someone else's budget. A stranger with no credential (or a wrong one), from the
 * same address as the real box, sends hundreds of polls and heartbeats naming the box; the real
 * box, with its valid bound token, must keep getting 200 on poll and heartbeat throughout.
 * Unauthenticated and failed-auth traffic has its own per-address budget
 * (AUTH_FAILURE_LIMIT_PER_MINUTE): past it the stranger gets 429 AUTH.TOO_MANY_FAILURES, while a
 * valid credential from that same address is never refused by it. TopUp: a stranger from one
 * address exhausts a number's request budget, then holds its in-flight slots with a slow
 * operator; the number's customer from another address must still be served.
 * got_through = the real box's or the customer's requests refused, stranger requests served, and
 * credentials checked (401) beyond the address's failure budget.
 */
const ATTACK = 'silence-a-box';
const BOX = 'callbox_002';
const BOUND = 'security-bound-token-callbox-002-0001';
const BOX_LIMIT = 300;
const AUTH_FAILURE_LIMIT = 60;
const FLOOD_PIN = '1357';

describe.each(engines())(`Security: ${ATTACK} (%s)`, (engine) => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget(ATTACK, engine, {
      CALLBOX_TOKENS: `${BOX}:${BOUND}`,
      RATE_LIMIT_PER_MINUTE: String(BOX_LIMIT),
      AUTH_FAILURE_LIMIT_PER_MINUTE: String(AUTH_FAILURE_LIMIT),
    });
  }, 120_000);
  afterAll(async () => {
    await stopAll();
    await target?.db.drop();
  }, 30_000);

  it('keeps the real box and the real customer served while a stranger floods in their name', async () => {
    const tally = new AttackTally(ATTACK, engine);
    const tooManyFailures = await silenceTheBox(target, tally.variant('callbox-no-or-wrong-credential'));
    await floodTheNumber(target, tally.variant('topup-rate-budget'), '77400001', 'rate');
    await floodTheNumber(target, tally.variant('topup-in-flight'), '77400002', 'in-flight');
    tally.printAndExpectClean();
    // Past its budget, the stranger is told so in the contract's words.
    expect(tooManyFailures).toBeGreaterThan(0);
  }, 180_000);
});

async function silenceTheBox(t: Target, tally: VariantTally): Promise<number> {
  await awayFromMinuteBoundary(20_000);
  const boxAuth = { authorization: `Bearer ${BOUND}` };
  const register = await send(t.http, t.app.url, 'POST', '/api/call-box/register', {
    headers: boxAuth,
    json: { callboxId: BOX, capabilities: { maxConcurrentTransactions: 5, supportedTypes: ['recharge', 'withdraw'] }, version: '1.0.0', location: 'Djibouti' },
  });
  tally.legit(register.status === 200 || register.status === 201, `the box registers: ${summarize(register)}`);

  // The real box: a poll and a heartbeat in turn, every 100 ms, until the flood is over (well
  // within its own budget of BOX_LIMIT a minute).
  let flooding = true;
  const realBox = (async () => {
    for (let i = 0; flooding || i % 2 === 1; i++) {
      const res =
        i % 2 === 0
          ? await send(t.http, t.app.url, 'GET', `/api/call-box/transactions/pending?callboxId=${BOX}&limit=1`, { headers: boxAuth })
          : await send(t.http, t.app.url, 'POST', '/api/call-box/heartbeat', { headers: boxAuth, json: { callboxId: BOX, status: 'active', queueSize: 0 } });
      const what = i % 2 === 0 ? 'poll' : 'heartbeat';
      tally.legit(res.status === 200, `the real box's ${what}: ${summarize(res)}`, true);
      await sleep(100);
    }
  })();

  const credentials: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong-token-000000000000000' }, { authorization: `Bearer ${BOUND}x` }, { authorization: 'Basic Y2FsbGJveDp4' }];
  const flood = Array.from({ length: 700 }, (_, i) => i);
  let tooMany = 0;
  let failedAuth = 0;
  await inParallel(flood, 20, async (i) => {
    const headers = credentials[i % credentials.length];
    const res =
      i % 3 === 2
        ? await send(t.http, t.app.url, 'POST', '/api/call-box/heartbeat', { headers, json: { callboxId: BOX, status: 'active', queueSize: 0 } })
        : await send(t.http, t.app.url, 'GET', `/api/call-box/transactions/pending?callboxId=${BOX}&limit=5`, { headers });
    if (res.status >= 200 && res.status < 300) tally.through(1, `a stranger was served: ${summarize(res)}`);
    if (res.status === 429 && codeOf(res) === 'AUTH.TOO_MANY_FAILURES') tooMany += 1;
    if (res.status === 401) failedAuth += 1;
  });
  tally.attempt(flood.length);
  // Each failure answered 401 is a credential tried: the budget bounds them.
  tally.through(Math.max(0, failedAuth - AUTH_FAILURE_LIMIT), `${failedAuth} credentials were checked for one address in a minute (${AUTH_FAILURE_LIMIT} allowed)`);
  await sleep(500);
  flooding = false;
  await realBox;
  process.stdout.write(`[security]     stranger answered 429 AUTH.TOO_MANY_FAILURES ${tooMany} times of ${flood.length}\n`);
  return tooMany;
}

/**
 * `rate`: the stranger sends 200 reads naming the number (its budget is 120 a minute), the customer
 * reads and recharges meanwhile from another address. `in-flight`: the operator answers in 1.5 s
 * and the stranger keeps 40 reads in flight; the customer's reads and recharge go in beside them.
 */
async function floodTheNumber(t: Target, tally: VariantTally, msisdn: string, kind: 'rate' | 'in-flight'): Promise<void> {
  await t.simulator.addMobile(msisdn, FLOOD_PIN);
  const stranger = from(kind === 'rate' ? '10.66.1.1' : '10.66.2.1');
  const customer = from(kind === 'rate' ? '10.77.1.1' : '10.77.2.1');
  const read = (headers: Record<string, string>, i: number) =>
    i % 2 === 0
      ? send(t.http, t.app.url, 'GET', `/api/topup/numbers/${i % 4 === 0 ? msisdn : `253${msisdn}`}`, { headers })
      : send(t.http, t.app.url, 'POST', '/api/topup/balances', { headers, json: { msisdn, isdn: '21123456' } });
  const customerRequest = async (i: number) => {
    const res =
      i === 3
        ? await send(t.http, t.app.url, 'POST', '/api/topup/recharge-account', { headers: customer, json: { msisdn, isdn: '21123456', amount: 100, pincode: FLOOD_PIN } })
        : await read(customer, i);
    tally.legit(res.status === 200, `the customer's request ${i}: ${summarize(res)}`, true);
  };

  if (kind === 'rate') {
    const flood = Array.from({ length: 200 }, (_, i) => i);
    let served = 0;
    const customerDone = (async () => {
      for (let i = 0; i < 8; i++) {
        await sleep(150);
        await customerRequest(i);
      }
    })();
    await inParallel(flood, 10, async (i) => {
      const res = await read(stranger, i);
      if (res.status === 200) served += 1;
    });
    await customerDone;
    tally.attempt(flood.length);
    process.stdout.write(`[security]     ${tally.name}: the stranger was served ${served} of ${flood.length}\n`);
    return;
  }

  await t.simulator.latency(1500);
  try {
    const flood = Array.from({ length: 40 }, (_, i) => i);
    const flooding = inParallel(flood, 40, (i) => read(stranger, i));
    await sleep(300);
    await Promise.all([0, 1, 2, 3].map((i) => customerRequest(i)));
    await flooding;
    tally.attempt(flood.length);
  } finally {
    await t.simulator.latency(0);
  }
}
