import { createTestApp, TestApp } from '../support/test-app';
import { expectInvalid, expectStatus, paths, simulatorOf, topUp } from './topup-api';

/**
 * The spec's other rules: PIN 4 digits, package_code letters (either case) digits and
 * underscores, transaction_id "dtapp..." of 8 to 50 characters, type 1..6, amount 100..50000
 * DJF, new_pin different from old_pin. Each refusal is a 422 that never reaches the operator;
 * each acceptance at a boundary gets past validation (a 200, or the operator's own answer).
 */
describe('TopUp validation: PIN, package code, transaction id, type, amount (422 "Données invalides")', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  const calls = () => ({ ...simulatorOf(t).callCounts() });

  const recharge = (fields: Record<string, unknown>) =>
    api.post(paths.recharge, { msisdn: '77654321', isdn: '21123456', amount: 100, ...fields });
  const subscribe = (fields: Record<string, unknown>) =>
    api.post(paths.subscribe, { msisdn: '77123456', isdn: '21123456', package_code: 'DATA_500MB', pincode: '1234', ...fields });

  /** A 422 on `field` alone, with a message matching `wording`, and no SOAP call. */
  async function expectRefused(send: () => ReturnType<typeof recharge>, field: string, endpoint: string, method: string, wording: RegExp) {
    const before = calls();
    const res = await send();
    expectInvalid(res, field, endpoint, method);
    expect(Object.keys(res.body.errors)).toEqual([field]);
    expect(res.body.errors[field]).toContainEqual(expect.stringMatching(wording));
    expect(calls()).toEqual(before);
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { TOPUP_RATE_LIMIT_PER_MINUTE: '100000' } });
    api = topUp(t.api);
  });
  beforeEach(async () => simulatorOf(t).reset());
  afterAll(async () => t.close());

  describe('PIN: exactly 4 digits', () => {
    const BAD_PINS = ['123', '12345', '12a4', 'abcd', ' 1234', '', 1234];
    it.each(BAD_PINS)('refuses pincode %p on recharge-account', (pincode) =>
      expectRefused(() => recharge({ pincode }), 'pincode', 'topup/recharge-account', 'POST', /4 chiffres/));
    it.each(BAD_PINS)('refuses pincode %p on subscribe-package', (pincode) =>
      expectRefused(() => subscribe({ pincode }), 'pincode', 'topup/subscribe-package', 'POST', /4 chiffres/));
    it.each(BAD_PINS)('refuses pincode %p on directory/remove', (pincode) =>
      expectRefused(
        () => api.delete(paths.directoryRemove, { msisdn: '77123456', isdn: '21123456', pincode }),
        'pincode', 'topup/directory/remove', 'DELETE', /4 chiffres/,
      ));
    it.each(['old_pin', 'new_pin'])('refuses a 3-digit %s on update-pin', (field) =>
      expectRefused(
        () => api.put(paths.updatePin, { msisdn: '77123456', old_pin: '1234', new_pin: '5678', [field]: '123' }),
        field, 'topup/update-pin', 'PUT', /4 chiffres/,
      ));
  });

  describe('new_pin must differ from old_pin', () => {
    it('refuses new_pin equal to old_pin, on new_pin', () =>
      expectRefused(
        () => api.put(paths.updatePin, { msisdn: '77123456', old_pin: '1234', new_pin: '1234' }),
        'new_pin', 'topup/update-pin', 'PUT', /différent/,
      ));
  });

  describe('package_code: letters of either case, digits, underscores', () => {
    it.each(['EMPLOYE-2M', 'EMPLOYE 2M', 'EMPLOYE#2M', 'PACK.1', '', 'A'.repeat(51), 42])('refuses %p', (package_code) =>
      expectRefused(() => subscribe({ package_code }), 'package_code', 'topup/subscribe-package', 'POST', /\S/));

    it.each(['Data_Package_5GB', 'NEW_GIGASUP_50Go'])("accepts the changelog's mixed-case %p and subscribes it", async (package_code) => {
      // Both cost at most 5 000 DJF: the line gets that much first so the subscription goes through.
      expectStatus(await api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 5000, pincode: '1234' }), 200);
      const res = await subscribe({ package_code });
      expectStatus(res, 200);
      expect(res.body.package_info.package_code).toBe(package_code);
    });
  });

  describe('transaction_id: "dtapp" then letters or digits, 8 to 50 characters', () => {
    it.each([
      ['not starting with dtapp', 'abc1234567'],
      ['in capitals', 'DTAPP1234567'],
      ['too short (7)', 'dtapp12'],
      ['just the prefix', 'dtapp'],
      ['too long (51)', `dtapp${'1'.repeat(46)}`],
      ['with a dash', 'dtapp-1234567'],
      ['with a space', 'dtapp 1234567'],
      ['a number', 12345678],
    ])('refuses one %s', (_case, transaction_id) =>
      expectRefused(() => recharge({ transaction_id }), 'transaction_id', 'topup/recharge-account', 'POST', /dtapp/));

    it.each([
      ['8 characters', 'dtapp123'],
      ['50 characters', `dtapp${'a1'.repeat(22)}b`],
    ])('accepts one of %s and uses it', async (_case, transaction_id) => {
      const res = await recharge({ transaction_id });
      expectStatus(res, 200);
      expect(res.body.transaction_id).toBe(transaction_id);
      expect(simulatorOf(t).executionsOf(transaction_id)).toBe(1);
    });
  });

  describe('type: an integer from 1 to 6', () => {
    const packages = (type: unknown) => api.post(paths.packages, { msisdn: '77123456', isdn: '21123456', type });
    it.each([0, 7, -1, 1.5, '1', true])('refuses %p', (type) =>
      expectRefused(() => packages(type), 'type', 'topup/packages', 'POST', /1.*6/));
    it.each([1, 6])('accepts %p', async (type) => {
      expectStatus(await packages(type), 200);
    });
  });

  describe('amount: an integer from 100 to 50 000 DJF', () => {
    it.each([99, 50001, 0, -100, 100.5, '1000', true])('refuses %p', (amount) =>
      expectRefused(() => recharge({ amount }), 'amount', 'topup/recharge-account', 'POST', /100.*50 ?000/));

    it('accepts 100 and moves it', async () => {
      expectStatus(await recharge({ amount: 100 }), 200);
      expect(simulatorOf(t).mobileAccount('77654321')!.balance).toBe(300 - 100);
    });

    it("lets 50 000 through to the operator, which finds the mobile's 5 000 DJF short of it", async () => {
      const res = await api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 50000, pincode: '1234' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ erreur: 'Solde insuffisant', returnCode: '400' });
      expect(simulatorOf(t).callCount('executeCommand')).toBe(1);
    });
  });
});
