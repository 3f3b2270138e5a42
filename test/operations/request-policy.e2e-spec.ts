import { heartbeat, registration, rechargeSubmission } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';
import { CALLBOX_ERROR_KEYS, callboxErrorKeys } from '../callbox/callbox-api';

/**
 * The holes of the security issue that live in the request pipeline: a budget chosen from the raw
 * URL, a budget spent before authentication, TopUp limits one address can spend for another, NUL
 * characters, form bodies and framework strings in error details.
 */
const LIMIT = 4;
const AUTH_FAILURES = 5;

const callboxBody = (res: { body: Record<string, unknown> }) => {
  expect(callboxErrorKeys(res.body)).toEqual(CALLBOX_ERROR_KEYS);
  expect(typeof res.body.details).toBe('string');
};
const topUpBody = (res: { body: Record<string, unknown> }) => {
  expect(res.body).toHaveProperty('erreur');
  expect(res.body).toHaveProperty('message');
  expect(res.body).not.toHaveProperty('success');
};

describe('Request policy: budgets by matched route and authenticated principal', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({
      fakeClock: true,
      env: {
        RATE_LIMIT_PER_MINUTE: String(LIMIT),
        TOPUP_RATE_LIMIT_PER_MINUTE: String(LIMIT),
        AUTH_FAILURE_LIMIT_PER_MINUTE: String(AUTH_FAILURES),
        TRUST_PROXY: '127.0.0.1',
      },
    });
  });
  afterEach(async () => t.close());

  it.each([
    ['encoded letter', '/api/%74opup/numbers/77654321'],
    ['encoded dash', '/api/topup/numbers/7765432%31'],
  ])('counts a TopUp path with an %s against the plain path’s budget, in the TopUp body', async (_name, encoded) => {
    const answers = [];
    for (let i = 0; i < LIMIT * 2; i++) {
      answers.push(await t.api.get(i % 2 === 0 ? '/api/topup/numbers/77654321' : encoded, { auth: 'none' }));
    }
    expect(answers.filter((res) => res.status === 200)).toHaveLength(LIMIT);
    const refused = answers.filter((res) => res.status !== 200);
    expect(refused.map((res) => res.status)).toEqual(Array(LIMIT).fill(429));
    refused.forEach(topUpBody);
  });

  it('counts a CallBox path with an encoded dash against the box’s budget, in the CallBox body', async () => {
    await t.api.post('/api/call-box/register', registration('callbox_001'));
    const statuses = [];
    for (let i = 0; i < LIMIT * 2; i++) {
      const res = await t.api.post(i % 2 === 0 ? '/api/call-box/heartbeat' : '/api/call%2Dbox/heartbeat', heartbeat('callbox_001'));
      if (res.status !== 200) callboxBody(res);
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT - 1);
  });

  it.each([
    ['a double slash', '/api//topup/numbers/77654321'],
    ['a trailing slash', '/api/topup/numbers/77654321/'],
    ['mixed case', '/api/TopUp/numbers/77654321'],
  ])('refuses %s with a 404 in the body of the family it names, spending nothing', async (_name, path) => {
    const res = await t.api.get(path, { auth: 'none' });
    expect(res.status).toBe(404);
    topUpBody(res);
    expect(JSON.stringify(res.body)).not.toMatch(/Cannot (GET|POST)/);
  });

  it('never lets a stranger naming a box spend that box’s budget: the real box keeps its allowance', async () => {
    await t.api.post('/api/call-box/register', registration('callbox_001'));
    const stranger = [];
    for (let i = 0; i < LIMIT * 3; i++) {
      stranger.push((await t.api.get('/api/call-box/transactions/pending?callboxId=callbox_001', { auth: 'none' })).status);
      stranger.push((await t.api.post('/api/call-box/heartbeat', heartbeat('callbox_001'), { auth: { bearer: 'not-the-token-0123456789' } })).status);
    }
    // Its own address budget runs out: 401 until then, then 429 AUTH.TOO_MANY_FAILURES.
    expect(stranger.slice(0, AUTH_FAILURES)).toEqual(Array(AUTH_FAILURES).fill(401));
    expect(new Set(stranger.slice(AUTH_FAILURES))).toEqual(new Set([429]));
    const refused = await t.api.get('/api/call-box/transactions/pending?callboxId=callbox_001', { auth: 'none' });
    expect(refused.body).toMatchObject({ code: 'AUTH.TOO_MANY_FAILURES' });
    // The real box, from the same address (a carrier NAT), is refused by neither budget.
    for (let i = 1; i < LIMIT; i++) expect((await t.api.post('/api/call-box/heartbeat', heartbeat('callbox_001'))).status).toBe(200);
    expect((await t.api.post('/api/call-box/heartbeat', heartbeat('callbox_001'))).status).toBe(429);
  });

  it('keeps each client address’s TopUp budget and in-flight slots for one number apart', async () => {
    const from = (address: string) => ({ auth: 'none' as const, headers: { 'x-forwarded-for': address } });
    for (let i = 0; i < LIMIT; i++) expect((await t.api.get('/api/topup/numbers/77654321', from('203.0.113.9'))).status).toBe(200);
    expect((await t.api.get('/api/topup/numbers/77654321', from('203.0.113.9'))).status).toBe(429);
    expect((await t.api.get('/api/topup/numbers/77654321', from('198.51.100.20'))).status).toBe(200);
  });
});

describe('Request policy: what no field may carry', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.api.post('/api/call-box/register', registration('callbox_001'));
  });
  afterAll(async () => t.close());

  it.each([
    ['customerInfo.name', rechargeSubmission({ customerInfo: { name: 'a\u0000b', operator: 'MTN' } })],
    ['payItemId', rechargeSubmission({ payItemId: 'MTN\u0000' })],
  ])('refuses a NUL character in %s of a submit with 400 REQUEST.INVALID', async (field, body) => {
    const res = await t.api.post('/api/call-box/transactions/submit', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'REQUEST.INVALID' });
    expect(Object.keys(res.body.fields)).toContain(field);
  });

  it('refuses a NUL character in a registration and in a path with 400', async () => {
    expect((await t.api.post('/api/call-box/register', registration('callbox_001', { location: 'Douala\u0000' }))).status).toBe(400);
    const res = await t.api.put('/api/call-box/transactions/tx%00x/status', { status: 'processing', callboxId: 'callbox_001' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'REQUEST.INVALID' });
  });

  it('refuses a NUL character in a TopUp request with 422', async () => {
    const res = await t.api.post('/api/topup/balances', { msisdn: '77123456', isdn: '2112\u00003456' }, { auth: 'none' });
    expect(res.status).toBe(422);
    topUpBody(res);
  });

  it('refuses a form-encoded body on a JSON route with 415', async () => {
    const res = await t.api.post('/api/call-box/heartbeat', 'callboxId=callbox_001&status=active', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    callboxBody(res);
  });

  it('never echoes the framework’s own words in an error', async () => {
    const missing = await t.api.get('/api/call-box/nowhere');
    expect(missing.status).toBe(404);
    expect(JSON.stringify(missing.body)).not.toMatch(/Cannot GET|Exception/);
  });
});
