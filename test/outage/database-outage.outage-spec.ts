import { execSync } from 'node:child_process';
import { registration, rechargeSubmission } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Stops and restarts the PostgreSQL server under load. It needs the server to itself, so it runs
 * alone (`npm run test:outage`, from .ci/run) with TEST_PG_CTL set to the cluster's pg_ctl command.
 */
const pgCtl = process.env.TEST_PG_CTL;
const postgres = /^postgres/.test(process.env.TEST_DATABASE_URL ?? '');
const describeWithServer = pgCtl && postgres ? describe : describe.skip;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithServer('PostgreSQL stopped and restarted under load', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { LOG_LEVEL: process.env.OUTAGE_LOG_LEVEL ?? 'silent' } });
    await t.api.post('/api/call-box/register', registration('callbox_001', { capabilities: { maxConcurrentTransactions: 100, supportedTypes: ['recharge'] } }));
  });
  afterAll(async () => {
    // Whatever happened in the spec, leave the server running for the rest of the run.
    if (!serverRunning()) execSync(`${pgCtl} start -w -t 30`, { stdio: 'ignore' });
    await t.close();
  });

  function serverRunning(): boolean {
    try {
      execSync(`${pgCtl} status`, { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  async function submitUntil(stop: () => boolean, acknowledged: string[], statuses: number[]): Promise<void> {
    while (!stop()) {
      const res = await t.api.post('/api/call-box/transactions/submit', rechargeSubmission());
      statuses.push(res.status);
      if (res.status === 200) acknowledged.push(res.body.transaction.id);
      else {
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ success: false, code: 'DATABASE.UNAVAILABLE' });
      }
    }
  }

  it('answers 503 in each family body while the database is down, recovers by itself, and loses nothing', async () => {
    const acknowledged: string[] = [];
    const statuses: number[] = [];
    let done = false;
    const load = Promise.all([1, 2, 3].map(() => submitUntil(() => done, acknowledged, statuses)));

    await sleep(300);
    execSync(`${pgCtl} stop -m fast -w`, { stdio: 'ignore' });
    await sleep(1500);
    const ready = await t.api.get('/health/ready', { auth: 'none' });
    expect(ready.status).toBe(503);
    expect((await t.api.get('/health/live', { auth: 'none' })).status).toBe(200);
    const command = await t.api.post(
      '/api/topup/recharge-account',
      { msisdn: '77123456', isdn: '21123456', amount: 100, pincode: '1234' },
      { auth: 'none' },
    );
    expect(command.status).toBe(503);
    expect(command.body).toMatchObject({ erreur: 'Service indisponible', returnCode: 'DATABASE.UNAVAILABLE' });

    execSync(`${pgCtl} start -w -t 30`, { stdio: 'ignore' });
    for (let i = 0; i < 60 && (await t.api.get('/health/ready', { auth: 'none' })).status !== 200; i++) await sleep(500);
    await sleep(500);
    done = true;
    await load;

    expect(statuses).toContain(503);
    expect(statuses.at(-1)).toBe(200);
    // Every acknowledged transaction is there, once, and no refused one was written.
    const stats = (await t.api.get('/api/call-box/stats')).body.stats;
    expect(stats.pendingTransactions + stats.assignedTransactions).toBe(acknowledged.length);
    expect(new Set(acknowledged).size).toBe(acknowledged.length);
    for (const id of acknowledged.slice(0, 20)) {
      expect((await t.api.get(`/api/call-box/transactions/${id}`, { auth: 'admin' })).status).toBe(200);
    }
  });
});
