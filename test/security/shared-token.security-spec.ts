import { HttpResult } from '../reliability/support/http';
import { RELIABILITY_API_KEY, RELIABILITY_CALLBOX_TOKEN, stopAll } from '../reliability/support/processes';
import { codeOf, summarize } from './support/bodies';
import { AttackTally } from './support/tally';
import { engines, send, startTarget, Target } from './support/target';

/**
 * Hole 4: the fleet's shared token acting as a box that has a token of its own. With
 * CALLBOX_TOKEN=<shared> and CALLBOX_TOKENS=callbox_002:<bound>, the shared token registering,
 * heartbeating, polling, reading or reporting as callbox_002 gets 403 AUTH.CALLBOX_MISMATCH; the
 * bound token works; a forged `completed` sent with the shared token never settles callbox_002's
 * withdrawal. got_through = shared-token requests for callbox_002 not refused with that 403, plus
 * a withdrawal settled with the forged reference. Legit: everything the real box does.
 */
const ATTACK = 'shared-token-as-bound-box';
const BOX = 'callbox_002';
const BOUND = 'security-bound-token-callbox-002-0001';
const SHARED = { authorization: `Bearer ${RELIABILITY_CALLBOX_TOKEN}` };
const BOUND_AUTH = { authorization: `Bearer ${BOUND}` };
const ADMIN = { 'x-api-key': RELIABILITY_API_KEY };
const REAL_REF = 'D-MONEY-REAL-0001';
const FORGED_REF = 'FORGED-REF-0001';
const capabilities = { maxConcurrentTransactions: 5, supportedTypes: ['recharge', 'voucher', 'deposit', 'withdraw'] };

describe.each(engines())(`Security: ${ATTACK} (%s)`, (engine) => {
  let target: Target;
  beforeAll(async () => {
    // CALLBOX_TOKEN is the shared token createApp always sets.
    target = await startTarget(ATTACK, engine, { CALLBOX_TOKENS: `${BOX}:${BOUND}` });
  }, 120_000);
  afterAll(async () => {
    await stopAll();
    await target?.db.drop();
  }, 30_000);

  it('refuses the shared token everything it tries as the bound box; the bound box settles its own work', async () => {
    const t = target;
    const tally = new AttackTally(ATTACK, engine);
    const attack = tally.variant('shared-token-as-callbox_002');
    const box = tally.variant('bound-box');
    const call = (method: string, path: string, headers: Record<string, string>, json?: unknown) => send(t.http, t.app.url, method, path, { headers, json });
    const mustBeMismatch = (what: string, res: HttpResult) => {
      attack.attempt();
      const refused = res.status === 403 && codeOf(res) === 'AUTH.CALLBOX_MISMATCH';
      if (!refused) attack.through(1, `${what}: ${summarize(res)}`);
    };
    const mustBeOk = (what: string, res: HttpResult) => box.legit(res.status >= 200 && res.status < 300, `${what}: ${summarize(res)}`);

    mustBeOk('the bound box registers', await call('POST', '/api/call-box/register', BOUND_AUTH, { callboxId: BOX, capabilities, version: '1.0.0', location: 'Djibouti' }));
    mustBeMismatch('the shared token registers callbox_002', await call('POST', '/api/call-box/register', SHARED, { callboxId: BOX, capabilities, version: '6.6.6', location: 'Elsewhere' }));
    mustBeMismatch('the shared token heartbeats as callbox_002', await call('POST', '/api/call-box/heartbeat', SHARED, { callboxId: BOX, status: 'active', queueSize: 0 }));

    const submitted = await call('POST', '/api/transaction/to-callbox', ADMIN, {
      type: 'withdraw',
      phoneNumber: '+25377000050',
      amount: 50_000,
      payItemId: 'DMONEY_WITHDRAW_50000',
      customerInfo: { name: 'Security Victim', operator: 'D-Money' },
    });
    const txId: string | undefined = submitted.body?.transaction?.id;
    mustBeOk('the main system submits a 50 000 withdrawal', submitted);
    if (!txId) throw new Error(`no transaction id in ${submitted.text}`);

    const boxPoll = await call('GET', `/api/call-box/transactions/pending?callboxId=${BOX}&limit=5`, BOUND_AUTH);
    const claimed = JSON.stringify(boxPoll.body ?? {}).includes(txId);
    box.legit(boxPoll.status === 200 && claimed, `the bound box polls and gets the withdrawal: ${summarize(boxPoll)}`);
    mustBeMismatch('the shared token polls as callbox_002', await call('GET', `/api/call-box/transactions/pending?callboxId=${BOX}&limit=5`, SHARED));
    mustBeMismatch('the shared token reads callbox_002\'s withdrawal', await call('GET', `/api/call-box/transactions/${txId}?callboxId=${BOX}`, SHARED));
    mustBeMismatch('the shared token reports processing as callbox_002', await call('PUT', `/api/call-box/transactions/${txId}/status`, SHARED, { status: 'processing', callboxId: BOX }));
    mustBeOk('the bound box reports processing', await call('PUT', `/api/call-box/transactions/${txId}/status`, BOUND_AUTH, { status: 'processing', callboxId: BOX }));

    const forged = { status: 'completed', callboxId: BOX, result: { success: true, transactionRef: FORGED_REF, balance: 0, message: 'ok' } };
    mustBeMismatch('the shared token reports completed as callbox_002 (forged reference)', await call('PUT', `/api/call-box/transactions/${txId}/status`, SHARED, forged));
    mustBeMismatch('the shared token reports failed as callbox_002', await call('PUT', `/api/call-box/transactions/${txId}/status`, SHARED, { status: 'failed', callboxId: BOX, result: { success: false, errorCode: 'X' } }));
    // As a box of its own the shared token is legitimate, but the withdrawal is not its to settle.
    const asOther = await call('PUT', `/api/call-box/transactions/${txId}/status`, SHARED, { ...forged, callboxId: 'callbox_001' });
    attack.attempt();
    if (asOther.status >= 200 && asOther.status < 300) attack.through(1, `the shared token settled it as callbox_001: ${summarize(asOther)}`);

    mustBeOk(
      'the bound box reports completed',
      await call('PUT', `/api/call-box/transactions/${txId}/status`, BOUND_AUTH, { status: 'completed', callboxId: BOX, result: { success: true, transactionRef: REAL_REF, balance: 1000, message: 'Retrait effectué' } }),
    );
    const final = await call('GET', `/api/call-box/transactions/${txId}`, ADMIN);
    const text = final.text;
    if (text.includes(FORGED_REF)) attack.through(1, `the withdrawal carries the forged reference: ${summarize(final)}`);
    box.legit(final.status === 200 && text.includes(REAL_REF) && /"completed"/.test(text), `the withdrawal is completed with the box's own reference: ${summarize(final)}`);

    tally.printAndExpectClean();
  }, 60_000);
});
