import type { Database } from '../../../db/connection.js';
import { CheckFailedError, SourceFormatError, QueryError } from '../../../lib/errors.js';
import { explainCsvError } from '../../csv-file.js';
import type { Anomaly, DirectLoadResult } from '../../types.js';
import { DEMOGRAPHIC_RENAMES, FISCAL_MONTHS, KNOWN_VALUES, type Canonical, type Layout } from './layouts.js';

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

const FISCAL_YEAR = `(19|20)\\d\\d( \\(FYTD\\))?`;

/** A stored value that fails its column's check (NULL is always a failure: CBP leaves no cell empty). */
function storedCondition(c: Canonical): string {
  if (c === 'fy_label') return `fiscal_year IS NULL OR NOT regexp_full_match(fy_label, '${FISCAL_YEAR}')`;
  if (c === 'month_abbv') return 'month_start IS NULL';
  const known = KNOWN_VALUES[c];
  if (!known) return `${c} IS NULL`;
  const allowed = c === 'demographic' ? known.map((k) => DEMOGRAPHIC_RENAMES[k] ?? k) : known;
  return `${c} IS NULL OR ${c} NOT IN (${allowed.map(sqlString).join(', ')})`;
}

/** The calendar month of a fiscal month: FY2025 OCT is October 2024. */
const MONTH_NUMBER = `CASE month_abbv ${FISCAL_MONTHS.map((m, i) => `WHEN '${m}' THEN ${((i + 9) % 12) + 1}`).join(' ')} END`;

// new_line is left to DuckDB: given explicitly ('\\r\\n'), DuckDB 1.5 read 0 rows without an error
function readCsvSql(path: string, layout: Layout): string {
  const columns = layout.columns.map(([h, c]) => `${sqlString(h)}: '${c === 'encounters' ? 'BIGINT' : 'VARCHAR'}'`).join(', ');
  return `read_csv(${sqlString(path)}, header = true, delim = ',', quote = '"', escape = '"',
    columns = {${columns}}, strict_mode = true, auto_detect = false, null_padding = false)`;
}

/**
 * Loads a CBP encounter CSV with DuckDB's read_csv straight into `cbp_encounters`,
 * then checks in SQL what the reader cannot: that no line was dropped, that every
 * vocabulary value is known, that keys are unique. A failed check names the line
 * (found by re-reading the file, only on that path) and the column.
 */
export async function loadCbpCsv(
  db: Database,
  args: { file: string; path: string; releaseId: string; layout: Layout; dataLines: number },
): Promise<DirectLoadResult> {
  const { file, path, releaseId, layout } = args;
  const src = readCsvSql(path, layout);
  const col = (c: Canonical) => {
    const h = layout.columns.find(([, cc]) => cc === c)?.[0];
    if (h) return `"${h.replace(/"/g, '""')}"`;
    const implied = layout.implied[c];
    return implied === undefined ? 'NULL' : sqlString(implied);
  };
  const renames = Object.entries(DEMOGRAPHIC_RENAMES)
    .map(([from, to]) => `WHEN ${sqlString(from)} THEN ${sqlString(to)}`)
    .join(' ');
  const insert = `
INSERT INTO cbp_encounters
SELECT ${sqlString(releaseId)}, TRY_CAST(left(fy_label, 4) AS SMALLINT), fy_label, month_grouping, month_abbv,
       make_date(TRY_CAST(left(fy_label, 4) AS INTEGER) - CASE WHEN month_abbv IN ('OCT', 'NOV', 'DEC') THEN 1 ELSE 0 END, ${MONTH_NUMBER}, 1),
       component, region, state, aor, aor_abbv,
       CASE demographic ${renames} ELSE demographic END, citizenship, citizenship_group, title, encounter_type, encounters
  FROM (SELECT ${(['fy_label', 'month_grouping', 'month_abbv', 'component', 'region', 'state', 'aor', 'aor_abbv', 'demographic', 'citizenship', 'citizenship_group', 'title', 'encounter_type', 'encounters'] as Canonical[])
    .map((c) => `${col(c)} AS ${c}`)
    .join(', ')} FROM ${src})`;
  let rows: number;
  try {
    rows = await db.run(insert);
  } catch (err) {
    throw explainCsvError(file, err instanceof QueryError ? err.cause : err, layout.columns.map(([h]) => h)) ?? err;
  }
  if (rows !== args.dataLines) {
    throw new CheckFailedError('every line loaded', `${args.dataLines} data lines`, `${rows} rows stored`, { file });
  }
  // one scan checks every column, counts distinct keys (by hash: a 64-bit hash of ten strings is far
  // cheaper to count than the strings) and reads the summary; only a failure re-reads the file for the line
  const checked = layout.columns.filter(([, c]) => c !== 'encounters').map(([, c]) => c);
  const keyCols = checked.filter((c) => c !== 'month_grouping');
  const s = (await db.one(
    `SELECT ${checked.map((c) => `count(*) FILTER (WHERE ${storedCondition(c)}) AS bad_${c}`).join(', ')},
            count(*) FILTER (WHERE encounters IS NULL OR encounters < 0) AS bad_encounters,
            count(*) - count(DISTINCT hash(${keyCols.join(', ')})) AS duplicate_keys,
            strftime(min(month_start), '%Y-%m-%d') AS first, strftime(max(month_start), '%Y-%m-%d') AS last,
            strftime(last_day(max(month_start)), '%Y-%m-%d') AS snapshot,
            max(fiscal_year) AS fy, sum(encounters) AS total, bool_or(fy_label LIKE '%(FYTD)') AS fytd,
            strftime(max(month_start) FILTER (WHERE title = 'Title 42'), '%Y-%m-%d') AS last_t42
       FROM cbp_encounters WHERE release_id = $1`,
    [releaseId],
  ))!;
  for (const c of [...checked, 'encounters' as const]) {
    if (Number(s[`bad_${c}`]) > 0) {
      const reason = KNOWN_VALUES[c]
        ? `is not one CBP has used (${KNOWN_VALUES[c]!.join(', ')})`
        : c === 'fy_label' ? `is not a fiscal year ('2024' or '2025 (FYTD)')` : c === 'encounters' ? 'is empty or negative' : 'is empty';
      throw await badValue(db, file, src, layout, c, reason);
    }
  }
  const anomalies: Anomaly[] = [];
  if (Number(s.duplicate_keys) > 0) {
    anomalies.push({ code: 'duplicate-key', severity: 'warning', subject: 'cbp_encounters', detail: `${String(s.duplicate_keys)} lines repeat the month and breakdown of an earlier line; their counts are added` });
  }
  await db.exec(
    `INSERT INTO cbp_month_totals SELECT release_id, month_start, component, region, title, sum(encounters) FROM cbp_encounters WHERE release_id = $1 GROUP BY ALL`,
    [releaseId],
  );
  if (s.last_t42 !== null && (s.last_t42 as string) > '2023-05-01') {
    anomalies.push({ code: 'title-42-after-end', severity: 'warning', subject: `Title 42, ${s.last_t42 as string}`, detail: 'Title 42 expulsions ended on 11 May 2023, but this file has Title 42 rows for later months' });
  }
  await db.append('cbp_files', [
    { release_id: releaseId, family: layout.family, header: layout.columns.map(([h]) => h).join(','), rows, first_month: s.first as string, last_month: s.last as string, encounters: s.total as number },
  ]);
  return {
    rows,
    snapshotDate: s.snapshot as string,
    fiscalYear: s.fy as number,
    summary: {
      family: layout.family,
      first_month: (s.first as string).slice(0, 7),
      last_month: (s.last as string).slice(0, 7),
      encounters: s.total as number,
      rows,
      fiscal_year_to_date: s.fytd === true ? 'yes' : 'no',
    },
    anomalies,
  };
}

/** What a bad value looks like, per column, for the search of its line. */
function badCondition(canonical: Canonical): string {
  if (canonical === 'fy_label') return `v IS NULL OR NOT regexp_full_match(v, '${FISCAL_YEAR}')`;
  const known = KNOWN_VALUES[canonical];
  return known ? `v IS NULL OR v NOT IN (${known.map(sqlString).join(', ')})` : 'v IS NULL';
}

/** Finds the first line holding a bad value by re-reading the file (error path only). */
async function badValue(db: Database, file: string, src: string, layout: Layout, canonical: Canonical, reason: string): Promise<SourceFormatError> {
  const header = layout.columns.find(([, c]) => c === canonical)?.[0] ?? canonical;
  const q = `"${header.replace(/"/g, '""')}"`;
  const hit = await db
    .one(`SELECT line, v FROM (SELECT row_number() OVER () + 1 AS line, ${q} AS v FROM ${src}) WHERE ${badCondition(canonical)} ORDER BY line LIMIT 1`)
    .catch(() => undefined);
  const shown = hit ? (hit.v === null ? '(empty)' : `'${String(hit.v)}'`) : '';
  return new SourceFormatError({ file, ...(hit ? { line: Number(hit.line) } : {}), column: header }, `value ${shown} ${reason}`.replace('value  ', 'the value '));
}
