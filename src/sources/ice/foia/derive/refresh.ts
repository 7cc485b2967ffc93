import type { Database } from '../../../../db/connection.js';
import { dedupedArrestsSql, type RowSource } from './arrests.js';
import { ALL_STINT_DIMENSIONS, ATTRIBUTED_DIMENSIONS, dictionarySql, facilityPassSql, labelSql, lagPassSql, nationalPassSql, type StintDimension } from './detention.js';
import { sweepDerive, type SweepInput, type SweepResult } from './sweep.js';

/**
 * Derived FOIA facts materialised at ingest: the parser's load calls refreshDerived(db, releaseId)
 * after inserting a release's rows (any record kind), inside the release's transaction. It replaces
 * what an earlier run derived for the release: for detention stints the daily population, book-ins
 * and coverage; for arrests the de-duplicated arrests. Encounters and detainers are counted when
 * queried and need nothing.
 *
 * People travel through the sort as 64-bit hashes (a narrow sort: twice as fast as text here). Two
 * different people share a hash with a probability of about n²/2⁶⁵ (≈ 7·10⁻⁷ for 5 million people),
 * and even then only the days both spend in custody at once would be merged. Breakdown values travel
 * as dense codes of a dictionary of the release's own values, days as numbers from the coverage's
 * first day.
 */

export interface RefreshOptions {
  /** First day of the coverage (YYYY-MM-DD), instead of the one read from the book-outs. */
  firstDay?: string;
  /** Last day (YYYY-MM-DD), instead of the release's snapshot date or the last date in the data. */
  lastDay?: string;
  /**
   * How the daily population and book-ins are computed: 'sweep' (default) one pass in JavaScript
   * (sweep.ts), falling back to 'sql' (the one-sort pass and the exact passes in DuckDB) for a
   * release the sweep cannot hold exactly. Tests compare the two.
   */
  engine?: 'sweep' | 'sql';
  /** The sweep's threads, sort key and key of label combinations (SweepInput's): defaults in use, set by tests. */
  sweep?: Pick<SweepInput, 'threads' | 'keyBits' | 'comboKey'>;
  /**
   * The release's rows as the CSV load's stage, read instead of foia_arrests or
   * foia_detention_stints (whichever `kind` names): a relation with the table's columns and a
   * unique row key. DuckDB scans the stage, made before the release's transaction, on all its
   * threads; the rows just written to the table, inside the open transaction, on fewer. For
   * detentions it serves the coverage, the dictionary and the sweep; the SQL passes read the table.
   */
  staged?: { kind: 'arrests' | 'detentions' } & RowSource;
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
  /** The unit the sweep read the times in (sweep-walk.ts's TimeScale), or undefined when the SQL passes derived the release. */
  sweepTimes?: 'seconds' | 'microseconds';
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

const TEMP = {
  days: 'foia_tmp_days',
  dict: 'foia_tmp_dict',
  nat: 'foia_tmp_national',
  slow: 'foia_tmp_slow',
  fix: 'foia_tmp_fix',
  corr: 'foia_tmp_corrections',
  deltas: 'foia_tmp_deltas',
  values: 'foia_tmp_values',
  bookIns: 'foia_tmp_book_ins',
};

/** The relation the stints are read from: the staged rows when they are stints, else the table. */
const stintsFrom = (options: RefreshOptions) => (options.staged?.kind === 'detentions' ? options.staged.from : 'foia_detention_stints');

export async function refreshDerived(db: Database, releaseId: string, options: RefreshOptions = {}): Promise<DerivedResult> {
  for (const t of DERIVED_TABLES) await db.run(`DELETE FROM ${t} WHERE release_id = $1`, [releaseId]);
  return { detentions: await refreshDetentions(db, releaseId, options), arrests: await refreshArrests(db, releaseId, options.staged?.kind === 'arrests' ? options.staged : undefined) };
}

async function refreshArrests(db: Database, releaseId: string, source?: RowSource): Promise<ArrestsDerived | null> {
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
       FROM (${dedupedArrestsSql('a.release_id = $1', source)}) k`,
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

interface StintCounts {
  n: number;
  noPerson: number;
  noStart: number;
}

/**
 * Row counts and the coverage from one scan: stints per book-in day and per book-out day
 * (GROUPING SETS), kept in TEMP.days.
 */
async function countsAndCoverage(db: Database, releaseId: string, options: RefreshOptions): Promise<{ counts: StintCounts; firstDay: string; lastDay: string } | null> {
  await db.exec(
    `CREATE OR REPLACE TEMP TABLE ${TEMP.days} AS
     SELECT GROUPING(i) = 1 AS is_out, coalesce(i, o) AS day, count(*) AS n, count(*) FILTER (WHERE person_id IS NULL) AS no_person
       FROM (SELECT CAST(book_in_at AS DATE) AS i, CAST(book_out_at AS DATE) AS o, person_id FROM ${stintsFrom(options)} WHERE release_id = $1)
      GROUP BY GROUPING SETS ((i), (o))`,
    [releaseId],
  );
  const row = await db.one(
    `WITH ins AS (SELECT * FROM ${TEMP.days} WHERE NOT is_out),
          outs AS (SELECT day, n FROM ${TEMP.days} WHERE is_out AND day IS NOT NULL),
          dated AS (SELECT day, sum(n) AS n FROM ${TEMP.days} WHERE day IS NOT NULL GROUP BY day)
     SELECT (SELECT coalesce(sum(n), 0) FROM ins) AS n, (SELECT coalesce(sum(no_person), 0) FROM ins) AS no_person,
            (SELECT coalesce(sum(n), 0) FROM ins WHERE day IS NULL) AS no_start,
            strftime(coalesce(CAST($2 AS DATE),
                              (SELECT min(day) FROM outs WHERE n >= ${ROBUST_SHARE} * (SELECT median(n) FROM outs)),
                              (SELECT min(day) FROM dated)), '%Y-%m-%d') AS first_day,
            strftime(coalesce(CAST($3 AS DATE),
                              (SELECT snapshot_date FROM releases WHERE release_id = $1),
                              (SELECT max(day) FROM dated WHERE n >= ${ROBUST_SHARE} * (SELECT median(n) FROM dated))), '%Y-%m-%d') AS last_day`,
    [releaseId, options.firstDay ?? null, options.lastDay ?? null],
  );
  const counts = { n: Number(row!.n), noPerson: Number(row!.no_person), noStart: Number(row!.no_start) };
  if (counts.n === 0) return null;
  if (row!.first_day === null || row!.last_day === null || (row!.first_day as string) > (row!.last_day as string)) return null;
  return { counts, firstDay: row!.first_day as string, lastDay: row!.last_day as string };
}

/** Dimensions as numbered in the temporary tables; the pass's table has a code column per breakdown. */
const DIMENSIONS = ['all', 'facility', ...ATTRIBUTED_DIMENSIONS];
const KINDS = ['any', 'midnight'];
const CODE_COLUMNS = DIMENSIONS.slice(1);
/** The label of a code as stored: the dictionary's, and 'all' for the national total. */
const labelsSql = (dict: string) => `(SELECT CAST(list_position(['${DIMENSIONS.join("', '")}'], dimension) - 1 AS INTEGER) AS dim, code, label FROM ${dict})`;

/**
 * The +1/-1 events of a table of effective ranges per (dim, code, kind, day): per dimension and kind
 * one aggregation of starts and one of ends. (GROUPING SETS were no faster, and neither was one
 * aggregation of starts for both kinds with a key of four columns.) `weight`: count(*), or sum() of
 * a column of ±1 for corrections. `starts` counts the non-empty ranges, so a value is seen when its
 * starts add up to more than zero.
 */
function eventsSql(table: string, weight: string): string {
  const w = `CAST(${weight} AS BIGINT)`;
  const agg = (dim: string, kind: number, from: string, end: string) => {
    const head = `SELECT ${DIMENSIONS.indexOf(dim)} AS dim, ${dim} AS code, ${kind} AS kind`;
    return `
    ${head}, ${from} AS day, ${w} AS delta, ${w} AS starts FROM ${table} WHERE ${from} <= ${end} GROUP BY ${dim}, ${from}
    UNION ALL ${head}, ${end} + 1, -${w}, 0 FROM ${table} WHERE ${from} <= ${end} GROUP BY ${dim}, ${end} + 1`;
  };
  return CODE_COLUMNS.flatMap((d) =>
    d === 'facility' ? [agg(d, 0, 'fa_from', 'a_end'), agg(d, 1, 'fm_from', 'm_end')] : [agg(d, 0, 'a_from', 'a_end'), agg(d, 1, 'm_from', 'm_end')],
  ).join('\n    UNION ALL');
}

/**
 * Every day of the coverage (0 … days-1) for every (dim, code) seen, both kinds, zeros included, so
 * a day with nobody held reads 0 instead of falling back to an older release. The running sum adds
 * DOUBLEs (exact for these counts, and without 128-bit sums several times faster).
 */
function dailyValuesSql(deltas: string, days: number): string {
  return `WITH k_ AS (SELECT dim, code FROM ${deltas} GROUP BY ALL HAVING sum(starts) > 0),
  d_ AS (SELECT dim, code, kind, day, CAST(sum(delta) AS DOUBLE) AS delta FROM ${deltas} WHERE day < ${days} GROUP BY ALL),
  g_ AS (SELECT k_.dim, k_.code, t.kind, CAST(cal.day AS INTEGER) AS day FROM k_ CROSS JOIN (VALUES (0), (1)) t(kind) CROSS JOIN range(${days}) cal(day))
  SELECT dim, code, kind, day, CAST(sum(coalesce(d_.delta, 0)) OVER (PARTITION BY dim, code, kind ORDER BY day) AS INTEGER) AS people
    FROM g_ LEFT JOIN d_ USING (dim, code, kind, day)`;
}

/**
 * The exact passes for the people the lag pass cannot count exactly: their stints (TEMP.fix) with
 * the national and per-facility effective starts recomputed, as corrections (TEMP.corr): each stint
 * once with the lag pass's starts and weight -1, once with the exact starts and weight +1.
 */
async function exactPasses(db: Database): Promise<number> {
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${TEMP.slow} AS SELECT DISTINCT person_key FROM ${TEMP.nat} WHERE inexact`);
  const slow = Number((await db.one(`SELECT count(*) AS n FROM ${TEMP.slow}`))!.n);
  if (slow === 0) return 0;
  await db.exec(
    `CREATE OR REPLACE TEMP TABLE ${TEMP.fix} AS
     SELECT row_number() OVER () AS sid, * FROM ${TEMP.nat} WHERE person_key IN (SELECT person_key FROM ${TEMP.slow})`,
  );
  // seq is the pass's order of a person's stints (book-in, then row), so it stands in for both
  const rows = `(SELECT sid, person_key, seq AS book_in_at, 0 AS ord, s_day, a_end, m_end, facility FROM ${TEMP.fix}) rows_`;
  const dims = CODE_COLUMNS.join(', ');
  await db.exec(
    `CREATE OR REPLACE TEMP TABLE ${TEMP.corr} AS
     SELECT ${dims}, a_end, m_end, a_from, m_from, fa_from, fm_from, -1 AS w FROM ${TEMP.fix}
     UNION ALL
     SELECT ${CODE_COLUMNS.map((d) => `x.${d}`).join(', ')}, x.a_end, x.m_end, n.a_from, n.m_from, f.a_from, f.m_from, 1
       FROM ${TEMP.fix} x
       JOIN (${nationalPassSql(rows, { perRelease: false, stays: false })}) n USING (sid)
       JOIN (${facilityPassSql(rows, { perRelease: false })}) f USING (sid)`,
  );
  return slow;
}

/** Per dimension the number of codes, and the narrowest unsigned type holding them (a narrower sort). */
async function dictionaryCodes(db: Database): Promise<{ counts: Record<StintDimension, number>; types: Record<StintDimension, string> }> {
  const rows = await db.all(`SELECT dimension, max(code) AS n FROM ${TEMP.dict} GROUP BY dimension`);
  const max = new Map(rows.map((r) => [r.dimension as string, Number(r.n)]));
  const type = (n: number) => (n < 256 ? 'UTINYINT' : n < 65536 ? 'USMALLINT' : 'UINTEGER');
  return {
    counts: Object.fromEntries(ALL_STINT_DIMENSIONS.map((d) => [d, (max.get(d) ?? 0) + 1])) as Record<StintDimension, number>,
    types: Object.fromEntries(ALL_STINT_DIMENSIONS.map((d) => [d, type(max.get(d) ?? 0)])) as Record<StintDimension, string>,
  };
}

/** The population: the sweep's daily values, stored with their labels (the pass's dimension and code numbers are the dictionary's). */
async function storeSweep(db: Database, releaseId: string, firstDay: string, sweep: SweepResult): Promise<number> {
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${TEMP.values} (dim INTEGER, code INTEGER, kind INTEGER, day INTEGER, people INTEGER)`);
  await db.appendIntegerColumns(TEMP.values, sweep.values.columns, sweep.values.rows, 'temp');
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${TEMP.bookIns} (dim INTEGER, code INTEGER, book_in INTEGER, n INTEGER)`);
  await db.appendIntegerColumns(TEMP.bookIns, sweep.bookIns.columns, sweep.bookIns.rows, 'temp');
  return insertPopulation(db, releaseId, firstDay, TEMP.values);
}

/** Stores daily values from `values` (dim, code, kind, day, people: the sweep's or the SQL passes'), with their labels. */
function insertPopulation(db: Database, releaseId: string, firstDay: string, values: string): Promise<number> {
  return db.run(
    `INSERT INTO foia_daily_population (release_id, day, dimension, dim_value, count_kind, people)
     SELECT $1, DATE '${firstDay}' + p.day, ['${DIMENSIONS.join("', '")}'][p.dim + 1], coalesce(d.label, 'all'), ['${KINDS.join("', '")}'][p.kind + 1], p.people
       FROM ${values} p
       LEFT JOIN ${labelsSql(TEMP.dict)} d USING (dim, code)`,
    [releaseId],
  );
}

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
  try {
    const cov = await countsAndCoverage(db, releaseId, options);
    step('coverage');
    if (!cov) return null;
    const { counts, firstDay, lastDay } = cov;
    await db.exec(`CREATE OR REPLACE TEMP TABLE ${TEMP.dict} AS ${dictionarySql('s.release_id = $1', stintsFrom(options))}`, [releaseId]);
    const codes = await dictionaryCodes(db);
    step('dictionary');
    const days = Math.round((Date.parse(lastDay) - Date.parse(firstDay)) / 86_400_000) + 1;
    const input = { firstDay, lastDay, dict: TEMP.dict, codeTypes: codes.types };
    const sweep =
      options.engine === 'sql'
        ? undefined
        : await sweepDerive(db, releaseId, {
            firstDay,
            lastDay,
            dict: TEMP.dict,
            dims: CODE_COLUMNS.map((name) => ({ name: name as StintDimension, codes: codes.counts[name as StintDimension] })),
            rowsHint: counts.n - counts.noStart,
            from: stintsFrom(options),
            ...options.sweep,
          });
    let populationRows: number;
    let bookInRows: number;
    let slow: number;
    if (sweep) {
      step('sweep');
      Object.assign(timings, sweep.timings);
      slow = sweep.peopleRecomputed;
      populationRows = await storeSweep(db, releaseId, firstDay, sweep);
      step('daily_values');
      bookInRows = await insertBookIns(db, releaseId, firstDay, `SELECT dim, code, book_in, n FROM ${TEMP.bookIns}`);
      step('book_ins');
    } else {
      await db.exec(`CREATE OR REPLACE TEMP TABLE ${TEMP.nat} AS ${lagPassSql('s.release_id = $1', input)}`, [releaseId]);
      step('lag_pass');
      slow = await exactPasses(db);
      step('exact_passes');
      await db.exec(`CREATE OR REPLACE TEMP TABLE ${TEMP.deltas} AS ${eventsSql(TEMP.nat, 'count(*)')}`);
      if (slow > 0) await db.exec(`INSERT INTO ${TEMP.deltas} ${eventsSql(TEMP.corr, 'sum(w)')}`);
      // the national total repeats an attributed dimension's events, which count every person-day once
      await db.exec(`INSERT INTO ${TEMP.deltas} SELECT 0, 0, kind, day, delta, starts FROM ${TEMP.deltas} WHERE dim = ${DIMENSIONS.indexOf(ATTRIBUTED_DIMENSIONS[0]!)}`);
      step('events');
      populationRows = await insertPopulation(db, releaseId, firstDay, `(${dailyValuesSql(TEMP.deltas, days)})`);
      step('daily_values');
      const perDay = CODE_COLUMNS.map(
        (d) => `SELECT ${DIMENSIONS.indexOf(d)} AS dim, ${d} AS code, book_in, count(*) AS n FROM ${TEMP.nat} WHERE book_in IS NOT NULL GROUP BY ${d}, book_in`,
      ).join('\n       UNION ALL ');
      bookInRows = await insertBookIns(db, releaseId, firstDay, perDay);
      step('book_ins');
    }
    const stays = Number(
      (await db.one(`SELECT coalesce(sum(book_ins), 0) AS n FROM foia_book_ins WHERE release_id = $1 AND stint_kind = 'initial' AND dimension = 'all'`, [releaseId]))!.n,
    );
    const ms = Math.round(performance.now() - t0);
    await db.run(
      `INSERT INTO foia_derived_coverage (release_id, kind, first_day, last_day, rows_total, rows_without_person, rows_without_start, units, people_recomputed, derive_ms, derived_at)
       VALUES ($1, 'detentions', CAST($2 AS DATE), CAST($3 AS DATE), $4, $5, $6, $7, $8, $9, current_timestamp)`,
      [releaseId, firstDay, lastDay, counts.n, counts.noPerson, counts.noStart, stays, slow, ms],
    );
    return {
      releaseId,
      firstDay,
      lastDay,
      rows: counts.n,
      rowsWithoutPerson: counts.noPerson,
      rowsWithoutStart: counts.noStart,
      stays,
      peopleRecomputed: slow,
      populationRows,
      bookInRows,
      sweepTimes: sweep?.timeScale,
      timings,
    };
  } finally {
    for (const t of Object.values(TEMP)) await db.exec(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
  }
}

/**
 * Book-ins per month from `perDay` (dim, code, book_in, n: stints per breakdown value and book-in code,
 * the pass's or the sweep's): 'initial' (begins a stay, dated by the stay's start) or 'transfer',
 * nationally and per breakdown, only inside the coverage: summed by month (small). The national
 * count repeats the facility breakdown's.
 */
async function insertBookIns(db: Database, releaseId: string, firstDay: string, perDay: string): Promise<number> {
  return db.run(
    `INSERT INTO foia_book_ins (release_id, month, stint_kind, dimension, dim_value, book_ins)
     WITH days_ AS MATERIALIZED (${perDay})
     SELECT $1, b.month, b.stint_kind, ['${DIMENSIONS.join("', '")}'][b.dim + 1], coalesce(d.label, 'all'), b.n
       FROM (SELECT dim, code, CAST(date_trunc('month', DATE '${firstDay}' + CAST(book_in // 2 AS INTEGER)) AS DATE) AS month,
                    CASE WHEN book_in % 2 = 1 THEN 'initial' ELSE 'transfer' END AS stint_kind, CAST(sum(n) AS INTEGER) AS n
               FROM (SELECT * FROM days_ UNION ALL SELECT 0, 0, book_in, n FROM days_ WHERE dim = ${DIMENSIONS.indexOf('facility')})
              GROUP BY ALL) b
       LEFT JOIN ${labelsSql(TEMP.dict)} d USING (dim, code)`,
    [releaseId],
  );
}
