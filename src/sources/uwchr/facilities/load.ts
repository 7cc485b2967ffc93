import type { Database } from '../../../db/connection.js';
import { CheckFailedError, QueryError, SourceFormatError } from '../../../lib/errors.js';
import { explainCsvError } from '../../csv-file.js';
import type { Anomaly, DirectLoadResult } from '../../types.js';

/** UWCHR's facility columns in their published order (matched by name). */
export const FACILITY_COLUMNS = [
  'detloc', 'name', 'address', 'city', 'county', 'state', 'zip', 'circuit', 'aor', 'docket', 'type', 'type_detailed',
  'authorizing_authority', 'capacity', 'guaranteed_minimum', 'date_of_last_use', 'date_of_first_use', 'over_72', 'dmcp_auth',
] as const;

type Column = (typeof FACILITY_COLUMNS)[number];

/** How a column's text becomes its type; NULL from a non-empty value is a bad value. */
const CONVERT: Partial<Record<Column, (v: string) => string>> = {
  capacity: (v) => `TRY_CAST(${v} AS INTEGER)`,
  guaranteed_minimum: (v) => `TRY_CAST(${v} AS INTEGER)`,
  // UWCHR writes dates as M/D/YYYY (9/20/2007)
  date_of_last_use: (v) => `CAST(try_strptime(${v}, '%m/%d/%Y') AS DATE)`,
  date_of_first_use: (v) => `CAST(try_strptime(${v}, '%m/%d/%Y') AS DATE)`,
  over_72: (v) => `CASE upper(${v}) WHEN 'TRUE' THEN true WHEN 'FALSE' THEN false END`,
  dmcp_auth: (v) => `CASE upper(${v}) WHEN 'TRUE' THEN true WHEN 'FALSE' THEN false END`,
};

const WHAT: Partial<Record<Column, string>> = {
  capacity: 'a whole number',
  guaranteed_minimum: 'a whole number',
  date_of_last_use: 'a date (M/D/YYYY)',
  date_of_first_use: 'a date (M/D/YYYY)',
  over_72: 'TRUE or FALSE',
  dmcp_auth: 'TRUE or FALSE',
};

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const quoted = (c: string) => `"${c.replace(/"/g, '""')}"`;

/** Every column as text, UWCHR's "NA" as NULL, numbered by line (the gzip stream is read in order, on one thread). */
function source(path: string, header: string[]): string {
  const columns = header.map((h) => `${sqlString(h)}: 'VARCHAR'`).join(', ');
  return `(SELECT row_number() OVER () + 1 AS line, * FROM read_csv(${sqlString(path)}, header = true, delim = '|', quote = '"', escape = '"',
    compression = 'gzip', nullstr = 'NA', columns = {${columns}}, strict_mode = true, auto_detect = false, null_padding = false))`;
}

const clean = (c: Column) => `nullif(trim(${quoted(c)}), '')`;

/**
 * Loads UWCHR's facility list with DuckDB's read_csv into `uwchr_facilities`: first a
 * scan for values that do not convert (an error naming the line and column), then the
 * typed insert, then the checks: every line stored, every line has a code, codes unique.
 */
export async function loadUwchrFacilities(
  db: Database,
  args: { file: string; path: string; releaseId: string; header: string[]; dataLines: number },
): Promise<DirectLoadResult> {
  const { file, path, releaseId, header } = args;
  const src = source(path, header);
  const typed = Object.keys(CONVERT) as Column[];
  let bad;
  try {
    bad = await db.one(
      `SELECT line, ${typed.map((c) => `CASE WHEN ${clean(c)} IS NOT NULL AND ${CONVERT[c]!(clean(c))} IS NULL THEN ${quoted(c)} END AS ${quoted(c)}`).join(', ')}
         FROM ${src}
        WHERE detloc IS NULL OR trim(detloc) = '' OR ${typed.map((c) => `(${clean(c)} IS NOT NULL AND ${CONVERT[c]!(clean(c))} IS NULL)`).join(' OR ')}
        ORDER BY line LIMIT 1`,
    );
  } catch (err) {
    const cause = err instanceof QueryError ? err.cause : err;
    throw explainCsvError(file, cause, header) ?? new SourceFormatError({ file }, `DuckDB could not read the file: ${(cause instanceof Error ? cause.message : String(cause)).split('\n')[0]}`);
  }
  if (bad) {
    const column = typed.find((c) => bad[c] !== null);
    if (!column) throw new SourceFormatError({ file, line: Number(bad.line), column: 'detloc' }, 'the facility code is empty; every line needs one');
    throw new SourceFormatError({ file, line: Number(bad.line), column }, `"${String(bad[column])}" is not ${WHAT[column]!}`);
  }
  const rows = await db.run(
    `INSERT INTO uwchr_facilities (release_id, line, ${FACILITY_COLUMNS.join(', ')})
     SELECT $1, line, ${FACILITY_COLUMNS.map((c) => (CONVERT[c] ? CONVERT[c](clean(c)) : c === 'detloc' ? `upper(${clean(c)})` : clean(c))).join(', ')}
       FROM ${src}`,
    [releaseId],
  );
  if (rows !== args.dataLines) throw new CheckFailedError('every line loaded', `${args.dataLines} data lines`, `${rows} rows stored`, { file });
  const s = (await db.one(
    `SELECT count(DISTINCT detloc) AS codes, strftime(max(date_of_last_use), '%Y-%m-%d') AS last_use,
            count(*) FILTER (WHERE over_72) AS over_72
       FROM uwchr_facilities WHERE release_id = $1`,
    [releaseId],
  ))!;
  const anomalies: Anomaly[] = [];
  const dups = await db.all(
    `SELECT detloc, list(line ORDER BY line) AS lines FROM uwchr_facilities WHERE release_id = $1 GROUP BY detloc HAVING count(*) > 1 ORDER BY detloc`,
    [releaseId],
  );
  for (const d of dups) {
    anomalies.push({ code: 'duplicate-key', severity: 'warning', subject: `detloc ${String(d.detloc)}`, detail: `the code is on lines ${(d.lines as number[]).join(', ')}; every line is kept` });
  }
  const lastUse = s.last_use === null ? null : String(s.last_use);
  return {
    rows,
    // the list states no date; its newest "date of last use" is the day its data reach
    snapshotDate: lastUse,
    fiscalYear: lastUse ? Number(lastUse.slice(0, 4)) + (Number(lastUse.slice(5, 7)) >= 10 ? 1 : 0) : null,
    summary: { rows, facilities: Number(s.codes), latest_date_of_last_use: lastUse, over_72: Number(s.over_72) },
    anomalies,
  };
}
