import { stopAll } from '../reliability/support/processes';
import { summarize } from './support/bodies';
import { AttackTally } from './support/tally';
import { engines, from, send, startTarget, Target } from './support/target';
import { CommandEndpoint, commandRequest } from './support/topup-commands';

/**
 * Hole 6: TopUp transaction ids. Replaying the victim's known `transaction_id` with another PIN,
 * without one, or with the other number form must not return the victim's recorded 200 (a 409,
 * or a fresh execution for a different number, is fine). A stranger who uses an id first with a
 * wrong PIN on the victim's number (same request, other number form, other amount, other
 * command) must not make the owner's later request with that id fail: it executes, 200.
 * got_through = replays answered with the victim's recorded body, plus owner requests that a
 * squatted id made fail. Legit: the victim's own requests, and its same-PIN replay answered from
 * the journal without running twice.
 * Replay PIN oracle: with the victim's whole request known, PINs tried by replaying its id must
 * be bounded like any PIN attempt, and once refused, the right PIN must be refused the same way
 * (got_through = guesses answered past the allowance, plus the right PIN told apart).
 */
const ATTACK = 'topup-replay';
const VICTIM = '77500001';
const VICTIM_PIN = '4826';
const ATTACKER = '77500002';
const ATTACKER_PIN = '1111';
const victimAddress = from('10.20.0.1');
const attackerAddress = from('10.20.0.2');

describe.each(engines())(`Security: ${ATTACK} (%s)`, (engine) => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget(ATTACK, engine);
    await target.simulator.addMobile(VICTIM, VICTIM_PIN);
    await target.simulator.addMobile(ATTACKER, ATTACKER_PIN);
  }, 120_000);
  afterAll(async () => {
    await stopAll();
    await target?.db.drop();
  }, 30_000);

  it("never hands the victim's recorded answer to another PIN, and a squatted id never blocks its owner", async () => {
    const t = target;
    const tally = new AttackTally(ATTACK, engine);
    const command = (endpoint: CommandEndpoint, msisdn: string, pin: string | undefined, extra: Record<string, unknown>, headers: Record<string, string>) => {
      const { method, path, json } = commandRequest(endpoint, msisdn, pin ?? '', extra);
      if (pin === undefined) delete json.pincode;
      return send(t.http, t.app.url, method, path, { json, headers });
    };
    const executedFor = async (msisdn: string) => (await t.simulator.counts(msisdn)).executed;

    // The victim's recharge, then replays of its id.
    const replay = tally.variant('replay-known-id');
    const X = 'dtapp1700000000000001';
    const original = await command('recharge-account', VICTIM, VICTIM_PIN, { amount: 500, transaction_id: X }, victimAddress);
    replay.legit(original.status === 200, `the victim's recharge: ${summarize(original)}`);
    // A replay carries `replayed: true` beside the recorded answer: compared without it.
    const recorded = (text: string) => {
      try {
        const { replayed: _replayed, ...answer } = JSON.parse(text) as Record<string, unknown>;
        return JSON.stringify(answer);
      } catch {
        return text;
      }
    };
    const leaked = (res: { status: number; text: string }) => res.status === 200 && recorded(res.text) === recorded(original.text);
    const attempts: Array<[string, string, string | undefined]> = [
      ['another PIN', VICTIM, '0000'],
      ['another PIN, international form', `253${VICTIM}`, '9999'],
      ['no PIN, international form', `253${VICTIM}`, undefined],
      ['no PIN', VICTIM, undefined],
    ];
    for (const [what, msisdn, pin] of attempts) {
      const res = await command('recharge-account', msisdn, pin, { amount: 500, transaction_id: X }, attackerAddress);
      replay.attempt();
      if (leaked(res)) replay.through(1, `replay with ${what} got the victim's recorded 200: ${summarize(res)}`);
    }
    // The same id for the attacker's own number: a 409, or its own fresh execution.
    const before = await executedFor(ATTACKER);
    const own = await command('recharge-account', ATTACKER, ATTACKER_PIN, { amount: 500, transaction_id: X }, attackerAddress);
    replay.attempt();
    const ranForAttacker = (await executedFor(ATTACKER)) === before + 1;
    if (leaked(own) || (own.status === 200 && (!ranForAttacker || own.text.includes(VICTIM)))) replay.through(1, `the id on another number answered the victim's record: ${summarize(own)}`);
    const again = await command('recharge-account', VICTIM, VICTIM_PIN, { amount: 500, transaction_id: X }, victimAddress);
    replay.legit(
      again.status === 200 && recorded(again.text) === recorded(original.text) && again.text.includes('"replayed":true'),
      `the victim's own replay (same PIN) gets the recorded answer, marked replayed: ${summarize(again)}`,
    );
    replay.legit((await executedFor(VICTIM)) === 1, 'the recharge ran once at the operator');

    // Ids squatted with a wrong PIN before their owner uses them.
    const squat = tally.variant('squat-id-with-wrong-pin');
    const squats: Array<[string, string, CommandEndpoint, Record<string, unknown>]> = [
      ['same request', 'dtapp1700000000000002', 'recharge-account', { msisdn: VICTIM, amount: 500 }],
      ['international form', 'dtapp1700000000000003', 'recharge-account', { msisdn: `253${VICTIM}`, amount: 500 }],
      ['another amount', 'dtapp1700000000000004', 'recharge-account', { msisdn: VICTIM, amount: 700 }],
      ['another command', 'dtapp1700000000000005', 'directory/add', { msisdn: VICTIM }],
    ];
    for (const [what, id, endpoint, stranger] of squats) {
      const { msisdn, ...extra } = stranger as { msisdn: string };
      await command(endpoint, msisdn, '0000', { ...extra, transaction_id: id }, attackerAddress);
      squat.attempt();
      const ranBefore = await executedFor(VICTIM);
      const owner = await command('recharge-account', VICTIM, VICTIM_PIN, { amount: 500, transaction_id: id }, victimAddress);
      const ran = (await executedFor(VICTIM)) === ranBefore + 1;
      squat.legit(owner.status === 200 && ran, `the owner's recharge with an id squatted (${what}): ${summarize(owner)}`, true);
    }

    // PINs guessed against the recorded answer, from a fresh address: the right one comes 9th.
    const oracle = tally.variant('replay-pin-oracle');
    const guesser = from('10.20.0.3');
    const guesses = Array.from({ length: 12 }, (_, i) => (i === 8 ? VICTIM_PIN : String(3000 + i)));
    for (const [i, pin] of guesses.entries()) {
      const res = await command('recharge-account', VICTIM, pin, { amount: 500, transaction_id: X }, guesser);
      oracle.attempt();
      if (i >= 5 && res.status !== 429) oracle.through(1, `guess ${i + 1} (${pin === VICTIM_PIN ? 'the right PIN' : 'a wrong PIN'}) answered past the allowance: ${summarize(res)}`);
    }
    const owner = await command('recharge-account', VICTIM, VICTIM_PIN, { amount: 500, transaction_id: X }, victimAddress);
    oracle.legit(owner.status === 200 && owner.text.includes('"replayed":true'), `the victim's own replay from its address: ${summarize(owner)}`);
    oracle.legit((await executedFor(VICTIM)) === 1 + squats.length, 'no replay ran at the operator');

    tally.printAndExpectClean();
  }, 60_000);
});
