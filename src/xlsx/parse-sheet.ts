import { parseCellRef } from './cell-ref.js';
import { CellError, Sheet, type CellValue } from './sheet.js';
import { attr, decodeEntities, startTags, textContent } from './xml-text.js';

export interface SheetContext {
  sharedStrings: string[];
  /** Style indexes (cellXfs positions) whose number format is a date. */
  dateStyles: Set<number>;
  date1904: boolean;
}

const EXCEL_EPOCH_1900 = Date.UTC(1899, 11, 30);
const EXCEL_EPOCH_1904 = Date.UTC(1904, 0, 1);
const DAY_MS = 86_400_000;

export function excelSerialToDate(serial: number, date1904 = false): Date {
  const epoch = date1904 ? EXCEL_EPOCH_1904 : EXCEL_EPOCH_1900;
  return new Date(epoch + Math.round(serial * DAY_MS));
}

/**
 * Reads the cached value of every cell in a worksheet part, given as its bytes (UTF-8). Formula
 * cells keep the value Excel last computed (`<v>` beside `<f>`); empty styled cells are not
 * stored, which bounds memory on sheets whose used range runs to column XFC (ICE's FY2025
 * "Monthly Segregation" sheet). The bytes are scanned as they are, not decoded into one string:
 * on this project's machine a large string's fresh memory cost more than its decoding (the 73 MB
 * of sheet XML in the 139 detention workbooks took about 300 ms to decode, a tenth of it the copy).
 */
export function parseSheetBytes(xml: Buffer, name: string, hidden: boolean, ctx: SheetContext): Sheet {
  const sheet = new Sheet(name, hidden);
  const dataStart = xml.indexOf(SHEET_DATA);
  const dataEnd = xml.lastIndexOf(SHEET_DATA_END);
  if (dataStart >= 0 && dataEnd > dataStart) readCells(xml, dataStart, dataEnd, sheet, ctx);
  const mergeStart = xml.indexOf(MERGE_CELLS, dataEnd >= 0 ? dataEnd : 0);
  if (mergeStart >= 0) {
    const mergeEnd = xml.indexOf(MERGE_CELLS_END, mergeStart);
    for (const tag of startTags(xml.toString('utf8', mergeStart, mergeEnd >= 0 ? mergeEnd : xml.length), 'mergeCell')) {
      const ref = attr(tag, 'ref');
      if (!ref) continue;
      const [a, b] = ref.split(':');
      const tl = a ? parseCellRef(a) : undefined;
      const br = b ? parseCellRef(b) : tl;
      if (tl && br) sheet.merged.push({ top: tl.row, left: tl.col, bottom: br.row, right: br.col });
    }
  }
  return sheet;
}

const SHEET_DATA = Buffer.from('<sheetData');
const SHEET_DATA_END = Buffer.from('</sheetData>');
const MERGE_CELLS = Buffer.from('<mergeCells');
const MERGE_CELLS_END = Buffer.from('</mergeCells>');
const CELL_END = Buffer.from('</c>');
const CELL_OPEN = Buffer.from('<c');
const V_OPEN = Buffer.from('<v');
const V_END = Buffer.from('</v>');
const IS_OPEN = Buffer.from('<is');

// cell types by the first letters of the t attribute (exported for the streaming reader, stream-rows.ts)
export const T_NUMBER = 0;
export const T_SHARED = 1;
export const T_STR = 2;
export const T_INLINE = 3;
export const T_BOOL = 4;
export const T_ERROR = 5;
export const T_DATE = 6;

/**
 * The type of a t attribute other than s/str, by its first letter. A table rather than a chain of
 * comparisons: V8 compiled the scanner again when the first sheet with a rarer type came by.
 */
const TYPE_BY_LETTER: number[] = Array.from({ length: 128 }, (_, c) =>
  c === 105 /* i */ ? T_INLINE : c === 98 /* b */ ? T_BOOL : c === 101 /* e */ ? T_ERROR : c === 100 /* d */ ? T_DATE : T_NUMBER,
);

/** The first `byte` at or after `from` and before `to`, or -1: a loop, as the bytes sought are a few apart (a call into buffer.indexOf cost more). */
function nextByte(xml: Buffer, byte: number, from: number, to: number): number {
  for (let k = from; k < to; k++) if (xml[k] === byte) return k;
  return -1;
}

/**
 * Where the cell that `</c>` at `close` ends starts (its `<c ` or `<c>`), looking back no further
 * than `from`; -1 if none. Rich text inside a cell has `<color`, `<charset`, `<condense`: not cells.
 */
function cellStart(xml: Buffer, from: number, close: number): number {
  let k = xml.lastIndexOf(CELL_OPEN, close);
  while (k >= from) {
    const next = xml[k + 2];
    if (next === 32 || next === 62) return k;
    k = k > 0 ? xml.lastIndexOf(CELL_OPEN, k - 1) : -1;
  }
  return -1;
}

/** The row number in a `<row …>` tag at [lt, gt), or -1 when it has no r attribute. */
function rowNumber(xml: Buffer, lt: number, gt: number): number {
  for (let k = lt + 4; k + 3 < gt; k++) {
    if (xml[k] === 32 && xml[k + 1] === 114 /* r */ && xml[k + 2] === 61 /* = */ && xml[k + 3] === 34 /* " */) {
      let n = 0;
      let p = k + 4;
      let ch = xml[p]!;
      while (ch >= 48 && ch <= 57) {
        n = n * 10 + (ch - 48);
        ch = xml[++p]!;
      }
      return n;
    }
  }
  return -1;
}

function readCells(xml: Buffer, from: number, to: number, sheet: Sheet, ctx: SheetContext): void {
  let row = 0;
  let col = 0;
  // where the reference of the last empty cell starts, read only if a later cell has none
  let pendingRef = -1;
  let i = from;
  // up to here, elements are read one by one (after an empty cell, the next cell with a value had no reference)
  let stepUntil = -1;
  while (i < to) {
    const lt = nextByte(xml, 60 /* < */, i, to);
    if (lt < 0) break;
    const c1 = xml[lt + 1];
    const c2 = xml[lt + 2];
    const gt = nextByte(xml, 62 /* > */, lt, xml.length);
    if (gt < 0) break;
    if (c1 === 114 /* r */ && c2 === 111 /* o */ && xml[lt + 3] === 119 /* w */) {
      const r = rowNumber(xml, lt, gt);
      row = r >= 0 ? r : row + 1;
      col = 0;
      pendingRef = -1;
      i = gt + 1;
      continue;
    }
    if (c1 !== 99 /* c */ || (c2 !== 32 && c2 !== 62 && c2 !== 47)) {
      i = gt + 1;
      continue;
    }
    const empty = xml[gt - 1] === 47; // a styled empty cell: its position counts, no value
    // Excel writes r first: an empty cell's reference is kept for later, not parsed (bloated sheets are mostly empty cells)
    if (empty && xml[lt + 3] === 114 /* r */ && xml[lt + 4] === 61 /* = */) {
      pendingRef = lt + 6;
      i = gt + 1;
      if (i >= stepUntil) {
        // Empty cells come in runs (most of a bloated sheet), and only cells with a value have a </c>: when that
        // next cell gives its own reference, the rows and empty cells before it need not be read.
        const close = xml.indexOf(CELL_END, i);
        if (close < 0 || close >= to) break;
        const start = cellStart(xml, i, close);
        if (start >= 0 && xml[start + 3] === 114 /* r */ && xml[start + 4] === 61 /* = */) {
          pendingRef = -1;
          i = start;
        } else stepUntil = close + 4;
      }
      continue;
    }
    // Excel's own layout, read in one go: r, then s and t if present, then the value right after the tag
    // (<c r="B7" s="12" t="s"><v>42</v></c>). Other attributes, a formula, an inline string or no reference
    // go the general way below. The reference and style are parsed here as readRef and the loop below do, written
    // out: through readRef and shared digit helpers this scan was 7-9% slower (measured interleaved, twice each way).
    if (!empty && c2 === 32 && xml[lt + 3] === 114 /* r */ && xml[lt + 4] === 61 /* = */) {
      let p = lt + 6;
      let ch = xml[p]!;
      let refCol = 0;
      while (ch >= 65 && ch <= 90) {
        refCol = refCol * 26 + (ch - 64);
        ch = xml[++p]!;
      }
      let refRow = 0;
      while (ch >= 48 && ch <= 57) {
        refRow = refRow * 10 + (ch - 48);
        ch = xml[++p]!;
      }
      let fastStyle = -1;
      let fastType = T_NUMBER;
      if (ch === 34 /* " */) {
        p++;
        if (xml[p] === 32 && xml[p + 1] === 115 /* s */ && xml[p + 2] === 61) {
          p += 4;
          let n = 0;
          ch = xml[p]!;
          while (ch >= 48 && ch <= 57) {
            n = n * 10 + (ch - 48);
            ch = xml[++p]!;
          }
          fastStyle = n;
          p = ch === 34 ? p + 1 : -1;
        }
        if (p >= 0 && xml[p] === 32 && xml[p + 1] === 116 /* t */ && xml[p + 2] === 61) {
          const a = xml[p + 4]!;
          const b = xml[p + 5];
          fastType = a === 115 /* s */ ? (b === 34 /* " */ ? T_SHARED : T_STR) : (TYPE_BY_LETTER[a & 127] ?? T_NUMBER);
          p = nextByte(xml, 34 /* " */, p + 4, gt) + 1;
        }
        // <v> straight after the tag, and </v></c> straight after the value (which holds no '<')
        if (p === gt && fastType !== T_INLINE && xml[gt + 1] === 60 && xml[gt + 2] === 118 && xml[gt + 3] === 62) {
          const a = gt + 4;
          const b = nextByte(xml, 60 /* < */, a, to);
          if (b >= 0 && xml[b + 1] === 47 && xml[b + 2] === 118 && xml[b + 4] === 60 && xml[b + 6] === 99 && xml[b + 7] === 62) {
            row = refRow;
            col = refCol;
            pendingRef = -1;
            i = b + 8;
            const value = valueAt(xml, fastType, fastStyle, a, b, ctx);
            if (value !== undefined) sheet.set(row, col, value);
            continue;
          }
        }
      }
    }
    // one pass over the start tag's one-letter attributes: r (reference), s (style), t (type)
    let type = T_NUMBER;
    let style = -1;
    let hasRef = false;
    for (let k = lt + 2; k < gt; k++) {
      if (xml[k] !== 32 || xml[k + 2] !== 61 /* = */) continue;
      const name = xml[k + 1];
      let v = k + 4; // first character of the value, after ="
      if (name === 114 /* r */) {
        ({ row, col } = readRef(xml, v));
        hasRef = true;
      } else if (name === 115 /* s */) {
        let n = 0;
        let ch = xml[v]!;
        while (ch >= 48 && ch <= 57) {
          n = n * 10 + (ch - 48);
          ch = xml[++v]!;
        }
        style = n;
      } else if (name === 116 /* t */) {
        const a = xml[v]!;
        const b = xml[v + 1];
        type = a === 115 /* s */ ? (b === 34 /* " */ ? T_SHARED : T_STR) : (TYPE_BY_LETTER[a & 127] ?? T_NUMBER);
      }
      const quote = nextByte(xml, 34 /* " */, v, gt);
      k = quote < 0 ? gt : quote;
    }
    if (!hasRef) {
      if (pendingRef >= 0) {
        const at = readRef(xml, pendingRef);
        row = at.row;
        col = at.col;
      }
      col++;
    }
    pendingRef = -1;
    if (empty) {
      i = gt + 1;
      continue;
    }
    const close = xml.indexOf(CELL_END, gt);
    if (close < 0) break;
    const value = cellValue(xml, type, style, gt, close, ctx);
    i = close + 4;
    if (value !== undefined) sheet.set(row, col, value);
  }
}

/**
 * Excel's error values, made once (they are read-only). Error cells are rare, and CellError's
 * constructor had no type feedback when V8 inlined it into the cell loop (not even after the
 * warm-up below had run it a thousand times): the optimised loop was thrown away at the next error
 * cell, a recompilation of about 180 ms.
 */
const ERRORS = new Map(['#NULL!', '#DIV/0!', '#VALUE!', '#REF!', '#NAME?', '#NUM!', '#N/A', '#GETTING_DATA', '#SPILL!', '#CALC!'].map((code) => [code, new CellError(code)]));

/** Row and column of a reference such as AB12 starting at `v`. */
function readRef(xml: Buffer, v: number): { row: number; col: number } {
  let col = 0;
  let ch = xml[v]!;
  while (ch >= 65 && ch <= 90) {
    col = col * 26 + (ch - 64);
    ch = xml[++v]!;
  }
  let row = 0;
  while (ch >= 48 && ch <= 57) {
    row = row * 10 + (ch - 48);
    ch = xml[++v]!;
  }
  return { row, col };
}

/** A number cell's value: a date when its style is one. */
function numberValue(n: number, style: number, ctx: SheetContext): CellValue {
  if (style >= 0 && ctx.dateStyles.has(style)) return excelSerialToDate(n, ctx.date1904);
  return n;
}

/** The value of a string, boolean, error or ISO-date cell from its <v> text. */
function textValue(type: number, raw: string): CellValue {
  switch (type) {
    case T_STR:
      return decodeEntities(raw);
    case T_BOOL:
      return raw === '1';
    case T_ERROR:
      return ERRORS.get(raw) ?? new CellError(decodeEntities(raw));
    default:
      // an ISO date-time without a zone is a wall-clock value: read it as UTC like every other date here
      return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(raw) || !raw.includes('T') ? raw : `${raw}Z`);
  }
}

/** Digits only (no sign, point or exponent) in xml[a, b): parsed without decoding them. */
function plainIntegerAt(xml: Buffer, a: number, b: number): number {
  if (b - a > 15) return -1;
  let n = 0;
  for (let k = a; k < b; k++) {
    const ch = xml[k]!;
    if (ch < 48 || ch > 57) return -1;
    n = n * 10 + (ch - 48);
  }
  return b > a ? n : -1;
}

/**
 * The value of the cell whose start tag ends at `gt` and whose `</c>` is at `close`, in a part's
 * bytes (the streaming readers, stream-rows.ts and sheet-csv.ts, read their rarer cells with it too).
 */
export function cellValue(xml: Buffer, type: number, style: number, gt: number, close: number, ctx: SheetContext): CellValue | undefined {
  if (type === T_INLINE) {
    const is = xml.indexOf(IS_OPEN, gt);
    return is < 0 || is > close ? undefined : textContent(xml.toString('utf8', is, close));
  }
  const v = xml.indexOf(V_OPEN, gt);
  if (v < 0 || v >= close) return undefined;
  const vgt = nextByte(xml, 62 /* > */, v, close);
  if (vgt < 0 || xml[vgt - 1] === 47) return undefined;
  const end = xml.indexOf(V_END, vgt);
  return end < 0 ? undefined : valueAt(xml, type, style, vgt + 1, end, ctx);
}

/** The value of a cell of a type other than inline string, whose <v> text is xml[a, b) in a part's bytes. */
function valueAt(xml: Buffer, type: number, style: number, a: number, b: number, ctx: SheetContext): CellValue | undefined {
  if (type === T_SHARED) {
    const index = plainIntegerAt(xml, a, b);
    return ctx.sharedStrings[index >= 0 ? index : Number(xml.toString('latin1', a, b))] ?? '';
  }
  if (type === T_NUMBER) {
    const int = plainIntegerAt(xml, a, b);
    const n = int >= 0 ? int : Number(xml.toString('latin1', a, b));
    return Number.isNaN(n) ? decodeEntities(xml.toString('utf8', a, b)) : numberValue(n, style, ctx);
  }
  return textValue(type, xml.toString('utf8', a, b));
}

/**
 * Every kind of cell, in rows with and without references, after runs of empty cells. V8
 * optimises the cell loop on the first large sheet it meets; when that sheet had no date, inline
 * string, error or cell without a reference, the first such cell later threw the optimised code
 * away (over the detention workbooks: readCells compiled three times, cellValue four, 250 ms of
 * compiler time on a 2-core machine). Read a few times when the module loads, this sheet shows
 * V8 every path first. Its values are checked, so a change that breaks a path fails here too.
 */
function warmUp(): void {
  const kinds =
    '<c r="A1" t="s"><v>0</v></c><c r="B1"><v>12</v></c><c r="C1"><v>1.5</v></c><c r="D1" s="1"><v>45000</v></c>' +
    '<c r="E1" t="str"><f>X</f><v>a&amp;b</v></c><c r="F1" t="inlineStr"><is><t>in</t></is></c><c r="G1" t="b"><v>1</v></c>' +
    '<c r="H1" t="e"><v>#N/A</v></c><c r="I1" t="d"><v>2025-01-02T00:00:00</v></c><c r="J1" s="2"/><c r="K1" s="2"/><c r="L1"><v>-2</v></c>';
  const xml = `<worksheet><sheetData><row r="1">${kinds}</row><row><c s="2"/><c><v>3</v></c><c t="s"><v>0</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>`;
  const ctx: SheetContext = { sharedStrings: ['s'], dateStyles: new Set([1]), date1904: false };
  for (let k = 0; k < 10; k++) {
    const s = parseSheetBytes(Buffer.from(xml), 'warm-up', false, ctx);
    if (s.get(1, 12) !== -2 || s.get(2, 3) !== 's' || s.merged.length !== 1) throw new Error('the xlsx cell reader misreads its warm-up sheet');
  }
}
warmUp();
