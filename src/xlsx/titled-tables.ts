import type { CellValue, Sheet } from './sheet.js';

/**
 * A table found on a sheet by its title text: a title cell, a header row under it,
 * and data rows until the first row without a number. ICE places two or three such
 * tables side by side on one row, so a table's columns end where the next title in
 * the same row begins.
 */
export interface TitledTable {
  title: string;
  titleRow: number;
  titleCol: number;
  headerRow: number;
  /** Inclusive column span. */
  firstCol: number;
  lastCol: number;
  /** Header text per column in the span ('' where the header cell is empty). */
  headers: Map<number, string>;
  /** Columns whose data cells are text: the row labels, left to right. */
  labelCols: number[];
  /** Columns holding at least one number. */
  valueCols: number[];
  dataRows: number[];
}

export interface TitleRule {
  /** Accept a text cell as a title (the default accepts any text that looks like a heading). */
  isTitle?: (text: string) => boolean;
}

const MAX_TABLE_WIDTH = 40;

function isText(v: CellValue | undefined): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

function hasNumberInRow(sheet: Sheet, row: number, from: number, to: number): boolean {
  const cells = sheet.rows[row];
  if (!cells) return false;
  for (let c = from; c <= to && c < cells.length; c++) if (typeof cells[c] === 'number') return true;
  return false;
}

export function looksLikeHeading(text: string): boolean {
  const t = text.trim();
  return t.length >= 12 && /[a-z]/i.test(t) && t.split(/\s+/).length >= 3 && !/^-?[\d.,%]+$/.test(t);
}

/**
 * Finds every titled table on a sheet. A title is a text cell with a text header
 * cell directly below it and a number within the next three rows to its right;
 * cells inside a table already found are not titles.
 */
export function findTitledTables(sheet: Sheet, rule: TitleRule = { isTitle: looksLikeHeading }): TitledTable[] {
  // the default has the shape of a rule given ({ isTitle }): with two shapes, V8 threw the optimised code away once
  const accept = rule.isTitle ?? looksLikeHeading;
  // cells inside a table already read, as row × 2^14 + column (Excel has at most 16,384 columns)
  const taken = new Set<number>();
  const at = (row: number, col: number) => row * 16384 + col;
  const candidates: Array<{ row: number; col: number; text: string }> = [];
  for (let r = 1; r <= sheet.maxRow; r++) {
    const cells = sheet.rows[r];
    if (!cells) continue;
    for (let c = 1; c < cells.length; c++) {
      const v = cells[c];
      if (!isText(v) || !accept(v)) continue;
      // the header cell under a title can sit one or two columns right (ICE merges label cells)
      if (![c, c + 1, c + 2].some((cc) => isText(sheet.get(r + 1, cc)))) continue;
      const numbersBelow = [r + 2, r + 3, r + 4].some((rr) => hasNumberInRow(sheet, rr, c, c + MAX_TABLE_WIDTH));
      if (numbersBelow) candidates.push({ row: r, col: c, text: v.trim() });
    }
  }
  const tables: TitledTable[] = [];
  for (const cand of candidates) {
    if (taken.has(at(cand.row, cand.col))) continue;
    // the table ends before the next title on its row
    let limit = cand.col + MAX_TABLE_WIDTH;
    for (const o of candidates) if (o.row === cand.row && o.col > cand.col && o.col - 1 < limit && !taken.has(at(o.row, o.col))) limit = o.col - 1;
    const table = readTable(sheet, cand, limit);
    if (!table) continue;
    tables.push(table);
    for (let r = table.headerRow; r <= (table.dataRows.at(-1) ?? table.headerRow); r++) {
      for (let c = table.firstCol; c <= table.lastCol; c++) taken.add(at(r, c));
    }
  }
  return tables;
}

function readTable(sheet: Sheet, title: { row: number; col: number; text: string }, limit: number): TitledTable | undefined {
  const headerRow = title.row + 1;
  const firstCol = title.col;
  // the span ends after the last header cell, allowing up to two empty columns inside (ICE merges label cells over several columns)
  let lastCol = firstCol;
  let gap = 0;
  for (let c = firstCol + 1; c <= limit && c <= sheet.maxCol; c++) {
    if (sheet.text(headerRow, c) !== '') {
      lastCol = c;
      gap = 0;
    } else if (++gap > 2) break;
  }
  // a header merged across columns (ICE's 'Total' over J28:L28, numbers in L) extends the span
  for (const m of sheet.merged) {
    if (m.top <= headerRow && m.bottom >= headerRow && m.left >= firstCol && m.left <= lastCol && m.right > lastCol) {
      lastCol = Math.min(m.right, limit);
    }
  }
  const dataRows: number[] = [];
  // computed before the loop: as a rare branch's own sum, V8 met it only after optimising and threw the code away
  const lastGapRow = headerRow + 2;
  for (let r = headerRow + 1; r <= sheet.maxRow; r++) {
    if (!hasNumberInRow(sheet, r, firstCol, lastCol)) {
      if (dataRows.length > 0) break;
      if (r > lastGapRow) return undefined;
      continue;
    }
    dataRows.push(r);
  }
  if (dataRows.length === 0) return undefined;
  const headers = new Map<number, string>();
  const labelCols: number[] = [];
  const valueCols: number[] = [];
  for (let c = firstCol; c <= lastCol; c++) {
    headers.set(c, sheet.text(headerRow, c).replace(/\s+/g, ' '));
    let numbers = 0;
    let texts = 0;
    for (const r of dataRows) {
      const v = sheet.get(r, c);
      if (typeof v === 'number') numbers++;
      else if (isText(v)) texts++;
    }
    if (numbers > 0 && numbers >= texts) valueCols.push(c);
    else if (texts > 0) labelCols.push(c);
  }
  return {
    title: title.text.replace(/\s+/g, ' '),
    titleRow: title.row,
    titleCol: title.col,
    headerRow,
    firstCol,
    lastCol,
    headers,
    labelCols,
    valueCols,
    dataRows,
  };
}
