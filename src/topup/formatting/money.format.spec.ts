import { formatMoney } from './money.format';

describe(formatMoney.name, () => {
  it.each([
    [1500, '1 500 DJF'],
    [1500.0, '1 500 DJF'],
    [2000, '2 000 DJF'],
    [500, '500 DJF'],
    [1250, '1 250 DJF'],
    [1000, '1 000 DJF'],
    [4000, '4 000 DJF'],
    [0, '0 DJF'],
    [50000, '50 000 DJF'],
    [1234567.891, '1 234 567,89 DJF'],
    [99.5, '99,5 DJF'],
    [-1500, '-1 500 DJF'],
  ])('formats %p as %p', (amount, expected) => {
    expect(formatMoney(amount)).toBe(expected);
  });
});
