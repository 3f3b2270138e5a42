import { formatValidity } from './validity.format';

describe(formatValidity.name, () => {
  it.each([
    [60, '2 mois'],
    [30, '1 mois'],
    [15, '15 jours'],
    [1, '1 jour'],
    [365, '1 an'],
    [730, '2 ans'],
    [90, '3 mois'],
    [7, '7 jours'],
    [45, '45 jours'],
    [0, '0 jour'],
  ])('formats %p days as %p', (days, expected) => {
    expect(formatValidity(days)).toBe(expected);
  });
});
