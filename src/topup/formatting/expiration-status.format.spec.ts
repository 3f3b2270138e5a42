import { expirationStatus } from './expiration-status.format';

const NOW = Date.parse('2025-01-15T10:30:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe(expirationStatus.name, () => {
  it.each([
    [25 * DAY, 'active', 0, 'Expire dans 25 jours'],
    [3 * DAY, 'warning', 1, 'Expire dans 3 jours'],
    [8 * HOUR, 'critical', 2, 'Expire dans 8 heures'],
    [1 * DAY, 'warning', 1, 'Expire dans 1 jour'],
    [45 * MINUTE, 'critical', 2, 'Expire dans 45 minutes'],
    [0, 'expired', 3, 'Expiré'],
    [-5 * DAY, 'expired', 3, 'Expiré'],
  ])('%p ms left is %p (priority %p): %p', (left, status, priority, message) => {
    expect(expirationStatus(NOW + left, NOW)).toEqual({ status, priority, message });
  });

  it('rounds up: a fixture made a few ms before formatting keeps its count', () => {
    expect(expirationStatus(NOW + 25 * DAY - 5, NOW).message).toBe('Expire dans 25 jours');
    expect(expirationStatus(NOW + 3 * DAY - 5, NOW).message).toBe('Expire dans 3 jours');
    expect(expirationStatus(NOW + 8 * HOUR - 5, NOW).message).toBe('Expire dans 8 heures');
    expect(expirationStatus(NOW + 45 * MINUTE - 5, NOW).message).toBe('Expire dans 45 minutes');
  });

  it('puts exactly 7 days in warning and anything more in active', () => {
    expect(expirationStatus(NOW + 7 * DAY, NOW)).toEqual({
      status: 'warning',
      priority: 1,
      message: 'Expire dans 7 jours',
    });
    expect(expirationStatus(NOW + 7 * DAY + 1, NOW).status).toBe('active');
  });

  it('turns critical under 24 hours', () => {
    expect(expirationStatus(NOW + DAY - 1, NOW)).toEqual({
      status: 'critical',
      priority: 2,
      message: 'Expire dans 24 heures',
    });
    expect(expirationStatus(NOW + DAY, NOW).status).toBe('warning');
  });

  it('switches from minutes to hours at one hour', () => {
    expect(expirationStatus(NOW + HOUR, NOW).message).toBe('Expire dans 1 heure');
    expect(expirationStatus(NOW + 59 * MINUTE + 30_000, NOW).message).toBe('Expire dans 1 heure');
    expect(expirationStatus(NOW + HOUR + 1, NOW).message).toBe('Expire dans 2 heures');
    expect(expirationStatus(NOW + 59 * MINUTE, NOW).message).toBe('Expire dans 59 minutes');
  });

  it('says 1 minute for the last seconds', () => {
    expect(expirationStatus(NOW + 1, NOW)).toEqual({
      status: 'critical',
      priority: 2,
      message: 'Expire dans 1 minute',
    });
  });
});
