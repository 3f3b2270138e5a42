import { createClient, type Client } from './generated/client';
import {
  callBoxRegistryControllerRegister,
  callBoxTransactionsControllerPending,
  callBoxTransactionsControllerUpdateStatus,
  mainSystemControllerToCallBox,
  topUpControllerAddToDirectory,
  topUpControllerBalances,
  topUpControllerDirectoryByPath,
  topUpControllerPackages,
  topUpControllerRechargeAccount,
  topUpControllerRemoveFromDirectory,
  topUpControllerStatusByPath,
  topUpControllerSubscribePackage,
  topUpControllerUpdatePin,
} from './generated/sdk.gen';
import type { CallBoxErrorDto, RechargeResponseDto, TransactionDto } from './generated/types.gen';
import { schemaProblems } from './documented-schema';
import { simulatorOf } from '../topup/topup-api';
import { createTestApp, TEST_API_KEY, TEST_CALLBOX_TOKEN, TestApp } from '../support/test-app';

/**
 * A client generated with @hey-api/openapi-ts from the document `npm run openapi` writes (no
 * hand-written type, no `any`), compiled with strict and driving the real app: what an integrator
 * holding only the document would run, each answer also checked against its documented schema (the
 * types are compile-time only). `npm run openapi:check` generates it (git-ignored) first.
 */
describe('A client generated from the OpenAPI document', () => {
  let t: TestApp;
  let client: Client;
  const box = { Authorization: `Bearer ${TEST_CALLBOX_TOKEN}` };
  const admin = { 'x-api-key': TEST_API_KEY };

  beforeAll(async () => {
    t = await createTestApp();
    client = createClient({ baseUrl: t.api.baseUrl });
  });
  afterAll(async () => t.close());

  it('pushes a transaction, polls it as a box, reports it completed; a second outcome is refused with a typed code', async () => {
    const registered = await callBoxRegistryControllerRegister({
      client,
      headers: box,
      body: { callboxId: 'callbox_gen', capabilities: { maxConcurrentTransactions: 2, supportedTypes: ['deposit'] }, version: '1.0.0' },
    });
    expect(registered.response.status).toBe(200);

    const pushed = await mainSystemControllerToCallBox({
      client,
      headers: { ...admin, 'Idempotency-Key': 'order-gen-1' },
      body: { type: 'deposit', phoneNumber: '+237699876543', amount: 5000, payItemId: 'ORANGE_DEPOSIT_5000', customerInfo: { name: 'Marie Foukou', operator: 'Orange' } },
    });
    expect(schemaProblems('/api/transaction/to-callbox', 'post', 200, pushed.data)).toEqual([]);
    const queued: TransactionDto | undefined = pushed.data?.transaction;
    expect(queued).toMatchObject({ status: 'pending', amount: 5000, type: 'deposit' });
    const again = await mainSystemControllerToCallBox({
      client,
      headers: { ...admin, 'Idempotency-Key': 'order-gen-1' },
      body: { type: 'deposit', phoneNumber: '+237699876543', amount: 5000, payItemId: 'ORANGE_DEPOSIT_5000', customerInfo: { name: 'Marie Foukou', operator: 'Orange' } },
    });
    expect(again.data?.transaction.id).toBe(queued?.id);

    const polled = await callBoxTransactionsControllerPending({ client, headers: box, query: { callboxId: 'callbox_gen', limit: 5 } });
    expect(schemaProblems('/api/call-box/transactions/pending', 'get', 200, polled.data)).toEqual([]);
    const work = polled.data?.transactions ?? [];
    expect(work.map((tx) => [tx.id, tx.status, tx.attempt])).toEqual([[queued?.id, 'assigned', 1]]);
    const [tx] = work;

    const report = (status: 'processing' | 'completed' | 'failed') =>
      callBoxTransactionsControllerUpdateStatus({
        client,
        headers: box,
        path: { transactionId: tx.id },
        body: {
          status,
          callboxId: 'callbox_gen',
          attempt: tx.attempt,
          ...(status !== 'processing' && { result: { success: status === 'completed', transactionRef: 'OR123456789', message: 'Dépôt effectué' } }),
        },
      });
    expect((await report('processing')).data?.transaction.status).toBe('processing');
    const completed = await report('completed');
    expect(schemaProblems('/api/call-box/transactions/{transactionId}/status', 'put', 200, completed.data)).toEqual([]);
    expect(completed.data?.transaction).toMatchObject({ id: tx.id, status: 'completed', assignedTo: 'callbox_gen' });

    const refused = await report('failed');
    expect(refused.response.status).toBe(409);
    expect(schemaProblems('/api/call-box/transactions/{transactionId}/status', 'put', 409, refused.error)).toEqual([]);
    const error: CallBoxErrorDto | undefined = refused.error;
    expect(error).toMatchObject({ success: false, code: 'TRANSACTION.ILLEGAL_TRANSITION' });
    expect(typeof error?.details).toBe('string');
  });

  it('reads balances and recharges a fixed line; the same transaction_id again is the recorded answer, marked replayed', async () => {
    simulatorOf(t).reset();
    const balances = await topUpControllerBalances({ client, body: { msisdn: '77123456', isdn: '21123456' } });
    expect(schemaProblems('/api/topup/balances', 'post', 200, balances.data)).toEqual([]);
    const common = balances.data?.balances.find((b) => b.raw_type === 'COMMON');
    expect(common).toMatchObject({ type: 'money', value: 1500, unit: 'DJF' });
    expect(balances.data?.summary.money_total).toBe(1500);

    const command = { msisdn: '77123456', isdn: '21123456', amount: 1000, pincode: '1234', transaction_id: 'dtappgenclient000001' };
    const first = await topUpControllerRechargeAccount({ client, body: command });
    expect(schemaProblems('/api/topup/recharge-account', 'post', 200, first.data)).toEqual([]);
    const recharge: RechargeResponseDto | undefined = first.data;
    expect(recharge).toMatchObject({ success: true, transaction_id: command.transaction_id, transfer_info: { amount: 1000, currency: 'DJF' } });
    expect(recharge?.account_impact.fixed_balance_after).toBe(2500);
    expect(recharge?.replayed).toBeUndefined();
    expect(first.response.headers.get('idempotent-replayed')).toBeNull();

    const replay = await topUpControllerRechargeAccount({ client, body: command });
    expect(schemaProblems('/api/topup/recharge-account', 'post', 200, replay.data)).toEqual([]);
    expect(replay.data).toMatchObject({ transaction_id: command.transaction_id, replayed: true });
    expect(replay.response.headers.get('idempotent-replayed')).toBe('true');
    expect(simulatorOf(t).executionsOf(command.transaction_id)).toBe(1);

    const wrongPin = await topUpControllerRechargeAccount({ client, body: { ...command, pincode: '9999', transaction_id: 'dtappgenclient000002' } });
    expect(wrongPin.response.status).toBe(401);
    expect(schemaProblems('/api/topup/recharge-account', 'post', 401, wrongPin.error)).toEqual([]);
    expect(wrongPin.error).toMatchObject({ returnCode: '401', transaction_id: 'dtappgenclient000002' });
  });

  it('gets every other TopUp answer as its documented schema says (status 0 and 453, a 404, directory, packages, commands)', async () => {
    simulatorOf(t).reset();
    const answers: Array<[string, string, number, unknown]> = [];
    const record = (path: string, method: string, result: { data?: unknown; error?: unknown; response: Response }) =>
      answers.push([path, method, result.response.status, result.data ?? result.error]);

    record('/api/topup/status/{isdn}', 'get', await topUpControllerStatusByPath({ client, path: { isdn: '21123456' } }));
    record('/api/topup/status/{isdn}', 'get', await topUpControllerStatusByPath({ client, path: { isdn: '21000453' } }));
    record('/api/topup/status/{isdn}', 'get', await topUpControllerStatusByPath({ client, path: { isdn: '21000001' } }));
    record('/api/topup/numbers/{msisdn}', 'get', await topUpControllerDirectoryByPath({ client, path: { msisdn: '77123456' } }));
    record('/api/topup/packages', 'post', await topUpControllerPackages({ client, body: { msisdn: '77123456', isdn: '21123456', type: 1 } }));
    const id = (n: number) => `dtappgenclient00010${n}`;
    record(
      '/api/topup/subscribe-package',
      'post',
      await topUpControllerSubscribePackage({ client, body: { msisdn: '77123456', isdn: '21234567', package_code: 'EMPLOYE_2M', pincode: '1234', transaction_id: id(1) } }),
    );
    record('/api/topup/update-pin', 'put', await topUpControllerUpdatePin({ client, body: { msisdn: '77654321', old_pin: '0000', new_pin: '4321', transaction_id: id(2) } }));
    record('/api/topup/directory/add', 'post', await topUpControllerAddToDirectory({ client, body: { msisdn: '77654321', isdn: '21123456', pincode: '4321', transaction_id: id(3) } }));
    record('/api/topup/directory/remove', 'delete', await topUpControllerRemoveFromDirectory({ client, body: { msisdn: '77654321', isdn: '21123456', pincode: '4321', transaction_id: id(4) } }));

    expect(answers.map(([path, , status]) => [path, status])).toEqual([
      ['/api/topup/status/{isdn}', 200],
      ['/api/topup/status/{isdn}', 200],
      ['/api/topup/status/{isdn}', 404],
      ['/api/topup/numbers/{msisdn}', 200],
      ['/api/topup/packages', 200],
      ['/api/topup/subscribe-package', 200],
      ['/api/topup/update-pin', 200],
      ['/api/topup/directory/add', 200],
      ['/api/topup/directory/remove', 200],
    ]);
    for (const [path, method, status, body] of answers) {
      expect([path, status, schemaProblems(path, method, status, body)]).toEqual([path, status, []]);
    }
  });
});
