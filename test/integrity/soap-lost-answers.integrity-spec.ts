import { createPostgresDatabase, createSqliteDatabase, NO_POSTGRES, postgresServer, ScenarioDatabase } from '../reliability/support/databases';
import { HttpClient, HttpResult } from '../reliability/support/http';
import { createApp, createSimulator, ManagedProcess, SIMULATOR_PASSWORD, SIMULATOR_USERNAME, stopAll } from '../reliability/support/processes';
import { ProxyMode, SoapProxy } from '../support/soap-proxy';

/**
 * Issue 20 items 1 and 2, with real processes: a proxy between the gateway and the operator loses
 * answers after the operator ran the command (connection reset, a 502, a cut-off XML body), or
 * refuses the connection (nothing sent), and the operator is slower than the request ceiling. Each
 * command is replayed, some replays at once, on every replica. The operator must run each id once
 * at most (once exactly where it was reached), every answer must carry its transaction_id, and an
 * answer must say `outcome_unknown: true` whenever the command ran without its answer read.
 */
/** A number per case: an unanswered command counts as a wrong PIN (it may have been one), five lock the number. */
const MOBILES = { reset: '77880011', 'bad-gateway': '77880012', truncate: '77880013', refuse: '77880014', ceiling: '77880015' } as const;
const PIN = '4321';
const AMOUNT = 100;
const PER_MODE = 4;
const CEILING_MS = 2_000;
const LOST: ProxyMode[] = ['reset', 'bad-gateway', 'truncate'];

const engines: Array<{ engine: 'postgres' | 'sqlite'; replicas: number }> = [{ engine: 'sqlite', replicas: 1 }];
if (postgresServer()) engines.unshift({ engine: 'postgres', replicas: 2 });
else process.stdout.write(`[integrity] soap-lost-answers-postgres: skipped (${NO_POSTGRES})\n`);

interface Violations {
  list: string[];
  add(what: string): void;
}

describe.each(engines)('Integrity: TopUp commands whose answers are lost ($engine, $replicas replica(s))', ({ engine, replicas }) => {
  const name = `soap-lost-answers-${engine}`;
  let db: ScenarioDatabase;
  let simulator: ManagedProcess & { soapUrl: string };
  let proxy: SoapProxy;
  let apps: ManagedProcess[] = [];
  const client = new HttpClient(32);
  let sequence = 0;

  beforeAll(async () => {
    db = engine === 'postgres' ? await createPostgresDatabase('soaplost') : createSqliteDatabase();
    simulator = await createSimulator();
    await simulator.start();
    proxy = new SoapProxy(simulator.soapUrl);
    await proxy.start();
    for (let i = 0; i < replicas; i++) {
      const app = await createApp({
        name: `${engine}-${i}`,
        databaseUrl: db.url,
        env: {
          TOPUP_SOAP_URL: proxy.url,
          TOPUP_SOAP_USERNAME: SIMULATOR_USERNAME,
          TOPUP_SOAP_PASSWORD: SIMULATOR_PASSWORD,
          TOPUP_REQUEST_TIMEOUT_MS: String(CEILING_MS),
          TOPUP_BREAKER_MIN_CALLS: '1000',
        },
      });
      await app.start();
      apps.push(app);
    }
    for (const msisdn of Object.values(MOBILES)) await control('POST', '/__simulator/mobiles', { msisdn, pin: PIN, balance: 100_000 });
  }, 90_000);
  afterAll(async () => {
    client.close();
    await proxy?.stop();
    await stopAll();
    await db?.drop();
    apps = [];
  }, 30_000);

  const control = (method: string, path: string, json?: unknown) => client.request(simulator.url, method, path, { json });
  const executed = async (): Promise<number> => {
    const counts = (await control('GET', '/__simulator/state')).body.commandsByMobile ?? {};
    return Object.values(MOBILES).reduce((sum, msisdn) => sum + (counts[msisdn]?.executed ?? 0), 0);
  };
  const recharge = (msisdn: string, replica: number, transactionId?: string): Promise<HttpResult> =>
    client.request(apps[replica % apps.length].url, 'POST', '/api/topup/recharge-account', {
      json: { msisdn, isdn: '21123456', amount: AMOUNT, pincode: PIN, ...(transactionId && { transaction_id: transactionId }) },
      timeoutMs: 30_000,
    });

  /** Every answer about a command names it; a 503 says whether it may have run. */
  function check(res: HttpResult, id: string | null, violations: Violations, expectUnknown?: boolean): void {
    if (res.body?.transaction_id === undefined || (id !== null && res.body.transaction_id !== id)) {
      violations.add(`answer ${res.status} without its transaction_id ${id}: ${res.text.slice(0, 200)}`);
    }
    if (expectUnknown !== undefined && res.body?.details?.outcome_unknown !== expectUnknown) {
      violations.add(`answer ${res.status} for ${id} says outcome_unknown=${res.body?.details?.outcome_unknown}, expected ${expectUnknown}`);
    }
  }

  it('runs each command at most once at the operator, and says when its outcome is unknown', async () => {
    const violations: Violations = { list: [], add: (what) => violations.list.push(what) };
    const before = await executed();
    let commands = 0;
    let expected = 0;

    for (const mode of LOST) {
      await proxy.setMode(mode);
      const ids = Array.from({ length: PER_MODE }, () => `dtapplost${mode.replace('-', '')}${Date.now()}${sequence++}`);
      const firsts = await Promise.all(ids.map((id, i) => recharge(MOBILES[mode as keyof typeof MOBILES], i, id)));
      firsts.forEach((res, i) => {
        if (res.status !== 503) violations.add(`${mode}: first answer ${res.status} for ${ids[i]}`);
        check(res, ids[i], violations, true);
      });
      await proxy.setMode('pass');
      // Replays on every replica, two at once for each id: the recorded answer, nothing sent.
      const msisdn = MOBILES[mode as keyof typeof MOBILES];
      const replays = await Promise.all(ids.flatMap((id, i) => [recharge(msisdn, i + 1, id), recharge(msisdn, i, id)]));
      replays.forEach((res, i) => {
        if (res.status !== 503) violations.add(`${mode}: replay answered ${res.status}`);
        check(res, ids[Math.floor(i / 2)], violations, true);
      });
      commands += ids.length;
      expected += ids.length;
    }

    await proxy.setMode('refuse');
    const refusedIds = Array.from({ length: PER_MODE }, () => `dtapplostrefused${Date.now()}${sequence++}`);
    for (const [i, res] of (await Promise.all(refusedIds.map((id, i) => recharge(MOBILES.refuse, i, id)))).entries()) {
      if (res.status !== 503) violations.add(`refused: first answer ${res.status}`);
      check(res, refusedIds[i], violations, false);
    }
    await proxy.setMode('pass');
    for (const [i, res] of (await Promise.all(refusedIds.map((id, i) => recharge(MOBILES.refuse, i + 1, id)))).entries()) {
      if (res.status !== 200) violations.add(`refused then replayed: ${res.status} for ${refusedIds[i]}`);
      check(res, refusedIds[i], violations);
    }
    commands += refusedIds.length;
    expected += refusedIds.length;

    // Slower than the ceiling: answered outcome unknown with a generated id; the answer arrives later.
    await control('POST', '/__simulator/faults', { latencyMs: CEILING_MS + 1_500 });
    const slow = await Promise.all(Array.from({ length: PER_MODE }, (_, i) => recharge(MOBILES.ceiling, i)));
    await control('POST', '/__simulator/faults', { latencyMs: 0 });
    for (const res of slow) {
      if (res.status !== 503 || res.body?.returnCode !== 'REQUEST_TIMEOUT') violations.add(`ceiling: answered ${res.status} ${res.body?.returnCode}`);
      check(res, null, violations, true);
    }
    for (const res of slow) {
      const id = res.body?.transaction_id as string;
      let replay = await recharge(MOBILES.ceiling, 1, id);
      for (let i = 0; i < 100 && replay.status === 409 && replay.body?.returnCode === 'TRANSACTION_IN_PROGRESS'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        replay = await recharge(MOBILES.ceiling, i, id);
      }
      if (replay.status !== 200) violations.add(`ceiling: once known, ${id} answered ${replay.status} ${replay.text.slice(0, 200)}`);
      check(replay, id, violations);
    }
    commands += slow.length;
    expected += slow.length;

    const executions = (await executed()) - before;
    if (executions !== expected) violations.add(`the operator ran ${executions} commands for ${expected} ids`);
    process.stdout.write(`[integrity] ${name}: commands=${commands} executions=${executions} expected=${expected} violations=${violations.list.length}\n`);
    expect(violations.list).toEqual([]);
  }, 180_000);
});
