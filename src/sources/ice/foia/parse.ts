import { closeSync, openSync, readSync } from 'node:fs';
import { SourceFormatError } from '../../../lib/errors.js';
import { scanBytes } from '../../../lib/text-scan.js';
import type { CellValue } from '../../../xlsx/sheet.js';
import { warmSheetCsvWorker } from '../../../xlsx/sheet-csv-pool.js';
import { streamSheetRows } from '../../../xlsx/stream-rows.js';
import { Workbook, type SheetInfo } from '../../../xlsx/workbook.js';
import { zipEntryLocations } from '../../../xlsx/zip-entries.js';
import { splitCsvLine } from '../../csv-file.js';
import type { Anomaly, ParsedRelease, ScannedFile, SourceFile } from '../../types.js';
import { foiaCsvLoad } from './csv-load.js';
import { matchFoiaLayout, type FoiaLayout, type Kind } from './layouts.js';
import { loadFoiaXlsx, streams, type FoiaXlsxPlan } from './xlsx-load.js';

/** ERO-LESA puts six banner rows above the header; a few more are searched in case a production differs. */
const HEADER_SEARCH_ROWS = 15;

/** A workbook (a zip), not a CSV: by its first bytes or its name. */
export const isWorkbook = (fileName: string, head: Uint8Array) => (head[0] === 0x50 && head[1] === 0x4b) || /\.xlsx$/i.test(fileName);

export function parseFoia(kind: Kind) {
  return async (file: SourceFile): Promise<ParsedRelease> => {
    if (isWorkbook(file.fileName, file.bytes)) return parseXlsx(kind, file);
    return parseFoiaCsv(kind)({ path: file.path, fileName: file.fileName, releaseId: file.releaseId, scan: scanBytes(file.bytes) });
  };
}

/* ---------------------------------------------------------------- CSV */

/** An ERO-LESA CSV, from a scan of its bytes: the pipeline streams a large one (see Dataset.parseScanned). */
export function parseFoiaCsv(kind: Kind) {
  return async (file: ScannedFile): Promise<ParsedRelease> => parseCsv(kind, file);
}

function parseCsv(kind: Kind, file: ScannedFile): ParsedRelease {
  const { scan } = file;
  if (scan.size === 0) throw new SourceFormatError({ file: file.path }, 'the file is empty');
  // the banner and header are within the first few kB
  const head = new TextDecoder().decode(scan.head).split(/\r?\n/).slice(0, HEADER_SEARCH_ROWS);
  const findIt = () => findHeader(head.map((l) => splitCsvLine(l)), kind, (line) => ({ file: file.path, line }));
  if (scan.invalidUtf8) throw notUtf8(file, scan.invalidUtf8, findIt);
  const found = findIt();
  const { path: name, releaseId } = file;
  const dataLines = scan.newlines + (scan.lastByte === 0x0a ? 0 : 1) - found.headerRow;
  const { ascii } = scan;
  return {
    snapshotDate: null,
    fiscalYear: null,
    summary: { kind, layout: found.layout.id },
    tables: {},
    anomalies: [],
    // the load reads the file from disk: the closure keeps names, not `file` and its bytes (3.2 GB for 10 million stints)
    directLoads: [foiaCsvLoad({ file: name, releaseId, layout: found.layout, headerLine: found.headerRow, dataLines, title: found.title, ascii })],
  };
}

/**
 * The error for a byte that is not UTF-8, naming its line and column: the column's header when
 * the header can be read and the byte is below it, else its field's number (as the CBP files'
 * check names it, `inspectCsv`).
 */
function notUtf8(file: ScannedFile, bad: NonNullable<ScannedFile['scan']['invalidUtf8']>, findIt: () => ReturnType<typeof findHeader>): SourceFormatError {
  const { line, offset, byte } = bad;
  const reason = `byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset} is not valid UTF-8 (the file may be in Windows-1252 or Latin-1; save it as UTF-8)`;
  const before = lineBefore(file.path, offset);
  if (before === undefined) return new SourceFormatError({ file: file.path, line }, reason);
  const field = splitCsvLine(before).length - 1;
  let header: string | undefined;
  try {
    const found = findIt();
    if (line > found.headerRow) header = found.layout.columns[field]?.header;
  } catch {
    // no header to name the column by (the byte may be in it): the field's number names it
  }
  return new SourceFormatError({ file: file.path, line, column: header ?? `field ${field + 1}` }, reason);
}

/** The text of the line holding byte `offset` of the file, up to that byte, read from disk (undefined when the file cannot be read). */
function lineBefore(path: string, offset: number): string | undefined {
  // a line of an ERO-LESA file is well under a MB; a longer one is taken from the window's start
  const start = Math.max(0, offset - (1 << 20));
  const window = new Uint8Array(offset - start);
  let read: number;
  try {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, window, 0, window.length, start);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  // the bytes before the first one that is not UTF-8 are UTF-8
  return new TextDecoder().decode(window.subarray(window.lastIndexOf(0x0a, read - 1) + 1, read));
}

/** The header row among the first rows (1-based), its layout, and the banner's title line above it. */
function findHeader(
  rows: string[][],
  kind: Kind,
  where: (row: number) => { file: string; line?: number; sheet?: string; cell?: string },
): { headerRow: number; layout: FoiaLayout; title: string | null } {
  let best: { row: number; differences: string[]; closest: FoiaLayout; score: number } | undefined;
  for (let i = 0; i < rows.length; i++) {
    const cells = rows[i]!.map((c) => c.trim());
    const m = matchFoiaLayout(cells, kind);
    if ('layout' in m) {
      const title = rows
        .slice(0, i)
        .map((r) => r[0]?.trim() ?? '')
        .filter((t) => t !== '')
        .at(-1);
      return { headerRow: i + 1, layout: m.layout, title: title ?? null };
    }
    const nonEmpty = cells.filter((c) => c !== '').length;
    if (nonEmpty >= 3 && (!best || nonEmpty > best.score)) best = { row: i + 1, differences: m.differences, closest: m.closest, score: nonEmpty };
  }
  if (!best) throw new SourceFormatError(where(1), `no header row of an ICE ${kind} table in the first ${HEADER_SEARCH_ROWS} rows (ERO-LESA files have six banner rows, then the header)`);
  throw new SourceFormatError(
    where(best.row),
    `the header matches no known layout of ICE ${kind} records; closest is ${best.closest.id} (${best.closest.description}): ${best.differences.slice(0, 6).join('; ')}${best.differences.length > 6 ? '; …' : ''}`,
  );
}

/* ---------------------------------------------------------------- xlsx */

const FOOTNOTE_SHEET = /note|footnote|read ?me/i;

async function parseXlsx(kind: Kind, file: SourceFile): Promise<ParsedRelease> {
  const wb = await Workbook.open(file.bytes, file.path);
  const anomalies: Anomaly[] = [];
  const plan: Array<{ info: SheetInfo; headerRow: number; layout: FoiaLayout }> = [];
  let layout: FoiaLayout | undefined;
  let firstSheet = '';
  let title: string | null = null;
  // only the first rows of each sheet are read here; the records are streamed into the database by the load
  for (const info of wb.sheets) {
    if (info.hidden) {
      anomalies.push({ code: 'hidden-sheet-ignored', severity: 'warning', subject: info.name, detail: 'a hidden sheet was not read' });
      continue;
    }
    const top = await headRows(wb, info);
    let found: ReturnType<typeof findHeader>;
    try {
      found = findHeader(top, kind, (row) => ({ file: file.path, sheet: info.name, cell: `A${row}` }));
    } catch (err) {
      // the last tab of an ERO-LESA workbook holds its footnotes ("Please review the last tab for footnotes.")
      if (FOOTNOTE_SHEET.test(info.name) || (layout !== undefined && Math.max(0, ...top.map((r) => r.filter((c) => c !== '').length)) <= 2)) {
        const text = top.map((r) => r[0] ?? '').filter((t) => t !== '').join(' / ');
        anomalies.push({ code: 'footnotes-sheet', severity: 'info', subject: info.name, detail: `sheet '${info.name}' holds notes, not records: ${text.slice(0, 300)}` });
        continue;
      }
      throw err;
    }
    if (layout && found.layout.id !== layout.id) {
      throw new SourceFormatError(
        { file: file.path, sheet: info.name, cell: `A${found.headerRow}` },
        `this sheet's header is layout ${found.layout.id}, but sheet '${firstSheet}' has ${layout.id}: the sheets of one table must share their columns`,
      );
    }
    layout ??= found.layout;
    firstSheet ||= info.name;
    title ??= found.title;
    plan.push({ info, headerRow: found.headerRow, layout: found.layout });
  }
  if (!layout) throw new SourceFormatError({ file: file.path }, `no sheet holds ICE ${kind} records`);
  const entries = await zipEntryLocations(file.bytes, file.path);
  const sheets = plan.map((p) => {
    const entry = entries.get(p.info.part);
    if (!entry) throw new SourceFormatError({ file: file.path, sheet: p.info.name }, `sheet part ${p.info.part} is missing from the zip`);
    return { name: p.info.name, headerRow: p.headerRow, entry };
  });
  // a large workbook is loaded through a worker thread: started now, it is ready when the load begins
  if (streams(sheets.map((s) => s.entry))) warmSheetCsvWorker();
  const xlsxPlan: FoiaXlsxPlan = {
    file: file.path,
    releaseId: file.releaseId,
    layout,
    sheets,
    ctx: wb.streamSource.ctx,
    title,
    cellAt: (sheet, row, col) => cellAt(wb, plan.find((p) => p.info.name === sheet)!.info, row, col),
  };
  return {
    snapshotDate: null,
    fiscalYear: null,
    summary: { kind, layout: layout.id },
    tables: {},
    anomalies,
    directLoads: [{ run: (db, path) => loadFoiaXlsx(db, path, xlsxPlan) }],
  };
}

/** One cell's value, read by streaming its sheet to its row (for an error message). */
async function cellAt(wb: Workbook, info: SheetInfo, row: number, col: number): Promise<CellValue | undefined> {
  const rows = streamSheetRows(wb, info);
  try {
    for await (const batch of rows) {
      for (const r of batch) {
        if (r.row === row) return r.cells[col];
        if (r.row > row) return undefined;
      }
    }
    return undefined;
  } finally {
    await rows.return(undefined);
  }
}

/** The text of a sheet's first rows, for finding its banner and header without reading the whole sheet. */
async function headRows(wb: Workbook, info: SheetInfo): Promise<string[][]> {
  const top: string[][] = Array.from({ length: HEADER_SEARCH_ROWS }, () => []);
  const rows = streamSheetRows(wb, info, { batchSize: HEADER_SEARCH_ROWS });
  try {
    for await (const batch of rows) {
      for (const r of batch) {
        if (r.row > HEADER_SEARCH_ROWS) return top;
        top[r.row - 1] = Array.from({ length: Math.max(0, r.cells.length - 1) }, (_, i) => cellText(r.cells[i + 1]));
      }
    }
    return top;
  } finally {
    await rows.return(undefined);
  }
}

function cellText(v: CellValue | undefined): string {
  if (v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v).trim();
}
