import { createTestApp, TestApp } from '../support/test-app';
import { registration } from '../support/fixtures';

const LIMIT = 3;
const MAIN_LIMIT = 5;

/**
 * The rate-limit guard reads a route's throttler settings once and decides per request from the
 * matched route and the authenticated caller: on one route both a box and the main system may call,
 * each is counted against its own allowance, and a refusal is still the family's 429 with Retry-After.
 */
describe('Rate limit decided per caller on a route both may call', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_PER_MINUTE: String(LIMIT), MAIN_RATE_LIMIT_PER_MINUTE: String(MAIN_LIMIT) } });
  });
  afterEach(async () => t.close());

  const config = (auth: 'callbox' | 'admin') => t.api.get('/api/call-box/config', { auth });

  it("counts a box and the main system apart on GET /api/call-box/config, each against its family's allowance", async () => {
    // The box's first call: its own throttler, its allowance announced.
    const first = await config('callbox');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-callbox')).toBe(String(LIMIT));
    expect(first.headers.get('x-ratelimit-limit-main')).toBeNull();

    // The main system on the same route (its settings now read once): the main throttler.
    const main = await config('admin');
    expect(main.status).toBe(200);
    expect(main.headers.get('x-ratelimit-limit-main')).toBe(String(MAIN_LIMIT));
    expect(main.headers.get('x-ratelimit-limit-callbox')).toBeNull();

    for (let i = 1; i < LIMIT; i++) expect((await config('callbox')).status).toBe(200);
    const refused = await config('callbox');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ success: false, error: 'Trop de requêtes', code: 'HTTP.429' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // The box's minute is spent; the main system's is not (one of its five used above).
    for (let i = 1; i < MAIN_LIMIT; i++) expect((await config('admin')).status).toBe(200);
    const mainRefused = await config('admin');
    expect(mainRefused.status).toBe(429);
    expect(mainRefused.headers.get('retry-after')).not.toBeNull();
  });

  it("spends one allowance across the family's routes (register, poll, config), whichever the route", async () => {
    expect((await t.api.post('/api/call-box/register', registration('callbox_001'))).status).toBe(200);
    expect((await t.api.get('/api/call-box/transactions/pending?callboxId=callbox_001')).status).toBe(200);
    expect((await t.api.get('/api/call-box/config?callboxId=callbox_001')).status).toBe(200);
    const refused = await t.api.get('/api/call-box/transactions/pending?callboxId=callbox_001');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
  });
});
