import { createTestApp, TestApp } from '../support/test-app';
import { expectStatus, expectTopUpError, paths, simulatorOf, topUp } from './topup-api';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PER_ADDRESS = 5;
const PER_NUMBER = 20;

/**
 * PIN guessing against the guard that reserves each attempt before it is sent: concurrency,
 * latency and late answers cannot get more wrong PINs to the operator, a lock is never shortened,
 * one address cannot lock a number for everyone, and admins see and lift locks.
 */
describe('TopUp PIN guessing: attempts reserved before they are sent', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  const simulator = () => simulatorOf(t);
  const from = (address: string) => ({ auth: 'none' as const, headers: { 'x-forwarded-for': address } });
  const wrongPinsSent = () => simulator().callCount('executeCommand');
  const removeWith = (pincode: string, address = '203.0.113.1') =>
    t.api.request('DELETE', paths.directoryRemove, { body: { msisdn: '77123456', isdn: '21999999', pincode }, ...from(address) });
  const rechargeWith = (pincode: string, address = '203.0.113.1', msisdn = '77123456') =>
    t.api.request('POST', paths.recharge, { body: { msisdn, isdn: '21123456', amount: 100, pincode }, ...from(address) });

  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true, env: { TOPUP_RATE_LIMIT_PER_MINUTE: '100000', TRUST_PROXY: '127.0.0.1' } });
    api = topUp(t.api);
  });
  afterEach(async () => t.close());

  it('lets no more than five wrong PINs of one burst reach the operator, whatever the concurrency and latency', async () => {
    await simulator().setFaults({ latencyMs: 300 });
    // Ten at once: as many as one user may have in flight (spec 004), all past the lock check together.
    const guesses = Array.from({ length: 10 }, (_, i) => String(1000 + i));
    const answers = await Promise.all(guesses.map((pin) => removeWith(pin)));
    expect(wrongPinsSent()).toBe(PER_ADDRESS);
    expect(answers.map((res) => res.body.returnCode).sort()).toEqual([...Array(PER_ADDRESS).fill('401'), ...Array(10 - PER_ADDRESS).fill('PIN_LOCKED')]);
    // More at once are refused by the in-flight limit or the lock; none reaches the operator.
    const more = await Promise.all(Array.from({ length: 30 }, (_, i) => removeWith(String(2000 + i))));
    expect(more.every((res) => res.status === 429)).toBe(true);
    expect(wrongPinsSent()).toBe(PER_ADDRESS);
  });

  it('counts a wrong PIN on a replay: a recorded answer is no PIN oracle, and no replay is answered while locked', async () => {
    const body = { msisdn: '77123456', isdn: '21123456', amount: 100, pincode: '1234', transaction_id: 'dtapp1795770000000001' };
    const replayWith = (pincode: string, address = '203.0.113.1') => t.api.request('POST', paths.recharge, { body: { ...body, pincode }, ...from(address) });
    expectStatus(await replayWith('1234'), 200);
    const sent = simulator().callCount('executeCommand');
    for (let i = 0; i < PER_ADDRESS; i++) expectTopUpError(await replayWith(String(5000 + i)), 409, 'TRANSACTION_ID_REUSED');
    // The sixth guess, right or wrong, gets the same 429: it cannot tell the PIN.
    expectTopUpError(await replayWith('1234'), 429, 'PIN_LOCKED');
    expectTopUpError(await replayWith('5999'), 429, 'PIN_LOCKED');
    expect(simulator().callCount('executeCommand')).toBe(sent);
    // The owner elsewhere still gets the recorded answer; after the lock, here too.
    expect((await replayWith('1234', '198.51.100.7')).body).toMatchObject({ transaction_id: body.transaction_id, replayed: true });
    t.clock!.advance(16 * MINUTE);
    expect((await replayWith('1234')).body).toMatchObject({ transaction_id: body.transaction_id, replayed: true });
  });

  it('never lifts or shortens a lock by a later answer, wrong or right', async () => {
    for (let i = 0; i < PER_ADDRESS; i++) expectTopUpError(await rechargeWith('9999'), 401, '401');
    const locked = await rechargeWith('1234');
    expectTopUpError(locked, 429, 'PIN_LOCKED');
    const until = locked.body.details.locked_until;
    t.clock!.advance(5 * MINUTE);
    expectTopUpError(await rechargeWith('9999'), 429, 'PIN_LOCKED');
    const still = await rechargeWith('1234');
    expectTopUpError(still, 429, 'PIN_LOCKED');
    expect(still.body.details.locked_until).toBe(until);
  });

  it('gives back the attempt of a right PIN, and counts an unanswered one as wrong', async () => {
    for (let i = 0; i < PER_ADDRESS - 1; i++) expectTopUpError(await rechargeWith('9999'), 401, '401');
    for (let i = 0; i < 3; i++) expectStatus(await rechargeWith('1234'), 200);
    // The fifth attempt meets a server fault: no answer says whether its PIN was right, so it counts, and it locks.
    await simulator().setFaults({ fault: 'server' });
    expect((await rechargeWith('9999')).status).toBe(503);
    await simulator().resetFaults();
    expectTopUpError(await rechargeWith('1234'), 429, 'PIN_LOCKED');
  });

  it('locks a number for the address that guessed, not for its owner elsewhere', async () => {
    for (let i = 0; i < PER_ADDRESS; i++) expectTopUpError(await rechargeWith('9999', '203.0.113.66'), 401, '401');
    expectTopUpError(await rechargeWith('1234', '203.0.113.66'), 429, 'PIN_LOCKED');
    expectStatus(await rechargeWith('1234', '198.51.100.7'), 200);
    expect(simulator().mobileAccount('77123456')!.balance).toBe(5000 - 100);
  });

  it('locks the number everywhere for 24 hours once 20 wrong PINs came from any addresses', async () => {
    for (let i = 0; i < PER_NUMBER; i++) {
      expectTopUpError(await rechargeWith('9999', `203.0.113.${100 + Math.floor(i / 4)}`), 401, '401');
    }
    const owner = await rechargeWith('1234', '198.51.100.7');
    expectTopUpError(owner, 429, 'PIN_LOCKED');
    t.clock!.advance(23 * HOUR);
    expectTopUpError(await rechargeWith('1234', '198.51.100.7'), 429, 'PIN_LOCKED');
    t.clock!.advance(HOUR);
    expectStatus(await rechargeWith('1234', '198.51.100.7'), 200);
    expect(wrongPinsSent()).toBe(PER_NUMBER + 1);
  });

  it('locks an address for 24 hours from its third lock within a day', async () => {
    for (let lock = 1; lock <= 3; lock++) {
      for (let i = 0; i < PER_ADDRESS; i++) expectTopUpError(await rechargeWith('9999'), 401, '401');
      expectTopUpError(await rechargeWith('1234'), 429, 'PIN_LOCKED');
      if (lock < 3) t.clock!.advance(15 * MINUTE);
    }
    t.clock!.advance(15 * MINUTE);
    expectTopUpError(await rechargeWith('1234'), 429, 'PIN_LOCKED');
    t.clock!.advance(24 * HOUR);
    expectStatus(await rechargeWith('1234'), 200);
  });

  it('shows the locks in force to an admin, who can lift them', async () => {
    for (let i = 0; i < PER_ADDRESS; i++) expectTopUpError(await rechargeWith('9999'), 401, '401');
    expectStatus(await t.api.get('/api/admin/pin-locks', { auth: 'none' }), 401);
    const listed = await t.api.get('/api/admin/pin-locks', { auth: 'admin' });
    expectStatus(listed, 200);
    expect(listed.body.locks).toEqual([
      { msisdn: '77123456', scope: 'address', clientAddress: '203.0.113.1', lockedUntil: expect.any(String), locks: 1 },
    ]);
    const lifted = await t.api.delete('/api/admin/pin-locks/25377123456', undefined, { auth: 'admin' });
    expectStatus(lifted, 200);
    expect(lifted.body).toEqual({ success: true, msisdn: '77123456', lifted: 1 });
    expectStatus(await rechargeWith('1234'), 200);
    expect((await t.api.get('/api/admin/pin-locks', { auth: 'admin' })).body.locks).toEqual([]);
  });
});
