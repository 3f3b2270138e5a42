import { HttpResult } from '../reliability/support/http';
import { RELIABILITY_API_KEY, RELIABILITY_CALLBOX_TOKEN, stopAll } from '../reliability/support/processes';
import { codeOf, isCallBoxErrorBody, isTopUpErrorBody, summarize } from './support/bodies';
import { AttackTally } from './support/tally';
import { engines, processLog, send, startTarget, Target } from './support/target';

/**
 * Hole 5: a NUL byte (`\u0000`) in every free string a client sends (names, location, version,
 * operators, result message and reference, notes, TopUp fields) and in path and query parameters
 * (`tx%00x`). PostgreSQL refuses NUL in text, so a value that reached the database was a 500 whose
 * log line printed the SQL parameters. The CallBox family must answer 400 REQUEST.INVALID, TopUp
 * 422, never 500; and the gateway's log (at info) must never hold the names or phone numbers those
 * requests carried. got_through = answers other than that, plus each marker found in the log.
 */
const ATTACK = 'nul-bytes';
const BOX = 'sec_nul_box';
const SHARED = { authorization: `Bearer ${RELIABILITY_CALLBOX_TOKEN}` };
const ADMIN = { 'x-api-key': RELIABILITY_API_KEY };
/** Personal data sent only inside the NUL-bearing requests: none may reach the log. */
const MARKERS = ['Zorglub', '699000123', '77880001'];
const NAME = 'Zorglub\u0000Secret';
const capabilities = { maxConcurrentTransactions: 5, supportedTypes: ['recharge', 'voucher', 'deposit', 'withdraw'] };
const submission = (customerInfo: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  type: 'recharge',
  phoneNumber: '+237699000123',
  amount: 1000,
  payItemId: 'MTN_RECHARGE_1000',
  customerInfo,
  ...extra,
});

interface Case {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
}

function callboxCases(processingTx: string): Case[] {
  const status = (result: Record<string, unknown>): Case['json'] => ({ status: 'completed', callboxId: BOX, result: { success: true, ...result } });
  return [
    { name: 'register version', method: 'POST', path: '/api/call-box/register', headers: SHARED, json: { callboxId: BOX, capabilities, version: '1.0\u0000', location: 'Djibouti' } },
    { name: 'register location', method: 'POST', path: '/api/call-box/register', headers: SHARED, json: { callboxId: BOX, capabilities, version: '1.0.0', location: 'Zorglubville\u0000' } },
    { name: 'register operators', method: 'POST', path: '/api/call-box/register', headers: SHARED, json: { callboxId: BOX, capabilities: { ...capabilities, operators: ['MTN\u0000Zorglub'] }, version: '1.0.0' } },
    { name: 'register callboxId', method: 'POST', path: '/api/call-box/register', headers: SHARED, json: { callboxId: 'sec\u0000box', capabilities, version: '1.0.0' } },
    { name: 'heartbeat status', method: 'POST', path: '/api/call-box/heartbeat', headers: SHARED, json: { callboxId: BOX, status: 'active\u0000' } },
    { name: 'submit customerInfo.name', method: 'POST', path: '/api/call-box/transactions/submit', headers: SHARED, json: submission({ name: NAME, operator: 'MTN' }) },
    { name: 'submit customerInfo.operator', method: 'POST', path: '/api/call-box/transactions/submit', headers: SHARED, json: submission({ name: 'Zorglub', operator: 'MTN\u0000' }) },
    { name: 'submit payItemId', method: 'POST', path: '/api/call-box/transactions/submit', headers: SHARED, json: submission({ name: 'Zorglub' }, { payItemId: 'MTN\u0000' }) },
    { name: 'to-callbox customerInfo.name', method: 'POST', path: '/api/transaction/to-callbox', headers: ADMIN, json: submission({ name: NAME }) },
    { name: 'status result.message', method: 'PUT', path: `/api/call-box/transactions/${processingTx}/status`, headers: SHARED, json: status({ message: 'Zorglub\u0000ok', transactionRef: 'MTN1' }) },
    { name: 'status result.transactionRef', method: 'PUT', path: `/api/call-box/transactions/${processingTx}/status`, headers: SHARED, json: status({ transactionRef: 'MTN\u0000Zorglub' }) },
    { name: 'status result.errorCode', method: 'PUT', path: `/api/call-box/transactions/${processingTx}/status`, headers: SHARED, json: { status: 'failed', callboxId: BOX, result: { success: false, errorCode: 'USSD\u0000' } } },
    { name: 'resolve note', method: 'POST', path: `/api/call-box/transactions/${processingTx}/resolve`, headers: ADMIN, json: { outcome: 'completed', note: 'Zorglub\u0000note' } },
    { name: 'path transactionId (status)', method: 'PUT', path: '/api/call-box/transactions/tx%00x/status', headers: SHARED, json: { status: 'processing', callboxId: BOX } },
    { name: 'path transactionId (read)', method: 'GET', path: '/api/call-box/transactions/tx%00x', headers: ADMIN },
    { name: 'path transactionId (resolve)', method: 'POST', path: '/api/call-box/transactions/tx%00x/resolve', headers: ADMIN, json: { outcome: 'failed' } },
    { name: 'query callboxId (poll)', method: 'GET', path: '/api/call-box/transactions/pending?callboxId=sec%00box', headers: SHARED },
    { name: 'query callboxId (config)', method: 'GET', path: '/api/call-box/config?callboxId=sec%00box', headers: SHARED },
    { name: 'config callboxId', method: 'PUT', path: '/api/call-box/config', headers: ADMIN, json: { callboxId: 'sec\u0000box', batchSize: 3 } },
  ];
}

const TOPUP_CASES: Case[] = [
  { name: 'balances msisdn', method: 'POST', path: '/api/topup/balances', json: { msisdn: '77880001\u0000', isdn: '21123456' } },
  { name: 'balances isdn', method: 'POST', path: '/api/topup/balances', json: { msisdn: '77880001', isdn: '2112\u00003456' } },
  { name: 'numbers msisdn', method: 'POST', path: '/api/topup/numbers', json: { msisdn: '7788\u00000001' } },
  { name: 'packages type', method: 'POST', path: '/api/topup/packages', json: { msisdn: '77880001', isdn: '21123456', type: '1\u0000' } },
  { name: 'subscribe package_code', method: 'POST', path: '/api/topup/subscribe-package', json: { msisdn: '77880001', isdn: '21123456', package_code: 'DATA\u0000500MB', pincode: '1234' } },
  { name: 'recharge transaction_id', method: 'POST', path: '/api/topup/recharge-account', json: { msisdn: '77880001', isdn: '21123456', amount: 100, pincode: '1234', transaction_id: 'dtapp\u0000x' } },
  { name: 'recharge pincode', method: 'POST', path: '/api/topup/recharge-account', json: { msisdn: '77880001', isdn: '21123456', amount: 100, pincode: '12\u000034' } },
  { name: 'update-pin new_pin', method: 'PUT', path: '/api/topup/update-pin', json: { msisdn: '77880001', old_pin: '1234', new_pin: '56\u000078' } },
  { name: 'directory/add isdn', method: 'POST', path: '/api/topup/directory/add', json: { msisdn: '77880001', isdn: '21123456\u0000', pincode: '1234' } },
  { name: 'directory/remove msisdn', method: 'DELETE', path: '/api/topup/directory/remove', json: { msisdn: '\u000077880001', isdn: '21123456', pincode: '1234' } },
  { name: 'path msisdn', method: 'GET', path: '/api/topup/numbers/77%00123456' },
  { name: 'path isdn', method: 'GET', path: '/api/topup/status/21%00123456' },
];

describe.each(engines())(`Security: ${ATTACK} (%s)`, (engine) => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget(ATTACK, engine, { LOG_LEVEL: 'info' });
  }, 120_000);
  afterAll(async () => {
    await stopAll();
    await target?.db.drop();
  }, 30_000);

  it('answers a NUL anywhere with the family 400/422, never 500, and keeps personal data out of the log', async () => {
    const t = target;
    const tally = new AttackTally(ATTACK, engine);
    const legit = tally.variant('legit');
    const call = (c: Case) => send(t.http, t.app.url, c.method, c.path, { headers: c.headers, json: c.json });
    const ok = (what: string, res: HttpResult) => legit.legit(res.status >= 200 && res.status < 300, `${what}: ${summarize(res)}`);

    ok('the box registers', await call({ name: '', method: 'POST', path: '/api/call-box/register', headers: SHARED, json: { callboxId: BOX, capabilities, version: '1.0.0', location: 'Djibouti' } }));
    const submitted = await call({ name: '', method: 'POST', path: '/api/call-box/transactions/submit', headers: SHARED, json: { ...submission({ name: 'Client Ordinaire' }), phoneNumber: '+237677111222' } });
    ok('a plain submit', submitted);
    const txId: string = submitted.body?.transaction?.id ?? 'missing';
    ok('the box polls', await call({ name: '', method: 'GET', path: `/api/call-box/transactions/pending?callboxId=${BOX}&limit=5`, headers: SHARED }));
    ok('the box reports processing', await call({ name: '', method: 'PUT', path: `/api/call-box/transactions/${txId}/status`, headers: SHARED, json: { status: 'processing', callboxId: BOX } }));

    const check = (family: 'callbox' | 'topup', cases: Case[]) => async () => {
      const variant = tally.variant(family);
      for (const c of cases) {
        const res = await call(c);
        variant.attempt();
        const expected = family === 'callbox' ? res.status === 400 && codeOf(res) === 'REQUEST.INVALID' && isCallBoxErrorBody(res.body) : res.status === 422 && isTopUpErrorBody(res.body);
        if (!expected) variant.through(1, `${c.name}: ${summarize(res)}`);
      }
    };
    await check('callbox', callboxCases(txId))();
    await check('topup', TOPUP_CASES)();

    // Nothing the NUL requests sent was taken: the box's own report still applies.
    ok('the box reports completed', await call({ name: '', method: 'PUT', path: `/api/call-box/transactions/${txId}/status`, headers: SHARED, json: { status: 'completed', callboxId: BOX, result: { success: true, transactionRef: 'MTN42' } } }));
    ok('a plain TopUp query', await call({ name: '', method: 'GET', path: '/api/topup/numbers/77123456' }));

    await t.app.stop(); // flushes the log
    const log = processLog(t.app);
    const leaks = tally.variant('log');
    for (const marker of MARKERS) {
      leaks.attempt();
      const lines = log.split('\n').filter((line) => line.includes(marker));
      if (lines.length > 0) leaks.through(1, `the log holds "${marker}" (${lines.length} lines), e.g. ${lines[0].slice(0, 300)}`);
    }
    tally.printAndExpectClean();
  }, 60_000);
});
