import { createTestApp, TestApp } from '../support/test-app';
import { specSubscription } from '../support/topup-spec-examples';
import { accounts, expectStatus, expectTopUpError, lines, paths, simulatorOf, topUp, txId } from './topup-api';

/** The commands of spec 004 (sections 5-8): their 200 bodies, PIN changes and the default PIN. */
describe('TopUp commands: response shapes (spec 004, sections 5-8)', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  let now: string;
  const simulator = () => simulatorOf(t);

  beforeAll(async () => {
    t = await createTestApp({ fakeClock: true, env: { TOPUP_RATE_LIMIT_PER_MINUTE: '10000' } });
    api = topUp(t.api);
    now = new Date(t.clock!.now()).toISOString();
  });
  beforeEach(async () => simulator().reset());
  afterAll(async () => t.close());

  it('POST /subscribe-package answers the spec\'s shape: package_info, account_impact, command_content "21123456#EMPLOYE_2M", action_type 4', async () => {
    // 1 500 DJF on the line does not pay for EMPLOYE_2M (2 000 DJF): recharge it first.
    expectStatus(await api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 1500, pincode: '1234' }), 200);
    const id = txId('sub');
    const res = await api.post(paths.subscribe, { msisdn: '77123456', isdn: '21123456', package_code: 'EMPLOYE_2M', pincode: '1234', transaction_id: id });
    expectStatus(res, 200);
    expect(res.body).toMatchObject(specSubscription(id, now));
  });

  it('POST /recharge-account answers the spec\'s example: transfer_info, account_impact, command_content "21123456#1000", action_type 5', async () => {
    const id = txId('rch');
    const res = await api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 1000, pincode: '1234', transaction_id: id });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({
      success: true,
      message: 'Recharge effectuée avec succès',
      transaction_id: id,
      command_executed: true,
      transfer_info: { amount: 1000, formatted_amount: '1 000 DJF', currency: 'DJF', transfer_type: 'mobile_to_fixed' },
      // The spec's example has 500 DJF on the line; the fixture has 1 500 DJF.
      account_impact: {
        mobile_balance_before: 5000,
        mobile_balance_after: 4000,
        fixed_balance_before: 1500,
        fixed_balance_after: 2500,
        formatted_mobile_after: '4 000 DJF',
        formatted_fixed_after: '2 500 DJF',
      },
      details: {
        msisdn: '77123456',
        isdn: '21123456',
        amount: 1000,
        formatted_amount: '1 000 DJF',
        command_content: '21123456#1000',
        action_type: 5,
        execution_time: now,
        backend_api: 'TopUp SOAP',
      },
    });
  });

  it('recharges the same accounts when given 25377123456 and 25321123456 (command_content "21123456#1000")', async () => {
    const res = await api.post(paths.recharge, {
      msisdn: accounts.rich.international,
      isdn: lines.active.international,
      amount: 1000,
      pincode: '1234',
    });
    expectStatus(res, 200);
    expect(res.body.details.command_content).toBe('21123456#1000');
    expect(simulator().mobileAccount('77123456')!.balance).toBe(5000 - 1000);
    expect(simulator().fixedLineBalances('21123456')!.COMMON!.value).toBe(1500 + 1000);
  });

  it('generates a dtapp transaction_id when the request has none', async () => {
    const res = await api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 100, pincode: '1234' });
    expectStatus(res, 200);
    expect(res.body.transaction_id).toMatch(/^dtapp[a-zA-Z0-9]+$/);
    expect(res.body.transaction_id.length).toBeGreaterThanOrEqual(8);
    expect(res.body.transaction_id.length).toBeLessThanOrEqual(50);
    expect(simulator().executionsOf(res.body.transaction_id)).toBe(1);
  });

  describe('PUT /update-pin', () => {
    it("answers the spec's shape with action_type 1", async () => {
      const id = txId('pin');
      const res = await api.put(paths.updatePin, { msisdn: '77123456', old_pin: '1234', new_pin: '5678', transaction_id: id });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({
        success: true,
        message: 'Code PIN mis à jour avec succès',
        transaction_id: id,
        command_executed: true,
        security_info: { pin_changed: true, change_date: now, security_level: 'enhanced' },
        details: { msisdn: '77123456', pin_updated: true, action_type: 1, execution_time: now, backend_api: 'TopUp SOAP' },
      });
    });

    it('makes the old PIN fail with 401 and the new one work', async () => {
      expectStatus(await api.put(paths.updatePin, { msisdn: '77123456', old_pin: '1234', new_pin: '5678' }), 200);
      const recharge = (pincode: string) => api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 100, pincode });

      const old = await recharge('1234');
      expectTopUpError(old, 401, '401');
      expect(simulator().mobileAccount('77123456')!.balance).toBe(5000);

      const renewed = await recharge('5678');
      expectStatus(renewed, 200);
      expect(simulator().mobileAccount('77123456')!.balance).toBe(4900);
    });

    it('refuses a wrong old_pin with 401 and keeps the PIN', async () => {
      expectTopUpError(await api.put(paths.updatePin, { msisdn: '77123456', old_pin: '4321', new_pin: '5678' }), 401, '401');
      expectStatus(await api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 100, pincode: '1234' }), 200);
    });
  });

  describe('the default PIN "0000"', () => {
    it('works for 77654321, whose PIN is 0000, when the request gives none', async () => {
      const res = await api.post(paths.recharge, { msisdn: accounts.poor.msisdn, isdn: '21123456', amount: 100 });
      expectStatus(res, 200);
      expect(simulator().mobileAccount(accounts.poor.msisdn)!.balance).toBe(300 - 100);
    });

    it('fails with 401 for 77123456, whose PIN is 1234, and moves no money', async () => {
      const res = await api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 100 });
      expectTopUpError(res, 401, '401');
      expect(simulator().mobileAccount('77123456')!.balance).toBe(5000);
      expect(simulator().fixedLineBalances('21123456')!.COMMON!.value).toBe(1500);
    });

    it('applies to directory commands too', async () => {
      expectStatus(await api.post(paths.directoryAdd, { msisdn: accounts.poor.msisdn, isdn: '21123456' }), 200);
      expectTopUpError(await api.post(paths.directoryAdd, { msisdn: '77123456', isdn: '21000453' }), 401, '401');
    });
  });

  describe('POST /directory/add and DELETE /directory/remove (JSON body)', () => {
    it("adds with the spec's shape (action_type 2) and the directory lists the number", async () => {
      const id = txId('add');
      const res = await api.post(paths.directoryAdd, { msisdn: '77123456', isdn: '21000453', pincode: '1234', transaction_id: id });
      expectStatus(res, 200);
      // The fixture directory holds 2 numbers; this makes 3.
      expect(res.body).toMatchObject({
        success: true,
        message: 'Numéro ajouté au répertoire avec succès',
        transaction_id: id,
        command_executed: true,
        directory_info: { operation: 'add', isdn_added: '21000453', formatted_number: '21 00 04 53', total_numbers_after: 3 },
        details: { msisdn: '77123456', isdn_added: '21000453', operation: 'add_to_directory', action_type: 2, execution_time: now, backend_api: 'TopUp SOAP' },
      });
      const listed = await api.get(paths.numbersOf('77123456'));
      expect(listed.body.numbers.map((n: { isdn: string }) => n.isdn)).toEqual(['21123456', '21987654', '21000453']);
    });

    it("removes with the spec's shape (action_type 3) and the directory no longer lists the number", async () => {
      const id = txId('rm');
      const res = await api.delete(paths.directoryRemove, { msisdn: '77123456', isdn: '21123456', pincode: '1234', transaction_id: id });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({
        success: true,
        message: 'Numéro supprimé du répertoire avec succès',
        transaction_id: id,
        command_executed: true,
        directory_info: { operation: 'remove', isdn_removed: '21123456', formatted_number: '21 12 34 56', total_numbers_after: 1 },
        details: { msisdn: '77123456', isdn_removed: '21123456', operation: 'remove_from_directory', action_type: 3, execution_time: now, backend_api: 'TopUp SOAP' },
      });
      const listed = await api.post(paths.numbers, { msisdn: '77123456' });
      expect(listed.body.numbers.map((n: { isdn: string }) => n.isdn)).toEqual(['21987654']);
    });

    it('removes 21123456 when asked with 25321123456 (same line)', async () => {
      const res = await api.delete(paths.directoryRemove, { msisdn: accounts.rich.international, isdn: lines.active.international, pincode: '1234' });
      expectStatus(res, 200);
      expect(simulator().mobileAccount('77123456')!.directory).toEqual(['21987654']);
    });
  });
});
