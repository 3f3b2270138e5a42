import { createTestApp, TestApp } from '../support/test-app';
import { expectError, expectStatus, paths, registerBox } from './callbox-api';

type Operation = { description?: string; security?: Array<Record<string, unknown>>; parameters?: Array<{ name: string; description?: string }> };

/**
 * PUT /api/call-box/config keeps the admin key although the spec asks a Bearer token "pour tous les
 * endpoints CallBox": a box must not change the fleet's settings. Swagger says so, with the reason
 * (issue 15, 9); the README's Settings section too.
 */
describe('PUT /api/call-box/config wants the admin key, and says why', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await registerBox(t.api, 'callbox_001');
  });
  afterAll(async () => t.close());

  it("refuses a box's Bearer token with 403 AUTH.ADMIN_REQUIRED, a missing key with 401, and takes the key", async () => {
    expectError(await t.api.put(paths.config(), { batchSize: 3 }, { auth: 'callbox' }), 403, 'AUTH.ADMIN_REQUIRED');
    expectError(await t.api.put(paths.config(), { batchSize: 3 }, { auth: 'none' }), 401, 'AUTH.MISSING_API_KEY');
    expectStatus(await t.api.put(paths.config(), { batchSize: 3 }, { auth: 'admin' }), 200);
    // Reading stays open to the box.
    expectStatus(await t.api.get(paths.config('callbox_001'), { auth: 'callbox' }), 200);
  });

  it('Swagger documents the x-api-key for PUT, the reason, and the refusal of a Bearer', async () => {
    const res = await t.api.get('/api/docs-json', { auth: 'none' });
    expectStatus(res, 200);
    const put: Operation = res.body.paths['/api/call-box/config'].put;
    const schemes = (put.security ?? []).flatMap((s) => Object.keys(s));
    expect(schemes.length).toBeGreaterThan(0);
    expect(schemes.every((name) => !/bearer/i.test(name))).toBe(true);
    expect(put.description).toEqual(expect.stringContaining('x-api-key'));
    expect(put.description).toEqual(expect.stringContaining('pour tous les endpoints CallBox'));
    expect(put.description).toEqual(expect.stringContaining('AUTH.ADMIN_REQUIRED'));
  });
});
