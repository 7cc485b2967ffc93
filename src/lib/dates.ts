const US_DATE = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Whether month and day (1-based) name a day of the calendar in that year. */
const isCalendarDay = (year: number, month: number, day: number) =>
  month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!);

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a 'YYYY-MM-DD' text that names a calendar day, else undefined (DuckDB's DATE, as a number). */
export function isoDateToDays(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isCalendarDay(year, month, day) ? Date.UTC(year, month - 1, day) / DAY_MS : undefined;
}

/**
 * US-style M/D/YYYY text → 'YYYY-MM-DD', or null when the text is not such a date or
 * names a day that does not exist (ICE wrote 2/29/2025; a day-first 19/04/2019 also fails).
 * Checked by arithmetic, not through Date: 20,000 facility rows call it on every ingest.
 */
export function usDateToIso(text: string): string | null {
  const m = US_DATE.exec(text);
  if (!m) return null;
  const month = Number(m[1]);
  const day = Number(m[2]);
  const year = Number(m[3]);
  if (!isCalendarDay(year, month, day)) return null;
  return `${m[3]}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`;
}
