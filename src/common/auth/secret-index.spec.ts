import * as crypto from 'node:crypto';
import { inspect } from 'node:util';
import { SecretIndex } from './secret-index';

// The real functions, watched: what the index digests and whether it compares secrets one by one.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, hash: jest.fn(actual.hash), timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});
const hash = jest.mocked(crypto.hash);
const timingSafeEqual = jest.mocked(crypto.timingSafeEqual);

describe(SecretIndex.name, () => {
  const index = new SecretIndex<string>([
    ['jeton-de-la-flotte-0123456789', 'shared'],
    ['jeton-privé-callbox_002', 'box 2'],
    ['jeton-de-la-flotte-0123456789', 'listed again'],
  ]);

  it("finds each secret's value, the first listed when a secret is listed twice", () => {
    expect(index.find('jeton-de-la-flotte-0123456789')).toBe('shared');
    expect(index.find('jeton-privé-callbox_002')).toBe('box 2');
  });

  it('finds nothing for a value that is not exactly a secret: a prefix, an extension, one character off, another case, empty', () => {
    for (const presented of [
      'jeton-de-la-flotte-012345678',
      'jeton-de-la-flotte-01234567890',
      'jeton-de-la-flotte-0123456788',
      'JETON-DE-LA-FLOTTE-0123456789',
      'jeton-prive-callbox_002',
      ' jeton-privé-callbox_002',
      '',
    ]) {
      expect({ presented, found: index.find(presented) }).toEqual({ presented, found: null });
    }
  });

  it('digests a presented value once, whatever the number of secrets (a token per box in a fleet of 10 000)', () => {
    const secrets = Array.from({ length: 10_000 }, (_, i) => [`token-of-box-${i}-abcdefghijklmnop`, `box_${i}`] as const);
    const large = new SecretIndex(secrets);
    hash.mockClear();
    timingSafeEqual.mockClear();
    expect(large.find('token-of-box-9999-abcdefghijklmnop')).toBe('box_9999');
    expect(large.find('token-of-box-10000-abcdefghijklmnop')).toBeNull();
    expect(hash).toHaveBeenCalledTimes(2);
    expect(timingSafeEqual).not.toHaveBeenCalled();
  });

  it('keys its digests with a secret of its own: two indexes of the same secrets never digest alike, and neither is the plain SHA-256', () => {
    hash.mockClear();
    new SecretIndex([['jeton-de-la-flotte-0123456789', 1]]);
    new SecretIndex([['jeton-de-la-flotte-0123456789', 1]]);
    const [first, second] = hash.mock.calls.map(([, data]) => String(data));
    expect(first).not.toBe(second);
    expect(first.endsWith('jeton-de-la-flotte-0123456789')).toBe(true);
    expect(first.length).toBeGreaterThanOrEqual('jeton-de-la-flotte-0123456789'.length + 64);
  });

  it('finds exactly what string equality finds, over near misses of every secret and random strings', () => {
    const secrets = ['jeton-de-la-flotte-0123456789', 'jeton-privé-callbox_002', 'clé-ÿ-\u00e9-\ufffd-😀', 'x'];
    const values = new SecretIndex(secrets.map((secret, i) => [secret, i] as const));
    const nearMisses = secrets.flatMap((secret) => [
      secret,
      secret.slice(0, -1),
      `${secret}!`,
      `${secret}\u0000`,
      secret.normalize('NFD'),
      Buffer.from(secret, 'utf8').toString('latin1'),
      ...[...secret].map((_, at) => `${secret.slice(0, at)}${String.fromCharCode(secret.charCodeAt(at) ^ 1)}${secret.slice(at + 1)}`),
    ]);
    const random = Array.from({ length: 2_000 }, () => crypto.randomBytes(1 + (crypto.randomInt(40))).toString('latin1'));
    for (const presented of [...nearMisses, ...random, '']) {
      const expected = secrets.indexOf(presented);
      expect({ presented, found: values.find(presented) }).toEqual({ presented, found: expected === -1 ? null : expected });
    }
  });

  it('never prints its key or digests with the object that holds it', () => {
    const holder = { tokens: new SecretIndex([['jeton-de-la-flotte-0123456789', 'shared']]) };
    hash.mockClear();
    holder.tokens.find('anything');
    const [[, keyed]] = hash.mock.calls as unknown as Array<[string, string]>;
    const key = keyed.slice(0, -'anything'.length);
    for (const printed of [JSON.stringify(holder), inspect(holder, { depth: 10, showHidden: true })]) {
      expect(printed).not.toContain(key);
      expect(printed).not.toMatch(/[0-9a-f]{64}/);
    }
  });
});
