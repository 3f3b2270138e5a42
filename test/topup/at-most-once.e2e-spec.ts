import { ApiResponse } from '../support/api-client';
import { createTestApp, TestApp } from '../support/test-app';
import { accounts, expectStatus, expectTopUpError, lines, paths, simulatorOf, topUp, txId, until, withoutReplayMarker } from './topup-api';

/** Each transaction_id runs at most once at the operator, whatever the client retries. */
describe('TopUp commands: at most once per transaction_id', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  const simulator = () => simulatorOf(t);
  const mobileBalance = (msisdn: string) => simulator().mobileAccount(msisdn)!.balance;
  const lineCommon = (isdn: string) => simulator().fixedLineBalances(isdn)!.COMMON!.value;
  const commands = () => simulator().callCount('executeCommand');

  const recharge = (transaction_id: string, fields: Record<string, unknown> = {}) =>
    api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 1000, pincode: '1234', transaction_id, ...fields });
  const subscribe = (transaction_id: string, fields: Record<string, unknown> = {}) =>
    api.post(paths.subscribe, { msisdn: '77123456', isdn: '21123456', package_code: 'DATA_500MB', pincode: '1234', transaction_id, ...fields });

  // An app per case: wrong PINs, replays with them included, count toward the number's lock.
  beforeEach(async () => {
    t = await createTestApp({ env: { TOPUP_RATE_LIMIT_PER_MINUTE: '100000', TOPUP_BREAKER_MIN_CALLS: '1000' } });
    api = topUp(t.api);
  });
  afterEach(async () => t.close());

  describe('a replay with another PIN, and ids taken first by a stranger', () => {
    it('never hands the recorded answer to another PIN: 409, and nothing of the first is told', async () => {
      const id = txId('otherpin');
      const first = await recharge(id);
      expectStatus(first, 200);
      const stranger = await recharge(id, { pincode: '9999' });
      expectTopUpError(stranger, 409, 'TRANSACTION_ID_REUSED');
      expect(JSON.stringify(stranger.body)).not.toContain('balance');
      const international = await recharge(id, { msisdn: accounts.rich.international, pincode: '0000' });
      expectTopUpError(international, 409, 'TRANSACTION_ID_REUSED');
      expect(simulator().executionsOf(id)).toBe(1);
    });

    it.each([
      ['the same request', (id: string) => recharge(id, { pincode: '9999' })],
      ['another amount', (id: string) => recharge(id, { amount: 100, pincode: '9999' })],
      ['another command', (id: string) => api.post(paths.directoryAdd, { msisdn: '77123456', isdn: '21000453', pincode: '9999', transaction_id: id })],
    ])('an id a stranger used first with a wrong PIN (%s) still runs the owner’s request', async (_case, squat) => {
      const id = txId('squat');
      const stranger = await squat(id);
      expectTopUpError(stranger, 401, '401');
      const owner = await recharge(id);
      expectStatus(owner, 200);
      expect(owner.body.transaction_id).toBe(id);
      expect(mobileBalance('77123456')).toBe(5000 - 1000);
      // And the stranger's replay now finds the owner's command: refused, told nothing.
      expectTopUpError(await recharge(id, { pincode: '9999' }), 409, 'TRANSACTION_ID_REUSED');
    });
  });

  describe('a replay of a completed command', () => {
    it('charges a package once and answers the same body', async () => {
      const id = txId('twice');
      const before = lineCommon('21123456');
      const first = await subscribe(id);
      expectStatus(first, 200);
      expect(lineCommon('21123456')).toBe(before - 500);
      const sent = commands();

      const second = await subscribe(id);
      expectStatus(second, 200);
      expect(second.body).toEqual({ ...first.body, replayed: true });
      expect(lineCommon('21123456')).toBe(before - 500);
      expect(simulator().executionsOf(id)).toBe(1);
      expect(commands()).toBe(sent);
    });

    it('moves a recharge once, however often it is replayed', async () => {
      const id = txId('rch');
      const first = await recharge(id);
      expectStatus(first, 200);
      for (let i = 0; i < 3; i++) expect((await recharge(id)).body).toEqual({ ...first.body, replayed: true });
      expect(mobileBalance('77123456')).toBe(5000 - 1000);
      expect(lineCommon('21123456')).toBe(1500 + 1000);
      expect(simulator().executionsOf(id)).toBe(1);
    });

    it('treats the international forms of the same numbers as the same request', async () => {
      const id = txId('intl');
      const first = await recharge(id);
      const again = await recharge(id, { msisdn: accounts.rich.international, isdn: lines.active.international });
      expectStatus(again, 200);
      expect(again.body).toEqual({ ...first.body, replayed: true });
      expect(simulator().executionsOf(id)).toBe(1);
    });
  });

  describe('the same id for another request: 409 TRANSACTION_ID_REUSED, nothing sent', () => {
    it.each([
      ['another amount', (id: string) => recharge(id, { amount: 2000 })],
      ['another fixed line', (id: string) => recharge(id, { isdn: '21000453' })],
      ['another operation', (id: string) => subscribe(id)],
    ])('%s', async (_case, other) => {
      const id = txId('reuse');
      expectStatus(await recharge(id), 200);
      const sent = commands();
      const res = await other(id);
      expectTopUpError(res, 409, 'TRANSACTION_ID_REUSED');
      expect(res.body.transaction_id).toBe(id);
      expect(commands()).toBe(sent);
      expect(mobileBalance('77123456')).toBe(5000 - 1000);
    });

    it('the same id from another mobile is that mobile’s own command: the journal is kept per number', async () => {
      const id = txId('permobile');
      expectStatus(await recharge(id), 200);
      const res = await recharge(id, { msisdn: '77654321', pincode: '0000', amount: 100 });
      expectStatus(res, 200);
      expect(res.body.transaction_id).toBe(id);
      expect(simulator().executionsOf(id)).toBe(2);
      expect(mobileBalance('77123456')).toBe(5000 - 1000);
      expect(mobileBalance('77654321')).toBe(300 - 100);
    });

    it('another package for the same id', async () => {
      expectStatus(await recharge(txId('fund')), 200);
      const id = txId('pkg');
      expectStatus(await subscribe(id), 200);
      expectTopUpError(await subscribe(id, { package_code: 'EMPLOYE_2M' }), 409, 'TRANSACTION_ID_REUSED');
      expect(lineCommon('21123456')).toBe(1500 + 1000 - 500);
    });
  });

  describe('concurrent requests with one id', () => {
    it('answers 409 TRANSACTION_IN_PROGRESS to a second request while the first is at the operator', async () => {
      await simulator().setFaults({ latencyMs: 800 });
      const id = txId('held');
      const sent = commands();
      const first = recharge(id);
      await until(() => commands() > sent);

      const second = await recharge(id);
      expectTopUpError(second, 409, 'TRANSACTION_IN_PROGRESS');
      expect(second.body.transaction_id).toBe(id);

      expectStatus(await first, 200);
      expect(simulator().executionsOf(id)).toBe(1);
      expect(mobileBalance('77123456')).toBe(5000 - 1000);
    });

    it.each([
      ['recharge-account', recharge, () => expect(mobileBalance('77123456')).toBe(5000 - 1000)],
      ['subscribe-package', subscribe, () => expect(lineCommon('21123456')).toBe(1500 - 500)],
    ])('never executes %s twice when five copies race', async (_route, send, movedOnce) => {
      await simulator().setFaults({ latencyMs: 300 });
      const id = txId('race');
      const answers: ApiResponse[] = await Promise.all([1, 2, 3, 4, 5].map(() => send(id)));

      const ok = answers.filter((r) => r.status === 200);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      // One ran; any other 200 is its replay, the same answer marked replayed.
      for (const r of ok) expect(withoutReplayMarker(r.body)).toEqual(withoutReplayMarker(ok[0].body));
      for (const r of answers.filter((a) => a.status !== 200)) expectTopUpError(r, 409, 'TRANSACTION_IN_PROGRESS');
      expect(simulator().executionsOf(id)).toBe(1);
      movedOnce();
    });
  });

  describe('a replay of a business error', () => {
    it('answers the same error without calling the operator again', async () => {
      const id = txId('poor');
      const first = await api.post(paths.recharge, { msisdn: '77654321', isdn: '21123456', amount: 1000, transaction_id: id });
      expectTopUpError(first, 400, '400');
      const sent = commands();

      const again = await api.post(paths.recharge, { msisdn: '77654321', isdn: '21123456', amount: 1000, transaction_id: id });
      expect(again.status).toBe(400);
      expect(again.body).toEqual({ ...first.body, replayed: true });
      expect(commands()).toBe(sent);
      expect(simulator().executionsOf(id)).toBe(1);
    });

    it('stays the same error even once the money is there', async () => {
      const id = txId('short');
      const first = await subscribe(id, { package_code: 'EMPLOYE_2M' });
      expectTopUpError(first, 400, '400');
      expectStatus(await recharge(txId('fund'), { amount: 5000 }), 200);
      const again = await subscribe(id, { package_code: 'EMPLOYE_2M' });
      expect(again.status).toBe(400);
      expect(again.body).toEqual({ ...first.body, replayed: true });
      expect(simulator().executionsOf(id)).toBe(1);
    });
  });

  describe('a command that never reached the operator (connections refused)', () => {
    it.each([
      ['recharge-account', recharge, () => expect(mobileBalance('77123456')).toBe(5000 - 1000)],
      ['subscribe-package', subscribe, () => expect(lineCommon('21123456')).toBe(1500 - 500)],
    ])('%s: may be retried with the same id, and then runs once', async (_route, send, movedOnce) => {
      const id = txId('down');
      await simulator().setFaults({ refuseConnections: true });
      const failed = await send(id);
      expectTopUpError(failed, 503, 'SOAP_FAULT');
      expect(simulator().executionsOf(id)).toBe(0);

      await simulator().resetFaults();
      const retried = await send(id);
      expectStatus(retried, 200);
      expect(retried.body.transaction_id).toBe(id);
      expect(simulator().executionsOf(id)).toBe(1);
      movedOnce();

      expect((await send(id)).body).toEqual({ ...retried.body, replayed: true });
      expect(simulator().executionsOf(id)).toBe(1);
    });
  });
});
