import { rowCount } from './statement';

describe(rowCount.name, () => {
  it('writes a non-negative integer as its digits', () => {
    expect(rowCount(0)).toBe('0');
    expect(rowCount(1)).toBe('1');
    expect(rowCount(2_000)).toBe('2000');
    expect(rowCount(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1, '1; DROP TABLE transactions' as unknown as number, null as unknown as number])(
    'refuses %p: nothing but digits reaches the text',
    (count) => {
      expect(() => rowCount(count)).toThrow(RangeError);
    },
  );
});
