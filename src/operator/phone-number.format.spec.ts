import {
  formatPhoneNumber,
  isFixedNumber,
  isMobileNumber,
  toInternationalNumber,
  toLocalNumber,
} from './phone-number.format';

describe(toLocalNumber.name, () => {
  it.each([
    ['25377123456', '77123456'],
    ['77123456', '77123456'],
    ['25321123456', '21123456'],
    ['+25377123456', '77123456'],
    ['0025377123456', '77123456'],
    [' 77 12 34 56 ', '77123456'],
    ['12345', '12345'],
  ])('reduces %p to %p', (input, expected) => {
    expect(toLocalNumber(input)).toBe(expected);
  });
});

describe(toInternationalNumber.name, () => {
  it('prefixes 253 to a local number and leaves an international one alone', () => {
    expect(toInternationalNumber('77123456')).toBe('25377123456');
    expect(toInternationalNumber('25321123456')).toBe('25321123456');
  });
});

describe(formatPhoneNumber.name, () => {
  it.each([
    ['21123456', '21 12 34 56'],
    ['21987654', '21 98 76 54'],
    ['25321123456', '21 12 34 56'],
    ['77123456', '77 12 34 56'],
    ['123', '123'],
  ])('formats %p as %p', (input, expected) => {
    expect(formatPhoneNumber(input)).toBe(expected);
  });
});

describe(isMobileNumber.name, () => {
  it('follows the guide: 77 or 25377 then 6 digits', () => {
    expect(isMobileNumber('77123456')).toBe(true);
    expect(isMobileNumber('25377123456')).toBe(true);
    expect(isMobileNumber('21123456')).toBe(false);
    expect(isMobileNumber('7712345')).toBe(false);
    expect(isMobileNumber('771234567')).toBe(false);
  });
});

describe(isFixedNumber.name, () => {
  it('follows the guide: 21 or 25321 then 6 digits', () => {
    expect(isFixedNumber('21123456')).toBe(true);
    expect(isFixedNumber('25321123456')).toBe(true);
    expect(isFixedNumber('77123456')).toBe(false);
    expect(isFixedNumber('2112345a')).toBe(false);
  });
});
