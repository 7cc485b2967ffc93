import type { Database } from '../../../../db/connection.js';
import { dedupedArrestsSql } from './arrests.js';
import { ATTRIBUTED_DIMENSIONS, dictionarySql, facilityPassSql, fillSql, labelSql, lagPassSql, nationalPassSql, stintRowsSql } from './detention.js';

/**
 * Derived FOIA facts materialised at ingest: the parser's load calls refreshDerived(db, releaseId)
 * after inserting a release's rows (any record kind), inside the release's transaction. It replaces
 * what an earlier run derived for the release: for detention stints the daily population, book-ins
 * and coverage; for arrests the de-duplicated arrests. Encounters and detainers are counted when
 * queried and need nothing.
 *
 * People and breakdown values travel through the sort as 64-bit hashes (a narrow sort: twice as fast
 * as text here). Two different people share a hash with a probability of about n²/2⁶⁵ (≈ 7·10⁻⁷ for
 * 5 million people), and even then only the days both spend in custody at once would be merged;
 * values are decoded through a dictionary of the release's own values.
 */

export interface RefreshOptions {
  /** First day of the coverage (YYYY-MM-DD), instead of the one read from the book-outs. */
  firstDay?: string;
  /** Last day (YYYY-MM-DD), instead of the release's snapshot date or the last date in the data. */
  lastDay?: string;
}

export interface DetentionDerived {
  releaseId: string;
  firstDay: string;
  lastDay: string;
  rows: number;
  rowsWithoutPerson: number;
  rowsWithoutStart: number;
  /** Initial book-ins (stays begun) inside the coverage. */
  stays: number;
  peopleRecomputed: number;
  populationRows: number;
  bookInRows: number;
  /** Milliseconds per step (the benchmark prints them). */
  timings: Record<string, number>;
}

export interface ArrestsDerived {
  releaseId: string;
  rows: number;
  rowsWithoutPerson: number;
  rowsWithoutDate: number;
  /** Arrests after de-duplication (rows without a person or a date included, each as one). */
  arrests: number;
  ms: number;
}

export interface DerivedResult {
  detentions: DetentionDerived | null;
  arrests: ArrestsDerived | null;
}

/** The tables refreshDerived writes, keyed by release_id (for the dataset's `tables`). */
export const DERIVED_TABLES = ['foia_daily_population', 'foia_book_ins', 'foia_arrests_deduped', 'foia_derived_coverage'] as const;

const TEMP = { cov: 'foia_tmp_cov', dict: 'foia_tmp_dict', nat: 'foia_tmp_national', slow: 'foia_tmp_slow', fix: 'foia_tmp_fix', deltas: 'foia_tmp_deltas' };

export async function refreshDerived(db: Database, releaseId: string, options: RefreshOptions = {}): Promise<DerivedResult> {
  for (const t of DERIVED_TABLES) await db.run(`DELETE FROM ${t} WHERE release_id = $1`, [releaseId]);
  return { detentions: await refreshDetentions(db, releaseId, options), arrests: await refreshArrests(db, releaseId) };
}

async function refreshArrests(db: Database, releaseId: string): Promise<ArrestsDerived | null> {
  const t0 = performance.now();
  const counts = await db.one(
    `SELECT count(*) AS n, count(*) FILTER (WHERE person_id IS NULL) AS no_person,
            count(*) FILTER (WHERE apprehension_at IS NULL AND apprehension_date IS NULL) AS no_date,
            min(coalesce(CAST(apprehension_at AS DATE), apprehension_date)) AS first_day,
            max(coalesce(CAST(apprehension_at AS DATE), apprehension_date)) AS last_day
       FROM foia_arrests WHERE release_id = $1`,
    [releaseId],
  );
  if (!counts || counts.n === 0) return null;
  const label = (col: string) => labelSql(`k.${col}`, col);
  const arrests = await db.run(
    `INSERT INTO foia_arrests_deduped (release_id, sheet, "row", arrest_at, aor, criminality, citizenship, method, has_person_id, cluster_rows, cluster_first_at, cluster_last_at)
     SELECT k.release_id, k.sheet, k."row", k.arrest_at, ${label('aor')}, ${label('criminality')}, ${label('citizenship_country')}, ${label('apprehension_method')},
            k.has_person_id, k.cluster_rows, k.cluster_first_at, k.cluster_last_at
       FROM (${dedupedArrestsSql('a.release_id = $1')}) k`,
    [releaseId],
  );
  const ms = Math.round(performance.now() - t0);
  await db.run(
    `INSERT INTO foia_derived_coverage (release_id, kind, first_day, last_day, rows_total, rows_without_person, rows_without_start, units, derive_ms, derived_at)
     VALUES ($1, 'arrests', CAST($2 AS DATE), CAST($3 AS DATE), $4, $5, $6, $7, $8, current_timestamp)`,
    [releaseId, counts.first_day as string | null, counts.last_day as string | null, counts.n as number, counts.no_person as number, counts.no_date as number, arrests, ms],
  );
  return { releaseId, rows: counts.n as number, rowsWithoutPerson: counts.no_person as number, rowsWithoutDate: counts.no_date as number, arrests, ms };
}

// A stray mistyped date (a book-out in 1900) must not stretch the coverage over decades of empty
// days, so the ends are the first and last days whose count is at least this share of a median day.
const ROBUST_SHARE = 0.01;

async function coverage(db: Database, releaseId: string, options: RefreshOptions): Promise<{ firstDay: string; lastDay: string } | null> {
  const row = await db.one(
    `WITH outs AS (SELECT CAST(book_out_at AS DATE) AS day, count(*) AS n FROM foia_detention_stints
                    WHERE release_id = $1 AND book_out_at IS NOT NULL GROUP BY 1),
          dated AS (SELECT day, sum(n) AS n FROM (
                      SELECT CAST(book_in_at AS DATE) AS day, count(*) AS n FROM foia_detention_stints
                       WHERE release_id = $1 AND book_in_at IS NOT NULL GROUP BY 1
                      UNION ALL SELECT day, n FROM outs) GROUP BY day)
     SELECT strftime(coalesce(CAST($2 AS DATE),
                              (SELECT min(day) FROM outs WHERE n >= ${ROBUST_SHARE} * (SELECT median(n) FROM outs)),
                              (SELECT min(day) FROM dated)), '%Y-%m-%d') AS first_day,
            strftime(coalesce(CAST($3 AS DATE),
                              (SELECT snapshot_date FROM releases WHERE release_id = $1),
                              (SELECT max(day) FROM dated WHERE n >= ${ROBUST_SHARE} * (SELECT median(n) FROM dated))), '%Y-%m-%d') AS last_day`,
    [releaseId, options.firstDay ?? null, options.lastDay ?? null],
  );
  if (!row || row.first_day === null || row.last_day === null || (row.first_day as string) > (row.last_day as string)) return null;
  return { firstDay: row.first_day as string, lastDay: row.last_day as string };
}

/**
 * The +1/-1 events of the lag pass's table per (dimension, code, count_kind, day): per dimension and
 * kind one aggregation of starts and one of ends (separate small aggregations were faster than
 * GROUPING SETS here); a day can appear twice, fillSql sums. The national total ('all', code 0)
 * repeats the events of the first attributed dimension, which count every person-day once.
 */
function eventsSql(nat: string, dims: string[]): string {
  const agg = (dim: string, name: string, from: string, end: string) => `
    SELECT '${dim}' AS dimension, ${dim} AS code, '${name}' AS count_kind, ${from} AS day, count(*) AS delta FROM ${nat} WHERE ${from} <= ${end} GROUP BY ${dim}, ${from}
    UNION ALL SELECT '${dim}', ${dim}, '${name}', ${end} + 1, -count(*) FROM ${nat} WHERE ${from} <= ${end} GROUP BY ${dim}, ${end} + 1`;
  const parts = [
    ...dims.flatMap((d) => [agg(d, 'any', 'a_from', 'a_end'), agg(d, 'midnight', 'm_from', 'm_end')]),
    agg('facility', 'any', 'fa_from', 'a_end'),
    agg('facility', 'midnight', 'fm_from', 'm_end'),
  ];
  return `SELECT CAST($1 AS VARCHAR) AS release_id, * FROM (${parts.join('\n    UNION ALL')})`;
}

/**
 * The month a stint counts in as a book-in, NULL outside the coverage: an initial book-in is dated by
 * its stay's start, a transfer by its own book-in (read in the lag pass, where both times are at hand).
 */
const BOOK_IN_MONTH = `CASE WHEN CAST(book_time AS DATE) BETWEEN CAST($2 AS DATE) AND CAST($3 AS DATE) THEN CAST(date_trunc('month', book_time) AS DATE) END`;

/** Columns the exact passes need, read back from the lag pass's table. */
const BASE_COLUMNS = `person_key, stint_rowid, book_in_at, ord, s_day, a_end, m_end, facility`;

async function refreshDetentions(db: Database, releaseId: string, options: RefreshOptions): Promise<DetentionDerived | null> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  let mark = t0;
  let cpuMark = process.cpuUsage();
  const step = (name: string) => {
    const now = performance.now();
    const cpu = process.cpuUsage(cpuMark);
    timings[name] = Math.round(now - mark);
    timings[`${name}_cpu`] = Math.round((cpu.user + cpu.system) / 1000);
    mark = now;
    cpuMark = process.cpuUsage();
  };
  const counts = await db.one(
    `SELECT count(*) AS n, count(*) FILTER (WHERE person_id IS NULL) AS no_person, count(*) FILTER (WHERE book_in_at IS NULL) AS no_start
       FROM foia_detention_stints WHERE release_id = $1`,
    [releaseId],
  );
  if (!counts || counts.n === 0) return null;
  const cov = await coverage(db, releaseId, options);
  step('coverage');
  if (!cov) return null;
  const covSql = `SELECT * FROM ${TEMP.cov}`;
  const dims = ['aor', 'criminality', 'citizenship'];
  try {
    await db.exec(`CREATE OR REPLACE TEMP TABLE ${TEMP.cov} AS SELECT CAST($1 AS VARCHAR) AS release_id, CAST($2 AS DATE) AS first_day, CAST($3 AS DATE) AS last_day`, [
      releaseId,
      cov.firstDay,
      cov.lastDay,
    ]);
    await db.exec(`CREATE OR REPLACE TEMP TABLE ${TEMP.dict} AS ${dictionarySql('s.release_id = $1')}`, [releaseId]);
    step('dictionary');
    // one sort of the stints: national and per-facility effective ranges, stay flags
    await db.exec(
      `CREATE OR REPLACE TEMP TABLE ${TEMP.nat} AS
       SELECT ${BASE_COLUMNS}, ${dims.join(', ')}, a_from, m_from, fa_from, fm_from, initial_book_in, inexact,
              ${BOOK_IN_MONTH} AS book_in_month
         FROM (${lagPassSql(`(${stintRowsSql('s.release_id = $1', covSql, { hashed: true })}) rows_`)})`,
      [releaseId, cov.firstDay, cov.lastDay],
    );
    step('lag_pass');
    // the people the lag pass cannot count exactly: every stint of theirs through the exact passes
    await db.exec(`CREATE OR REPLACE TEMP TABLE ${TEMP.slow} AS SELECT DISTINCT person_key FROM ${TEMP.nat} WHERE inexact`);
    const slow = Number((await db.one(`SELECT count(*) AS n FROM ${TEMP.slow}`))!.n);
    if (slow > 0) {
      const rows = `(SELECT ${BASE_COLUMNS} FROM ${TEMP.nat} WHERE person_key IN (SELECT person_key FROM ${TEMP.slow})) rows_`;
      await db.exec(
        `CREATE OR REPLACE TEMP TABLE ${TEMP.fix} AS
         SELECT n.stint_rowid, n.a_from, n.m_from, f.a_from AS fa_from, f.m_from AS fm_from
           FROM (${nationalPassSql(rows, { perRelease: false, stays: false })}) n
           JOIN (${facilityPassSql(rows, { perRelease: false })}) f USING (stint_rowid)`,
      );
      await db.exec(
        `UPDATE ${TEMP.nat} SET a_from = x.a_from, m_from = x.m_from, fa_from = x.fa_from, fm_from = x.fm_from
           FROM ${TEMP.fix} x WHERE ${TEMP.nat}.stint_rowid = x.stint_rowid`,
      );
    }
    step('exact_passes');
    await db.exec(`CREATE OR REPLACE TEMP TABLE ${TEMP.deltas} AS ${eventsSql(TEMP.nat, dims)}`, [releaseId]);
    await db.exec(
      `INSERT INTO ${TEMP.deltas} SELECT release_id, 'all', CAST(0 AS UBIGINT), count_kind, day, delta FROM ${TEMP.deltas} WHERE dimension = '${dims[0]}'`,
    );
    step('events');
    const populationRows = await db.run(
      `INSERT INTO foia_daily_population (release_id, day, dimension, dim_value, count_kind, people)
       SELECT p.release_id, p.day, p.dimension, coalesce(d.label, 'all'), p.count_kind, p.people
         FROM (${fillSql(TEMP.deltas, ['dimension', 'code'], covSql)}) p
         LEFT JOIN ${TEMP.dict} d USING (dimension, code)`,
    );
    step('daily_values');
    const bookDims = ['facility', ...ATTRIBUTED_DIMENSIONS];
    const bookInRows = await db.run(
      `INSERT INTO foia_book_ins (release_id, month, stint_kind, dimension, dim_value, book_ins)
       SELECT $1, b.month, b.stint_kind, b.dimension, coalesce(d.label, 'all'), b.n
         FROM (SELECT book_in_month AS month, CASE WHEN initial_book_in THEN 'initial' ELSE 'transfer' END AS stint_kind,
                      CASE ${bookDims.map((d) => `WHEN ${d} IS NOT NULL THEN '${d}'`).join(' ')} ELSE 'all' END AS dimension,
                      coalesce(${bookDims.join(', ')}, CAST(0 AS UBIGINT)) AS code, CAST(count(*) AS INTEGER) AS n
                 FROM ${TEMP.nat} WHERE book_in_month IS NOT NULL
                GROUP BY GROUPING SETS ((book_in_month, initial_book_in), ${bookDims.map((d) => `(book_in_month, initial_book_in, ${d})`).join(', ')})) b
         LEFT JOIN ${TEMP.dict} d USING (dimension, code)`,
      [releaseId],
    );
    step('book_ins');
    const stays = await db.one(
      `SELECT coalesce(sum(book_ins), 0) AS n FROM foia_book_ins WHERE release_id = $1 AND stint_kind = 'initial' AND dimension = 'all'`,
      [releaseId],
    );
    const ms = Math.round(performance.now() - t0);
    await db.run(
      `INSERT INTO foia_derived_coverage (release_id, kind, first_day, last_day, rows_total, rows_without_person, rows_without_start, units, people_recomputed, derive_ms, derived_at)
       VALUES ($1, 'detentions', CAST($2 AS DATE), CAST($3 AS DATE), $4, $5, $6, $7, $8, $9, current_timestamp)`,
      [releaseId, cov.firstDay, cov.lastDay, counts.n as number, counts.no_person as number, counts.no_start as number, stays!.n as number, slow, ms],
    );
    return {
      releaseId,
      firstDay: cov.firstDay,
      lastDay: cov.lastDay,
      rows: counts.n as number,
      rowsWithoutPerson: counts.no_person as number,
      rowsWithoutStart: counts.no_start as number,
      stays: stays!.n as number,
      peopleRecomputed: slow,
      populationRows,
      bookInRows,
      timings,
    };
  } finally {
    for (const t of Object.values(TEMP)) await db.exec(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
  }
}
