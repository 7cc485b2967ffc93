import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../../../db/connection.js';
import { CheckFailedError, QueryError, SourceFormatError } from '../../../lib/errors.js';
import { columnLetters } from '../../../xlsx/cell-ref.js';
import type { SheetContext } from '../../../xlsx/parse-sheet.js';
import { encodeCsvStrings } from '../../../xlsx/csv-text.js';
import type { SheetCsvSpec } from '../../../xlsx/sheet-csv.js';
import type { SheetCsvTask } from '../../../xlsx/sheet-csv-file.js';
import type { ZipEntryLocation } from '../../../xlsx/zip-entries.js';
import { SheetCsvAborted, sheetsToCsv, type SheetCsv } from '../../../xlsx/sheet-csv-pool.js';
import type { CellValue } from '../../../xlsx/sheet.js';
import type { DirectLoadResult } from '../../types.js';
import { firstUnreadable, quoted, sqlString, summarise, typedSql } from './csv-load.js';
import { REDACTION, TABLE_OF, type FoiaColumn, type FoiaLayout } from './layouts.js';

/** A FOIA workbook as parse.ts found it: its record sheets (headers checked), their layout, the cell context. */
export interface FoiaXlsxPlan {
  /** The workbook's name in messages. */
  file: string;
  releaseId: string;
  layout: FoiaLayout;
  sheets: Array<{ name: string; headerRow: number; entry: ZipEntryLocation }>;
  ctx: SheetContext;
  title: string | null;
  /** One cell's value as the workbook holds it, to quote in the message about a bad value. */
  cellAt(sheet: string, row: number, col: number): Promise<CellValue | undefined>;
}

export interface FoiaXlsxOptions {
  /** Write each sheet through a named pipe on a worker thread while DuckDB reads it (default: for a workbook large enough for that to pay). */
  stream?: boolean;
}

/** Sheet XML below this is written to a file here and then loaded: a worker costs more to start than it saves. */
export const STREAM_THRESHOLD = 24 << 20;

/** Whether sheets of these sizes are loaded through a pipe by a worker thread. */
export function streams(entries: Array<{ uncompressedSize: number }>): boolean {
  return entries.reduce((n, e) => n + e.uncompressedSize, 0) >= STREAM_THRESHOLD;
}

const REDACTED_FIELD = '__redacted';

/**
 * Loads the records of an ERO-LESA workbook into the kind's table. The sheets' rows are
 * written as CSV (xlsx/sheet-csv.ts: each line the sheet row, the stored columns as text
 * as the cells hold them, trimmed, dates as ISO text, and the columns whose cell held a
 * redaction code), which DuckDB's read_csv loads, one INSERT per sheet, as it is written
 * (xlsx/sheet-csv-pool.ts); the values are typed in SQL as the CSV load types them
 * (csv-load.ts). A value that is neither readable nor a redaction code stops the load,
 * naming its sheet and cell.
 */
export async function loadFoiaXlsx(db: Database, path: string, plan: FoiaXlsxPlan, options: FoiaXlsxOptions = {}): Promise<DirectLoadResult> {
  const { layout } = plan;
  const table = TABLE_OF[layout.kind];
  const stored = layout.columns.filter((c) => c.canonical !== null);
  const spec: SheetCsvSpec = {
    headerRow: 0,
    fieldOf: [-1, ...layout.columns.map((c) => (c.canonical === null ? -1 : stored.indexOf(c)))],
    fields: stored.length,
    dateStyles: [...plan.ctx.dateStyles],
    date1904: plan.ctx.date1904,
    // every redacted cell is named, stored column or not: a stored one by its canonical name, another by its header
    flagNames: ['', ...layout.columns.map((c) => c.canonical ?? c.header)],
    flag: REDACTION,
  };
  const dir = mkdtempSync(join(tmpdir(), 'tracker-foia-xlsx-'));
  try {
    const tasks: SheetCsvTask[] = plan.sheets.map((s, i) => ({
      path,
      file: plan.file,
      sheet: s.name,
      entry: s.entry,
      spec: { ...spec, headerRow: s.headerRow },
      out: join(dir, `sheet${i + 1}.csv`),
    }));
    const stream = options.stream ?? streams(plan.sheets.map((s) => s.entry));
    const columns = `{'row': 'INTEGER', ${stored.map((c) => `${sqlString(c.header)}: 'VARCHAR'`).join(', ')}, '${REDACTED_FIELD}': 'VARCHAR'}`;
    const select = `${stored.map((c) => typedSql(c, quoted(c.header), false)).join(', ')}, CASE WHEN ${REDACTED_FIELD} IS NULL THEN []::VARCHAR[] ELSE string_split(${REDACTED_FIELD}, '|') END`;
    const strings = () => encodeCsvStrings(plan.ctx.sharedStrings, (s) => REDACTION.test(s));
    let rows = 0;
    for await (const sheet of sheetsToCsv(tasks, strings, { stream })) {
      const inserting = insertSheet(db, table, stored, columns, select, plan, sheet);
      inserting.catch(() => sheet.abort());
      const [inserted, written] = await Promise.allSettled([inserting, sheet.rows]);
      // the writer's error first (a cut workbook also ends the CSV early), unless it only stopped because the load failed
      if (written.status === 'rejected' && !(written.reason instanceof SheetCsvAborted)) throw written.reason;
      if (inserted.status === 'rejected') throw inserted.reason;
      if (written.status === 'rejected') throw written.reason;
      if (inserted.value !== written.value) {
        throw new CheckFailedError('every record row loaded', `${written.value} record rows`, `${inserted.value} rows stored`, { file: plan.file, sheet: sheet.sheet });
      }
      rows += inserted.value;
    }
    const bad = await firstUnreadable(db, table, layout, plan.releaseId, plan.sheets.map((s) => s.name));
    if (bad) {
      const col = layout.columns.indexOf(bad.column) + 1;
      const raw = await plan.cellAt(bad.sheet!, bad.row, col);
      throw new SourceFormatError({ file: plan.file, sheet: bad.sheet!, cell: `${columnLetters(col)}${bad.row}`, column: bad.column.header }, badValue(raw, bad.column));
    }
    return { rows, ...(await summarise(db, { table, layout, releaseId: plan.releaseId, title: plan.title, rows })) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function insertSheet(db: Database, table: string, stored: FoiaColumn[], columns: string, select: string, plan: FoiaXlsxPlan, sheet: SheetCsv): Promise<number> {
  // a buffer of 8 MB, not DuckDB's 32: read from a pipe, a smaller one alternates with the writer at a finer grain, so the
  // load ends sooner after the writing (measured: 0.8 against 1.8 s after it for 600,000 removals) and holds less memory
  const src = `read_csv(${sqlString(sheet.path)}, header = false, delim = ',', quote = '"', escape = '"', columns = ${columns}, strict_mode = true, auto_detect = false, null_padding = false, buffer_size = ${8 << 20})`;
  try {
    return await db.run(
      `INSERT INTO ${table} (release_id, sheet, row, ${stored.map((c) => c.canonical).join(', ')}, redacted)
       SELECT ${sqlString(plan.releaseId)}, ${sqlString(sheet.sheet)}, row, ${select} FROM ${src}`,
    );
  } catch (err) {
    // the CSV is ours: a failure here is a bug or a full disk, not the workbook's fault
    const why = err instanceof QueryError && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
    throw new Error(`${plan.file}, sheet '${sheet.sheet}': loading its rows failed: ${why}`);
  }
}

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** Why a cell's value is not one of its column's type (only on the error path: the values are typed in SQL). */
function badValue(raw: CellValue | undefined, c: FoiaColumn): string {
  const s = raw instanceof Date ? raw.toISOString() : String(raw ?? '').trim();
  if (c.type === 'int') return `'${s}' is neither a whole number nor a FOIA redaction code`;
  const us = US_DATE.exec(s);
  const iso = us ? undefined : ISO_DATE.exec(s);
  return us || iso ? `'${s}' is not a calendar date` : `'${s}' is neither a date nor a FOIA redaction code`;
}
