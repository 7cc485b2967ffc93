import type { Database } from '../../../db/connection.js';
import { QueryError, SourceFormatError, CheckFailedError } from '../../../lib/errors.js';
import { explainCsvError } from '../../csv-file.js';
import type { DirectLoad, DirectLoadResult } from '../../types.js';
import { refreshDerived, type RefreshOptions } from './derive/refresh.js';
import { TABLE_OF, type FoiaColumn, type FoiaLayout } from './layouts.js';

export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
export const quoted = (h: string) => `"${h.replace(/"/g, '""')}"`;

/** A FOIA exemption code in place of a value ("(b)(6), (b)(7)(c)"): a prefix test, far cheaper per cell than a regex. */
const isRedacted = (v: string) => `(prefix(${v}, '(b)(') OR prefix(${v}, '(B)('))`;
const DATE_FORMATS = `['%m/%d/%Y', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y %I:%M %p', '%Y-%m-%d', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S']`;
/** A value that is present, not a redaction, and not readable becomes this, so a check after the insert can name its line. */
const UNREADABLE = { date: `DATE '0001-01-01'`, datetime: `TIMESTAMP '0001-01-01 00:00:00'`, int: '-999999' } as const;

/**
 * `v` without the spaces trim() takes off (category Zs: the ASCII space, and non-ASCII
 * spaces such as U+00A0), trimming only a value that starts or ends with one: trim()
 * copies every value, and for the ten text columns of 2 million arrests that copy cost
 * 2.7 s of a 5.3 s read. In a file of ASCII bytes only the ASCII space can be one.
 */
function trimmedSql(v: string, ascii: boolean): string {
  const edge = ascii
    ? `prefix(${v}, ' ') OR suffix(${v}, ' ')`
    : `ord(${v}) = 32 OR ord(${v}) > 127 OR suffix(${v}, ' ') OR ord(right(${v}, 1)) > 127`;
  return `CASE WHEN ${edge} THEN trim(${v}) ELSE ${v} END`;
}

/**
 * The SQL typing one FOIA column, shared by the CSV and the workbook loads: its text
 * `v` (a VARCHAR column) as the column's type, NULL when missing or blank or a
 * redaction code, the UNREADABLE sentinel when present and not readable. `raw` text
 * (a CSV as published) is trimmed and tested for redaction codes here (`ascii`: the
 * file has ASCII bytes only); the workbook load's text is trimmed, and redactions
 * taken out, as the CSV is written (xlsx/sheet-csv.ts), so a text column is stored as
 * it is read.
 */
export function typedSql(c: FoiaColumn, v: string, raw: boolean, ascii = false): string {
  if (!raw && c.type === 'text') return v;
  const t = raw ? trimmedSql(v, ascii) : v;
  // a NULL `v` makes both tests NULL, so the CASE gives NULL
  const present = raw ? `NOT ${isRedacted(v)} AND ${t} <> ''` : `${v} IS NOT NULL`;
  // the workbook load writes dates as ISO text, which a cast reads fastest; a CSV as published has US dates first
  const timestamp = raw ? `coalesce(try_strptime(${t}, ${DATE_FORMATS}), TRY_CAST(${t} AS TIMESTAMP))` : `coalesce(TRY_CAST(${t} AS TIMESTAMP), try_strptime(${t}, ${DATE_FORMATS}))`;
  switch (c.type) {
    case 'date':
      return `CASE WHEN ${present} THEN coalesce(${timestamp}::DATE, ${UNREADABLE.date}) END`;
    case 'datetime':
      return `CASE WHEN ${present} THEN coalesce(${timestamp}, ${UNREADABLE.datetime}) END`;
    case 'int':
      // whole numbers only: a cast to INTEGER would round 1990.5
      return `CASE WHEN ${present} THEN coalesce(CASE WHEN TRY_CAST(${t} AS DOUBLE) = trunc(TRY_CAST(${t} AS DOUBLE)) THEN TRY_CAST(TRY_CAST(${t} AS DOUBLE) AS INTEGER) END, ${UNREADABLE.int}) END`;
    default:
      return `CASE WHEN NOT ${isRedacted(v)} THEN nullif(${t}, '') END`;
  }
}

/** Columns per mask: bits 0–61 of a BIGINT, so a sum of them never reaches the sign bit (written from BigInts: a number prints 2^61 as …694000). */
const MASK_BITS = 62;

/** Distinct combinations of masks up to which the names are written into the copy as a CASE of lists; past it they are joined. */
export const MAX_LISTED_MASKS = 256;

/**
 * Which cells of a row hold a redaction code, as BIGINT bit masks (`redacted_mask_0`, … one per
 * 62 columns), and the SQL giving each row the list of the redacted columns' names (a stored
 * column by its canonical name, another by its header), in column order, from its masks:
 * - for the distinct combinations found, when they are few, a CASE of list literals (2 million
 *   arrests: 5.7 s to copy, against 7.4 s with the join);
 * - otherwise a join with the list made once per distinct combination.
 */
function redactionMasks(columns: FoiaColumn[]) {
  const groups: FoiaColumn[][] = [];
  for (let i = 0; i < columns.length; i += MASK_BITS) groups.push(columns.slice(i, i + MASK_BITS));
  const names = groups.map((_, g) => `redacted_mask_${g}`);
  const mask = (group: FoiaColumn[]) => group.map((c, i) => `CASE WHEN ${isRedacted(quoted(c.header))} THEN ${1n << BigInt(i)} ELSE 0 END`).join(' + ');
  const nameOf = (c: FoiaColumn) => c.canonical ?? c.header;
  const list = groups.flatMap((group, g) => group.map((c, i) => `CASE WHEN (${names[g]} >> ${i}) & 1 = 1 THEN ${sqlString(nameOf(c))} END`));
  const listLiteral = (masks: bigint[]) => {
    const redacted = groups.flatMap((group, g) => group.filter((_, i) => ((masks[g]! >> BigInt(i)) & 1n) === 1n).map(nameOf));
    return redacted.length === 0 ? '[]::VARCHAR[]' : `[${redacted.map(sqlString).join(', ')}]`;
  };
  return {
    names,
    columns: groups.map((group, g) => `CAST(${mask(group)} AS BIGINT) AS ${names[g]}`).join(', '),
    distinctSql: (table: string) => `SELECT DISTINCT ${names.map((n) => `CAST(${n} AS VARCHAR) AS ${n}`).join(', ')} FROM ${table}`,
    /** The copy's source and its `redacted` expression (alias s for the stage), given the distinct combinations found. */
    copySql: (table: string, found: string[][]) =>
      found.length === 0
        ? { from: `${table} s`, redacted: '[]::VARCHAR[]' }
        : found.length <= MAX_LISTED_MASKS
        ? {
            from: `${table} s`,
            redacted: `CASE ${found.map((ms) => `WHEN ${ms.map((m, g) => `s.${names[g]} = ${m}`).join(' AND ')} THEN ${listLiteral(ms.map(BigInt))}`).join(' ')} END`,
          }
        : {
            from: `${table} s JOIN (SELECT ${names.join(', ')}, list_filter([${list.join(', ')}], x -> x IS NOT NULL) AS redacted FROM (SELECT DISTINCT ${names.join(', ')} FROM ${table})) m USING (${names.join(', ')})`,
            redacted: 'm.redacted',
          },
  };
}

/** The first stored value that was present and not readable (by column, then sheet in `sheets` order and row), if any. */
export async function firstUnreadable(
  db: Database,
  table: string,
  layout: FoiaLayout,
  releaseId: string,
  sheets: string[] = [],
): Promise<{ column: FoiaColumn; sheet: string | null; row: number } | undefined> {
  const order = sheets.length > 0 ? `list_position([${sheets.map(sqlString).join(', ')}], sheet), row` : 'row';
  for (const c of layout.columns.filter((x) => x.canonical !== null && x.type !== 'text')) {
    const bad = await db.one(
      `SELECT sheet, row FROM ${table} WHERE release_id = $1 AND ${c.canonical} = ${UNREADABLE[c.type as keyof typeof UNREADABLE]} ORDER BY ${order} LIMIT 1`,
      [releaseId],
    );
    if (bad) return { column: c, sheet: bad.sheet as string | null, row: Number(bad.row) };
  }
  return undefined;
}

/** What the load of one ERO-LESA CSV knows from parsing its head. */
export interface FoiaCsvArgs {
  file: string;
  releaseId: string;
  layout: FoiaLayout;
  headerLine: number;
  dataLines: number;
  title: string | null;
  /** the file has ASCII bytes only: a cheaper test of which values to trim */
  ascii: boolean;
}

const stageOf = (releaseId: string) => `foia_csv_stage_${releaseId}`;

/**
 * The direct load of an ERO-LESA CSV: the file typed into a TEMP table before the release's
 * transaction (`stage`), copied into the kind's table inside it (`run`), the TEMP table dropped
 * after it (`unstage`).
 */
export function foiaCsvLoad(a: FoiaCsvArgs): DirectLoad {
  return {
    stage: (db, path) => stageFoiaCsv(db, a, path),
    run: (db, path) => loadFoiaCsv(db, a, path),
    unstage: (db) => db.exec(`DROP TABLE IF EXISTS temp.main.${stageOf(a.releaseId)}`),
  };
}

/**
 * Reads the CSV with DuckDB's read_csv into the stage: every stored column typed, and which
 * cells held a redaction code as bit masks. Two statements, both parallel, this one and the copy
 * (loadFoiaCsv): numbering with row_number() OVER () ran on one thread, and a list per row cost
 * more than the typing (1.5 million removals took 20.8 s against 11.6 s this way). A line of the
 * file that is not CSV, or has too many or too few fields, stops it with its line.
 */
export async function stageFoiaCsv(db: Database, a: FoiaCsvArgs, path: string): Promise<void> {
  const { layout } = a;
  const stored = layout.columns.filter((c) => c.canonical !== null);
  const columns = layout.columns.map((c) => `${sqlString(c.header)}: 'VARCHAR'`).join(', ');
  const src = `read_csv(${sqlString(path)}, skip = ${a.headerLine - 1}, header = true, delim = ',', quote = '"', escape = '"',
    columns = {${columns}}, strict_mode = true, auto_detect = false, null_padding = false)`;
  try {
    await db.exec(`
CREATE OR REPLACE TEMP TABLE ${stageOf(a.releaseId)} AS
SELECT ${stored.map((c) => `${typedSql(c, quoted(c.header), true, a.ascii)} AS ${c.canonical}`).join(', ')}, ${redactionMasks(layout.columns).columns} FROM ${src}`);
  } catch (err) {
    throw explainCsvError(a.file, err instanceof QueryError ? err.cause : err, layout.columns.map((c) => c.header)) ?? err;
  }
}

/**
 * Loads an ERO-LESA CSV (banner lines, then the header) from its stage (made here when the caller
 * did not) into the kind's table: every value typed, redaction codes stored as NULL with the
 * column named in `redacted`, each row with its file line. A value that is neither a redaction
 * nor readable stops the load with its line and column.
 */
export async function loadFoiaCsv(db: Database, a: FoiaCsvArgs, path: string): Promise<DirectLoadResult> {
  const { layout } = a;
  const table = TABLE_OF[layout.kind];
  const stored = layout.columns.filter((c) => c.canonical !== null);
  const masks = redactionMasks(layout.columns);
  const stage = stageOf(a.releaseId);
  const ownStage = !(await db.one(`SELECT 1 AS x FROM duckdb_tables() WHERE temporary AND table_name = $1`, [stage]));
  if (ownStage) await stageFoiaCsv(db, a, path);
  // The line is the row's place in the stage: read_csv keeps the file's order and the table is new, so its row ids
  // are one run in that order (checked below; and checked against a one-thread read, row by row, on 1.5 million
  // generated removals). The first row id as text (inside a transaction it is beyond 2^53), written into the copy as
  // a literal: a join with a one-row subquery made DuckDB build its hash table from the whole stage (10 million
  // stints: 149 s and 10.4 GB peak, against 130 s and 7.8 GB this way).
  const ids = (await db.one(`SELECT count(*) AS n, coalesce(max(rowid) - min(rowid) + 1, 0) AS span, CAST(coalesce(min(rowid), 0) AS VARCHAR) AS first_id FROM ${stage}`))!;
  if (ids.n !== ids.span) throw new CheckFailedError('the rows read are numbered in one run', `${String(ids.n)} row ids in a row`, `a span of ${String(ids.span)}`, { file: a.file });
  const firstId = String(ids.first_id);
  if (!/^\d+$/.test(firstId)) throw new CheckFailedError('the first row id is a number', 'digits', firstId, { file: a.file });
  const found = (await db.all(masks.distinctSql(stage))).map((r) => masks.names.map((n) => String(r[n])));
  const copy = masks.copySql(stage, found);
  const rowsSql = `SELECT ${sqlString(a.releaseId)} AS release_id, CAST(NULL AS VARCHAR) AS sheet, CAST(s.rowid - ${firstId} + ${a.headerLine + 1} AS INTEGER) AS "row",
       ${stored.map((c) => `s.${c.canonical}`).join(', ')}, ${copy.redacted} AS redacted`;
  const rows = await db.withSetting('disabled_compression_methods', `'fsst'`, () =>
    db.run(`INSERT INTO ${table} (release_id, sheet, "row", ${stored.map((c) => c.canonical).join(', ')}, redacted) ${rowsSql} FROM ${copy.from}`),
  );
  if (rows !== a.dataLines) throw new CheckFailedError('every line loaded', `${a.dataLines} data lines`, `${rows} rows stored`, { file: a.file });
  const bad = await firstUnreadable(db, table, layout, a.releaseId);
  if (bad) {
    throw new SourceFormatError(
      { file: a.file, line: bad.row, column: bad.column.header },
      `the value is neither ${bad.column.type === 'int' ? 'a whole number' : 'a date'} nor a FOIA redaction code`,
    );
  }
  // arrests are de-duplicated, and stints swept, from the stage (with the table's other columns as NULL)
  let staged: RefreshOptions['staged'];
  if (layout.kind === 'arrests' || layout.kind === 'detentions') {
    const have = new Set(['release_id', 'sheet', 'row', 'redacted', ...stored.map((c) => c.canonical!)]);
    const columnsOf = await db.all(`SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1`, [table]);
    const nulls = columnsOf.filter((c) => !have.has(c.column_name as string)).map((c) => `, CAST(NULL AS ${c.data_type as string}) AS ${quoted(c.column_name as string)}`);
    staged = { kind: layout.kind, from: `(${rowsSql}${nulls.join('')}, s.rowid AS stage_key FROM ${copy.from})`, key: 'stage_key' };
  }
  const summary = await summarise(db, { table, layout, releaseId: a.releaseId, title: a.title, rows, staged });
  if (ownStage) await db.exec(`DROP TABLE ${stage}`);
  return { rows, ...summary };
}

/** A release's rows just stored, for `summarise`. */
export interface StoredRows {
  table: string;
  layout: FoiaLayout;
  releaseId: string;
  /** The production's title, from its banner rows (null without one). */
  title: string | null;
  rows: number;
  /** The load's stage, which the derivations read instead of the table (RefreshOptions.staged). */
  staged?: RefreshOptions['staged'];
}

/** Dates covered, redaction counts and the snapshot date, from the rows just stored; derives what the kind needs. */
export async function summarise(db: Database, stored: StoredRows): Promise<Omit<DirectLoadResult, 'rows'>> {
  const { table, layout, releaseId, title, rows, staged } = stored;
  const dateCol = layout.columns.find((c) => c.canonical !== null && (c.type === 'date' || c.type === 'datetime'))!.canonical!;
  const s = (await db.one(
    `SELECT strftime(min(${dateCol})::DATE, '%Y-%m-%d') AS first, strftime(max(${dateCol})::DATE, '%Y-%m-%d') AS last,
            count(*) FILTER (WHERE len(redacted) > 0) AS redacted_rows, count(*) FILTER (WHERE person_id IS NOT NULL) AS with_id
       FROM ${table} WHERE release_id = $1`,
    [releaseId],
  ))!;
  const redactions = await db.all(
    `SELECT c, count(*) AS n FROM (SELECT unnest(redacted) AS c FROM ${table} WHERE release_id = $1) GROUP BY c ORDER BY c`,
    [releaseId],
  );
  await db.append('foia_files', [{ release_id: releaseId, kind: layout.kind, layout: layout.id, title, series: seriesOf(title, layout), rows }]);
  const last = s.last as string | null;
  // stays, daily population, book-ins and de-duplicated arrests are derived once, at ingest, in the release's transaction
  if (layout.kind === 'detentions' || layout.kind === 'arrests') await refreshDerived(db, releaseId, { ...(last ? { lastDay: last } : {}), ...(staged ? { staged } : {}) });
  const fy = last ? Number(last.slice(0, 4)) + (Number(last.slice(5, 7)) >= 10 ? 1 : 0) : null;
  return {
    snapshotDate: last,
    fiscalYear: fy,
    summary: { kind: layout.kind, layout: layout.id, rows, first_date: s.first as string | null, last_date: last, rows_with_person_id: Number(s.with_id), rows_with_redactions: Number(s.redacted_rows) },
    anomalies: redactions.map((r) => ({
      code: 'redacted-values',
      severity: 'info' as const,
      subject: `column ${r.c as string}`,
      detail: `${String(r.n)} of ${rows} rows carry a FOIA redaction code instead of a value here; stored as missing, with the column named in \`redacted\``,
    })),
  };
}

/**
 * The series a production belongs to: its title without the fiscal years and dates
 * ("FY2012 - FY2019 YTD (01/01/2012 - 07/06/2019) ICE Expedited Removals for the Seattle
 * Area of Responsibility" → "ICE Expedited Removals for the Seattle Area of Responsibility").
 */
export function seriesOf(title: string | null, layout: FoiaLayout): string {
  if (!title) return `${layout.kind} (untitled)`;
  const s = title
    .replace(/\bFY\s?\d{2,4}(\s*YTD)?/gi, '')
    .replace(/\([^)]*\d[^)]*\)/g, '')
    .replace(/^[\s\-–:]+|[\s\-–:]+$/g, '')
    .replace(/\s{2,}/g, ' ');
  return s || `${layout.kind} (untitled)`;
}
