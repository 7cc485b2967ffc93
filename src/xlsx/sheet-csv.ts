/**
 * Rewrites a worksheet's rows as CSV lines, straight from the bytes of its XML, for
 * DuckDB's read_csv to load: no JS value is made per cell. ICE's ERO-LESA FOIA workbooks
 * have up to 1,048,576 rows × 25–65 columns per sheet; read into row objects
 * (stream-rows.ts) and appended to DuckDB value by value, a workbook loaded at a twentieth
 * of the speed its XML is read at. Here a shared-string cell becomes a copy of that
 * string's CSV field, encoded once per workbook (csv-text.ts), a number the text of its
 * `<v>`, and a date-formatted number its date as ISO text; the rarer cells go through
 * parse-sheet.ts's `cellValue`, so every cell reads as it does in `Sheet.rows` (the tests
 * hold the two readers to that).
 *
 * A line is `row,field1,…,fieldN,flags`: the sheet row, the chosen columns in the chosen
 * order (text trimmed, so that an empty field is a missing value), and the names of the
 * columns whose cell held a flagged string (a FOIA redaction code, left out of its field),
 * joined by `|` (DuckDB's string_split reads that far cheaper than a list literal). Rows up
 * to the header and rows without a value are not written.
 */
import { cellValue, T_BOOL, T_DATE, T_ERROR, T_INLINE, T_NUMBER, T_SHARED, T_STR } from './parse-sheet.js';
import { CsvLines, type CsvSink } from './csv-lines.js';
import { isNumberText, S_EMPTY, S_FLAGGED, uncsv, writeDate, type CsvStrings } from './csv-text.js';

export type { CsvSink } from './csv-lines.js';

/** What to write of a sheet. */
export interface SheetCsvSpec {
  /** Rows up to this one (the banner and the header) are not written. */
  headerRow: number;
  /** For each sheet column (1-based; 0 unused), its field (0-based), or -1 for a column read and not written. Cells of columns past the array are ignored. */
  fieldOf: number[];
  /** Fields per line, besides the row and the flags. */
  fields: number;
  /** Style indexes whose number format is a date. */
  dateStyles: number[];
  date1904: boolean;
  /** For each sheet column, its name in the flags field (without '|'). */
  flagNames: string[];
  /** Text that is flagged rather than written (checked once per shared string, and on each inline string). */
  flag?: RegExp;
}

const DAY_MS = 86_400_000;
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

/**
 * Writes the CSV lines of a sheet's rows, given as blocks of whole `<row>` elements
 * (row-blocks.ts cuts a sheet part into them), to a sink. Errors are plain Errors naming
 * the row; the caller adds the file and sheet.
 */
export class SheetCsvWriter extends CsvLines {
  private readonly isDate: Uint8Array;
  private readonly epoch: number;
  private readonly stringBytes: Buffer;
  private readonly ctx;

  constructor(
    private readonly spec: SheetCsvSpec,
    private readonly strings: CsvStrings,
    sink: CsvSink,
  ) {
    super(spec, sink);
    this.isDate = new Uint8Array(Math.max(0, ...spec.dateStyles) + 1);
    for (const s of spec.dateStyles) this.isDate[s] = 1;
    this.epoch = spec.date1904 ? EPOCH_1904 : EPOCH_1900;
    this.stringBytes = Buffer.from(strings.bytes.buffer, strings.bytes.byteOffset, strings.bytes.byteLength);
    this.ctx = { sharedStrings: [] as string[], dateStyles: new Set(spec.dateStyles), date1904: spec.date1904 };
  }

  /** Writes the lines of a block of whole rows (the sink gets them when its buffer fills, or at `finish`). */
  writeRows(block: Buffer): void {
    this.scan(block, 0, block.length);
    this.endRow();
  }

  /**
   * Writes the whole rows in xml[from, to); returns where it stopped (to). The shapes
   * Excel writes, `<row r="8" …>` and `<c r="B8" s="3" t="s"><v>12</v></c>` (s and t
   * optional), are read here with the line's state in locals, a cell's row digits skipped
   * by their count on the row; anything else (the banner and header rows, other cells, a
   * full output buffer) goes through `tag`, with the state in fields.
   */
  private scan(xml: Buffer, from: number, to: number): number {
    const fieldOf = this.fieldOf;
    const ncols = fieldOf.length;
    const isDate = this.isDate;
    const sOff = this.strings.offsets;
    const sFlags = this.strings.flags;
    const nStrings = sFlags.length;
    const sBytes = this.stringBytes;
    let out = this.out;
    let limit = out.length - 64;
    const epoch = this.epoch;
    const flagged = this.flagged;
    let o = this.o;
    let commas = this.commas;
    let lastCol = this.col;
    let refCol = this.refCol;
    let nFlagged = this.nFlagged;
    let hasValue = this.hasValue;
    let writing = this.open && !this.skip;
    let rowDigits = this.rowDigits;
    const headerRow = this.spec.headerRow;
    // four and two bytes at a time: '<c r', '="', ' s="', ' t="', 's"', '><v>', '</v>', '</c>', '<row', ' r="' (little-endian)
    const dv = new DataView(xml.buffer, xml.byteOffset, xml.byteLength);
    const safe = to - 48;
    let i = from;
    while (i < to) {
      if (i < safe && dv.getUint32(i, true) === 0x776f723c && dv.getUint32(i + 4, true) === 0x223d7220) {
        // <row r="N" …>: a row after the header, not self-closing, starts here; anything else goes through `tag`
        let p = i + 8;
        let r = 0;
        let d = xml[p]!;
        while (d >= 48 && d <= 57) {
          r = r * 10 + (d - 48);
          d = xml[++p]!;
        }
        if (d === 34 && p > i + 8 && r > headerRow) {
          while (p < to && xml[p] !== 62) p++;
          if (p < to && xml[p - 1] !== 47) {
            this.o = o; this.commas = commas; this.col = lastCol; this.refCol = refCol; this.nFlagged = nFlagged; this.hasValue = hasValue;
            this.startRow(r);
            o = this.o; commas = this.commas; lastCol = this.col; refCol = this.refCol; nFlagged = this.nFlagged; hasValue = this.hasValue; writing = this.open && !this.skip; rowDigits = this.rowDigits; out = this.out; limit = out.length - 64;
            i = p + 1;
            continue;
          }
        }
      }
      if (writing && i < safe && dv.getUint32(i, true) === 0x7220633c && dv.getUint16(i + 4, true) === 0x223d) {
        let p = i + 6;
        let c = 0;
        let d = xml[p]!;
        while (d >= 65 && d <= 90) {
          c = c * 26 + (d - 64);
          d = xml[++p]!;
        }
        p += rowDigits;
        d = xml[p]!;
        let style = -1;
        let shared = false;
        if (d === 34 && p < safe) {
          p++;
          if (dv.getUint32(p, true) === 0x223d7320) {
            p += 4;
            style = 0;
            d = xml[p]!;
            while (d >= 48 && d <= 57) {
              style = style * 10 + (d - 48);
              d = xml[++p]!;
            }
            if (d === 34) p++;
            else p = -1;
          }
          if (p >= 0 && p < safe && dv.getUint32(p, true) === 0x223d7420 && dv.getUint16(p + 4, true) === 0x2273) {
            shared = true;
            p += 6;
          }
        } else p = -1;
        if (p >= 0 && p < safe && dv.getUint32(p, true) === 0x3e763c3e && c > lastCol) {
          const a = p + 4;
          let q = a;
          let n = 0;
          d = xml[q]!;
          while (d >= 48 && d <= 57) {
            n = n * 10 + (d - 48);
            d = xml[++q]!;
          }
          let b = q;
          while (b < to && xml[b] !== 60) b++;
          const whole = b === q && q > a && q - a <= 15;
          if (
            b + 8 <= to &&
            dv.getUint32(b, true) === 0x3e762f3c &&
            dv.getUint32(b + 4, true) === 0x3e632f3c &&
            o + (b - a) + 40 + (c < ncols ? fieldOf[c]! - commas : 0) < limit
          ) {
            if (c >= ncols) {
              // a column past the layout's: not read
            } else if (shared) {
              if (!whole) {
                this.o = o; this.commas = commas; this.col = lastCol; this.refCol = refCol; this.nFlagged = nFlagged; this.hasValue = hasValue;
                i = this.tag(xml, i, to);
                o = this.o; commas = this.commas; lastCol = this.col; refCol = this.refCol; nFlagged = this.nFlagged; hasValue = this.hasValue; writing = this.open && !this.skip; rowDigits = this.rowDigits; out = this.out; limit = out.length - 64;
                continue;
              }
              const flags = n < nStrings ? sFlags[n]! : S_EMPTY;
              if ((flags & S_EMPTY) === 0) {
                lastCol = c;
                hasValue = true;
                if ((flags & S_FLAGGED) !== 0) flagged[nFlagged++] = c;
                else {
                  const f = fieldOf[c]!;
                  if (f >= 0) {
                    const s0 = sOff[n]!;
                    const s1 = sOff[n + 1]!;
                    if (o + (s1 - s0) + f - commas + 2 > limit) {
                      // a long string: through the methods, which flush the line so far
                      this.o = o; this.commas = commas; this.col = lastCol; this.refCol = refCol; this.nFlagged = nFlagged; this.hasValue = hasValue;
                      this.field(f, s1 - s0);
                      this.o += sBytes.copy(this.out, this.o, s0, s1);
                      o = this.o; commas = this.commas; out = this.out; limit = out.length - 64;
                    } else {
                      while (commas <= f) {
                        out[o++] = 44;
                        commas++;
                      }
                      // most fields are short: a loop costs less than a native copy's call
                      if (s1 - s0 <= 48) for (let k = s0; k < s1; k++) out[o++] = sBytes[k]!;
                      else o += sBytes.copy(out, o, s0, s1);
                    }
                  }
                }
              }
            } else if (b > a) {
              let serial = n;
              const date = style >= 0 && isDate[style] === 1;
              if (date && !whole) {
                // a date needs the millisecond: twelve digits of the fraction are plenty (Excel writes up to 17 significant)
                let k = q + 1;
                if (xml[q] === 46 && q > a && q - a <= 15) {
                  let f = 0;
                  let scale = 1;
                  d = xml[k]!;
                  while (d >= 48 && d <= 57) {
                    if (scale < 1e12) {
                      f = f * 10 + (d - 48);
                      scale *= 10;
                    }
                    d = xml[++k]!;
                  }
                  serial = k === b && scale > 1 ? n + f / scale : NaN;
                } else serial = NaN;
                if (serial !== serial) serial = Number(xml.toString('latin1', a, b));
              }
              if ((date && serial === serial) || whole || isNumberText(xml, a, b)) {
                lastCol = c;
                hasValue = true;
                const f = fieldOf[c]!;
                if (f >= 0) {
                  while (commas <= f) {
                    out[o++] = 44;
                    commas++;
                  }
                  if (date) o = writeDate(out, o, epoch + Math.round(serial * DAY_MS));
                  else for (let k = a; k < b; k++) out[o++] = xml[k]!;
                }
              } else {
                this.o = o; this.commas = commas; this.col = lastCol; this.refCol = refCol; this.nFlagged = nFlagged; this.hasValue = hasValue;
                i = this.tag(xml, i, to);
                o = this.o; commas = this.commas; lastCol = this.col; refCol = this.refCol; nFlagged = this.nFlagged; hasValue = this.hasValue; writing = this.open && !this.skip; rowDigits = this.rowDigits; out = this.out; limit = out.length - 64;
                continue;
              }
            }
            refCol = c;
            i = b + 8;
            continue;
          }
        }
      }
      this.o = o; this.commas = commas; this.col = lastCol; this.refCol = refCol; this.nFlagged = nFlagged; this.hasValue = hasValue;
      i = this.tag(xml, i, to);
      o = this.o; commas = this.commas; lastCol = this.col; refCol = this.refCol; nFlagged = this.nFlagged; hasValue = this.hasValue; writing = this.open && !this.skip; rowDigits = this.rowDigits; out = this.out; limit = out.length - 64;
    }
    this.o = o; this.commas = commas; this.col = lastCol; this.refCol = refCol; this.nFlagged = nFlagged; this.hasValue = hasValue;
    return i;
  }

  /** Reads the one tag at or after `i` (a cell of any shape, a row, anything else) through the methods above; returns where the next begins. */
  private tag(xml: Buffer, i: number, to: number): number {
    const fieldOf = this.fieldOf;
    const ncols = fieldOf.length;
    const isDate = this.isDate;
    const sOff = this.strings.offsets;
    const sFlags = this.strings.flags;
    const sBytes = this.stringBytes;
    let col = this.refCol;
    let lt = i;
    while (lt < to && xml[lt] !== 60 /* < */) lt++;
    if (lt >= to) return to;
    const c1 = xml[lt + 1];
    const c2 = xml[lt + 2];
    if (c1 === 99 /* c */ && (c2 === 32 || c2 === 62 || c2 === 47 || c2 === 9 || c2 === 10 || c2 === 13)) {
      let type = T_NUMBER;
      let style = -1;
      let hasRef = false;
      let empty = false;
      let k = lt + 2;
      for (;;) {
        const ch = xml[k];
        if (ch === 62 /* > */) {
          k++;
          break;
        }
        if (ch === 32 || ch === 9 || ch === 10 || ch === 13) {
          k++;
          continue;
        }
        if (ch === 47 /* / */) {
          empty = true;
          k += 2;
          break;
        }
        if (k >= to) throw new Error(`a <c> start tag runs past its row (near row ${this.row})`);
        let eq = k + 1;
        let name = ch ?? 0;
        if (xml[eq] !== 61 /* = */) {
          eq = xml.indexOf(61, k);
          if (eq < 0 || eq >= to) throw new Error(`a malformed <c> start tag (near row ${this.row})`);
          const n = xml.toString('latin1', k, eq).trim();
          name = n.length === 1 ? n.charCodeAt(0) : 0;
        }
        let q = eq + 1;
        let quote = xml[q];
        while (quote === 32 || quote === 9 || quote === 10 || quote === 13) quote = xml[++q];
        let v = q + 1;
        if (name === 114 /* r */) {
          let c = 0;
          let d = xml[v]!;
          while (d >= 65 && d <= 90) {
            c = c * 26 + (d - 64);
            d = xml[++v]!;
          }
          col = c;
          hasRef = true;
        } else if (name === 115 /* s */) {
          let n = 0;
          let d = xml[v]!;
          while (d >= 48 && d <= 57) {
            n = n * 10 + (d - 48);
            d = xml[++v]!;
          }
          style = n;
        } else if (name === 116 /* t */) {
          const a = xml[v];
          const b = xml[v + 1];
          if (a === 115 /* s */) type = b === quote ? T_SHARED : T_STR;
          else if (a === 105 /* i */) type = T_INLINE;
          else if (a === 98 /* b */) type = T_BOOL;
          else if (a === 101 /* e */) type = T_ERROR;
          else if (a === 100 /* d */) type = T_DATE;
        }
        while (v < to && xml[v] !== quote) v++;
        if (v >= to) throw new Error(`an unterminated attribute in a <c> start tag (near row ${this.row})`);
        k = v + 1;
      }
      if (!hasRef) col = this.refCol + 1;
      this.refCol = col;
      if (empty) {
        this.refCol = col;
        return k;
      }
      if (!this.open) this.startRow(this.row + 1); // a cell outside any <row>: on the row after the last
      const ignore = this.skip || col >= ncols;
      if ((type === T_NUMBER || type === T_SHARED) && xml[k] === 60 && xml[k + 1] === 118 && xml[k + 2] === 62) {
        // <v>…</v> right after the start tag
        const a = k + 3;
        let p = a;
        let n = 0;
        let d = xml[p]!;
        while (d >= 48 && d <= 57) {
          n = n * 10 + (d - 48);
          d = xml[++p]!;
        }
        let b = p;
        while (b < to && xml[b] !== 60) b++;
        if (b >= to) throw new Error(`an unterminated <v> (near row ${this.row})`);
        if (!ignore) {
          if (type === T_SHARED) {
            const index = b === p && p > a && p - a <= 15 ? n : Number(xml.toString('latin1', a, b));
            const flags = index >= 0 && index < sFlags.length ? sFlags[index]! : S_EMPTY;
            if ((flags & S_EMPTY) === 0) {
              const f = this.cellAt(col, (flags & S_FLAGGED) !== 0);
              if (f >= 0) {
                const s0 = sOff[index]!;
                const s1 = sOff[index + 1]!;
                this.field(f, s1 - s0);
                const out = this.out;
                let o = this.o;
                // most fields are short: a loop costs less than a native copy's call
                if (s1 - s0 <= 48) for (let q = s0; q < s1; q++) out[o++] = sBytes[q]!;
                else o += sBytes.copy(out, o, s0, s1);
                this.o = o;
              }
            }
          } else if (b > a) {
            const f = this.cellAt(col, false);
            if (f >= 0) {
              if (style >= 0 && isDate[style] === 1) {
                let serial = n;
                if (b !== p || p - a > 15) {
                  serial = Number(xml.toString('latin1', a, b));
                }
                this.field(f, 32);
                if (serial === serial) this.o = writeDate(this.out, this.o, this.epoch + Math.round(serial * DAY_MS));
                else this.text(f, xml.toString('utf8', a, b));
              } else if (b === p || isNumberText(xml, a, b)) {
                this.field(f, b - a);
                const out = this.out;
                let o = this.o;
                for (let q = a; q < b; q++) out[o++] = xml[q]!;
                this.o = o;
              } else {
                this.text(f, this.slowText(xml, k, type, style) ?? '');
              }
            }
          }
        }
        if (xml[b + 1] === 47 && xml[b + 2] === 118 && xml[b + 3] === 62 && xml[b + 4] === 60 && xml[b + 5] === 47 && xml[b + 6] === 99 && xml[b + 7] === 62) {
          i = b + 8;
        } else {
          const close = xml.indexOf('</c>', b);
          if (close < 0 || close >= to) throw new Error(`a <c> element without </c> (near row ${this.row})`);
          i = close + 4;
        }
      } else {
        const close = xml.indexOf('</c>', k);
        if (close < 0 || close >= to) throw new Error(`a <c> element without </c> (near row ${this.row})`);
        if (!ignore) {
          const text = type === T_SHARED ? this.sharedText(xml, k, close) : this.slowText(xml, k, type, style, close);
          if (text !== undefined && text !== '') {
            const flagged = typeof text === 'object' ? text.flagged : this.spec.flag !== undefined && this.spec.flag.test(text);
            const f = this.cellAt(col, flagged);
            if (f >= 0) this.text(f, typeof text === 'object' ? text.s : text);
          }
        }
        i = close + 4;
      }
      return i;
    }
    if (c1 === 114 /* r */ && c2 === 111 /* o */ && xml[lt + 3] === 119 /* w */) {
      const c4 = xml[lt + 4];
      if (c4 === 32 || c4 === 62 || c4 === 47 || c4 === 9 || c4 === 10 || c4 === 13) {
        let p = lt + 4;
        let r = -1;
        while (p < to && xml[p] !== 62) {
          if (xml[p] === 32 && xml[p + 1] === 114 && xml[p + 2] === 61 && xml[p + 3] === 34) {
            let n = 0;
            let q = p + 4;
            let d = xml[q]!;
            while (d >= 48 && d <= 57) {
              n = n * 10 + (d - 48);
              d = xml[++q]!;
            }
            const close = d === 34 ? q : xml.indexOf(34, p + 4);
            r = d === 34 && q > p + 4 ? n : Number(xml.toString('latin1', p + 4, close));
            p = close + 1;
            continue;
          }
          if (xml[p] === 34) {
            p = xml.indexOf(34, p + 1);
            if (p < 0 || p >= to) throw new Error(`a malformed <row> start tag (after row ${this.row})`);
          }
          p++;
        }
        this.startRow(r >= 0 ? r : this.row + 1);
        i = p + 1;
        if (xml[p - 1] === 47 /* / */) this.endRow();
        else if (this.skip) {
          // the banner and header rows: to their end
          const close = xml.indexOf('</row>', i);
          if (close >= 0 && close < to) i = close + 6;
        }
        return i;
      }
    }
    return lt + 1;
  }

  /** A shared-string cell in another shape than `<v>n</v>` right after the start tag. */
  private sharedText(xml: Buffer, k: number, close: number): { s: string; flagged: boolean } | undefined {
    const v = xml.indexOf('<v', k);
    if (v < 0 || v >= close) return undefined;
    const gt = xml.indexOf(62, v);
    if (xml[gt - 1] === 47) return undefined;
    const index = Number(xml.toString('latin1', gt + 1, xml.indexOf('</v>', gt)).trim());
    if (!(index >= 0 && index < this.strings.flags.length) || this.strings.flags[index] === S_EMPTY) return undefined;
    const bytes = Buffer.from(this.strings.bytes.buffer, this.strings.bytes.byteOffset + this.strings.offsets[index]!, this.strings.offsets[index + 1]! - this.strings.offsets[index]!);
    return { s: uncsv(bytes.toString('utf8')), flagged: (this.strings.flags[index]! & S_FLAGGED) !== 0 };
  }

  /** Text of a rarer cell (inline string, formula text, boolean, error, ISO date, odd number), as parse-sheet.ts reads it. */
  private slowText(xml: Buffer, k: number, type: number, style: number, close = xml.indexOf('</c>', k)): string | undefined {
    const value = cellValue(xml, type, style, k - 1, close, this.ctx);
    if (value === undefined) return undefined;
    if (value instanceof Date && !Number.isNaN(value.getTime())) {
      const b = Buffer.allocUnsafe(40);
      return b.toString('latin1', 0, writeDate(b, 0, value.getTime()));
    }
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    return String(value);
  }
}

