import { createTestApp, TestApp } from '../support/test-app';
import { heartbeat, registration, rechargeSubmission } from '../support/fixtures';

const LIMIT = 3;
const MAIN_LIMIT = 5;

describe('CallBox rate limits (RATE_LIMIT_PER_MINUTE)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({
      fakeClock: true,
      env: { RATE_LIMIT_PER_MINUTE: String(LIMIT), MAIN_RATE_LIMIT_PER_MINUTE: String(MAIN_LIMIT) },
    });
    // Registration is itself limited: each box registers once, leaving LIMIT - 1 calls.
    await t.api.post('/api/call-box/register', registration('callbox_001'));
    await t.api.post('/api/call-box/register', registration('callbox_002'));
  });
  afterEach(async () => t.close());

  it('answers 429 in the CallBox body with Retry-After once a box used its minute', async () => {
    for (let i = 1; i < LIMIT; i++) expect((await t.api.post('/api/call-box/heartbeat', heartbeat('callbox_001'))).status).toBe(200);
    const refused = await t.api.post('/api/call-box/heartbeat', heartbeat('callbox_001'));
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ success: false, error: 'Trop de requêtes', code: 'HTTP.429' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('counts boxes apart even when they share one token (a fleet behind one NAT)', async () => {
    for (let i = 1; i < LIMIT; i++) await t.api.post('/api/call-box/heartbeat', heartbeat('callbox_001'));
    expect((await t.api.post('/api/call-box/heartbeat', heartbeat('callbox_001'))).status).toBe(429);
    expect((await t.api.post('/api/call-box/heartbeat', heartbeat('callbox_002'))).status).toBe(200);
    expect((await t.api.get('/api/call-box/transactions/pending?callboxId=callbox_002')).status).toBe(200);
  });

  it('limits the main-system hook per key, with its own allowance (MAIN_RATE_LIMIT_PER_MINUTE)', async () => {
    for (let i = 0; i < MAIN_LIMIT; i++) {
      expect((await t.api.post('/api/transaction/to-callbox', rechargeSubmission(), { auth: 'admin' })).status).toBe(200);
    }
    const refused = await t.api.post('/api/transaction/to-callbox', rechargeSubmission(), { auth: 'admin' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
  });

  it("does not spend a box's allowance on the main system's pushes, nor the other way round", async () => {
    for (let i = 1; i < LIMIT; i++) await t.api.post('/api/call-box/heartbeat', heartbeat('callbox_001'));
    expect((await t.api.post('/api/call-box/heartbeat', heartbeat('callbox_001'))).status).toBe(429);
    expect((await t.api.post('/api/transaction/to-callbox', rechargeSubmission(), { auth: 'admin' })).status).toBe(200);
    for (let i = 1; i < MAIN_LIMIT; i++) await t.api.post('/api/transaction/to-callbox', rechargeSubmission(), { auth: 'admin' });
    expect((await t.api.post('/api/transaction/to-callbox', rechargeSubmission(), { auth: 'admin' })).status).toBe(429);
    expect((await t.api.get('/api/call-box/transactions/pending?callboxId=callbox_002')).status).toBe(200);
  });

  it('does not limit the admin sync endpoints', async () => {
    for (let i = 0; i < LIMIT * 2; i++) expect((await t.api.get('/api/sync/status', { auth: 'admin' })).status).toBe(200);
  });
});
