import { placeholders } from './dialect';

describe(placeholders.name, () => {
  it.each([0, 1, 3, 17, 64, 65, 300])('writes %i placeholders, the same whether made before or not', (count) => {
    const expected = count === 0 ? '' : `?${', ?'.repeat(count - 1)}`;
    expect(placeholders(count)).toBe(expected);
    expect(placeholders(count)).toBe(expected);
  });
});
