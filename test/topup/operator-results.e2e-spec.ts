import { createTestApp, TestApp } from '../support/test-app';
import { expectStatus, expectTopUpError, lines, paths, simulatorOf, topUp, txId } from './topup-api';

/** The spec's `status` objects ("Erreurs Possibles" of section 3, "Erreurs Métier"). */
const SUSPENDED_STATUS = {
  eligible: false,
  status_text: 'Numéro suspendu',
  status_code: 'NUMBER_BLOCKED',
  can_recharge: false,
  reason: "Le numéro a été suspendu par l'opérateur",
};
const POSTPAID_STATUS = {
  eligible: false,
  status_text: 'Postpaid - Non éligible',
  status_code: 'POSTPAID_NOT_ELIGIBLE',
  can_recharge: false,
  can_get_packages: false,
  reason: 'Les comptes postpaid ne sont pas supportés',
};

/** Operator return codes as HTTP answers: 1 -> 404, 2 -> 403, 3 -> 422, 5 -> 410, 453 -> 404, PIN -> 401. */
describe('TopUp operator results as HTTP errors', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  const simulator = () => simulatorOf(t);

  const balances = (isdn: string) => api.post(paths.balances, { msisdn: '77123456', isdn });
  const recharge = (isdn: string, fields: Record<string, unknown> = {}) =>
    api.post(paths.recharge, { msisdn: '77123456', isdn, amount: 1000, pincode: '1234', ...fields });

  beforeAll(async () => {
    t = await createTestApp({ env: { TOPUP_RATE_LIMIT_PER_MINUTE: '100000' } });
    api = topUp(t.api);
  });
  beforeEach(async () => simulator().reset());
  afterAll(async () => t.close());

  describe('21000001, unknown: 404 returnCode "1"', () => {
    it("answers balances with the spec's example error", async () => {
      const res = await balances(lines.unknown);
      expectTopUpError(res, 404, '1');
      expect(res.body).toMatchObject({
        erreur: 'Numéro fixe inexistant',
        message: "Le numéro 21000001 n'existe pas dans le système",
        details: { mobile_msisdn: '77123456', fixed_isdn: '21000001', error_type: 'NUMBER_NOT_FOUND' },
      });
    });

    it.each([
      ['GET /status', () => api.get(paths.statusOf(lines.unknown))],
      ['POST /status', () => api.post(paths.status, { isdn: lines.unknown })],
      ['POST /packages', () => api.post(paths.packages, { msisdn: '77123456', isdn: lines.unknown, type: 1 })],
      ['POST /recharge-account', () => recharge(lines.unknown)],
    ])('answers %s the same way', async (_route, send) => {
      expectTopUpError(await send(), 404, '1');
    });
  });

  describe('21987654, suspended: 403 returnCode "2" with a status object', () => {
    it.each([
      ['POST /balances', () => balances(lines.suspended)],
      ['GET /status', () => api.get(paths.statusOf(lines.suspended))],
      ['POST /status', () => api.post(paths.status, { isdn: lines.suspended })],
      ['POST /packages', () => api.post(paths.packages, { msisdn: '77123456', isdn: lines.suspended, type: 1 })],
      ['POST /recharge-account', () => recharge(lines.suspended)],
    ])('%s', async (_route, send) => {
      const res = await send();
      expectTopUpError(res, 403, '2');
      expect(res.body).toMatchObject({
        erreur: 'Opération non autorisée',
        message: 'Le numéro fixe est suspendu et ne peut pas être rechargé',
        status: SUSPENDED_STATUS,
      });
    });

    it('moves no money on a recharge', async () => {
      expectTopUpError(await recharge(lines.suspended), 403, '2');
      expect(simulator().mobileAccount('77123456')!.balance).toBe(5000);
      expect(simulator().fixedLineBalances(lines.suspended)!.COMMON!.value).toBe(800);
    });
  });

  describe('21000003, postpaid: 422 returnCode "3"', () => {
    it.each([
      ['GET /status', () => api.get(paths.statusOf(lines.postpaid))],
      ['POST /balances', () => balances(lines.postpaid)],
      ['POST /recharge-account', () => recharge(lines.postpaid)],
    ])("%s answers the spec's example error", async (_route, send) => {
      const res = await send();
      expectTopUpError(res, 422, '3');
      expect(res.body).toMatchObject({
        erreur: 'Numéro postpaid non éligible',
        message: 'Les numéros postpaid ne peuvent pas être rechargés via cette API',
        status: POSTPAID_STATUS,
      });
    });
  });

  describe('21000005, expired: 410 returnCode "5"', () => {
    it.each([
      ['GET /status', () => api.get(paths.statusOf(lines.expired))],
      ['POST /balances', () => balances(lines.expired)],
      ['POST /recharge-account', () => recharge(lines.expired)],
    ])('%s', async (_route, send) => {
      const res = await send();
      expectTopUpError(res, 410, '5');
      expect(res.body.status).toMatchObject({ eligible: false, can_recharge: false });
    });
  });

  describe('21000453, no package available: 404 returnCode "453" on packages', () => {
    it.each([1, 2, 3, 4, 5, 6])('type %p', async (type) => {
      expectTopUpError(await api.post(paths.packages, { msisdn: '77123456', isdn: lines.noPackage, type }), 404, '453');
    });

    it('refuses a subscription before any command is sent', async () => {
      const res = await api.post(paths.subscribe, { msisdn: '77123456', isdn: lines.noPackage, package_code: 'DATA_500MB', pincode: '1234' });
      expectTopUpError(res, 404, '453');
      expect(simulator().callCount('executeCommand')).toBe(0);
    });
  });

  describe('wrong PIN: 401', () => {
    it.each([
      ['recharge-account', () => recharge('21123456', { pincode: '9999' })],
      ['subscribe-package', () => api.post(paths.subscribe, { msisdn: '77123456', isdn: '21123456', package_code: 'DATA_500MB', pincode: '9999' })],
      ['update-pin', () => api.put(paths.updatePin, { msisdn: '77123456', old_pin: '9999', new_pin: '5678' })],
      ['directory/add', () => api.post(paths.directoryAdd, { msisdn: '77123456', isdn: '21000453', pincode: '9999' })],
    ])('on %s, with nothing changed', async (_route, send) => {
      expectTopUpError(await send(), 401, '401');
      expect(simulator().mobileAccount('77123456')).toEqual({ msisdn: '77123456', balance: 5000, directory: ['21123456', '21987654'] });
      expect(simulator().fixedLineBalances('21123456')!.COMMON!.value).toBe(1500);
      // A success in between keeps these four wrong PINs from adding up to a lock.
      expectStatus(await api.post(paths.directoryAdd, { msisdn: '77123456', isdn: '21000005', pincode: '1234' }), 200);
    });
  });

  describe('insufficient balance: 400 "Solde insuffisant"', () => {
    it('for a package: package_info with the amounts (1 500 DJF on the line, EMPLOYE_2M costs 2 000)', async () => {
      const id = txId('short');
      const res = await api.post(paths.subscribe, { msisdn: '77123456', isdn: '21123456', package_code: 'EMPLOYE_2M', pincode: '1234', transaction_id: id });
      expectTopUpError(res, 400, '400');
      expect(res.body).toMatchObject({
        erreur: 'Solde insuffisant',
        message: 'Votre solde est insuffisant pour souscrire à ce package',
        transaction_id: id,
        package_info: { package_code: 'EMPLOYE_2M', required_amount: 2000, current_balance: 1500, missing_amount: 500 },
      });
      expect(simulator().fixedLineBalances('21123456')!.COMMON!.value).toBe(1500);
    });

    it('for a recharge: the amounts of the mobile (77654321 has 300 DJF)', async () => {
      const res = await api.post(paths.recharge, { msisdn: '77654321', isdn: '21123456', amount: 1000 });
      expectTopUpError(res, 400, '400');
      expect(res.body).toMatchObject({
        erreur: 'Solde insuffisant',
        balance_info: { required_amount: 1000, current_balance: 300, missing_amount: 700 },
      });
      expect(res.body).not.toHaveProperty('package_info');
      expect(simulator().mobileAccount('77654321')!.balance).toBe(300);
      expect(simulator().fixedLineBalances('21123456')!.COMMON!.value).toBe(1500);
    });
  });

  it('an unknown package code: 404, and no command sent', async () => {
    const res = await api.post(paths.subscribe, { msisdn: '77123456', isdn: '21123456', package_code: 'NO_SUCH_PACK', pincode: '1234' });
    expectStatus(res, 404);
    expect(res.body).toMatchObject({ erreur: expect.stringMatching(/package/i), message: expect.stringContaining('NO_SUCH_PACK') });
    expect(simulator().callCount('executeCommand')).toBe(0);
  });

  describe('directory refusals', () => {
    it('adding a number already listed is a 409', async () => {
      expectStatus(await api.post(paths.directoryAdd, { msisdn: '77123456', isdn: '21123456', pincode: '1234' }), 409);
      expect(simulator().mobileAccount('77123456')!.directory).toEqual(['21123456', '21987654']);
    });

    it('removing a number not listed is a 404', async () => {
      expectStatus(await api.delete(paths.directoryRemove, { msisdn: '77123456', isdn: '21000453', pincode: '1234' }), 404);
    });
  });
});
