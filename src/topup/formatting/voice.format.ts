import { roundTo } from './number.format';

const pad = (n: number): string => String(n).padStart(2, '0');

/** `7200 -> '02:00:00'`; hours go past 24 (`90000 -> '25:00:00'`); nothing left reads `'0 sec'`. */
export function formatVoiceSeconds(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  if (total === 0) {
    return '0 sec';
  }
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  return `${pad(hours)}:${pad(minutes)}:${pad(total % 60)}`;
}

/** For `voice_quantity_minutes`: 7200 -> 120, 90 -> 1.5. */
export function secondsToMinutes(seconds: number): number {
  return roundTo(seconds / 60, 2);
}
