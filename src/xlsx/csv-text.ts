/**
 * Text for the CSV that sheet-csv.ts writes: the shared strings of a workbook encoded
 * once as CSV fields (in shared memory, for worker threads), and numbers and dates
 * written as ASCII into a buffer without making a string.
 */

const DAY_MS = 86_400_000;

/** The shared strings as CSV fields, in memory that worker threads can share. */
export interface CsvStrings {
  /** The fields, UTF-8, one after the other (quoted where CSV needs it). */
  bytes: Uint8Array;
  /** Field i is bytes[offsets[i], offsets[i + 1]). */
  offsets: Int32Array;
  /** Per string: S_EMPTY, S_FLAGGED or 0. */
  flags: Uint8Array;
}

export const S_EMPTY = 1;
export const S_FLAGGED = 2;

export const NEEDS_QUOTES = /[",\r\n]/;

/** A CSV field holding `s` exactly. */
export function csvField(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Encodes each string once, as the CSV field of its trimmed text, with its flags
 * (`flagged`: a redaction code, say). The empty string is S_EMPTY (a cell holding it is
 * no value, as in `Sheet.rows`); one of white space only is a value whose field is empty.
 */
export function encodeCsvStrings(strings: readonly string[], flagged: (s: string) => boolean): CsvStrings {
  const n = strings.length;
  const offsets = new Int32Array(new SharedArrayBuffer(4 * (n + 1)));
  const flags = new Uint8Array(new SharedArrayBuffer(Math.max(1, n)));
  let size = 0;
  for (let i = 0; i < n; i++) size += strings[i]!.length;
  let buf = Buffer.allocUnsafe(Math.max(1024, Math.ceil(size * 1.05) + 1024));
  let o = 0;
  for (let i = 0; i < n; i++) {
    const s = strings[i]!;
    offsets[i] = o;
    if (s === '') {
      flags[i] = S_EMPTY;
      continue;
    }
    if (flagged(s)) flags[i] = S_FLAGGED;
    const field = csvField(s.trim());
    if (o + field.length * 3 > buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, o + field.length * 3));
      buf.copy(bigger, 0, 0, o);
      buf = bigger;
    }
    o += buf.write(field, o, 'utf8');
  }
  offsets[n] = o;
  const bytes = new Uint8Array(new SharedArrayBuffer(Math.max(1, o)));
  bytes.set(buf.subarray(0, o));
  return { bytes, offsets, flags };
}

/** The text of a CSV field as `csvField` wrote it. */
export function uncsv(field: string): string {
  return field.startsWith('"') ? field.slice(1, -1).replace(/""/g, '"') : field;
}

/** Digits, a sign, a point, an exponent: a number's text as Excel writes it, copied as it is. */
export function isNumberText(xml: Buffer, a: number, b: number): boolean {
  for (let p = a; p < b; p++) {
    const d = xml[p]!;
    if (!((d >= 48 && d <= 57) || d === 46 || d === 45 || d === 43 || d === 69 || d === 101)) return false;
  }
  return true;
}

export function writeInt(out: Buffer, o: number, n: number): number {
  if (n < 10) {
    out[o] = 48 + n;
    return o + 1;
  }
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  let x = n;
  for (let k = digits - 1; k >= 0; k--) {
    out[o + k] = 48 + (x % 10);
    x = Math.floor(x / 10);
  }
  return o + digits;
}

function two(out: Buffer, o: number, n: number): number {
  out[o] = 48 + Math.floor(n / 10);
  out[o + 1] = 48 + (n % 10);
  return o + 2;
}

/**
 * `YYYY-MM-DD`, with ` HH:MM:SS` when the time is not midnight and `.mmm` when it has
 * milliseconds, of a UTC time in ms (Excel's dates are wall-clock times: read as UTC,
 * like excelSerialToDate). Days to a civil date by Howard Hinnant's algorithm, so no Date is made.
 */
export function writeDate(out: Buffer, o: number, ms: number): number {
  const days = Math.floor(ms / DAY_MS);
  let t = ms - days * DAY_MS;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 1 || y > 9999) return o + out.write(new Date(ms).toISOString(), o, 'latin1');
  o = two(out, o, Math.floor(y / 100));
  o = two(out, o, y % 100);
  out[o++] = 45;
  o = two(out, o, m);
  out[o++] = 45;
  o = two(out, o, d);
  if (t === 0) return o;
  const h = Math.floor(t / 3_600_000);
  t -= h * 3_600_000;
  const mi = Math.floor(t / 60_000);
  t -= mi * 60_000;
  const s = Math.floor(t / 1000);
  t -= s * 1000;
  out[o++] = 32;
  o = two(out, o, h);
  out[o++] = 58;
  o = two(out, o, mi);
  out[o++] = 58;
  o = two(out, o, s);
  if (t > 0) {
    out[o++] = 46;
    out[o++] = 48 + Math.floor(t / 100);
    o = two(out, o, t % 100);
  }
  return o;
}
