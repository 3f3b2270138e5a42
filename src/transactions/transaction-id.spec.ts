import { newTransactionId, TRANSACTION_ID_PATTERN } from './transaction-id';

describe(newTransactionId.name, () => {
  it('looks like the spec: tx_<unix seconds>_<random>', () => {
    const sut = newTransactionId(Date.parse('2024-10-07T13:20:00Z'));
    expect(sut).toMatch(/^tx_1728307200_[a-z0-9]{10}$/);
    expect(sut).toMatch(TRANSACTION_ID_PATTERN);
  });

  it('does not repeat within the same second', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => newTransactionId(now)));
    expect(ids.size).toBe(10_000);
  });
});
