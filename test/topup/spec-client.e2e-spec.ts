import { createTestApp, TestApp } from '../support/test-app';
import { lines, simulatorOf } from './topup-api';

type SpecClient = typeof import('./spec-client/topup-api.service');

/**
 * The TopUp guide's own TypeScript client (TopUpApiService, TopUpApiError and fullPackageWorkflow,
 * copied as written in test/topup/spec-client/, its base URL pointed at this app) against the real
 * app, its database and the built-in SOAP simulator: what an app developer holding only the guide
 * would run.
 */
describe("The guide's TypeScript client against the app (spec 004)", () => {
  let t: TestApp;
  let client: SpecClient;
  const simulator = () => simulatorOf(t);

  beforeAll(async () => {
    t = await createTestApp();
    // The guide's module builds its `topUpService` when loaded: point it at this app first.
    process.env.SPEC_CLIENT_ORIGIN = t.api.baseUrl;
    client = await import('./spec-client/topup-api.service');
  });
  beforeEach(async () => simulator().reset());
  afterAll(async () => {
    delete process.env.SPEC_CLIENT_ORIGIN;
    await t.close();
  });

  it('fullPackageWorkflow(77123456, 21234567, 1, EMPLOYE_2M, 1234) succeeds: status, packages, balances, subscription', async () => {
    const result = await client.fullPackageWorkflow('77123456', lines.workflow, 1, 'EMPLOYE_2M', '1234');
    expect(result).toEqual({
      success: true,
      transactionId: expect.stringMatching(/^dtapp[a-zA-Z0-9]+$/),
      package: expect.objectContaining({ package_code: 'EMPLOYE_2M', price: 2000, is_affordable: true }),
      subscription: expect.objectContaining({ success: true, message: 'Package souscrit avec succès', command_executed: true }),
      balanceAfter: 1000,
    });
    expect(result.subscription.transaction_id).toBe(result.transactionId);
    expect(simulator().fixedLineBalances(lines.workflow)!.COMMON!.value).toBe(1000);
    expect(simulator().executionsOf(result.transactionId)).toBe(1);
  });

  it('on 21123456 it stops before subscribing, by its own balance check (1 500 DJF < 2 000): nothing charged', async () => {
    const result = await client.fullPackageWorkflow('77123456', '21123456', 1, 'EMPLOYE_2M', '1234');
    expect(result).toEqual({ success: false, error: 'Insufficient balance: 1500 < 2000', transactionId: expect.stringMatching(/^dtapp/) });
    expect(simulator().callCount('executeCommand')).toBe(0);
    expect(simulator().fixedLineBalances('21123456')!.COMMON!.value).toBe(1500);
  });

  it('on a line with no package (453) the status check passes and the packages step reports why', async () => {
    const status = await client.topUpService.getStatusForRecharge(lines.noPackage);
    expect(status.status).toMatchObject({ eligible: true, can_get_packages: false, status_code: 'NO_PACKAGE_AVAILABLE' });
    const result = await client.fullPackageWorkflow('77123456', lines.noPackage, 1, 'EMPLOYE_2M', '1234');
    expect(result).toEqual({ success: false, error: "Aucun package n'est disponible pour ce numéro", transactionId: expect.stringMatching(/^dtapp/) });
  });

  it('every method of TopUpApiService answers as its types say', async () => {
    const service = client.topUpService;
    const balances = await service.getBalances('77123456', '21123456');
    expect(balances).toMatchObject({ success: true, mobile_msisdn: '77123456', fixed_isdn: '21123456', total_balances: 3 });
    expect(balances.summary.money_total_formatted).toBe('1 500 DJF');
    const packages = await service.getPackages('77123456', '21123456', 1);
    expect(packages.packages.map((p) => p.package_code)).toEqual(['EMPLOYE_2M', 'DATA_500MB']);
    expect(packages.summary.price_range.average_formatted).toBe('1 250 DJF');
    expect(await service.getMyNumbers('77123456')).toMatchObject({ success: true, total_numbers: 2 });
    expect(await service.getStatusForRecharge('21123456')).toMatchObject({ success: true, status: { eligible: true } });

    const id = client.generateTransactionId;
    await expect(service.rechargeAccount({ msisdn: '77123456', isdn: '21123456', amount: 1000, pincode: '1234', transaction_id: id() })).resolves.toMatchObject({
      success: true,
      account_impact: { mobile_balance_after: 4000, fixed_balance_after: 2500 },
    });
    await expect(service.addToDirectory({ msisdn: '77654321', isdn: '21123456', transaction_id: id() })).resolves.toMatchObject({ success: true });
    await expect(service.removeFromDirectory({ msisdn: '77654321', isdn: '21123456', transaction_id: id() })).resolves.toMatchObject({ success: true });
    await expect(service.updatePin({ msisdn: '77123456', old_pin: '1234', new_pin: '5678', transaction_id: id() })).resolves.toMatchObject({ success: true });
  });

  it('refusals reach the app as TopUpApiError with the status, returnCode and details', async () => {
    const error = await client.topUpService.getBalances('77999999', '21123456').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(client.TopUpApiError);
    expect(error).toMatchObject({
      error: 'Numéro mobile inexistant',
      message: "Le numéro 77999999 n'existe pas dans le système",
      statusCode: 404,
      returnCode: '1',
      details: { mobile_msisdn: '77999999', fixed_isdn: '21123456', error_type: 'MOBILE_NOT_FOUND' },
    });
  });
});
