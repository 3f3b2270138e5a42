import { formatVoiceSeconds, secondsToMinutes } from './voice.format';

describe(formatVoiceSeconds.name, () => {
  it.each([
    [7200, '02:00:00'],
    [0, '0 sec'],
    [59, '00:00:59'],
    [3661, '01:01:01'],
    [1800, '00:30:00'],
    [90000, '25:00:00'],
    [360000, '100:00:00'],
    [-5, '0 sec'],
  ])('formats %p seconds as %p', (seconds, expected) => {
    expect(formatVoiceSeconds(seconds)).toBe(expected);
  });
});

describe(secondsToMinutes.name, () => {
  it('converts seconds to minutes for voice_quantity_minutes', () => {
    expect(secondsToMinutes(7200)).toBe(120);
    expect(secondsToMinutes(0)).toBe(0);
    expect(secondsToMinutes(90)).toBe(1.5);
  });
});
