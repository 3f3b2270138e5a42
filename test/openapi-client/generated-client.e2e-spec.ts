import { createClient, type Client } from './generated/client';
import {
  callBoxRegistryControllerRegister,
  callBoxTransactionsControllerPending,
  callBoxTransactionsControllerUpdateStatus,
  mainSystemControllerToCallBox,
  topUpControllerBalances,
  topUpControllerRechargeAccount,
} from './generated/sdk.gen';
import type { CallBoxErrorDto, RechargeResponseDto, TransactionDto } from './generated/types.gen';
import { simulatorOf } from '../topup/topup-api';
import { createTestApp, TEST_API_KEY, TEST_CALLBOX_TOKEN, TestApp } from '../support/test-app';

/**
 * A client generated with @hey-api/openapi-ts from the document `npm run openapi` writes (no
 * hand-written type, no `any`), compiled with strict and driving the real app: what an integrator
 * holding only the document would run. `npm run openapi:check` generates it (git-ignored) first.
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
    const queued: TransactionDto | undefined = pushed.data?.transaction;
    expect(queued).toMatchObject({ status: 'pending', amount: 5000, type: 'deposit' });
    const again = await mainSystemControllerToCallBox({
      client,
      headers: { ...admin, 'Idempotency-Key': 'order-gen-1' },
      body: { type: 'deposit', phoneNumber: '+237699876543', amount: 5000, payItemId: 'ORANGE_DEPOSIT_5000', customerInfo: { name: 'Marie Foukou', operator: 'Orange' } },
    });
    expect(again.data?.transaction.id).toBe(queued?.id);

    const polled = await callBoxTransactionsControllerPending({ client, headers: box, query: { callboxId: 'callbox_gen', limit: 5 } });
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
    expect(completed.data?.transaction).toMatchObject({ id: tx.id, status: 'completed', assignedTo: 'callbox_gen' });

    const refused = await report('failed');
    expect(refused.response.status).toBe(409);
    const error: CallBoxErrorDto | undefined = refused.error;
    expect(error).toMatchObject({ success: false, code: 'TRANSACTION.ILLEGAL_TRANSITION' });
    expect(typeof error?.details).toBe('string');
  });

  it('reads balances and recharges a fixed line; the same transaction_id again is the recorded answer, marked replayed', async () => {
    simulatorOf(t).reset();
    const balances = await topUpControllerBalances({ client, body: { msisdn: '77123456', isdn: '21123456' } });
    const common = balances.data?.balances.find((b) => b.raw_type === 'COMMON');
    expect(common).toMatchObject({ type: 'money', value: 1500, unit: 'DJF' });
    expect(balances.data?.summary.money_total).toBe(1500);

    const command = { msisdn: '77123456', isdn: '21123456', amount: 1000, pincode: '1234', transaction_id: 'dtappgenclient000001' };
    const first = await topUpControllerRechargeAccount({ client, body: command });
    const recharge: RechargeResponseDto | undefined = first.data;
    expect(recharge).toMatchObject({ success: true, transaction_id: command.transaction_id, transfer_info: { amount: 1000, currency: 'DJF' } });
    expect(recharge?.account_impact.fixed_balance_after).toBe(2500);
    expect(recharge?.replayed).toBeUndefined();
    expect(first.response.headers.get('idempotent-replayed')).toBeNull();

    const replay = await topUpControllerRechargeAccount({ client, body: command });
    expect(replay.data).toMatchObject({ transaction_id: command.transaction_id, replayed: true });
    expect(replay.response.headers.get('idempotent-replayed')).toBe('true');
    expect(simulatorOf(t).executionsOf(command.transaction_id)).toBe(1);

    const wrongPin = await topUpControllerRechargeAccount({ client, body: { ...command, pincode: '9999', transaction_id: 'dtappgenclient000002' } });
    expect(wrongPin.response.status).toBe(401);
    expect(wrongPin.error).toMatchObject({ returnCode: '401', transaction_id: 'dtappgenclient000002' });
  });
});
