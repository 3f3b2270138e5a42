import { formatDecimal, pluralize, roundTo } from './number.format';

describe(formatDecimal.name, () => {
  it.each([
    [0, '0'],
    [500, '500'],
    [1500, '1 500'],
    [1234567, '1 234 567'],
    [1500.5, '1 500,5'],
    [1500.25, '1 500,25'],
    [1250.0, '1 250'],
    [1.005, '1,01'],
    [0.499, '0,5'],
    [999.999, '1 000'],
    [-2500, '-2 500'],
    [-0.001, '0'],
  ])('formats %p as %p', (value, expected) => {
    expect(formatDecimal(value)).toBe(expected);
  });

  it('uses a normal space, not the no-break spaces of Intl', () => {
    expect(formatDecimal(1500)).toBe('1\u0020500');
  });

  it('honours maxDecimals', () => {
    expect(formatDecimal(1.23456, 3)).toBe('1,235');
    expect(formatDecimal(1.5, 0)).toBe('2');
  });

  it('refuses a non-finite number', () => {
    expect(() => formatDecimal(Number.NaN)).toThrow(RangeError);
    expect(() => formatDecimal(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe(pluralize.name, () => {
  it('keeps the singular below 2, as French does', () => {
    expect(pluralize(0, 'jour')).toBe('0 jour');
    expect(pluralize(1, 'jour')).toBe('1 jour');
    expect(pluralize(2, 'jour')).toBe('2 jours');
    expect(pluralize(3, 'an')).toBe('3 ans');
  });
});

describe(roundTo.name, () => {
  it('rounds half away from zero at the given precision', () => {
    expect(roundTo(0.48828125)).toBe(0.49);
    expect(roundTo(1.005)).toBe(1.01);
    expect(roundTo(-1.005)).toBe(-1.01);
    expect(roundTo(2.5, 0)).toBe(3);
  });
});
