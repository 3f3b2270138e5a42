import { BODY_LIMIT_BYTES } from '../../src/app.setup';
import { ApiResponse } from '../support/api-client';
import { rechargeSubmission, registration } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';
import { CALLBOX_ERROR_KEYS, callboxErrorKeys, expectError, expectInvalidField, expectStatus, paths, registerBox, stats, submit } from './callbox-api';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A JSON object of exactly `bytes` bytes once serialized. */
function jsonOfSize(bytes: number, base: Record<string, unknown>): string {
  const skeleton = JSON.stringify({ ...base, padding: '' });
  return JSON.stringify({ ...base, padding: 'x'.repeat(bytes - Buffer.byteLength(skeleton)) });
}

/** Never a 500, never an internal leaking into the body. */
function expectClientError(res: ApiResponse): void {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.body).toMatchObject({ success: false, error: expect.any(String), code: expect.any(String) });
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.(ts|js):\d+|stack|SQLITE|QueryFailedError|TypeError/i);
}

describe('CallBox API errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ fakeClock: true });
    await registerBox(t.api, 'callbox_001');
  });
  afterAll(async () => t.close());

  describe('request bodies', () => {
    it(`refuses a body over ${BODY_LIMIT_BYTES} bytes with 413, and queues nothing`, async () => {
      const res = await t.api.post(paths.submit, jsonOfSize(BODY_LIMIT_BYTES + 1, rechargeSubmission()));
      expectStatus(res, 413);
      expectClientError(res);
      expect((await stats(t.api)).pendingTransactions).toBe(0);
    });

    it(`accepts a body of exactly ${BODY_LIMIT_BYTES} bytes`, async () => {
      const res = await t.api.post(paths.register, jsonOfSize(BODY_LIMIT_BYTES, registration('callbox_big')));
      expectStatus(res, 200);
    });

    it.each([
      ['truncated JSON', '{"callboxId": "callbox_001",'],
      ['single quotes', "{'callboxId': 'callbox_001'}"],
      ['a trailing comma', '{"callboxId": "callbox_001",}'],
      ['a __proto__ key', '{"__proto__": {"admin": true}, "callboxId": "callbox_001"}'],
    ])('refuses %s with 400', async (_, body) => {
      const res = await t.api.post(paths.register, body);
      expectStatus(res, 400);
      expectClientError(res);
    });

    it.each([
      ['an array', '[{"callboxId": "callbox_001"}]'],
      ['a string', '"callbox_001"'],
      ['a number', '42'],
      ['null', 'null'],
    ])('refuses a JSON body that is %s with 400 REQUEST.INVALID', async (_, body) => {
      expectInvalidField(await t.api.post(paths.submit, body), 'body');
    });

    it('refuses a body that is not JSON', async () => {
      const res = await t.api.post(paths.submit, 'type=recharge', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expectClientError(res);
    });

    it('reports validation failures field by field', async () => {
      const res = await t.api.post(paths.submit, { type: 'sms', phoneNumber: '0677', amount: -1, payItemId: 'a b' });
      expectError(res, 400, 'REQUEST.INVALID');
      expect(Object.keys(res.body.fields).sort()).toEqual(['amount', 'payItemId', 'phoneNumber', 'type']);
      for (const messages of Object.values(res.body.fields)) {
        expect(messages).toEqual(expect.arrayContaining([expect.any(String)]));
      }
    });
  });

  describe('routes', () => {
    it.each([
      ['an unknown path', 'GET', '/api/call-box/unknown'],
      ['an unknown path without credentials', 'GET', '/api/nothing-here'],
      ['a known path with another method', 'DELETE', '/api/call-box/stats'],
      ['a path outside /api', 'GET', '/call-box/stats'],
    ])('%s is 404 ROUTE.NOT_FOUND', async (_, method, path) => {
      expectError(await t.api.request(method, path), 404, 'ROUTE.NOT_FOUND');
    });

    it.each([
      ['an over-long transaction id', paths.status('tx_' + '9'.repeat(300))],
      ['a transaction id that is not valid UTF-8', '/api/call-box/transactions/%ff%fe/status'],
    ])('%s gets the family error body and a request id', async (_, path) => {
      const res = await t.api.put(path, { status: 'processing', callboxId: 'callbox_001' });
      expectClientError(res);
      expect(callboxErrorKeys(res.body)).toEqual(CALLBOX_ERROR_KEYS);
      expect(res.headers.get('x-request-id')).toMatch(UUID);
    });
  });

  describe('hostile input never causes a 500', () => {
    const cases: Array<[string, string, string, unknown]> = [
      ['SQL in a callboxId', 'GET', paths.pending("x' OR '1'='1"), undefined],
      ['SQL in a transaction id', 'PUT', paths.status("tx_1'; DROP TABLE transactions;--"), { status: 'completed', callboxId: 'callbox_001' }],
      ['a deeply nested customerInfo', 'POST', paths.submit, rechargeSubmission({ customerInfo: nest(200) })],
      ['a huge number', 'POST', paths.submit, rechargeSubmission({ amount: 1e308 })],
      ['a negative zero limit', 'GET', paths.pending('callbox_001', '-0'), undefined],
      ['an exponent limit', 'GET', paths.pending('callbox_001', '1e3'), undefined],
      ['a hex limit', 'GET', paths.pending('callbox_001', '0x10'), undefined],
      ['an object for capabilities.supportedTypes', 'POST', paths.register, registration('b1', { capabilities: { maxConcurrentTransactions: 1, supportedTypes: { 0: 'recharge' } } })],
      ['a null status', 'PUT', paths.status('tx_1_a'), { status: null, callboxId: null }],
      ['control characters in a heartbeat', 'POST', paths.heartbeat, { callboxId: 'callbox_001\u0000', status: 'active\n' }],
      ['emoji in a phone number', 'POST', paths.submit, rechargeSubmission({ phoneNumber: '+237📱677123456' })],
      ['an array for the config', 'PUT', paths.config(), [{ batchSize: 3 }]],
    ];
    it.each(cases)('%s', async (_, method, path, body) => {
      const res = await t.api.request(method, path, { body, auth: method === 'PUT' && path === paths.config() ? 'admin' : 'callbox' });
      expect(res.status).toBeLessThan(500);
      // Lenient parsing may accept some (limit=0x10 reads as 16); whatever is refused is refused cleanly.
      if (res.status >= 400) expectClientError(res);
    });

    it('the tables are intact afterwards', async () => {
      const tx = await submit(t.api);
      expect(tx.status).toBe('pending');
      expect((await stats(t.api)).instances.map((i: { id: string }) => i.id)).toContain('callbox_001');
    });
  });

  describe('x-request-id', () => {
    it.each([
      ['a success', () => t.api.get(paths.stats)],
      ['a validation error', () => t.api.post(paths.submit, {})],
      ['an auth error', () => t.api.get(paths.stats, { auth: 'none' })],
      ['a domain error', () => t.api.post(paths.heartbeat, { callboxId: 'callbox_404', status: 'active' })],
      ['an unknown route', () => t.api.get('/api/nope')],
      ['a body too large', () => t.api.post(paths.submit, jsonOfSize(BODY_LIMIT_BYTES + 10, {}))],
      ['malformed JSON', () => t.api.post(paths.submit, '{')],
    ])('is on %s, and differs between requests', async (_, send) => {
      const [a, b] = [await send(), await send()];
      expect(a.headers.get('x-request-id')).toMatch(UUID);
      expect(b.headers.get('x-request-id')).toMatch(UUID);
      expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
    });

    it.each([['abc-123'], ['req_2026.01.15:42'], ['A'.repeat(128)]])("echoes the caller's X-Request-ID %s", async (id) => {
      const ok = await t.api.get(paths.stats, { headers: { 'X-Request-ID': id } });
      const refused = await t.api.get(paths.stats, { auth: 'none', headers: { 'X-Request-ID': id } });
      expect(ok.headers.get('x-request-id')).toBe(id);
      expect(refused.headers.get('x-request-id')).toBe(id);
    });

    it.each([['with spaces and <tags>'], ['A'.repeat(129)], ['semi;colon']])('replaces an unsafe X-Request-ID (%s)', async (id) => {
      const res = await t.api.get(paths.stats, { headers: { 'X-Request-ID': id } });
      expect(res.headers.get('x-request-id')).toMatch(UUID);
    });
  });
});

describe('API documentation (Swagger)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('serves the Swagger UI at /api/docs', async () => {
    const res = await t.api.get('/api/docs', { auth: 'none' });
    expectStatus(res, 200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.body).toMatch(/swagger/i);
  });

  it('documents every CallBox path and both security schemes', async () => {
    const res = await t.api.get('/api/docs-json', { auth: 'none' });
    expectStatus(res, 200);
    const doc = res.body;
    const operations: Array<[string, string]> = [
      ['/api/call-box/register', 'post'],
      ['/api/call-box/heartbeat', 'post'],
      ['/api/call-box/transactions/pending', 'get'],
      ['/api/call-box/transactions/submit', 'post'],
      ['/api/call-box/transactions/{transactionId}/status', 'put'],
      ['/api/call-box/config', 'get'],
      ['/api/call-box/config', 'put'],
      ['/api/call-box/stats', 'get'],
    ];
    for (const [path, method] of operations) expect(doc.paths[path]?.[method]).toBeDefined();

    const schemes = Object.entries(doc.components.securitySchemes) as Array<[string, Record<string, string>]>;
    const bearer = schemes.find(([, s]) => s.type === 'http' && s.scheme === 'bearer');
    const apiKey = schemes.find(([, s]) => s.type === 'apiKey' && s.in === 'header' && s.name === 'x-api-key');
    expect(bearer).toBeDefined();
    expect(apiKey).toBeDefined();

    const securityOf = (path: string, method: string) => (doc.paths[path][method].security ?? []).flatMap(Object.keys);
    expect(securityOf('/api/call-box/register', 'post')).toEqual([bearer![0]]);
    expect(securityOf('/api/call-box/config', 'put')).toEqual([apiKey![0]]);
    expect(securityOf('/api/call-box/stats', 'get').sort()).toEqual([bearer![0], apiKey![0]].sort());
  });
});

function nest(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { name: 'x' };
  for (let i = 0; i < depth; i++) value = { name: value };
  return value;
}
