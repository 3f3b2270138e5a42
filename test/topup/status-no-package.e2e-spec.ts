import { createTestApp, TestApp } from '../support/test-app';
import { expectStatus, expectTopUpError, lines, paths, simulatorOf, topUp } from './topup-api';

/**
 * Issue 15, point 11: a line whose status is 453 ("Aucun package disponible") can still be
 * recharged. The status endpoint answers it 200 with `can_get_packages: false` and a status code
 * naming the reason, so the guide's workflow (`status.status.eligible`) reads it; /packages
 * refuses it 404 with returnCode "453".
 */
describe('TopUp status of a line with no package (453)', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;

  beforeAll(async () => {
    t = await createTestApp({ fakeClock: true });
    api = topUp(t.api);
  });
  beforeEach(async () => simulatorOf(t).reset());
  afterAll(async () => t.close());

  it.each([
    ['GET /status/21000453', () => api.get(paths.statusOf(lines.noPackage))],
    ['POST /status', () => api.post(paths.status, { isdn: lines.noPackage })],
    ['GET /status/25321000453', () => api.get(paths.statusOf('25321000453'))],
  ])('%s answers 200: eligible, rechargeable, no packages, status_code NO_PACKAGE_AVAILABLE', async (_how, send) => {
    const res = await send();
    expectStatus(res, 200);
    expect(res.body).toMatchObject({
      success: true,
      message: 'Statut de recharge vérifié avec succès',
      return_code: '453',
      description: 'No package available',
      status: {
        eligible: true,
        status_text: expect.stringMatching(/aucun package/i),
        status_code: 'NO_PACKAGE_AVAILABLE',
        can_recharge: true,
        can_get_packages: false,
        reason: expect.stringMatching(/aucun package/),
      },
      details: { request_time: new Date(t.clock!.now()).toISOString(), backend_api: 'TopUp SOAP' },
    });
    expect(res.body).not.toHaveProperty('erreur');
  });

  it('/packages for it stays a 404 with returnCode "453"', async () => {
    const res = await api.post(paths.packages, { msisdn: '77123456', isdn: lines.noPackage, type: 1 });
    expectTopUpError(res, 404, '453');
    expect(res.body.details).toMatchObject({ error_type: 'NO_PACKAGE_AVAILABLE' });
  });

  it('a recharge of it goes through, as its status said', async () => {
    expectStatus(await api.post(paths.recharge, { msisdn: '77123456', isdn: lines.noPackage, amount: 100, pincode: '1234' }), 200);
    expect(simulatorOf(t).fixedLineBalances(lines.noPackage)!.COMMON!.value).toBe(250 + 100);
  });

  it('the other refusals of the status endpoint stay errors (unknown 404, suspended 403)', async () => {
    expectTopUpError(await api.get(paths.statusOf(lines.unknown)), 404, '1');
    expectTopUpError(await api.get(paths.statusOf(lines.suspended)), 403, '2');
  });
});
