import { createTestApp, TestApp } from '../support/test-app';
import { expectStatus, expectTopUpError, paths, simulatorOf, topUp } from './topup-api';

const MINUTE = 60_000;
const WRONG_PINS_ALLOWED = 5;
const LOCK_MS = 15 * MINUTE;

/** Five wrong PINs for one number within 15 minutes lock that number's commands for 15 minutes. */
describe('TopUp PIN guessing: a number is locked after five wrong PINs', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  const simulator = () => simulatorOf(t);

  const recharge = (msisdn: string, pincode: string) => api.post(paths.recharge, { msisdn, isdn: '21123456', amount: 100, pincode });
  async function guessWrong(msisdn: string, times: number): Promise<void> {
    for (let i = 0; i < times; i++) expectTopUpError(await recharge(msisdn, '9999'), 401, '401');
  }

  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true, env: { TOPUP_RATE_LIMIT_PER_MINUTE: '100000' } });
    api = topUp(t.api);
  });
  afterEach(async () => t.close());

  it('refuses the 6th command with 429 PIN_LOCKED, even with the right PIN, without reaching the operator', async () => {
    await guessWrong('77123456', WRONG_PINS_ALLOWED);
    const sent = simulator().callCount('executeCommand');

    const res = await recharge('77123456', '1234');
    expectTopUpError(res, 429, 'PIN_LOCKED');
    expect(res.body.erreur).toMatch(/bloqué/);
    expect(res.body.message).toMatch(/PIN/);
    expect(simulator().callCount('executeCommand')).toBe(sent);
    expect(simulator().mobileAccount('77123456')!.balance).toBe(5000);
  });

  it('locks every command of the number: update-pin, directory, subscribe-package', async () => {
    await guessWrong('77123456', WRONG_PINS_ALLOWED);
    const sent = simulator().callCount('executeCommand');
    expectTopUpError(await api.put(paths.updatePin, { msisdn: '77123456', old_pin: '1234', new_pin: '5678' }), 429, 'PIN_LOCKED');
    expectTopUpError(await api.post(paths.directoryAdd, { msisdn: '77123456', isdn: '21000453', pincode: '1234' }), 429, 'PIN_LOCKED');
    expectTopUpError(
      await api.post(paths.subscribe, { msisdn: '77123456', isdn: '21123456', package_code: 'DATA_500MB', pincode: '1234' }),
      429,
      'PIN_LOCKED',
    );
    expect(simulator().callCount('executeCommand')).toBe(sent);
  });

  it('counts wrong PINs under both forms of the number', async () => {
    await guessWrong('77123456', 3);
    await guessWrong('25377123456', 2);
    expectTopUpError(await recharge('77123456', '1234'), 429, 'PIN_LOCKED');
    expectTopUpError(await recharge('25377123456', '1234'), 429, 'PIN_LOCKED');
  });

  it('leaves another number alone', async () => {
    await guessWrong('77123456', WRONG_PINS_ALLOWED);
    expectStatus(await recharge('77654321', '0000'), 200);
    expect(simulator().mobileAccount('77654321')!.balance).toBe(300 - 100);
  });

  it('does not lock after four wrong PINs', async () => {
    await guessWrong('77123456', WRONG_PINS_ALLOWED - 1);
    expectStatus(await recharge('77123456', '1234'), 200);
  });

  it('forgets wrong PINs older than 15 minutes', async () => {
    await guessWrong('77123456', WRONG_PINS_ALLOWED - 1);
    t.clock!.advance(15 * MINUTE);
    await guessWrong('77123456', 1);
    expectStatus(await recharge('77123456', '1234'), 200);
  });

  it('lifts the lock after 15 minutes, and the right PIN works again', async () => {
    await guessWrong('77123456', WRONG_PINS_ALLOWED);
    t.clock!.advance(LOCK_MS - MINUTE);
    expectTopUpError(await recharge('77123456', '1234'), 429, 'PIN_LOCKED');

    t.clock!.advance(MINUTE);
    const res = await recharge('77123456', '1234');
    expectStatus(res, 200);
    expect(simulator().mobileAccount('77123456')!.balance).toBe(5000 - 100);
  });

  it('says in French how long the lock lasts', async () => {
    await guessWrong('77123456', WRONG_PINS_ALLOWED);
    t.clock!.advance(10 * MINUTE);
    const res = await recharge('77123456', '1234');
    expectTopUpError(res, 429, 'PIN_LOCKED');
    expect(res.body.message).toContain('5 minutes');
  });
});
