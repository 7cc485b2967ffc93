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
 * Reads the cached value of every cell in a worksheet part. Formula cells keep
 * the value Excel last computed (`<v>` beside `<f>`); empty styled cells are not
 * stored, which bounds memory on sheets whose used range runs to column XFC
 * (ICE's FY2025 "Monthly Segregation" sheet).
 */
export function parseSheetXml(xml: string, name: string, hidden: boolean, ctx: SheetContext): Sheet {
  const sheet = new Sheet(name, hidden);
  const dataStart = xml.indexOf('<sheetData');
  const dataEnd = xml.lastIndexOf('</sheetData>');
  if (dataStart >= 0 && dataEnd > dataStart) readCells(xml, dataStart, dataEnd, sheet, ctx);
  const mergeStart = xml.indexOf('<mergeCells', dataEnd >= 0 ? dataEnd : 0);
  if (mergeStart >= 0) {
    for (const tag of startTags(xml.slice(mergeStart), 'mergeCell')) {
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

/** Value of attribute `name` (given as ` name="`) in a start tag's text, or undefined. */
function tagAttr(tag: string, name: string): string | undefined {
  const i = tag.indexOf(name);
  if (i < 0) return undefined;
  const start = i + name.length;
  return tag.slice(start, tag.indexOf('"', start));
}

function readCells(xml: string, from: number, to: number, sheet: Sheet, ctx: SheetContext): void {
  let row = 0;
  let col = 0;
  let i = from;
  while (i < to) {
    const lt = xml.indexOf('<', i);
    if (lt < 0 || lt >= to) break;
    const c1 = xml.charCodeAt(lt + 1);
    const c2 = xml.charCodeAt(lt + 2);
    const gt = xml.indexOf('>', lt);
    if (c1 === 114 /* r */ && c2 === 111 /* o */ && xml.startsWith('<row', lt)) {
      const r = tagAttr(xml.slice(lt, gt), ' r="');
      row = r !== undefined ? Number(r) : row + 1;
      col = 0;
      i = gt + 1;
      continue;
    }
    if (c1 !== 99 /* c */ || (c2 !== 32 && c2 !== 62 && c2 !== 47)) {
      i = gt + 1;
      continue;
    }
    if (xml.charCodeAt(gt - 1) === 47) {
      // a styled empty cell: nothing to store
      i = gt + 1;
      continue;
    }
    const tag = xml.slice(lt, gt);
    const r = tag.indexOf(' r="') + 4;
    if (r >= 4) {
      // the reference is letters then digits, e.g. AB12
      let c = 0;
      let k = r;
      let ch = tag.charCodeAt(k);
      while (ch >= 65 && ch <= 90) {
        c = c * 26 + (ch - 64);
        ch = tag.charCodeAt(++k);
      }
      let n = 0;
      while (ch >= 48 && ch <= 57) {
        n = n * 10 + (ch - 48);
        ch = tag.charCodeAt(++k);
      }
      row = n;
      col = c;
    } else col++;
    const close = xml.indexOf('</c>', gt);
    const value = cellValue(xml, tag, gt, close, ctx);
    i = close + 4;
    if (value !== undefined) sheet.set(row, col, value);
  }
}

function innerV(xml: string, from: number, to: number): string | undefined {
  const v = xml.indexOf('<v', from);
  if (v < 0 || v >= to) return undefined;
  const gt = xml.indexOf('>', v);
  if (xml.charCodeAt(gt - 1) === 47) return undefined;
  return xml.slice(gt + 1, xml.indexOf('</v>', gt));
}

function cellValue(
  xml: string,
  tag: string,
  gt: number,
  close: number,
  ctx: SheetContext,
): CellValue | undefined {
  const type = tagAttr(tag, ' t="');
  if (type === 'inlineStr') {
    const is = xml.indexOf('<is', gt);
    return is < 0 || is > close ? undefined : textContent(xml.slice(is, close));
  }
  const raw = innerV(xml, gt, close);
  if (raw === undefined) return undefined;
  switch (type) {
    case 's':
      return ctx.sharedStrings[Number(raw)] ?? '';
    case 'str':
      return decodeEntities(raw);
    case 'b':
      return raw === '1';
    case 'e':
      return new CellError(decodeEntities(raw));
    case 'd':
      return new Date(raw);
    default: {
      const n = Number(raw);
      if (Number.isNaN(n)) return decodeEntities(raw);
      if (ctx.dateStyles.size > 0) {
        const s = tagAttr(tag, ' s="');
        if (s !== undefined && ctx.dateStyles.has(Number(s))) {
          return excelSerialToDate(n, ctx.date1904);
        }
      }
      return n;
    }
  }
}
