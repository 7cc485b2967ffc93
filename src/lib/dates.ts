/**
 * US-style M/D/YYYY text → 'YYYY-MM-DD', or null when the text is not such a date or
 * names a day that does not exist (ICE wrote 2/29/2025; a day-first 19/04/2019 also fails).
 */
export function usDateToIso(text: string): string | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text);
  if (!m) return null;
  const iso = `${m[3]}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : null;
}
