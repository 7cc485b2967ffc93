import type { Database } from '../../../db/connection.js';
import { CheckFailedError, QueryError, SourceFormatError } from '../../../lib/errors.js';
import { explainCsvError } from '../../csv-file.js';
import type { Anomaly, DirectLoadResult } from '../../types.js';
import { DEMOGRAPHIC_RENAMES, FISCAL_MONTHS, KNOWN_VALUES, type Canonical, type Layout } from './layouts.js';

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const quoted = (header: string) => `"${header.replace(/"/g, '""')}"`;

const FISCAL_YEAR = `(19|20)\\d\\d( \\(FYTD\\))?`;

/** The calendar month of a fiscal month: FY2025 OCT is October 2024. */
const MONTH_NUMBER = (abbv: string) => `CASE ${abbv} ${FISCAL_MONTHS.map((m, i) => `WHEN '${m}' THEN ${((i + 9) % 12) + 1}`).join(' ')} END`;

// new_line is left to DuckDB: given explicitly ('\r\n'), DuckDB 1.5 read 0 rows without an error
function readCsvSql(path: string, layout: Layout): string {
  const columns = layout.columns.map(([h, c]) => `${sqlString(h)}: '${c === 'encounters' ? 'BIGINT' : 'VARCHAR'}'`).join(', ');
  return `read_csv(${sqlString(path)}, header = true, delim = ',', quote = '"', escape = '"',
    columns = {${columns}}, strict_mode = true, auto_detect = false, null_padding = false)`;
}

/** Columns stored as published (the others are derived: fiscal_year, fytd, month_start). */
const STORED: Canonical[] = ['month_grouping', 'component', 'region', 'state', 'aor', 'aor_abbv', 'demographic', 'citizenship', 'citizenship_group', 'title', 'encounter_type'];

/** Columns whose values are few: checked and summed per group, not per row. */
const LOW_CARDINALITY: Canonical[] = ['month_grouping', 'component', 'region', 'demographic', 'title', 'encounter_type'];

/**
 * Loads a CBP encounter CSV with DuckDB's read_csv straight into `cbp_encounters`,
 * then checks in SQL what the reader cannot: that no line was dropped, that no value is
 * empty and every vocabulary value is known, that keys are unique. A failed check names
 * the line (found by re-reading the file, only on that path) and the column.
 */
export async function loadCbpCsv(
  db: Database,
  args: { file: string; path: string; releaseId: string; layout: Layout; dataLines: number },
): Promise<DirectLoadResult> {
  const { file, path, releaseId, layout } = args;
  const src = readCsvSql(path, layout);
  const has = (c: Canonical) => layout.columns.some(([, cc]) => cc === c);
  const col = (c: Canonical) => {
    const h = layout.columns.find(([, cc]) => cc === c)?.[0];
    if (h) return quoted(h);
    const implied = layout.implied[c];
    return implied === undefined ? 'NULL' : sqlString(implied);
  };
  const fy = col('fy_label');
  const month = col('month_abbv');
  // a fiscal year or month that does not read as one becomes NULL, which the checks below refuse
  const fiscalYear = `CASE WHEN regexp_full_match(${fy}, '${FISCAL_YEAR}') THEN CAST(left(${fy}, 4) AS SMALLINT) END`;
  const renames = Object.entries(DEMOGRAPHIC_RENAMES)
    .map(([from, to]) => `WHEN ${sqlString(from)} THEN ${sqlString(to)}`)
    .join(' ');
  const value = (c: Canonical) => (c === 'demographic' ? `CASE ${col(c)} ${renames} ELSE ${col(c)} END` : col(c));
  const insert = `
INSERT INTO cbp_encounters (release_id, fiscal_year, fytd, month_start, ${STORED.join(', ')}, encounters)
SELECT ${sqlString(releaseId)}, ${fiscalYear}, ${fy} LIKE '%(FYTD)',
       make_date(${fiscalYear} - CASE WHEN ${month} IN ('OCT', 'NOV', 'DEC') THEN 1 ELSE 0 END, ${MONTH_NUMBER(month)}, 1),
       ${STORED.map(value).join(', ')}, ${col('encounters')}
  FROM ${src}`;
  let rows: number;
  try {
    rows = await db.run(insert);
  } catch (err) {
    throw explainCsvError(file, err instanceof QueryError ? err.cause : err, layout.columns.map(([h]) => h)) ?? err;
  }
  if (rows !== args.dataLines) {
    throw new CheckFailedError('every line loaded', `${args.dataLines} data lines`, `${rows} rows stored`, { file });
  }

  // One grouped scan over the low-cardinality columns gives the checks, the summary and the
  // month totals; the checks of the rest are counts within the groups.
  const groupCols = LOW_CARDINALITY.filter(has);
  const highCols = (['state', 'aor', 'aor_abbv', 'citizenship', 'citizenship_group'] as Canonical[]).filter(has);
  const groups = await db.all(
    `SELECT fiscal_year, fytd, month_start, ${groupCols.join(', ')}, ${has('region') ? '' : 'region, '}
            count(*) FILTER (WHERE ${[...highCols.map((c) => `${c} IS NULL`), 'encounters IS NULL', 'encounters < 0'].join(' OR ')}) AS bad_rows,
            ${highCols.map((c) => `count(*) FILTER (WHERE ${c} IS NULL) AS null_${c}`).join(', ')}${highCols.length ? ',' : ''}
            count(*) FILTER (WHERE encounters IS NULL OR encounters < 0) AS bad_encounters,
            sum(encounters) AS total
       FROM cbp_encounters WHERE release_id = $1 GROUP BY ALL`,
    [releaseId],
  );
  await failOnBadValues(db, { file, src, layout, groups, groupCols, highCols });

  const keyCols = ['fiscal_year', 'fytd', 'month_start', ...STORED.filter((c) => has(c) && c !== 'month_grouping')];
  const dup = (await db.one(`SELECT count(*) - count(DISTINCT hash(${keyCols.join(', ')})) AS n FROM cbp_encounters WHERE release_id = $1`, [releaseId]))!;
  const anomalies: Anomaly[] = [];
  if (Number(dup.n) > 0) {
    anomalies.push({ code: 'duplicate-key', severity: 'warning', subject: 'cbp_encounters', detail: `${String(dup.n)} lines repeat the month and breakdown of an earlier line; their counts are added` });
  }
  await db.exec(
    `INSERT INTO cbp_month_totals SELECT release_id, month_start, component, region, title, sum(encounters) FROM cbp_encounters WHERE release_id = $1 GROUP BY ALL`,
    [releaseId],
  );
  const months = groups.map((g) => String(g.month_start)).sort();
  const first = months[0]!;
  const last = months.at(-1)!;
  const total = groups.reduce((s, g) => s + Number(g.total), 0);
  const lastT42 = groups.filter((g) => g.title === 'Title 42').map((g) => String(g.month_start)).sort().at(-1);
  if (lastT42 !== undefined && lastT42 > '2023-05-01') {
    anomalies.push({ code: 'title-42-after-end', severity: 'warning', subject: `Title 42, ${lastT42.slice(0, 7)}`, detail: 'Title 42 expulsions ended on 11 May 2023, but this file has Title 42 rows for later months' });
  }
  const snapshot = lastDayOfMonth(last);
  await db.append('cbp_files', [{ release_id: releaseId, family: layout.family, header: layout.columns.map(([h]) => h).join(','), rows, first_month: first, last_month: last, encounters: total }]);
  return {
    rows,
    snapshotDate: snapshot,
    fiscalYear: Math.max(...groups.map((g) => Number(g.fiscal_year))),
    summary: {
      family: layout.family,
      first_month: first.slice(0, 7),
      last_month: last.slice(0, 7),
      encounters: total,
      rows,
      fiscal_year_to_date: groups.some((g) => g.fytd === true) ? 'yes' : 'no',
    },
    anomalies,
  };
}

function lastDayOfMonth(isoDate: string): string {
  const [y, m] = isoDate.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** Finds the first column with a bad value in the grouped rows and throws, naming its line. */
async function failOnBadValues(
  db: Database,
  g: { file: string; src: string; layout: Layout; groups: Array<Record<string, unknown>>; groupCols: Canonical[]; highCols: Canonical[] },
): Promise<void> {
  const { groups } = g;
  if (groups.some((r) => r.fiscal_year === null)) throw await badValue(db, g, 'fy_label', `is not a fiscal year ('2024' or '2025 (FYTD)')`);
  if (groups.some((r) => r.month_start === null)) throw await badValue(db, g, 'month_abbv', `is not one CBP has used (${FISCAL_MONTHS.join(', ')})`);
  for (const c of g.groupCols) {
    const allowed = c === 'demographic' ? KNOWN_VALUES[c]!.map((k) => DEMOGRAPHIC_RENAMES[k] ?? k) : KNOWN_VALUES[c]!;
    if (groups.some((r) => r[c] === null || !allowed.includes(String(r[c])))) throw await badValue(db, g, c, `is not one CBP has used (${KNOWN_VALUES[c]!.join(', ')})`);
  }
  for (const c of g.highCols) if (groups.some((r) => Number(r[`null_${c}`]) > 0)) throw await badValue(db, g, c, 'is empty');
  if (groups.some((r) => Number(r.bad_encounters) > 0)) throw await badValue(db, g, 'encounters', 'is empty or negative');
}

/** What a bad value looks like in the file, per column, for the search of its line. */
function badCondition(canonical: Canonical): string {
  if (canonical === 'fy_label') return `v IS NULL OR NOT regexp_full_match(v, '${FISCAL_YEAR}')`;
  if (canonical === 'encounters') return 'v IS NULL OR v < 0';
  const known = KNOWN_VALUES[canonical];
  return known ? `v IS NULL OR v NOT IN (${known.map(sqlString).join(', ')})` : 'v IS NULL';
}

/** Finds the first line holding a bad value by re-reading the file (error path only). */
async function badValue(db: Database, g: { file: string; src: string; layout: Layout }, canonical: Canonical, reason: string): Promise<SourceFormatError> {
  const header = g.layout.columns.find(([, c]) => c === canonical)?.[0] ?? canonical;
  const hit = await db
    .one(`SELECT line, v FROM (SELECT row_number() OVER () + 1 AS line, ${quoted(header)} AS v FROM ${g.src}) WHERE ${badCondition(canonical)} ORDER BY line LIMIT 1`)
    .catch(() => undefined);
  const shown = hit ? (hit.v === null ? '(empty)' : `'${String(hit.v)}'`) : '';
  return new SourceFormatError({ file: g.file, ...(hit ? { line: Number(hit.line) } : {}), column: header }, `value ${shown} ${reason}`.replace('value  ', 'the value '));
}
