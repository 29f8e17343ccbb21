/** A parsed value, or the reason it could not be parsed (a sentence for the sender). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** CAP dateTime: `2024-07-11T01:52:00+08:00`. The zone offset is required; `Z` and fractions are not CAP. */
const CAP_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$/;

const EARLIEST = Date.UTC(2000, 0, 1);
const DAY_MS = 24 * 3600 * 1000;

export function parseCapDateTime(text: string): Parsed<Date> {
  const m = CAP_DATE_TIME.exec(text);
  if (!m) {
    return {
      ok: false,
      problem: `"${text}" is not a CAP date-time; write it with a zone offset, e.g. 2024-07-11T01:52:00+08:00`,
    };
  }
  const [year, month, day, hour, minute, second, , offH, offM] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => Number(m[i]));
  const sign = m[7] === '-' ? -1 : 1;
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(local);
  const valid =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60 &&
    offH <= 14 &&
    offM < 60;
  if (!valid) {
    return { ok: false, problem: `"${text}" is not a real date and time` };
  }
  return { ok: true, value: new Date(local - sign * (offH * 60 + offM) * 60_000) };
}

/**
 * Rejects absurd instants: before 2000, or later than `now` plus `aheadMs` (a clock skew allowance for
 * `sent`; more for `expires`, which may be days ahead).
 */
export function checkPlausible(date: Date, now: Date, aheadMs: number): string | null {
  // A well-formed string can still name no instant (month 13, hour 25); the comparisons below are false for NaN.
  if (Number.isNaN(date.getTime())) {
    return 'not a real date and time';
  }
  if (date.getTime() < EARLIEST) {
    return `${date.toISOString()} is before 2000`;
  }
  if (date.getTime() > now.getTime() + aheadMs) {
    return `${date.toISOString()} is too far in the future (now is ${now.toISOString()})`;
  }
  return null;
}

export const SENT_AHEAD_MS = DAY_MS;
/** onset / effective / expires may lie ahead, but not by more than a year. */
export const SCHEDULE_AHEAD_MS = 366 * DAY_MS;
