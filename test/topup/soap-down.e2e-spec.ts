import { ApiResponse } from '../support/api-client';
import { createTestApp, TestApp } from '../support/test-app';
import { expectStatus, paths, simulatorOf, topUp, txId, until } from './topup-api';

/** The gateway's SOAP login; the embedded simulator expects the same. Neither may leak. */
const SOAP_USERNAME = 'gateway-soap-user';
const SOAP_PASSWORD = 'gateway-soap-password-0123456789';

/** The spec's "Retry Logic" (`withRetry`, maxRetries = 3): three tries in all for a query. */
const QUERY_ATTEMPTS = 3;

/** The spec's "Erreur SOAP" body. */
function expectSoapError(res: ApiResponse): void {
  expectStatus(res, 503);
  expect(res.body).toMatchObject({
    erreur: 'Erreur SOAP',
    message: 'Impossible de communiquer avec le service backend',
    returnCode: 'SOAP_FAULT',
    soap_fault: {
      fault_code: expect.stringMatching(/\S/),
      fault_string: expect.stringMatching(/\S/),
      fault_detail: expect.stringMatching(/\S/),
    },
    details: { error_source: 'SOAP_SERVICE', backend_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//), timeout: expect.any(Number) },
  });
  const raw = JSON.stringify(res.body);
  expect(raw).not.toContain(SOAP_USERNAME);
  expect(raw).not.toContain(SOAP_PASSWORD);
  expect(raw).not.toMatch(/AuthHeader|Envelope/);
}

/** The operator unreachable or faulting: 503 "Erreur SOAP"; queries retried, commands never. */
describe('TopUp with the SOAP backend down or faulting', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  const simulator = () => simulatorOf(t);

  const QUERIES: Array<[string, 'getBalances' | 'getMyNumbers' | 'getStatusForRecharge' | 'getPackages', () => Promise<ApiResponse>]> = [
    ['POST /balances', 'getBalances', () => api.post(paths.balances, { msisdn: '77123456', isdn: '21123456' })],
    ['GET /numbers', 'getMyNumbers', () => api.get(paths.numbersOf('77123456'))],
    ['GET /status', 'getStatusForRecharge', () => api.get(paths.statusOf('21123456'))],
    ['POST /status', 'getStatusForRecharge', () => api.post(paths.status, { isdn: '21123456' })],
  ];
  const recharge = (transaction_id = txId('down')) =>
    api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 1000, pincode: '1234', transaction_id });

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        TOPUP_SOAP_USERNAME: SOAP_USERNAME,
        TOPUP_SOAP_PASSWORD: SOAP_PASSWORD,
        TOPUP_RATE_LIMIT_PER_MINUTE: '100000',
        // This file is about single failures: the breaker must not open between its tests.
        TOPUP_BREAKER_MIN_CALLS: '1000',
      },
    });
    api = topUp(t.api);
  });
  beforeEach(async () => simulator().reset());
  afterAll(async () => t.close());

  it('works with the configured SOAP login (the baseline of this file)', async () => {
    expectStatus(await api.post(paths.balances, { msisdn: '77123456', isdn: '21123456' }), 200);
  });

  describe('connections refused', () => {
    it.each(QUERIES)("%s answers 503 with the spec's \"Erreur SOAP\" body and no credentials", async (_route, _op, send) => {
      await simulator().setFaults({ refuseConnections: true });
      expectSoapError(await send());
    });

    it('a command answers 503 too, and runs nowhere', async () => {
      await simulator().setFaults({ refuseConnections: true });
      const id = txId('refused');
      const res = await recharge(id);
      expectSoapError(res);
      expect(simulator().executionsOf(id)).toBe(0);
      expect(simulator().mobileAccount('77123456')!.balance).toBe(5000);
    });

    it('answers again once the backend listens again', async () => {
      await simulator().setFaults({ refuseConnections: true });
      expectSoapError(await api.get(paths.statusOf('21123456')));
      await simulator().resetFaults();
      expectStatus(await api.get(paths.statusOf('21123456')), 200);
    });
  });

  describe('SOAP faults', () => {
    it.each([['server' as const], ['client' as const]])('a %s fault answers 503 "Erreur SOAP" with the fault', async (fault) => {
      await simulator().setFaults({ fault });
      const res = await api.post(paths.balances, { msisdn: '77123456', isdn: '21123456' });
      expectSoapError(res);
      expect(res.body.soap_fault.fault_code).toBe(fault === 'server' ? 'Server' : 'Client');
    });

    it.each([['server' as const], ['client' as const]])('a command under a %s fault answers 503 and moves nothing', async (fault) => {
      await simulator().setFaults({ fault });
      expectSoapError(await recharge());
      expect(simulator().mobileAccount('77123456')!.balance).toBe(5000);
      expect(simulator().fixedLineBalances('21123456')!.COMMON!.value).toBe(1500);
    });
  });

  describe('retries', () => {
    it.each(QUERIES)('%s is tried at most 3 times in all under server faults', async (_route, operation, send) => {
      await simulator().setFaults({ fault: 'server' });
      const before = simulator().callCount(operation);
      expectSoapError(await send());
      const tries = simulator().callCount(operation) - before;
      expect(tries).toBeGreaterThan(1);
      expect(tries).toBeLessThanOrEqual(QUERY_ATTEMPTS);
    });

    it('a query that fails once then succeeds answers 200', async () => {
      await simulator().setFaults({ fault: 'server' });
      const before = simulator().callCount('getStatusForRecharge');
      const pending = api.post(paths.status, { isdn: '21123456' });
      await until(() => simulator().callCount('getStatusForRecharge') > before);
      await simulator().resetFaults();
      expectStatus(await pending, 200);
    });

    it('a client fault (the request itself is wrong) is not retried', async () => {
      await simulator().setFaults({ fault: 'client' });
      const before = simulator().callCount('getBalances');
      expectSoapError(await api.post(paths.balances, { msisdn: '77123456', isdn: '21123456' }));
      expect(simulator().callCount('getBalances') - before).toBe(1);
    });

    it.each([['server' as const], ['client' as const]])('a command is sent exactly once under a %s fault', async (fault) => {
      await simulator().setFaults({ fault });
      const before = simulator().callCount('executeCommand');
      expectSoapError(await recharge());
      expect(simulator().callCount('executeCommand') - before).toBe(1);
    });
  });
});
