import { createTestApp, TestApp } from '../support/test-app';
import { expectTopUpError, lines, paths, simulatorOf, topUp, txId } from './topup-api';

const UNKNOWN_MOBILE = '77999999';

/**
 * Issue 15, point 10: the operator's code 1 ("number does not exist") covers an unknown mobile and
 * an unknown fixed line alike. A request naming both numbers is told which one is unknown, with
 * `details.error_type` telling them apart: NUMBER_NOT_FOUND (the fixed line, the spec's example,
 * with its `status` object), MOBILE_NOT_FOUND, or MOBILE_AND_FIXED_NOT_FOUND.
 */
describe('TopUp: which number is unknown', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  const simulator = () => simulatorOf(t);

  beforeAll(async () => {
    t = await createTestApp();
    api = topUp(t.api);
  });
  beforeEach(async () => simulator().reset());
  afterAll(async () => t.close());

  function expectUnknownMobile(body: Record<string, any>, isdn = '21123456'): void {
    expect(body).toMatchObject({
      erreur: 'Numéro mobile inexistant',
      message: `Le numéro ${UNKNOWN_MOBILE} n'existe pas dans le système`,
      returnCode: '1',
      details: { mobile_msisdn: UNKNOWN_MOBILE, fixed_isdn: isdn, error_source: 'SOAP_SERVICE', error_type: 'MOBILE_NOT_FOUND' },
    });
    // The line exists: no status object saying it is not eligible.
    expect(body).not.toHaveProperty('status');
    expect(JSON.stringify(body)).not.toMatch(/fixe inexistant|eligible/);
  }

  describe('an unknown mobile with an existing line', () => {
    it("POST /balances (the issue's request) names the mobile", async () => {
      const res = await api.post(paths.balances, { msisdn: UNKNOWN_MOBILE, isdn: '21123456' });
      expectTopUpError(res, 404, '1');
      expectUnknownMobile(res.body);
    });

    it('POST /packages names the mobile', async () => {
      const res = await api.post(paths.packages, { msisdn: UNKNOWN_MOBILE, isdn: '21123456', type: 1 });
      expectTopUpError(res, 404, '1');
      expectUnknownMobile(res.body);
    });

    it('POST /recharge-account names the mobile, moves nothing, and a replay gets the same answer', async () => {
      const id = txId('unkmob');
      const res = await api.post(paths.recharge, { msisdn: UNKNOWN_MOBILE, isdn: '21123456', amount: 1000, transaction_id: id });
      expectTopUpError(res, 404, '1');
      expectUnknownMobile(res.body);
      expect(res.body.transaction_id).toBe(id);
      expect(simulator().fixedLineBalances('21123456')!.COMMON!.value).toBe(1500);

      const replay = await api.post(paths.recharge, { msisdn: UNKNOWN_MOBILE, isdn: '21123456', amount: 1000, transaction_id: id });
      expectTopUpError(replay, 404, '1');
      expect(replay.body.details.error_type).toBe('MOBILE_NOT_FOUND');
      expect(simulator().executionsOf(id)).toBe(1);
    });

    it('POST /subscribe-package names the mobile, before any command is sent', async () => {
      const res = await api.post(paths.subscribe, { msisdn: UNKNOWN_MOBILE, isdn: '21123456', package_code: 'DATA_500MB' });
      expectTopUpError(res, 404, '1');
      expectUnknownMobile(res.body);
      expect(simulator().callCount('executeCommand')).toBe(0);
    });

    it('POST /directory/add names the mobile', async () => {
      const res = await api.post(paths.directoryAdd, { msisdn: UNKNOWN_MOBILE, isdn: '21123456' });
      expectTopUpError(res, 404, '1');
      expectUnknownMobile(res.body);
    });

    it('a suspended line is not unknown either: the mobile is named', async () => {
      const res = await api.post(paths.balances, { msisdn: UNKNOWN_MOBILE, isdn: lines.suspended });
      expectTopUpError(res, 404, '1');
      expectUnknownMobile(res.body, lines.suspended);
    });
  });

  describe('an unknown line with an existing mobile: the spec\'s example, unchanged', () => {
    it.each([
      ['POST /balances', () => api.post(paths.balances, { msisdn: '77123456', isdn: lines.unknown })],
      ['POST /packages', () => api.post(paths.packages, { msisdn: '77123456', isdn: lines.unknown, type: 1 })],
      ['POST /recharge-account', () => api.post(paths.recharge, { msisdn: '77123456', isdn: lines.unknown, amount: 1000, pincode: '1234' })],
      ['POST /directory/add', () => api.post(paths.directoryAdd, { msisdn: '77123456', isdn: lines.unknown, pincode: '1234' })],
    ])('%s names the fixed line', async (_route, send) => {
      const res = await send();
      expectTopUpError(res, 404, '1');
      expect(res.body).toMatchObject({
        erreur: 'Numéro fixe inexistant',
        message: `Le numéro ${lines.unknown} n'existe pas dans le système`,
        status: { eligible: false, status_code: 'NUMBER_NOT_FOUND' },
        details: { mobile_msisdn: '77123456', fixed_isdn: lines.unknown, error_type: 'NUMBER_NOT_FOUND' },
      });
    });
  });

  it('both unknown: both named, MOBILE_AND_FIXED_NOT_FOUND', async () => {
    const res = await api.post(paths.balances, { msisdn: UNKNOWN_MOBILE, isdn: lines.unknown });
    expectTopUpError(res, 404, '1');
    expect(res.body).toMatchObject({
      erreur: 'Numéros inexistants',
      message: `Les numéros ${UNKNOWN_MOBILE} et ${lines.unknown} n'existent pas dans le système`,
      details: { mobile_msisdn: UNKNOWN_MOBILE, fixed_isdn: lines.unknown, error_type: 'MOBILE_AND_FIXED_NOT_FOUND' },
    });
  });

  it('a request naming only the mobile (directory) names the mobile', async () => {
    const res = await api.get(paths.numbersOf(UNKNOWN_MOBILE));
    expectTopUpError(res, 404, '1');
    expect(res.body).toMatchObject({ erreur: 'Numéro mobile inexistant', details: { mobile_msisdn: UNKNOWN_MOBILE, error_type: 'MOBILE_NOT_FOUND' } });
  });
});
