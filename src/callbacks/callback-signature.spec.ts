import { createHmac } from 'node:crypto';
import { signCallback } from './callback-signature';

describe(signCallback.name, () => {
  it('is the hex HMAC-SHA256 of the body with the shared secret', () => {
    const body = '{"transactionId":"tx_1_a","status":"completed"}';
    const expected = createHmac('sha256', 'shared-secret-0123').update(body).digest('hex');
    expect(signCallback(body, 'shared-secret-0123')).toBe(`sha256=${expected}`);
  });

  it('changes with the body and with the secret', () => {
    const sut = signCallback('{"a":1}', 'shared-secret-0123');
    expect(signCallback('{"a":2}', 'shared-secret-0123')).not.toBe(sut);
    expect(signCallback('{"a":1}', 'other-secret-45678')).not.toBe(sut);
  });
});
