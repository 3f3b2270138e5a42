import { bytesToGigabytes, formatDataBytes } from './data.format';

describe(formatDataBytes.name, () => {
  it.each([
    [1073741824, '1 Go'],
    [524288000, '500 Mo'],
    [1610612736, '1,5 Go'],
    [0, '0 Mo'],
    [512, '0,5 Ko'],
    [1024, '1 Ko'],
    [102400, '100 Ko'],
    [1048576, '1 Mo'],
    [5 * 1073741824, '5 Go'],
    [50 * 1073741824, '50 Go'],
    [1099511627776, '1 To'],
  ])('formats %p bytes as %p', (bytes, expected) => {
    expect(formatDataBytes(bytes)).toBe(expected);
  });

  it('moves to the next unit when rounding reaches 1024', () => {
    expect(formatDataBytes(1073741824 - 1)).toBe('1 Go');
  });
});

describe(bytesToGigabytes.name, () => {
  it.each([
    [1073741824, 1],
    [524288000, 0.49],
    [1610612736, 1.5],
    [0, 0],
    [50 * 1073741824, 50],
  ])('converts %p bytes to %p GB', (bytes, expected) => {
    expect(bytesToGigabytes(bytes)).toBe(expected);
  });
});
