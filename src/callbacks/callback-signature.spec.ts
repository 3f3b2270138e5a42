import { createHmac } from 'node:crypto';
import { signCallback, SIGNATURE_TOLERANCE_SECONDS, verifyCallback } from './callback-signature';

const SECRET = 'shared-secret-0123';
const BODY = '{"transactionId":"tx_1_a","status":"completed","sequence":1}';
const NOW_MS = 1_768_471_200_000;
const NOW_S = NOW_MS / 1000;

/** A message as the sender signs it, as the receiver's check sees it. */
const received = (overrides: Partial<Parameters<typeof verifyCallback>[0]> = {}) => ({
  secret: SECRET,
  timestamp: String(NOW_S),
  delivery: '42',
  signature: signCallback({ secret: SECRET, timestamp: NOW_S, delivery: 42, body: BODY }),
  body: BODY,
  nowMs: NOW_MS,
  ...overrides,
});

describe(signCallback.name, () => {
  it('is the hex HMAC-SHA256 of "<timestamp>.<delivery>.<body>" with the shared secret', () => {
    const expected = createHmac('sha256', SECRET).update(`${NOW_S}.42.${BODY}`).digest('hex');
    expect(signCallback({ secret: SECRET, timestamp: NOW_S, delivery: 42, body: BODY })).toBe(`sha256=${expected}`);
  });

  it('signs the exact body bytes: a string and its UTF-8 bytes sign the same', () => {
    const body = '{"name":"Aïssatou Ndiaye"}';
    expect(signCallback({ secret: SECRET, timestamp: 1, delivery: 1, body: Buffer.from(body, 'utf8') })).toBe(
      signCallback({ secret: SECRET, timestamp: 1, delivery: 1, body }),
    );
  });

  it('changes with each of the timestamp, the delivery id, the body and the secret', () => {
    const sut = signCallback({ secret: SECRET, timestamp: NOW_S, delivery: 42, body: BODY });
    expect(signCallback({ secret: SECRET, timestamp: NOW_S + 1, delivery: 42, body: BODY })).not.toBe(sut);
    expect(signCallback({ secret: SECRET, timestamp: NOW_S, delivery: 43, body: BODY })).not.toBe(sut);
    expect(signCallback({ secret: SECRET, timestamp: NOW_S, delivery: 42, body: `${BODY} ` })).not.toBe(sut);
    expect(signCallback({ secret: 'other-secret-45678', timestamp: NOW_S, delivery: 42, body: BODY })).not.toBe(sut);
  });
});

describe(verifyCallback.name, () => {
  it('accepts a message signed with the secret, within the window either way', () => {
    expect(verifyCallback(received())).toBe('valid');
    expect(verifyCallback(received({ nowMs: NOW_MS + SIGNATURE_TOLERANCE_SECONDS * 1000 }))).toBe('valid');
    expect(verifyCallback(received({ nowMs: NOW_MS - SIGNATURE_TOLERANCE_SECONDS * 1000 }))).toBe('valid');
    expect(verifyCallback(received({ body: Buffer.from(BODY, 'utf8') }))).toBe('valid');
  });

  it('refuses a replay outside the tolerance window (300 s by default, or the one given)', () => {
    expect(SIGNATURE_TOLERANCE_SECONDS).toBe(300);
    expect(verifyCallback(received({ nowMs: NOW_MS + 301_000 }))).toBe('outside-window');
    expect(verifyCallback(received({ nowMs: NOW_MS - 301_000 }))).toBe('outside-window');
    expect(verifyCallback(received({ nowMs: NOW_MS + 61_000, toleranceSeconds: 60 }))).toBe('outside-window');
  });

  it('refuses a signature moved to another delivery id, another timestamp or another body', () => {
    expect(verifyCallback(received({ delivery: '43' }))).toBe('bad-signature');
    expect(verifyCallback(received({ timestamp: String(NOW_S + 1) }))).toBe('bad-signature');
    expect(verifyCallback(received({ body: BODY.replace('completed', 'failed') }))).toBe('bad-signature');
    expect(verifyCallback(received({ secret: 'other-secret-45678' }))).toBe('bad-signature');
  });

  it('refuses the body-only signature of before (a signature that covers neither timestamp nor delivery)', () => {
    const bodyOnly = `sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`;
    expect(verifyCallback(received({ signature: bodyOnly }))).toBe('bad-signature');
  });

  it.each([
    ['no timestamp', { timestamp: undefined }],
    ['a timestamp in milliseconds', { timestamp: String(NOW_MS) }],
    ['a fractional timestamp', { timestamp: `${NOW_S}.5` }],
    ['a repeated header', { timestamp: [String(NOW_S), String(NOW_S)] }],
    ['no delivery id', { delivery: undefined }],
    ['no signature', { signature: undefined }],
    ['a signature without its scheme', { signature: 'a'.repeat(64) }],
    ['a short signature', { signature: `sha256=${'a'.repeat(63)}` }],
    ['an upper-case signature', { signature: `sha256=${'A'.repeat(64)}` }],
  ])('refuses a malformed message: %s', (_case, overrides) => {
    expect(verifyCallback(received(overrides))).toBe('malformed');
  });
});
