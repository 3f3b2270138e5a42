import {
  DJIBOUTI_UTC_OFFSET_MS,
  formatOperatorDate,
  parseOperatorDate,
  toOperatorDate,
  toOperatorDateTime,
} from './operator-date.format';

describe(formatOperatorDate.name, () => {
  it.each([
    ['2025-07-08 08:41:07', '08/07/2025 08:41:07'],
    ['2025-02-15 23:59:59', '15/02/2025 23:59:59'],
    ['2025-02-01 23:59:59', '01/02/2025 23:59:59'],
    ['2025-01-15', '15/01/2025'],
    [' 2025-07-08T08:41:07 ', '08/07/2025 08:41:07'],
    ['2025-07-08 08:41', '08/07/2025 08:41:00'],
  ])('formats %p as %p', (raw, expected) => {
    expect(formatOperatorDate(raw)).toBe(expected);
  });

  it.each(['', 'demain', '2025-13-01 00:00:00', '2025-02-30 10:00:00', '2025-07-08 24:00:00', '08/07/2025'])(
    'gives undefined for %p',
    (raw) => {
      expect(formatOperatorDate(raw)).toBeUndefined();
    },
  );
});

describe(parseOperatorDate.name, () => {
  it('reads the date as Djibouti time, UTC+3', () => {
    expect(parseOperatorDate('2025-07-08 08:41:07')).toBe(Date.parse('2025-07-08T05:41:07Z'));
    expect(parseOperatorDate('2025-07-08 08:41:07')).toBe(Date.parse('2025-07-08T08:41:07+03:00'));
  });

  it('has no daylight saving: winter and summer use the same offset', () => {
    expect(parseOperatorDate('2025-01-15 12:00:00')).toBe(Date.parse('2025-01-15T09:00:00Z'));
  });

  it('reads a date alone as local midnight', () => {
    expect(parseOperatorDate('2025-01-15')).toBe(Date.parse('2025-01-14T21:00:00Z'));
  });

  it('crosses the day boundary', () => {
    expect(parseOperatorDate('2025-03-01 02:00:00')).toBe(Date.parse('2025-02-28T23:00:00Z'));
  });

  it('gives undefined for a date it cannot read', () => {
    expect(parseOperatorDate('2025-02-29 00:00:00')).toBeUndefined();
    expect(parseOperatorDate('not a date')).toBeUndefined();
  });
});

describe(toOperatorDateTime.name, () => {
  it('writes epoch ms as Djibouti local time', () => {
    expect(toOperatorDateTime(Date.parse('2025-07-08T05:41:07.900Z'))).toBe('2025-07-08 08:41:07');
    expect(toOperatorDateTime(Date.parse('2025-02-28T23:00:00Z'))).toBe('2025-03-01 02:00:00');
  });

  it('round-trips with parseOperatorDate to the second', () => {
    const epoch = Date.parse('2024-12-31T22:30:15Z');
    expect(parseOperatorDate(toOperatorDateTime(epoch))).toBe(epoch);
  });
});

describe(toOperatorDate.name, () => {
  it('gives the Djibouti calendar day', () => {
    expect(toOperatorDate(Date.parse('2025-01-14T21:00:00Z'))).toBe('2025-01-15');
    expect(toOperatorDate(Date.parse('2025-01-14T20:59:59Z'))).toBe('2025-01-14');
  });

  it('uses a three-hour offset', () => {
    expect(DJIBOUTI_UTC_OFFSET_MS).toBe(3 * 3600 * 1000);
  });
});
