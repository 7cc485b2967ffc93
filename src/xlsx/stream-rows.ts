/**
 * Streaming row reader for worksheets too big to hold: ICE's ERO-LESA FOIA workbooks
 * have up to 1,048,576 rows × 25–65 columns per sheet and several such sheets, whose
 * parts inflate to gigabytes. The sheet part is inflated by a zlib stream (on libuv's
 * thread pool, so inflation overlaps the scan on the main thread); its bytes are scanned
 * for whole `<row>` elements as they come, the unfinished last row carried over to the
 * next chunk, and read with the cell semantics of parse-sheet.ts (whose `cellValue` reads
 * the rarer cells). Memory is bounded by the batch size and a few inflate chunks,
 * whatever the size of the sheet. docs/xlsx-reader.md has the design and measurements.
 *
 *   const wb = await Workbook.open(bytes, file);          // or: await XlsxFile.open(path)
 *   for (const info of wb.visibleSheets())
 *     for await (const batch of streamSheetRows(wb, info))
 *       for (const { row, cells } of batch) …               // cells[col], 1-based like Sheet.rows
 *
 * `XlsxFile` reads the zip from disk with positioned reads, so a multi-gigabyte
 * workbook never has to be in memory at all; `Workbook` slices the entry from the bytes
 * it already holds.
 */
import { isAscii } from 'node:buffer';
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createInflateRaw, type InflateRaw } from 'node:zlib';
import yauzl from 'yauzl';
import { SourceFormatError, type SourceLocation } from '../lib/errors.js';
import { cellValue, excelSerialToDate, T_BOOL, T_DATE, T_ERROR, T_INLINE, T_NUMBER, T_SHARED, T_STR, type SheetContext } from './parse-sheet.js';
import type { CellValue } from './sheet.js';
import { decodeEntities } from './xml-text.js';
import { assertZip, describeWorkbook, parseSharedStrings, Workbook, type SheetInfo } from './workbook.js';

export interface StreamRow {
  /** 1-based row number, as in the sheet. */
  row: number;
  /** Values by 1-based column (index 0 unused), undefined where a cell is empty; like `Sheet.rows[row]`. */
  cells: Array<CellValue | undefined>;
}

export interface StreamOptions {
  /** Rows per yielded batch (default 1000); the last batch may be smaller. */
  batchSize?: number;
  /**
   * Largest piece of inflated text handed to the scanner at once, in bytes. Only for
   * tests: a tiny value splits every tag, number and UTF-8 sequence across pieces.
   */
  chunkSize?: number;
}

/** The zip bytes held in memory with the sheets' cell context, as `Workbook.streamSource` gives them. */
export interface BufferSource {
  file: string;
  bytes: Uint8Array;
  ctx: SheetContext;
}

export type StreamSource = Workbook | XlsxFile | BufferSource;

/** Compressed bytes read per step: sliced from memory, or read from the file. */
const READ_SIZE = 1 << 20;
/** Inflated bytes per zlib output chunk: fewer, larger chunks cost the main thread less (measured: 256 kB against 64 kB). */
const INFLATE_CHUNK = 1 << 18;
/** Inflated bytes that may wait for the scanner, so that the thread pool keeps inflating while it scans. */
const INFLATE_AHEAD = 1 << 20;

/**
 * Yields the rows of one worksheet in batches, in sheet order. Rows without a value are
 * not yielded (as `Sheet.rows` leaves them undefined). Errors are SourceFormatErrors
 * naming the file and the sheet: a part missing from the zip, a deflate stream that is
 * corrupt or cut, a part that ends before `</sheetData>`.
 */
export async function* streamSheetRows(source: StreamSource, info: SheetInfo, options: StreamOptions = {}): AsyncGenerator<StreamRow[]> {
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  const pieceSize = options.chunkSize !== undefined ? Math.max(1, options.chunkSize) : Infinity;
  const zip = await zipOf(source);
  const where: SourceLocation = { file: zip.file, sheet: info.name };
  const entry = zip.entries.get(info.part);
  if (!entry) throw new SourceFormatError(where, `sheet part ${info.part} is missing from the zip`);

  const batch = new RowBatch();
  const scanner = new RowScanner(zip.ctx, batch);
  try {
    for await (const chunk of entryChunks(zip, entry, pieceSize === Infinity ? READ_SIZE : Math.max(64, pieceSize))) {
      for (let at = 0; at < chunk.length; at += pieceSize) {
        scanner.push(pieceSize >= chunk.length ? chunk : chunk.subarray(at, at + pieceSize));
        // yield as soon as a batch is full, so that few rows are alive at once (they would outlive young-generation GCs)
        while (scanner.scan(batchSize)) yield batch.take(batchSize);
      }
    }
    scanner.end(info.part);
  } catch (err) {
    throw located(err, where);
  }
  while (batch.rows.length > 0) yield batch.take(batchSize);
}

/**
 * An .xlsx read from disk: the central directory and the small parts (workbook, styles,
 * shared strings) are read when it opens; sheet parts are streamed by
 * `streamSheetRows` with positioned reads. Close it when done.
 */
export class XlsxFile {
  private constructor(
    readonly file: string,
    readonly sheets: SheetInfo[],
    /** @internal */ readonly zip: ZipSource,
    private readonly handle: FileHandle,
  ) {}

  /** `file` names the workbook in error messages (default: the path). */
  static async open(path: string, file: string = path): Promise<XlsxFile> {
    const handle = await openFile(path, 'r');
    try {
      const { size } = await handle.stat();
      const head = Buffer.alloc(Math.min(64, size));
      await handle.read(head, 0, head.length, 0);
      assertZip(head, file);
      const entries = await centralDirectory(file, (cb) =>
        yauzl.fromFd(handle.fd, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, autoClose: false }, cb),
      );
      const read = async (pos: number, len: number): Promise<Buffer> => {
        if (pos + len > size) throw new Error(`the entry runs past the end of the file at byte ${size} (truncated?)`);
        const buf = Buffer.allocUnsafe(len);
        const { bytesRead } = await handle.read(buf, 0, len, pos);
        if (bytesRead !== len) throw new Error(`read ${bytesRead} of ${len} bytes at ${pos} (the file shrank?)`);
        return buf;
      };
      const partial: Omit<ZipSource, 'ctx'> = { file, entries, read };
      const { sheets, ctx } = await describeWorkbook(
        file,
        (name) => readPartText(partial, name),
        () => readSharedStrings(partial),
      );
      return new XlsxFile(file, sheets, { ...partial, ctx }, handle);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  visibleSheets(): SheetInfo[] {
    return this.sheets.filter((s) => !s.hidden);
  }

  /** The cell context: shared strings, date styles, the 1904 date system. */
  get ctx(): SheetContext {
    return this.zip.ctx;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/* ------------------------------------------------------------------ the scanner */

/** The rows read so far and not yet yielded; the scanner appends to the last one while cells stay on its row. */
class RowBatch {
  rows: StreamRow[] = [];
  current: StreamRow | undefined;
  /** The last row number read: the previous row of a `<row>` without `r`. */
  row = 0;
  /** Columns of the last row read, to size the next row's array at once. */
  width = 0;

  take(n: number): StreamRow[] {
    const all = this.rows;
    if (all.length <= n) {
      this.rows = [];
      this.current = undefined;
      return all;
    }
    this.rows = all.slice(n);
    return all.slice(0, n);
  }
}

const HEAD = 0;
const ROWS = 1;
const DONE = 2;

/**
 * Consumes the bytes of a sheet part in pieces cut anywhere. Before `<sheetData>` it only
 * looks for that tag; inside, it hands every run of whole rows to `scanRows` and keeps the
 * unfinished last row for the next piece; after `</sheetData>` it ignores the rest (merged
 * ranges, page setup). It works on the UTF-8 bytes, not on decoded text: the markup is
 * ASCII, a typed array is read faster than a string, and a UTF-8 sequence cut between
 * pieces is whole again before a cell that holds it is decoded.
 */
class RowScanner {
  /** Bytes held: from `pos` on, rows not read yet, the last one maybe unfinished (before the rows: the part's start). */
  private buf = Buffer.allocUnsafe(1 << 17);
  private view = this.buf.subarray(0, 0);
  private len = 0;
  /** Where reading resumes: a row boundary. */
  private pos = 0;
  /** End of the whole rows held (or the `</sheetData>` once it is in). */
  private stop = 0;
  private last = false;
  private state = HEAD;

  constructor(
    private readonly ctx: SheetContext,
    private readonly batch: RowBatch,
  ) {}

  /** Adds the next piece of the part (ignored once `</sheetData>` is in). */
  push(piece: Buffer): void {
    if (this.state === DONE || this.last || piece.length === 0) return;
    if (this.pos > 0) {
      // drop what was read
      this.buf.copyWithin(0, this.pos, this.len);
      this.len -= this.pos;
      this.stop -= this.pos;
      this.pos = 0;
    }
    if (this.len + piece.length > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + piece.length));
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    piece.copy(this.buf, this.len);
    this.len += piece.length;
    const view = (this.view = this.buf.subarray(0, this.len));
    if (this.state === HEAD) {
      const at = view.indexOf('<sheetData');
      if (at < 0) {
        this.pos = Math.max(0, this.len - 9); // '<sheetDat' may be cut at the end of the piece
        return;
      }
      const gt = view.indexOf(62 /* > */, at);
      if (gt < 0) {
        this.pos = at;
        return;
      }
      if (view[gt - 1] === 47 /* / */) {
        this.state = DONE; // <sheetData/>: no rows
        return;
      }
      this.state = ROWS;
      this.pos = this.stop = gt + 1;
    }
    const cut = lastRowEnd(view, this.stop);
    const end = view.indexOf('</sheetData>', cut);
    this.last = end >= 0;
    this.stop = end >= 0 ? end : cut;
  }

  /** Reads whole rows until the batch holds `limit` rows (true) or the rows held are read (false). */
  scan(limit: number): boolean {
    if (this.state !== ROWS) return false;
    if (this.pos < this.stop) this.pos = scanRows(this.view, this.pos, this.stop, this.batch, this.ctx, limit);
    if (this.pos >= this.stop && this.last) this.state = DONE;
    return this.batch.rows.length >= limit;
  }

  end(part: string): void {
    if (this.state !== DONE) {
      const where = this.state === HEAD ? 'before <sheetData>' : `inside <sheetData>, after row ${this.batch.row}`;
      throw new Error(`the sheet part ${part} ends ${where} (truncated?)`);
    }
  }
}

/** End of the last whole row (`<row …>…</row>` or `<row …/>`) in `xml` after `start`, a row boundary; `start` if none. */
function lastRowEnd(xml: Buffer, start: number): number {
  let p = xml.length;
  for (;;) {
    if (p <= start) return start;
    p = xml.lastIndexOf('<row', p - 1);
    if (p < start) return start;
    const ch = xml[p + 4];
    if (ch === undefined) return p; // '<row' cut at the end: a row or <rowBreaks>, either way not whole
    if (ch === 32 || ch === 62 || ch === 47 || ch === 9 || ch === 10 || ch === 13) break;
    // <rowBreaks> after </sheetData>: look further back
  }
  const gt = xml.indexOf(62 /* > */, p);
  if (gt < 0) return p;
  if (xml[gt - 1] === 47 /* / */) return gt + 1;
  const close = xml.indexOf('</row>', gt);
  return close < 0 ? p : close + 6;
}

/**
 * Reads the cells of the whole `<row>` elements in `xml[from, to)` into `batch`, with the
 * values parse-sheet.ts gives (its `cellValue` reads the rarer cells: inline strings,
 * formula text, booleans, errors, ISO dates). `startRow` is the row before the first (for
 * rows without `r`); returns the last row.
 *
 * The common cells, `<c r="B8" s="1" t="s"><v>123</v></c>` with attributes in any order,
 * are read in one pass over their bytes: reference, style and type while the start tag
 * is scanned, integers and shared-string indexes without a string, and the usual
 * `</v></c>` ending checked in place; only a number with a point or an exponent becomes a
 * string, for `Number`. Cell references, not the row element, give a cell's row and
 * column, as in parse-sheet.ts; a cell without `r` follows the one before.
 */
function scanRows(xml: Buffer, from: number, to: number, batch: RowBatch, ctx: SheetContext, limit: number): number {
  const strings = ctx.sharedStrings;
  const dateStyles = ctx.dateStyles;
  const date1904 = ctx.date1904;
  const out = batch.rows;
  let current = batch.current;
  let cells: Array<CellValue | undefined> | undefined = current?.cells;
  let currentRow = current ? current.row : -1;
  // the last column with a value in the current row, and the width the next row's array starts with
  let width = batch.width;
  let maxCol = cells ? cells.length - 1 : 0;
  let row = batch.row;
  let col = 0;
  let i = from;
  while (i < to) {
    // the next tag: usually right here
    let lt = i;
    while (lt < to && xml[lt] !== 60 /* < */) lt++;
    if (lt >= to) {
      i = to;
      break;
    }
    const c1 = xml[lt + 1];
    const c2 = xml[lt + 2];
    if (c1 === 99 /* c */ && (c2 === 32 || c2 === 62 || c2 === 47 || c2 === 9 || c2 === 10 || c2 === 13)) {
      // the start tag's attributes
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
        if (k >= to) throw new Error(`a <c> start tag runs past its row (near row ${row})`);
        // one-letter names (r, s, t) directly; longer ones (cm, vm, ph) or spaced ones through their text
        let eq = k + 1;
        let name = ch ?? 0;
        if (xml[eq] !== 61 /* = */) {
          eq = xml.indexOf(61, k);
          if (eq < 0 || eq >= to) throw new Error(`a malformed <c> start tag (near row ${row})`);
          const n = xml.toString('latin1', k, eq).trim();
          name = n.length === 1 ? n.charCodeAt(0) : 0;
        }
        let q = eq + 1;
        let quote = xml[q];
        while (quote === 32 || quote === 9 || quote === 10 || quote === 13) quote = xml[++q];
        let v = q + 1;
        if (name === 114 /* r */) {
          let c = 0;
          let r = 0;
          let d = xml[v]!;
          while (d >= 65 && d <= 90) {
            c = c * 26 + (d - 64);
            d = xml[++v]!;
          }
          while (d >= 48 && d <= 57) {
            r = r * 10 + (d - 48);
            d = xml[++v]!;
          }
          row = r;
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
        if (v >= to) throw new Error(`an unterminated attribute in a <c> start tag (near row ${row})`);
        k = v + 1;
      }
      if (!hasRef) col++;
      if (empty) {
        i = k;
        continue;
      }
      // the value
      let value: CellValue | undefined;
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
        if (b >= to) throw new Error(`an unterminated <v> (near row ${row})`);
        const integer = b === p && p > a && p - a <= 15;
        if (type === T_SHARED) {
          value = strings[integer ? n : Number(xml.toString('latin1', a, b))] ?? '';
        } else {
          let num = n;
          if (!integer) {
            num = decimalValue(xml, a, b);
            if (num !== num) num = Number(xml.toString('latin1', a, b));
          }
          if (num !== num) value = decodeEntities(xml.toString('utf8', a, b));
          else value = style >= 0 && dateStyles.has(style) ? excelSerialToDate(num, date1904) : num;
        }
        // the usual ending, </v></c>, checked in place
        if (xml[b + 1] === 47 && xml[b + 2] === 118 && xml[b + 3] === 62 && xml[b + 4] === 60 && xml[b + 5] === 47 && xml[b + 6] === 99 && xml[b + 7] === 62) {
          i = b + 8;
        } else {
          const close = xml.indexOf('</c>', b);
          if (close < 0 || close >= to) throw new Error(`a <c> element without </c> (near row ${row})`);
          i = close + 4;
        }
      } else {
        const close = xml.indexOf('</c>', k);
        if (close < 0 || close >= to) throw new Error(`a <c> element without </c> (near row ${row})`);
        value = cellValue(xml, type, style, k - 1, close, ctx);
        i = close + 4;
      }
      if (value !== undefined) {
        if (row !== currentRow || cells === undefined) {
          if (cells !== undefined) {
            if (cells.length !== maxCol + 1) cells.length = maxCol + 1;
            width = maxCol + 1;
          }
          // sized like the row before: one allocation instead of several as the row grows
          current = { row, cells: width > 0 ? new Array<CellValue | undefined>(width) : [] };
          out.push(current);
          cells = current.cells;
          currentRow = row;
          maxCol = 0;
        }
        cells[col] = value;
        if (col > maxCol) maxCol = col;
      }
      continue;
    }
    if (c1 === 114 /* r */ && c2 === 111 /* o */ && xml[lt + 3] === 119 /* w */) {
      const c4 = xml[lt + 4];
      if (c4 === 32 || c4 === 62 || c4 === 47 || c4 === 9 || c4 === 10 || c4 === 13) {
        if (out.length >= limit) {
          i = lt; // the batch is full: resume at this row
          break;
        }
        // the r attribute, if any
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
            // skip other attributes' values, which may hold ' r="'
            p = xml.indexOf(34, p + 1);
            if (p < 0 || p >= to) throw new Error(`a malformed <row> start tag (after row ${row})`);
          }
          p++;
        }
        row = r >= 0 ? r : row + 1;
        col = 0;
        i = p + 1;
        continue;
      }
    }
    i = lt + 1;
  }
  if (cells !== undefined && cells.length !== maxCol + 1) cells.length = maxCol + 1;
  batch.current = current;
  batch.row = row;
  batch.width = width;
  return i;
}

const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const SPLIT = 134217729; // 2^27 + 1, Dekker's splitter
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/**
 * The double nearest to the decimal `xml[a, b)` (digits with a point, maybe a minus:
 * Excel's `44835.239583333336`), exactly as `Number` would give it, or NaN when the text
 * is of another shape (an exponent, more than 23 digits) or too close to a tie between
 * two doubles, for the caller to use `Number`. Without a string, which `Number` needs.
 *
 * Up to 15 significant digits, m / 10^f of two exact doubles is correctly rounded (the
 * classic fast path). Longer mantissas m = m1·10^k + m2 are not exact as doubles: the
 * quotient y is checked with the exact remainder m − y·10^f (Dekker's two-product and
 * Sterbenz's lemma keep it exact to ~1e-8), which must be under half a unit in the last
 * place of y times 10^f; else y moves by one ulp and is checked again.
 */
export function decimalValue(xml: Buffer, a: number, b: number): number {
  let p = a;
  const negative = xml[p] === 45; /* - */
  if (negative) p++;
  let m1 = 0; // the first 15 significant digits
  let m2 = 0; // the next ones, up to 8
  let digits = 0; // significant digits read
  let extra = 0; // digits in m2
  let fraction = -1; // digits after the point, -1 before it
  for (; p < b; p++) {
    const d = xml[p]!;
    if (d === 46 /* . */) {
      if (fraction >= 0) return NaN;
      fraction = 0;
      continue;
    }
    if (d < 48 || d > 57) return NaN;
    if (fraction >= 0) fraction++;
    if (digits === 0 && d === 48) continue; // leading zeros
    if (digits < 15) m1 = m1 * 10 + (d - 48);
    else if (extra < 8) {
      m2 = m2 * 10 + (d - 48);
      extra++;
    } else return NaN;
    digits++;
  }
  if (p === a + (negative ? 1 : 0) || fraction > 22 || xml[b - 1] === 46) return NaN;
  const scale = fraction > 0 ? POW10[fraction]! : 1;
  if (extra === 0) return negative ? -(m1 / scale) : m1 / scale;
  // m = m1·10^extra + m2 = hi + lo + m2 exactly
  const shift = POW10[extra]!;
  const hi = m1 * shift;
  const lo = twoProductError(m1, shift, hi);
  let y = (hi + m2) / scale;
  for (let tries = 0; tries < 3; tries++) {
    const yp = y * scale;
    const r = hi - yp + (lo - twoProductError(y, scale, yp)) + m2; // m − y·10^f
    // half the gap to the neighbouring double on the side of the true value, times 10^f
    const half = ((r >= 0 ? nextDouble(y, 1) - y : y - nextDouble(y, -1)) * scale) / 2;
    const margin = half * 1e-6 + 1e-6;
    const ar = r < 0 ? -r : r;
    if (ar < half - margin) return negative ? -y : y;
    if (ar <= half + margin) return NaN; // (nearly) a tie: let Number round it
    y = nextDouble(y, r > 0 ? 1 : -1);
  }
  return NaN;
}

/** The double next to the positive double `y`, above (1) or below (-1). */
function nextDouble(y: number, direction: 1 | -1): number {
  F64[0] = y;
  let lo = U32[0]!;
  let hi = U32[1]!;
  if (direction > 0) {
    if (lo === 0xffffffff) {
      lo = 0;
      hi++;
    } else lo++;
  } else if (lo === 0) {
    lo = 0xffffffff;
    hi--;
  } else lo--;
  U32[0] = lo;
  U32[1] = hi;
  return F64[0]!;
}

/** The rounding error of the double product `x·y` = `product`: x·y = product + error, exactly (Dekker). */
function twoProductError(x: number, y: number, product: number): number {
  let c = SPLIT * x;
  const xh = c - (c - x);
  const xl = x - xh;
  c = SPLIT * y;
  const yh = c - (c - y);
  const yl = y - yh;
  return xh * yh - product + xh * yl + xl * yh + xl * yl;
}

/**
 * Decodes the part's bytes piece by piece: ASCII pieces as latin1 (the fastest
 * decoding), the rest as UTF-8 through a decoder that keeps a sequence cut at the end
 * of a piece for the next one.
 */
class TextPieces {
  private readonly utf8 = new StringDecoder('utf8');
  /** The decoder may hold the start of a multi-byte sequence. */
  private held = false;

  decode(bytes: Buffer): string {
    if (!this.held && isAscii(bytes)) return bytes.toString('latin1');
    this.held = bytes.length > 0 && bytes[bytes.length - 1]! >= 0x80;
    return this.utf8.write(bytes);
  }

  end(): string {
    return this.utf8.end();
  }
}

/* ------------------------------------------------------------------ the zip */

/** @internal What the streaming reader needs of a zip: its entries, its bytes by position, the cell context. */
export interface ZipSource {
  file: string;
  entries: Map<string, yauzl.Entry>;
  read(pos: number, len: number): Promise<Buffer>;
  ctx: SheetContext;
}

const bufferZips = new WeakMap<object, Promise<ZipSource>>();

async function zipOf(source: StreamSource): Promise<ZipSource> {
  if (source instanceof XlsxFile) return source.zip;
  const key = source instanceof Workbook ? source : source.bytes;
  let zip = bufferZips.get(key);
  if (!zip) {
    const { file, bytes, ctx } = source instanceof Workbook ? source.streamSource : source;
    zip = bufferZip(file, bytes, ctx);
    bufferZips.set(key, zip);
  }
  return zip;
}

async function bufferZip(file: string, bytes: Uint8Array, ctx: SheetContext): Promise<ZipSource> {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = await centralDirectory(file, (cb) =>
    yauzl.fromBuffer(buf, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true }, cb),
  );
  const read = async (pos: number, len: number): Promise<Buffer> => {
    if (pos + len > buf.length) throw new Error(`the entry runs past the end of the file at byte ${buf.length} (truncated?)`);
    return buf.subarray(pos, pos + len);
  };
  return { file, entries, read, ctx };
}

async function centralDirectory(
  file: string,
  openZip: (cb: (err: Error | null, zip: yauzl.ZipFile) => void) => void,
): Promise<Map<string, yauzl.Entry>> {
  try {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => openZip((err, z) => (err ? reject(err) : resolve(z))));
    const entries = new Map<string, yauzl.Entry>();
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        entries.set(e.fileName, e);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    });
    // no zip.close(): for a file it would close the descriptor, which XlsxFile keeps reading; a buffer needs none
    return entries;
  } catch (err) {
    throw new SourceFormatError({ file }, `the xlsx cannot be unzipped (truncated or corrupt download?): ${message(err)}`);
  }
}

/** The stored bytes of an entry, inflated, in chunks; checks the inflated size against the directory. */
async function* entryChunks(zip: ZipSource, entry: yauzl.Entry, readSize: number): AsyncGenerator<Buffer> {
  const at = entry.relativeOffsetOfLocalHeader;
  const header = await zip.read(at, 30).catch(() => undefined);
  if (!header || header.readUInt32LE(0) !== 0x04034b50) throw new Error(`no local header for ${entry.fileName} at offset ${at}`);
  const start = at + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const end = start + entry.compressedSize;
  if (entry.compressionMethod === 0) {
    for (let pos = start; pos < end; pos += readSize) yield await zip.read(pos, Math.min(readSize, end - pos));
    return;
  }
  if (entry.compressionMethod !== 8) throw new Error(`unsupported compression method ${entry.compressionMethod} for ${entry.fileName}`);

  const inflate = createInflateRaw({ chunkSize: Math.min(INFLATE_CHUNK, Math.max(64, readSize)) });
  // chunks come as 'data' events into a queue (an async iterator would concatenate them, a copy of every byte);
  // the inflater pauses while INFLATE_AHEAD bytes wait, and meanwhile inflates on the thread pool
  const queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  inflate.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= INFLATE_AHEAD) inflate.pause();
    wake?.();
  });
  inflate.on('end', () => {
    ended = true;
    wake?.();
  });
  inflate.on('error', (err: Error) => {
    failure = err;
    wake?.();
  });
  const feeding = feed(inflate, zip, start, end, readSize);
  let total = 0;
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        queued -= chunk.length;
        if (queued < INFLATE_AHEAD && inflate.isPaused()) inflate.resume();
        total += chunk.length;
        yield chunk;
        continue;
      }
      if (failure) throw new Error(`${entry.fileName} cannot be inflated (a cut or corrupt deflate stream): ${failure.message}`);
      if (ended) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    inflate.destroy();
    await feeding;
  }
  if (total !== entry.uncompressedSize) {
    throw new Error(`${entry.fileName} inflated to ${total} bytes, the zip directory says ${entry.uncompressedSize}`);
  }
}

/** Writes the compressed bytes into the inflater as it asks for them; a read error ends it with that error. */
async function feed(inflate: InflateRaw, zip: ZipSource, start: number, end: number, readSize: number): Promise<void> {
  try {
    for (let pos = start; pos < end; pos += readSize) {
      const piece = await zip.read(pos, Math.min(readSize, end - pos));
      if (inflate.destroyed) return;
      if (!inflate.write(piece)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            inflate.off('drain', done);
            inflate.off('close', done);
            resolve();
          };
          inflate.on('drain', done);
          inflate.on('close', done);
        });
        if (inflate.destroyed) return;
      }
    }
    inflate.end();
  } catch (err) {
    inflate.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

async function readPartText(zip: Omit<ZipSource, 'ctx'>, name: string): Promise<string | undefined> {
  const entry = zip.entries.get(name);
  if (!entry) return undefined;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of entryChunks({ ...zip, ctx: EMPTY_CTX }, entry, READ_SIZE)) chunks.push(chunk);
  } catch (err) {
    throw new SourceFormatError({ file: zip.file }, `the xlsx cannot be unzipped (truncated or corrupt download?): ${message(err)}`);
  }
  const bytes = Buffer.concat(chunks);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** sharedStrings.xml read in pieces, so that millions of strings do not need one string of the whole part. */
async function readSharedStrings(zip: Omit<ZipSource, 'ctx'>): Promise<string[]> {
  const out: string[] = [];
  const entry = zip.entries.get('xl/sharedStrings.xml');
  if (!entry) return out;
  const add = (xml: string): void => {
    for (const s of parseSharedStrings(xml)) out.push(s);
  };
  const text = new TextPieces();
  let pending = '';
  try {
    for await (const chunk of entryChunks({ ...zip, ctx: EMPTY_CTX }, entry, READ_SIZE)) {
      const t = pending + text.decode(chunk);
      const cut = t.lastIndexOf('</si>');
      if (cut < 0) {
        pending = t;
        continue;
      }
      add(t.slice(0, cut + 5));
      pending = t.slice(cut + 5);
    }
  } catch (err) {
    throw new SourceFormatError({ file: zip.file }, `the xlsx cannot be unzipped (truncated or corrupt download?): ${message(err)}`);
  }
  add(pending + text.end());
  return out;
}

const EMPTY_CTX: SheetContext = { sharedStrings: [], dateStyles: new Set(), date1904: false };

function located(err: unknown, where: SourceLocation): SourceFormatError {
  if (err instanceof SourceFormatError) return err;
  return new SourceFormatError(where, `the sheet cannot be read (truncated or corrupt download?): ${message(err)}`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
