import pino from 'pino';
import { Writable } from 'node:stream';
import { QueryFailedError } from 'typeorm';
import { serializeError } from './error-serializer';
import { logOptions } from './root-logger';

function capture(log: (logger: pino.Logger) => void): string {
  let output = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  log(pino(logOptions('info'), sink));
  return output;
}

describe('log redaction', () => {
  it('hides credentials in request headers', () => {
    const line = capture((logger) =>
      logger.info({ req: { headers: { authorization: 'Bearer secret-token-123', 'x-api-key': 'secret-key-456', host: 'x' } } }),
    );
    expect(line).not.toContain('secret-token-123');
    expect(line).not.toContain('secret-key-456');
    expect(line).toContain('"host":"x"');
  });

  it('hides PINs and passwords wherever a service logs them', () => {
    const line = capture((logger) =>
      logger.info({ command: { pincode: '1234', old_pin: '1111', new_pin: '2222', password: 'hunter22', msisdn: '77123456' } }),
    );
    for (const secret of ['"1234"', '"1111"', '"2222"', 'hunter22']) expect(line).not.toContain(secret);
    expect(line).toContain('77123456');
  });
});

describe(serializeError.name, () => {
  it('keeps what a failure is debugged from and drops the statement parameters and details that quote customer data', () => {
    const driverError = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: '22021',
      detail: 'Key (phone_number)=(+237677123456) already exists.',
    });
    const failure = new QueryFailedError('INSERT INTO transactions (customer_name) VALUES ($1)', ['Jean Dupont', '+237677123456'], driverError);
    const line = capture((logger) => logger.error({ err: failure }, 'failed'));
    expect(line).toContain('INSERT INTO transactions');
    expect(line).toContain('22021');
    expect(line).not.toContain('Jean Dupont');
    expect(line).not.toContain('677123456');
  });

  it('drops the URL a URL error holds (a DATABASE_URL with its password)', () => {
    let failure: unknown;
    try {
      new URL('postgres://merecharge:pa/ss#word@db/merecharge');
    } catch (error) {
      failure = error;
    }
    const line = capture((logger) => logger.fatal({ err: failure }, 'boot failed'));
    expect(line).toContain('Invalid URL');
    expect(line).not.toContain('pa/ss#word');
  });
});

describe('log lines', () => {
  it('name their level and carry an ISO time', () => {
    const line = JSON.parse(capture((logger) => logger.warn('careful')));
    expect(line).toMatchObject({ level: 'warn', msg: 'careful' });
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });
});
