import { afterOutcome, BoxHealth, isDegraded } from './box-health';

const HEALTHY: BoxHealth = { recentOutcomes: '', consecutiveFailures: 0, degradedUntil: null, degradedReason: null };
const COOLDOWN = 300_000;

function play(outcomes: string, start: BoxHealth = HEALTHY, now = 1_000): BoxHealth {
  return [...outcomes].reduce((health, o) => afterOutcome(health, o === 'S', now, COOLDOWN), start);
}

describe(afterOutcome.name, () => {
  it('degrades after five failures in a row, for the cool-down', () => {
    expect(isDegraded(play('SFFFF'), 1_000)).toBe(false);
    const sut = play('SFFFFF');
    expect(sut).toMatchObject({ degradedUntil: 1_000 + COOLDOWN, degradedReason: 'consecutive_failures' });
    expect(isDegraded(sut, 1_000 + COOLDOWN - 1)).toBe(true);
    expect(isDegraded(sut, 1_000 + COOLDOWN)).toBe(false);
  });

  it('degrades when more than half of the last outcomes failed', () => {
    const sut = play('FSFSFSFSFF');
    expect(sut.degradedReason).toBe('failure_rate');
  });

  it('keeps a box at exactly half failures', () => {
    expect(isDegraded(play('FSFSFSFSFS'), 1_000)).toBe(false);
  });

  it('judges a rate only over enough outcomes', () => {
    expect(isDegraded(play('SFFF'), 1_000)).toBe(false);
  });

  it('looks at the last twenty outcomes only', () => {
    const sut = play('FFFF' + 'S'.repeat(16) + 'FFFF');
    expect(sut.recentOutcomes).toHaveLength(20);
    expect(isDegraded(sut, 1_000)).toBe(false);
  });

  it('recovers after two successes in a row, not one', () => {
    const sick = play('FFFFF');
    expect(isDegraded(play('S', sick), 1_000)).toBe(true);
    expect(play('SS', sick)).toMatchObject({ degradedUntil: null, degradedReason: null });
  });
});
