import { ADDRESS_RULE, FRESH_STATE, NUMBER_RULE, PinLimitState, refundAttempt, refusal, reserveAttempt, settleFailure } from './pin-limit-policy';

const MINUTE = 60_000;
const T0 = 1_700_000_000_000;

function reserveN(state: PinLimitState, n: number, now = T0): PinLimitState {
  let current = state;
  for (let i = 0; i < n; i++) {
    const decision = reserveAttempt(ADDRESS_RULE, current, now);
    if (!decision.ok) throw new Error(`attempt ${i + 1} refused`);
    current = decision.state;
  }
  return current;
}

describe(reserveAttempt.name, () => {
  it('counts each attempt before it is sent and refuses past the allowance, answered or not', () => {
    const full = reserveN(FRESH_STATE(T0), ADDRESS_RULE.maxFailures);
    expect(full.failures).toBe(5);
    expect(reserveAttempt(ADDRESS_RULE, full, T0)).toEqual({ ok: false, until: T0 + ADDRESS_RULE.windowMs });
  });

  it('starts a fresh window once the last one is over', () => {
    const full = reserveN(FRESH_STATE(T0), 5);
    const later = reserveAttempt(ADDRESS_RULE, full, T0 + ADDRESS_RULE.windowMs);
    expect(later).toEqual({ ok: true, state: expect.objectContaining({ failures: 1, windowStartedAt: T0 + ADDRESS_RULE.windowMs }) });
  });

  it('refuses while locked', () => {
    const locked = { ...FRESH_STATE(T0), lockedUntil: T0 + 10 * MINUTE };
    expect(reserveAttempt(ADDRESS_RULE, locked, T0 + MINUTE)).toEqual({ ok: false, until: T0 + 10 * MINUTE });
  });
});

describe(refusal.name, () => {
  it('refuses exactly when reserveAttempt would, so a check cannot be told from a reservation', () => {
    const states = [0, 1, 4, 5].map((n) => reserveN(FRESH_STATE(T0), n));
    states.push({ ...FRESH_STATE(T0), lockedUntil: T0 + 10 * MINUTE });
    for (const state of states) {
      for (const now of [T0, T0 + MINUTE, T0 + ADDRESS_RULE.windowMs, T0 + 20 * MINUTE]) {
        const reservation = reserveAttempt(ADDRESS_RULE, state, now);
        expect(refusal(ADDRESS_RULE, state, now)).toBe(reservation.ok ? null : reservation.until);
      }
    }
    expect(refusal(ADDRESS_RULE, states[3], T0)).toBe(T0 + ADDRESS_RULE.windowMs);
    expect(refusal(ADDRESS_RULE, states[2], T0)).toBeNull();
  });
});

describe(settleFailure.name, () => {
  it('locks on the window’s last allowed wrong PIN, and starts the next window when the lock ends', () => {
    const full = reserveN(FRESH_STATE(T0), 5);
    const { state, locked } = settleFailure(ADDRESS_RULE, full, T0, T0 + 1000);
    expect(locked).toBe(true);
    expect(state).toEqual({ failures: 0, windowStartedAt: T0 + 1000 + 15 * MINUTE, lockedUntil: T0 + 1000 + 15 * MINUTE, locks: 1, locksSince: T0 + 1000 });
  });

  it('leaves a count below the allowance as it is (the attempt was counted when reserved)', () => {
    const some = reserveN(FRESH_STATE(T0), 3);
    expect(settleFailure(ADDRESS_RULE, some, T0, T0)).toEqual({ state: some, locked: false });
  });

  it('ignores an attempt of an earlier window: a late answer never moves a lock', () => {
    const full = reserveN(FRESH_STATE(T0), 5);
    const { state } = settleFailure(ADDRESS_RULE, full, T0, T0);
    expect(settleFailure(ADDRESS_RULE, state, T0, T0 + MINUTE)).toEqual({ state, locked: false });
  });

  it('escalates to a long lock from the third lock within a day', () => {
    let state = FRESH_STATE(T0);
    let now = T0;
    const durations: number[] = [];
    for (let lock = 0; lock < 3; lock++) {
      state = reserveN(state, 5, now);
      const settled = settleFailure(ADDRESS_RULE, state, state.windowStartedAt, now);
      durations.push(settled.state.lockedUntil! - now);
      state = settled.state;
      now = state.lockedUntil!;
    }
    expect(durations).toEqual([15 * MINUTE, 15 * MINUTE, 24 * 60 * MINUTE]);
  });

  it('never shortens a lock', () => {
    const full = { ...reserveN(FRESH_STATE(T0), 5), lockedUntil: T0 + 60 * MINUTE };
    expect(settleFailure(ADDRESS_RULE, full, T0, T0).state.lockedUntil).toBe(T0 + 60 * MINUTE);
  });

  it('locks a number for a day at its daily ceiling', () => {
    let state = FRESH_STATE(T0);
    for (let i = 0; i < NUMBER_RULE.maxFailures; i++) {
      const decision = reserveAttempt(NUMBER_RULE, state, T0);
      if (!decision.ok) throw new Error('refused');
      state = decision.state;
    }
    expect(settleFailure(NUMBER_RULE, state, T0, T0).state.lockedUntil).toBe(T0 + 24 * 60 * MINUTE);
  });
});

describe(refundAttempt.name, () => {
  it('gives back an attempt of the current window, never below zero', () => {
    const one = reserveN(FRESH_STATE(T0), 1);
    expect(refundAttempt(one, T0).failures).toBe(0);
    expect(refundAttempt(refundAttempt(one, T0), T0).failures).toBe(0);
  });

  it('gives back nothing for an attempt of an earlier window', () => {
    const one = reserveN(FRESH_STATE(T0), 1);
    expect(refundAttempt(one, T0 - 1)).toBe(one);
  });
});
