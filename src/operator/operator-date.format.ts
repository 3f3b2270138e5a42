/**
 * Dates as the operator writes them: `YYYY-MM-DD HH:mm:ss` (or `YYYY-MM-DD`) in Djibouti local
 * time. Djibouti is UTC+3 all year (no daylight saving), so a fixed offset is exact and the
 * result does not depend on the host's time zone.
 */
export const DJIBOUTI_UTC_OFFSET_MS = 3 * 60 * 60 * 1000;

const OPERATOR_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  hasTime: boolean;
}

function parseParts(raw: string): DateParts | undefined {
  const match = OPERATOR_DATE.exec(raw.trim());
  if (!match) {
    return undefined;
  }
  const [, year, month, day, hour, minute, second] = match;
  const parts: DateParts = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour ?? 0),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0),
    hasTime: hour !== undefined,
  };
  // Date.UTC rolls 2025-02-30 over to March: a round trip tells a real date from that.
  const check = new Date(Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second));
  const valid =
    check.getUTCFullYear() === parts.year &&
    check.getUTCMonth() === parts.month - 1 &&
    check.getUTCDate() === parts.day &&
    check.getUTCHours() === parts.hour &&
    check.getUTCMinutes() === parts.minute &&
    check.getUTCSeconds() === parts.second;
  return valid ? parts : undefined;
}

/** Epoch milliseconds of an operator date, read as Djibouti time; undefined when unreadable. */
export function parseOperatorDate(raw: string): number | undefined {
  const parts = parseParts(raw);
  if (!parts) {
    return undefined;
  }
  const { year, month, day, hour, minute, second } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second) - DJIBOUTI_UTC_OFFSET_MS;
}

/** `'2025-07-08 08:41:07' -> '08/07/2025 08:41:07'` (no time zone change); undefined when unreadable. */
export function formatOperatorDate(raw: string): string | undefined {
  const parts = parseParts(raw);
  if (!parts) {
    return undefined;
  }
  const date = `${pad(parts.day)}/${pad(parts.month)}/${parts.year}`;
  return parts.hasTime ? `${date} ${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)}` : date;
}

/** Epoch ms -> `YYYY-MM-DD HH:mm:ss` in Djibouti time (what the operator sends). */
export function toOperatorDateTime(epochMs: number): string {
  const iso = new Date(epochMs + DJIBOUTI_UTC_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** Epoch ms -> `YYYY-MM-DD`, the Djibouti calendar day. */
export function toOperatorDate(epochMs: number): string {
  return new Date(epochMs + DJIBOUTI_UTC_OFFSET_MS).toISOString().slice(0, 10);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
