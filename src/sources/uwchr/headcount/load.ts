import type { Database } from '../../../db/connection.js';
import { CheckFailedError, QueryError, SourceFormatError } from '../../../lib/errors.js';
import { explainCsvError } from '../../csv-file.js';
import type { Anomaly, DirectLoadResult } from '../../types.js';

export const UWCHR_TABLE = 'uwchr_headcount';

/** UWCHR's columns and the type read_csv reads each as (names matched exactly, order free). */
export const UWCHR_COLUMNS: ReadonlyArray<readonly [string, 'VARCHAR' | 'BIGINT' | 'DATE']> = [
  ['detention_facility_code', 'VARCHAR'],
  ['n', 'BIGINT'],
  ['date', 'DATE'],
];

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const quoted = (c: string) => `"${c.replace(/"/g, '""')}"`;

function readCsvSql(path: string, header: string[]): string {
  const type = (h: string) => UWCHR_COLUMNS.find(([c]) => c === h)?.[1] ?? 'VARCHAR';
  const columns = header.map((h) => `${sqlString(h)}: '${type(h)}'`).join(', ');
  return `read_csv(${sqlString(path)}, header = true, delim = '|', quote = '"', escape = '"', compression = 'gzip',
    columns = {${columns}}, strict_mode = true, auto_detect = false, null_padding = false)`;
}

/**
 * DuckDB converts a short line's fields before it counts them, so "FSF|2008-03-07" is
 * reported as a date that is not a whole number; the line it quotes tells the real fault.
 */
function fieldCountError(file: string, msg: string, header: string[]): SourceFormatError | undefined {
  const line = /CSV Error on Line:\s*(\d+)/i.exec(msg)?.[1];
  const original = /Original Line:\s*\n?(.*)/.exec(msg)?.[1]?.replace(/\r$/, '');
  if (line === undefined || original === undefined) return undefined;
  const found = original.split('|').length;
  if (found === header.length) return undefined;
  const column = found < header.length ? header[found]! : `field ${header.length + 1} (no such column)`;
  return new SourceFormatError({ file, line: Number(line), column }, `the line has ${found} fields where the header has ${header.length} (the line reads "${original.slice(0, 160)}")`);
}

const fiscalYearOf = (iso: string) => Number(iso.slice(0, 4)) + (Number(iso.slice(5, 7)) >= 10 ? 1 : 0);

/** The first stored line whose value in `column` is empty or negative, as an error naming line and column. */
async function badLine(db: Database, g: { file: string; releaseId: string }, column: string, test: 'empty' | 'negative'): Promise<SourceFormatError> {
  const c = quoted(column);
  const condition = test === 'negative' ? `${c} < 0` : column === 'detention_facility_code' ? `${c} IS NULL OR trim(${c}) = ''` : `${c} IS NULL`;
  const hit = await db.one(`SELECT line, ${c}::VARCHAR AS v FROM ${UWCHR_TABLE} WHERE release_id = $1 AND (${condition}) ORDER BY line LIMIT 1`, [g.releaseId]);
  const what = test === 'negative' ? `value ${String(hit?.v)} is negative, which a headcount cannot be` : 'the value is empty; every line needs one';
  return new SourceFormatError({ file: g.file, ...(hit ? { line: Number(hit.line) } : {}), column }, what);
}

/**
 * Loads UWCHR's headcount with DuckDB's read_csv (which decompresses the gzip itself) into
 * `uwchr_headcount`, numbering the lines as it reads them, then checks: every line
 * counted in JavaScript was stored, no code, date or count is empty, no count is negative.
 *
 * The line number is `row_number() OVER ()`: a gzip stream is read by one thread, in
 * file order, and an empty OVER () is evaluated as a streaming window in that order (the
 * tests compare every stored line with the file). It costs about 5% of the load.
 */
export async function loadUwchrHeadcount(
  db: Database,
  args: { file: string; path: string; releaseId: string; header: string[]; dataLines: number },
): Promise<DirectLoadResult> {
  const { file, path, releaseId, header } = args;
  let rows: number;
  try {
    rows = await db.run(
      `INSERT INTO ${UWCHR_TABLE} (release_id, line, detention_facility_code, date, n)
       SELECT $1, row_number() OVER () + 1, detention_facility_code, date, n FROM ${readCsvSql(path, header)}`,
      [releaseId],
    );
  } catch (err) {
    const cause = err instanceof QueryError ? err.cause : err;
    const msg = cause instanceof Error ? cause.message : String(cause);
    throw fieldCountError(file, msg, header) ?? explainCsvError(file, cause, header) ?? new SourceFormatError({ file }, `DuckDB could not read the file: ${msg.split('\n')[0]}`);
  }
  if (rows !== args.dataLines) {
    throw new CheckFailedError('every line loaded', `${args.dataLines} data lines`, `${rows} rows stored`, { file });
  }
  const g = { file, releaseId };
  const s = (await db.one(
    `SELECT count(*) FILTER (WHERE detention_facility_code IS NULL OR trim(detention_facility_code) = '') AS bad_code,
            count(*) FILTER (WHERE date IS NULL) AS bad_date,
            count(*) FILTER (WHERE n IS NULL) AS bad_n,
            count(*) FILTER (WHERE n < 0) AS negative,
            strftime(min(date), '%Y-%m-%d') AS first, strftime(max(date), '%Y-%m-%d') AS last,
            count(DISTINCT date) AS days, count(DISTINCT detention_facility_code) AS facilities,
            count(*) - count(DISTINCT hash(detention_facility_code, date)) AS duplicates
       FROM ${UWCHR_TABLE} WHERE release_id = $1`,
    [releaseId],
  ))!;
  if (Number(s.bad_code) > 0) throw await badLine(db, g, 'detention_facility_code', 'empty');
  if (Number(s.bad_date) > 0) throw await badLine(db, g, 'date', 'empty');
  if (Number(s.bad_n) > 0) throw await badLine(db, g, 'n', 'empty');
  if (Number(s.negative) > 0) throw await badLine(db, g, 'n', 'negative');

  const anomalies: Anomaly[] = [];
  if (Number(s.duplicates) > 0) {
    anomalies.push({ code: 'duplicate-key', severity: 'warning', subject: UWCHR_TABLE, detail: `${String(s.duplicates)} lines repeat the facility and date of an earlier line; the metric adds them` });
  }
  const last = String(s.last);
  const lastDay = (await db.one(`SELECT sum(n)::BIGINT AS n FROM ${UWCHR_TABLE} WHERE release_id = $1 AND date = CAST($2 AS DATE)`, [releaseId, last]))!;
  return {
    rows,
    snapshotDate: last,
    fiscalYear: fiscalYearOf(last),
    summary: {
      rows,
      first_date: String(s.first),
      last_date: last,
      days: Number(s.days),
      facilities: Number(s.facilities),
      headcount_last_day: Number(lastDay.n),
    },
    anomalies,
  };
}
