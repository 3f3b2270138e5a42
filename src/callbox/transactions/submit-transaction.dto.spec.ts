import { RequestValidationError } from '../../common/errors/domain-error';
import { RequestValidationPipe } from '../../common/validation/request-validation.pipe';
import { SubmitTransactionDto } from './submit-transaction.dto';

const valid = {
  type: 'recharge',
  phoneNumber: '+237677123456',
  amount: 1000,
  payItemId: 'MTN_RECHARGE_1000',
  customerInfo: { name: 'Jean Dupont', operator: 'MTN' },
  priority: 'normal',
};

async function messagesFor(body: unknown): Promise<Record<string, string[]>> {
  try {
    await new RequestValidationPipe().transform(body, { type: 'body', metatype: SubmitTransactionDto });
    return {};
  } catch (error) {
    if (error instanceof RequestValidationError) return error.fieldErrors;
    throw error;
  }
}

async function fieldsRejected(body: unknown): Promise<string[]> {
  try {
    await new RequestValidationPipe().transform(body, { type: 'body', metatype: SubmitTransactionDto });
    return [];
  } catch (error) {
    if (error instanceof RequestValidationError) return Object.keys(error.fieldErrors).sort();
    throw error;
  }
}

describe(SubmitTransactionDto.name, () => {
  it("accepts the spec's examples of every type", async () => {
    await expect(fieldsRejected(valid)).resolves.toEqual([]);
    await expect(fieldsRejected({ type: 'voucher', phoneNumber: '+237677123456', payItemId: 'ORANGE_DATA_1GB' })).resolves.toEqual([]);
    await expect(fieldsRejected({ ...valid, type: 'deposit', priority: undefined })).resolves.toEqual([]);
  });

  it.each([
    ['type', { type: 'transfer' }],
    ['phoneNumber', { phoneNumber: '677123456' }],
    ['phoneNumber', { phoneNumber: '+2376771234567890' }],
    ['phoneNumber', { phoneNumber: '+0123456789' }],
    ['amount', { amount: 0 }],
    ['amount', { amount: -5 }],
    ['amount', { amount: 10.5 }],
    ['amount', { amount: '1000' }],
    ['amount', { amount: undefined }],
    ['payItemId', { payItemId: 'MTN RECHARGE' }],
    ['payItemId', { payItemId: 'x'.repeat(65) }],
    ['priority', { priority: 'urgent' }],
    ['customerInfo', { customerInfo: 'Jean' }],
    ['customerInfo.name', { customerInfo: { name: 42 } }],
  ])('rejects a bad %s', async (field, change) => {
    await expect(fieldsRejected({ ...valid, ...change })).resolves.toEqual([field]);
  });

  it('requires an amount for every type but voucher', async () => {
    for (const type of ['recharge', 'deposit', 'withdraw']) {
      await expect(fieldsRejected({ ...valid, type, amount: undefined })).resolves.toEqual(['amount']);
    }
  });

  it('says a missing amount is required, once, rather than three contradictory rules', async () => {
    for (const type of ['recharge', 'deposit', 'withdraw']) {
      await expect(messagesFor({ ...valid, type, amount: undefined })).resolves.toEqual({ amount: ['amount is required for every type but voucher'] });
      await expect(messagesFor({ ...valid, type, amount: null })).resolves.toEqual({ amount: ['amount is required for every type but voucher'] });
    }
  });

  it.each([
    [0, 'amount must be a whole number from 1 to 1000000000'],
    [-5, 'amount must be a whole number from 1 to 1000000000'],
    [10.5, 'amount must be a whole number from 1 to 1000000000'],
    ['1000', 'amount must be a whole number from 1 to 1000000000'],
    [1_000_000_001, 'amount must be a whole number from 1 to 1000000000'],
  ])('gives one message for a bad amount (%p)', async (amount, message) => {
    await expect(messagesFor({ ...valid, amount })).resolves.toEqual({ amount: [message] });
  });

  it('refuses a body that is not a JSON object', async () => {
    for (const body of [null, [], 'recharge', 42, undefined]) {
      await expect(fieldsRejected(body)).resolves.toEqual(['body']);
    }
  });

  it('strips fields the contract does not know', async () => {
    const sut = await new RequestValidationPipe().transform({ ...valid, admin: true }, { type: 'body', metatype: SubmitTransactionDto });
    expect(sut).not.toHaveProperty('admin');
  });
});
