import { createTestApp, TestApp } from '../support/test-app';
import { accounts, commonBalance, expectStatus, lines, paths, simulatorOf, topUp } from './topup-api';

interface PackageView {
  package_code: string;
  price: number;
  is_affordable: boolean;
}

/**
 * Where the money goes: a recharge moves its amount from the mobile to the fixed line's COMMON
 * balance; a package is paid from that COMMON balance. Checked through the API (balances) and in
 * the simulator's state, before and after.
 */
describe('TopUp money: recharges and package payments', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  const simulator = () => simulatorOf(t);
  const mobileBalance = (msisdn: string) => simulator().mobileAccount(msisdn)!.balance;
  const lineCommon = (isdn: string) => simulator().fixedLineBalances(isdn)!.COMMON!.value;

  const recharge = (amount: number, fields: Record<string, unknown> = {}) =>
    api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount, pincode: '1234', ...fields });
  const subscribe = (package_code: string) =>
    api.post(paths.subscribe, { msisdn: '77123456', isdn: '21123456', package_code, pincode: '1234' });
  const packagesOfType1 = async () => {
    const res = await api.post(paths.packages, { msisdn: '77123456', isdn: '21123456', type: 1 });
    expectStatus(res, 200);
    return res.body.packages as PackageView[];
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { TOPUP_RATE_LIMIT_PER_MINUTE: '100000' } });
    api = topUp(t.api);
  });
  beforeEach(async () => simulator().reset());
  afterAll(async () => t.close());

  describe('a recharge', () => {
    it.each([100, 1000, 2750, 5000])('moves exactly %p DJF from the mobile to the COMMON balance', async (amount) => {
      const mobileBefore = mobileBalance('77123456');
      const apiBefore = await commonBalance(t.api, '21123456');
      expect(lineCommon('21123456')).toBe(apiBefore);

      const res = await recharge(amount);
      expectStatus(res, 200);

      expect(mobileBalance('77123456')).toBe(mobileBefore - amount);
      expect(lineCommon('21123456')).toBe(apiBefore + amount);
      expect(await commonBalance(t.api, '21123456')).toBe(apiBefore + amount);
      expect(res.body.account_impact).toMatchObject({
        mobile_balance_before: mobileBefore,
        mobile_balance_after: mobileBefore - amount,
        fixed_balance_before: apiBefore,
        fixed_balance_after: apiBefore + amount,
      });
    });

    it('leaves the data and voice balances alone', async () => {
      const before = simulator().fixedLineBalances('21123456')!;
      expectStatus(await recharge(1000), 200);
      const after = simulator().fixedLineBalances('21123456')!;
      expect(after.DATA_PREPAID).toEqual(before.DATA_PREPAID);
      expect(after.VOICE_LOCAL).toEqual(before.VOICE_LOCAL);
    });

    it('with the international forms, moves money between the same two accounts', async () => {
      const mobileBefore = mobileBalance('77123456');
      const lineBefore = lineCommon('21123456');
      expectStatus(await recharge(700, { msisdn: accounts.rich.international, isdn: lines.active.international }), 200);
      expect(mobileBalance('77123456')).toBe(mobileBefore - 700);
      expect(lineCommon('21123456')).toBe(lineBefore + 700);
      expect(await commonBalance(t.api, '21123456')).toBe(lineBefore + 700);
    });

    it('can empty the mobile exactly, and not one franc more', async () => {
      expectStatus(await api.post(paths.recharge, { msisdn: '77654321', isdn: '21123456', amount: 300 }), 200);
      expect(mobileBalance('77654321')).toBe(0);
      expect((await api.post(paths.recharge, { msisdn: '77654321', isdn: '21123456', amount: 100 })).status).toBe(400);
      expect(mobileBalance('77654321')).toBe(0);
      expect(lineCommon('21123456')).toBe(1500 + 300);
    });
  });

  describe('a package', () => {
    it('is paid from the COMMON balance of the fixed line, not from the mobile', async () => {
      // EMPLOYE_2M costs 2 000 DJF; the line has 1 500: a recharge of 1 000 makes it affordable.
      expectStatus(await recharge(1000), 200);
      const mobileBefore = mobileBalance('77123456');
      const lineBefore = await commonBalance(t.api, '21123456');
      expect(lineBefore).toBe(1500 + 1000);

      const res = await subscribe('EMPLOYE_2M');
      expectStatus(res, 200);

      expect(res.body.account_impact).toMatchObject({
        balance_before: lineBefore,
        amount_deducted: 2000,
        balance_after: lineBefore - 2000,
        formatted_balance_after: '500 DJF',
      });
      expect(await commonBalance(t.api, '21123456')).toBe(lineBefore - 2000);
      expect(lineCommon('21123456')).toBe(lineBefore - 2000);
      expect(mobileBalance('77123456')).toBe(mobileBefore);
    });

    it('adds its data and voice to the line (1 Go and 7 200 s for EMPLOYE_2M)', async () => {
      expectStatus(await recharge(1000), 200);
      const before = simulator().fixedLineBalances('21123456')!;
      expectStatus(await subscribe('EMPLOYE_2M'), 200);
      const res = await api.post(paths.balances, { msisdn: '77123456', isdn: '21123456' });
      expect(res.body.summary).toMatchObject({
        data_total_bytes: before.DATA_PREPAID!.value + 1024 ** 3,
        voice_total_seconds: before.VOICE_LOCAL!.value + 7200,
      });
    });

    it('is refused, and nothing moves, when the COMMON balance is short, even if the mobile is not', async () => {
      expect(mobileBalance('77123456')).toBeGreaterThan(2000);
      expect(lineCommon('21123456')).toBeLessThan(2000);
      expect((await subscribe('EMPLOYE_2M')).status).toBe(400);
      expect(lineCommon('21123456')).toBe(1500);
      expect(mobileBalance('77123456')).toBe(5000);
    });
  });

  describe('is_affordable', () => {
    it('compares each price with the COMMON balance, and changes after a recharge', async () => {
      const common = await commonBalance(t.api, '21123456');
      const before = await packagesOfType1();
      expect(before.length).toBeGreaterThan(1);
      for (const pkg of before) expect(pkg.is_affordable).toBe(pkg.price <= common);
      const employe = before.find((p) => p.package_code === 'EMPLOYE_2M')!;
      expect(employe.is_affordable).toBe(false);

      // Exactly the missing amount: the balance then equals the price, which pays for it.
      expectStatus(await recharge(employe.price - common), 200);
      const after = await packagesOfType1();
      expect(after.find((p) => p.package_code === 'EMPLOYE_2M')!.is_affordable).toBe(true);
      for (const pkg of after) expect(pkg.is_affordable).toBe(true);
      expectStatus(await subscribe('EMPLOYE_2M'), 200);
    });

    it("does not count the mobile's money (77123456 has 5 000 DJF)", async () => {
      expect(mobileBalance('77123456')).toBeGreaterThanOrEqual(2000);
      const employe = (await packagesOfType1()).find((p) => p.package_code === 'EMPLOYE_2M')!;
      expect(employe.is_affordable).toBe(false);
    });

    it('turns false again once a package has spent the balance', async () => {
      expectStatus(await recharge(500), 200);
      expectStatus(await subscribe('EMPLOYE_2M'), 200);
      const remaining = await commonBalance(t.api, '21123456');
      expect(remaining).toBe(1500 + 500 - 2000);
      for (const pkg of await packagesOfType1()) expect(pkg.is_affordable).toBe(pkg.price <= remaining);
      expect((await packagesOfType1()).every((p) => !p.is_affordable)).toBe(true);
    });
  });
});
