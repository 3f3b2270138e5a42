import { expectStatus } from '../callbox/callbox-api';
import { createTestApp, TestApp } from '../support/test-app';

/** Spec 000, Démarrage: `curl -H "x-api-key: votre_cle_api_secrete" http://localhost:3000/api/sync/status`. */
const SPEC_SAMPLE_API_KEY = 'votre_cle_api_secrete';
const SPEC_SAMPLE_CALLBOX_TOKEN = 'callbox-secure-token-2024';

/**
 * On a fresh `npm start` (no API_KEY, no CALLBOX_TOKEN, outside production) the documents' own
 * commands work: the sample Bearer token and the sample API key (issue 15, 3). Production refuses
 * both at boot (src/config/app-config.spec.ts).
 */
describe("The spec's sample credentials outside production", () => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it("without API_KEY, the Démarrage section's curl gets the sync status, and the sample Bearer token works", async () => {
    t = await createTestApp({ env: { NODE_ENV: 'development', API_KEY: '', CALLBOX_TOKEN: '' } });
    const status = await t.api.get('/api/sync/status', { auth: { apiKey: SPEC_SAMPLE_API_KEY } });
    expectStatus(status, 200);
    expect(status.body).toMatchObject({ success: true, status: { running: expect.any(Boolean) } });
    expectStatus(await t.api.get('/api/call-box/stats', { auth: { bearer: SPEC_SAMPLE_CALLBOX_TOKEN } }), 200);
    // The development key printed in the README still works beside it; a made-up key does not.
    expectStatus(await t.api.get('/api/sync/status', { auth: { apiKey: 'merecharge-dev-api-key-change-me' } }), 200);
    const wrong = await t.api.get('/api/sync/status', { auth: { apiKey: 'votre_cle_api_secretf' } });
    expect(wrong.status).toBe(401);
    // The sample key is an admin key, never a box's token.
    expect((await t.api.get('/api/call-box/stats', { auth: { bearer: SPEC_SAMPLE_API_KEY } })).status).toBe(401);
  });

  it('with API_KEY set, the sample key is refused: only the configured key opens the admin routes', async () => {
    t = await createTestApp({ env: { NODE_ENV: 'development' } });
    const res = await t.api.get('/api/sync/status', { auth: { apiKey: SPEC_SAMPLE_API_KEY } });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ success: false, code: 'AUTH.INVALID_API_KEY' });
    expectStatus(await t.api.get('/api/sync/status', { auth: 'admin' }), 200);
  });
});
