import type { Database } from '../../../db/connection.js';
import { CheckFailedError, QueryError, SourceFormatError } from '../../../lib/errors.js';
import type { Anomaly, DirectLoadResult } from '../../types.js';

export const DDP_TABLE = 'ddp_facility_population';

type Kind = 'text' | 'date' | 'count';

/** DDP's columns as published (parquet-cpp-arrow, 2026-04): names are matched exactly, order is free. */
export const DDP_COLUMNS: ReadonlyArray<readonly [string, Kind]> = [
  ['detention_facility_code', 'text'],
  ['date', 'date'],
  ['n_detained', 'count'],
  ['n_detained_at_midnight', 'count'],
  ['n_detained_male', 'count'],
  ['n_detained_female', 'count'],
  ['n_detained_convicted_criminal', 'count'],
  ['n_detained_possibly_under_18', 'count'],
  ['detention_facility', 'text'],
];

const COUNTS = DDP_COLUMNS.filter(([, k]) => k === 'count').map(([c]) => c);

const ACCEPTS: Record<Kind, { re: RegExp; what: string }> = {
  text: { re: /^VARCHAR$/, what: 'text (VARCHAR)' },
  date: { re: /^DATE$/, what: 'a DATE' },
  // DDP writes int32; a rebuild that writes int64 is the same numbers
  count: { re: /^U?(TINYINT|SMALLINT|INTEGER|BIGINT)$/, what: 'a whole-number type' },
};

export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const quoted = (c: string) => `"${c.replace(/"/g, '""')}"`;

/** DuckDB's message without its SQL, first line only: what a reader of the error needs. */
export function duckMessage(err: unknown): string {
  const cause = err instanceof QueryError ? err.cause : err;
  return (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]!.trim();
}

/**
 * The file's columns against DDP's layout: a missing column is an error that names it (and
 * the columns found in its place, when one looks renamed); a column of another type is an
 * error; extra columns are loaded nowhere and reported.
 */
async function checkColumns(db: Database, file: string, src: string): Promise<Anomaly[]> {
  let described;
  try {
    described = await db.all(`DESCRIBE SELECT * FROM ${src}`);
  } catch (err) {
    throw new SourceFormatError({ file }, `DuckDB cannot read the parquet file: ${duckMessage(err)}`);
  }
  const found = new Map(described.map((r) => [String(r.column_name), String(r.column_type)]));
  const expected = new Set(DDP_COLUMNS.map(([c]) => c));
  const extra = [...found.keys()].filter((c) => !expected.has(c));
  const missing = DDP_COLUMNS.filter(([c]) => !found.has(c)).map(([c]) => c);
  if (missing.length > 0) {
    const instead = extra.length ? `; the file has ${extra.map((c) => `'${c}'`).join(', ')} instead (renamed?)` : '';
    throw new SourceFormatError(
      { file, column: missing[0] },
      `column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing${instead}. DDP's layout: ${DDP_COLUMNS.map(([c]) => c).join(', ')}`,
    );
  }
  for (const [c, kind] of DDP_COLUMNS) {
    const type = found.get(c)!;
    if (!ACCEPTS[kind].re.test(type)) {
      throw new SourceFormatError({ file, column: c }, `the column is ${type}, expected ${ACCEPTS[kind].what}`);
    }
  }
  return extra.length
    ? [{ code: 'unrecognised-column', severity: 'info', subject: extra.join(', '), detail: `column${extra.length > 1 ? 's' : ''} not in DDP's known layout, not loaded` }]
    : [];
}

/** The first stored row with an empty or negative value in `column`, as an error naming its row. */
async function badRow(db: Database, g: { file: string; releaseId: string }, column: string, test: 'empty' | 'negative'): Promise<SourceFormatError> {
  const c = quoted(column);
  const condition = test === 'negative' ? `${c} < 0` : column === 'date' || COUNTS.includes(column) ? `${c} IS NULL` : `${c} IS NULL OR trim(${c}) = ''`;
  const hit = await db.one(`SELECT "row", ${c}::VARCHAR AS v FROM ${DDP_TABLE} WHERE release_id = $1 AND (${condition}) ORDER BY "row" LIMIT 1`, [g.releaseId]);
  const what = test === 'negative' ? `value ${String(hit?.v)} is negative, which a count of people cannot be` : 'the value is empty; every row needs one';
  return new SourceFormatError({ file: g.file, ...(hit ? { row: Number(hit.row) } : {}), column }, what);
}

const fiscalYearOf = (iso: string) => Number(iso.slice(0, 4)) + (Number(iso.slice(5, 7)) >= 10 ? 1 : 0);

/**
 * Loads DDP's parquet with DuckDB's built-in read_parquet (ZSTD is decoded by DuckDB
 * itself, no extension is loaded) into `ddp_facility_population`, keeping each row's
 * position in the file (from 1: read_parquet's file_row_number + 1), then checks what the reader cannot: every row of the file's
 * metadata was stored, no code, date or count is empty, no count is negative.
 */
export async function loadDdpParquet(db: Database, args: { file: string; path: string; releaseId: string }): Promise<DirectLoadResult> {
  const { file, path, releaseId } = args;
  const src = `read_parquet(${sqlString(path)}, file_row_number = true)`;
  const anomalies = await checkColumns(db, file, `read_parquet(${sqlString(path)})`);

  const cols = DDP_COLUMNS.map(([c]) => c);
  let rows: number;
  try {
    rows = await db.run(
      `INSERT INTO ${DDP_TABLE} (release_id, "row", ${cols.map(quoted).join(', ')})
       SELECT $1, file_row_number + 1, ${cols.map(quoted).join(', ')} FROM ${src}`,
      [releaseId],
    );
  } catch (err) {
    throw new SourceFormatError({ file }, `DuckDB could not read the rows: ${duckMessage(err)}`);
  }
  const meta = await db.one(`SELECT sum(num_rows)::BIGINT AS n FROM parquet_file_metadata(${sqlString(path)})`);
  if (Number(meta?.n) !== rows) {
    throw new CheckFailedError('every row loaded', `${String(meta?.n)} rows (parquet metadata)`, `${rows} rows stored`, { file });
  }
  if (rows === 0) throw new SourceFormatError({ file }, 'the file has no rows');

  const g = { file, releaseId };
  const anyNull = COUNTS.map((c) => `${c} IS NULL`).join(' OR ');
  const anyNegative = COUNTS.map((c) => `${c} < 0`).join(' OR ');
  const s = (await db.one(
    `SELECT count(*) FILTER (WHERE detention_facility_code IS NULL OR trim(detention_facility_code) = '') AS bad_code,
            count(*) FILTER (WHERE date IS NULL) AS bad_date,
            count(*) FILTER (WHERE ${anyNull}) AS null_count,
            count(*) FILTER (WHERE ${anyNegative}) AS negative,
            count(*) FILTER (WHERE n_detained_at_midnight > n_detained) AS midnight_above,
            strftime(min(date), '%Y-%m-%d') AS first, strftime(max(date), '%Y-%m-%d') AS last,
            count(DISTINCT date) AS days, count(DISTINCT detention_facility_code) AS facilities,
            count(*) - count(DISTINCT hash(detention_facility_code, date)) AS duplicates
       FROM ${DDP_TABLE} WHERE release_id = $1`,
    [releaseId],
  ))!;
  if (Number(s.bad_code) > 0) throw await badRow(db, g, 'detention_facility_code', 'empty');
  if (Number(s.bad_date) > 0) throw await badRow(db, g, 'date', 'empty');
  if (Number(s.null_count) > 0) {
    const c = (await db.one(`SELECT ${COUNTS.map((c) => `count(*) FILTER (WHERE ${c} IS NULL) AS ${c}`).join(', ')} FROM ${DDP_TABLE} WHERE release_id = $1`, [releaseId]))!;
    const col = COUNTS.find((k) => Number(c[k]) > 0)!;
    throw await badRow(db, g, col, 'empty');
  }
  if (Number(s.negative) > 0) {
    const c = (await db.one(`SELECT ${COUNTS.map((c) => `count(*) FILTER (WHERE ${c} < 0) AS ${c}`).join(', ')} FROM ${DDP_TABLE} WHERE release_id = $1`, [releaseId]))!;
    const col = COUNTS.find((k) => Number(c[k]) > 0)!;
    throw await badRow(db, g, col, 'negative');
  }

  const first = String(s.first);
  const last = String(s.last);
  const span = Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86_400_000) + 1;
  if (Number(s.days) < span) {
    anomalies.push({ code: 'missing-days', severity: 'warning', subject: `${first} to ${last}`, detail: `${span - Number(s.days)} of the ${span} days in the span have no row at all; averages are over the days with rows` });
  }
  if (Number(s.duplicates) > 0) {
    anomalies.push({ code: 'duplicate-key', severity: 'warning', subject: DDP_TABLE, detail: `${String(s.duplicates)} rows repeat the facility and date of an earlier row; the metrics add them` });
  }
  if (Number(s.midnight_above) > 0) {
    anomalies.push({ code: 'midnight-above-any', severity: 'warning', subject: 'n_detained_at_midnight', detail: `${String(s.midnight_above)} rows count more people at midnight than at any time that day` });
  }
  const lastDay = (await db.one(
    `SELECT sum(n_detained)::BIGINT AS any, sum(n_detained_at_midnight)::BIGINT AS midnight FROM ${DDP_TABLE} WHERE release_id = $1 AND date = CAST($2 AS DATE)`,
    [releaseId, last],
  ))!;
  return {
    rows,
    snapshotDate: last,
    fiscalYear: fiscalYearOf(last),
    summary: {
      rows,
      first_date: first,
      last_date: last,
      days: Number(s.days),
      facilities: Number(s.facilities),
      detained_last_day: Number(lastDay.any),
      detained_midnight_last_day: Number(lastDay.midnight),
    },
    anomalies,
  };
}
