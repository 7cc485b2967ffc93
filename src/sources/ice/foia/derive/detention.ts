/**
 * Detention stints → stays → daily population, as SQL over `foia_detention_stints`.
 *
 * Rules (docs/sources/ice-foia-derived.md has the reasoning and the caveats):
 * - Coverage of a release: from its earliest book-out date (ICE's extracts hold every stint in custody
 *   during the period, so people booked in earlier appear with their old book-in; the earliest book-out
 *   is where the period starts) to its snapshot date (`releases.snapshot_date`, else the last date in
 *   the data). Days outside it are not counted. Open stints (no book-out) count up to and including
 *   the last day.
 * - `any`: a person counts on day d when a stint has book_in::date <= d <= book_out::date
 *   (a book-out before the book-in counts the book-in day only, as DDP does).
 * - `midnight`: DDP's n_detained_at_midnight, the midnight at the END of day d:
 *   book_in < d+1 <= book_out, i.e. book_in::date <= d <= book_out::date - 1. Someone booked in and
 *   out on the same day counts in `any` but not in `midnight`.
 * - People, not stints: a person (person_id; each row without one is its own person, as DDP's
 *   "noid_" rows) counts once per day nationally and once per facility. For aor, criminality and
 *   citizenship (stint attributes) each person-day is attributed to ONE stint, the first by book-in
 *   that covers the day, so those breakdowns add up to the national count.
 * - Stays: with ICE's `Stay Book In Date Time`, stints sharing it are one stay; without it, a stint
 *   continues the stay of the person's previous stint (by book-in) when that stint is still open or
 *   was booked out at most STAY_LINK_MINUTES before this book-in. A stint is an initial book-in when
 *   it begins a stay and is booked in at the stay's start.
 *
 * Distinct counting without a person × day expansion: within a partition (person nationally, person
 * and facility per facility) stints are ordered by book-in; the part of a stint's day range not already
 * covered by an earlier stint is [max(start, running max of earlier ends + 1), end] (every earlier
 * stint starts no later, so what they cover from this start on is one range). Those effective ranges
 * never overlap, so +1/-1 events at their ends, summed and accumulated per day, count people.
 * The exact passes here take the running max with a framed window; refresh.ts gets the same result
 * from one sort with lag() for the people whose stint ends never decrease (nearly everyone).
 */

/** A stint without ICE's stay start continues a stay when booked in at most this long after the previous book-out. */
export const STAY_LINK_MINUTES = 15;

/** Canonical stint column for each breakdown of the population, book-ins and stays. */
export const STINT_DIMENSIONS = {
  facility: 'facility_code',
  aor: 'aor',
  criminality: 'criminality',
  citizenship: 'citizenship_country',
} as const;
export type StintDimension = keyof typeof STINT_DIMENSIONS;
export const ALL_STINT_DIMENSIONS = Object.keys(STINT_DIMENSIONS) as StintDimension[];

/** Dimensions attributed to one stint per person-day (they add up to the national count). */
export const ATTRIBUTED_DIMENSIONS: StintDimension[] = ['aor', 'criminality', 'citizenship'];

/**
 * A dimension value as shown: the value, or '(redacted)' when the cell held a FOIA exemption code,
 * or '(blank)' (NULL or empty). `redacted` lists canonical column names (see schema.sql).
 */
export function labelSql(expr: string, canonical: string): string {
  return `CASE WHEN ${expr} <> '' THEN ${expr} WHEN list_contains(redacted, '${canonical}') THEN '(redacted)' ELSE '(blank)' END`;
}

/** The key that stands for a person: ICE's identifier, or '#sheet#row' (the row itself) when there is none. */
export const PERSON_KEY_SQL = `coalesce(s.person_id, '#' || coalesce(s.sheet, '') || '#' || CAST(s."row" AS VARCHAR))`;

export interface StintRowsOptions {
  /** Breakdown columns to carry (fewer columns make the sorts cheaper). */
  dims?: StintDimension[];
}

/** Tie-break of stints with the same book-in: row, then sheet (its hash, repeatable), in one BIGINT. */
export const ORD_SQL = `CAST(s."row" AS BIGINT) * 1024 + CAST(hash(coalesce(s.sheet, '')) % 1021 AS BIGINT)`;

/**
 * One row per stint with a book-in, with the day ranges it covers inside its release's coverage
 * (`cov`: release_id, first_day, last_day): `any` [s_day, a_end], `midnight` [s_day, m_end]; a range
 * is empty when its end is before its start. `where` filters foia_detention_stints (alias s).
 */
export function stintRowsSql(where: string, cov: string, options: StintRowsOptions = {}): string {
  const dims = options.dims ?? ALL_STINT_DIMENSIONS;
  const labels = dims.map((name) => `${labelSql(`s.${STINT_DIMENSIONS[name]}`, STINT_DIMENSIONS[name])} AS ${name},`).join('\n         ');
  return `SELECT s.release_id, s.sheet, s."row", s.rowid AS stint_rowid, ${ORD_SQL} AS ord, ${PERSON_KEY_SQL} AS person_key,
         s.stay_book_in_at, s.book_in_at, s.book_out_at,
         ${labels}
         c.first_day, c.last_day,
         greatest(CAST(s.book_in_at AS DATE), c.first_day) AS s_day,
         least(greatest(coalesce(CAST(s.book_out_at AS DATE), c.last_day), CAST(s.book_in_at AS DATE)), c.last_day) AS a_end,
         CASE WHEN s.book_out_at IS NULL THEN c.last_day ELSE least(CAST(s.book_out_at AS DATE) - 1, c.last_day) END AS m_end
    FROM foia_detention_stints s JOIN (${cov}) c USING (release_id)
   WHERE s.book_in_at IS NOT NULL AND (${where})`;
}

/** Stints of a person in book-in order; `ord` (row, then sheet) makes the order total and repeatable. */
export const STINT_ORDER = `ORDER BY book_in_at, ord`;

/** Effective start of a range given the latest earlier end (NULL: none). */
export function fromSql(prev: string): string {
  return `CASE WHEN ${prev} IS NULL OR ${prev} < s_day THEN s_day ELSE ${prev} + 1 END`;
}

/**
 * Whether a stint begins a stay, and whether it is an initial book-in (it begins the stay AND is
 * booked in at the stay's start: a stint that begins a stay whose first stint is not in the file is
 * a book-in after a transfer). `prevOut` / `prevStay` / `hasPrev`: the previous stint's book-out and
 * stay start, and whether there is one.
 */
export function stayFlagsSql(hasPrev: string, prevOut: string, prevStay: string): string {
  const newStay = `CASE WHEN stay_book_in_at IS NOT NULL THEN NOT ${hasPrev} OR ${prevStay} IS DISTINCT FROM stay_book_in_at
            ELSE NOT ${hasPrev} OR (${prevOut} IS NOT NULL AND book_in_at > ${prevOut} + INTERVAL ${STAY_LINK_MINUTES} MINUTE) END`;
  return `${newStay} AS new_stay,
       (${newStay}) AND (stay_book_in_at IS NULL OR book_in_at <= stay_book_in_at + INTERVAL ${STAY_LINK_MINUTES} MINUTE) AS initial_book_in`;
}

const partition = (perRelease: boolean, extra = '') => `PARTITION BY ${perRelease ? 'release_id, ' : ''}person_key${extra}`;

/**
 * The exact national pass over stint rows (a table, CTE or parenthesised subquery with an alias):
 * effective ranges (a_from, m_from) and, unless `stays` is false, the stay flags. `perRelease`
 * false: rows of one release, which leaves release_id out of the sort.
 */
export function nationalPassSql(rows: string, options: { perRelease?: boolean; stays?: boolean } = {}): string {
  const stays = options.stays !== false;
  return `SELECT *, ${fromSql('a_prev')} AS a_from, ${fromSql('m_prev')} AS m_from${stays ? `,
       ${stayFlagsSql('prev IS NOT NULL', 'prev.o', 'prev.y')}` : ''}
  FROM (SELECT *, max(a_end) OVER w AS a_prev, max(m_end) OVER w AS m_prev${stays ? `,
               lag({o: book_out_at, y: stay_book_in_at}) OVER w AS prev` : ''}
          FROM ${rows}
        WINDOW w AS (${partition(options.perRelease !== false)} ${STINT_ORDER} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))`;
}

/**
 * Labels of the stints matching `where` (in `from`, a relation with foia_detention_stints' columns) as dense codes: (dimension, label, code), codes from 0 in
 * label order per dimension: small integers (a byte for most breakdowns) keep the sorted rows and
 * the pass's table narrow, and are decoded through this table when the results are stored.
 */
export function dictionarySql(where: string, from = 'foia_detention_stints'): string {
  const cols = ALL_STINT_DIMENSIONS.map((d) => `${labelSql(`s.${STINT_DIMENSIONS[d]}`, STINT_DIMENSIONS[d])} AS ${d}`).join(', ');
  // GROUPING() is a bit mask of the columns not grouped, the first argument the highest bit
  const which = ALL_STINT_DIMENSIONS.map((d, i) => `WHEN ${15 - (8 >> i)} THEN '${d}'`).join(' ');
  return `SELECT dimension, label, row_number() OVER (PARTITION BY dimension ORDER BY label) - 1 AS code
    FROM (SELECT CASE GROUPING(${ALL_STINT_DIMENSIONS.join(', ')}) ${which} END AS dimension, coalesce(${ALL_STINT_DIMENSIONS.join(', ')}) AS label
            FROM (SELECT ${cols} FROM ${from} s WHERE ${where})
           GROUP BY GROUPING SETS (${ALL_STINT_DIMENSIONS.map((d) => `(${d})`).join(', ')}))`;
}

/** What the one-sort pass needs besides the stints: the coverage and the label codes. */
export interface LagPassInput {
  /** First and last day of the coverage, YYYY-MM-DD (as read back from DuckDB, so safe to inline). */
  firstDay: string;
  lastDay: string;
  /** Table of dictionarySql's codes. */
  dict: string;
  /** SQL type of each dimension's codes (the narrowest that holds them). */
  codeTypes: Record<StintDimension, string>;
}

/**
 * The national pass with one sort (refresh.ts), over the stints matching `where` with a book-in: per
 * stint, in book-in order per person (`seq`), the breakdown codes, the day ranges (s_day, a_end,
 * m_end), the national effective starts (a_from, m_from), the per-facility ones (fa_from, fm_from),
 * `book_in` and `inexact`.
 *
 * When a person's stint ends (both kinds) never decrease in book-in order, the latest earlier end is
 * the previous stint's; and unless the stint two back still covers this start, only the previous
 * stint can overlap it, so the same-facility latest end is the previous stint's when it was in the
 * same facility. `inexact` marks the rows where either assumption fails (nested or duplicated
 * stints, a return to a facility on the day of leaving it, overlapping stays): refresh.ts recomputes
 * every stint of those people with the exact passes.
 *
 * How it is made cheap (10 million stints):
 * - One window, lag() of a struct: the previous stint's ends, facility and stay times together. The
 *   window (partitioned by person) is sorted and evaluated in parallel; an ORDER BY followed by
 *   lag() OVER () costs about the same CPU here but runs its second half on one thread, and leans on
 *   the order DuckDB happens to stream rows in.
 * - Everything that needs no other row is computed before the sort, in parallel: times as epoch
 *   microseconds (the stay rule's 15 minutes become an integer addition), the book-in day a stint
 *   has as an initial and as a transfer book-in, whether it is booked in at its stay's start.
 * - Breakdown values travel as small dense codes, days as integers counted from the coverage's
 *   first day (0).
 * `seq` numbers a person's stints in book-in order. `book_in` dates the stint as a book-in, NULL
 * outside the coverage: 2 × its day + 1 for an initial book-in (dated by its stay's start), 2 × its
 * day for a transfer (dated by its own book-in).
 */
export function lagPassSql(where: string, input: LagPassInput): string {
  // fromSql's rule: greatest() passes over the NULL of a first stint or another facility
  const from = (end: string, sameFacility = false) => `greatest(s_day, ${sameFacility ? `CASE WHEN p.f = facility THEN ${end} + 1 END` : `${end} + 1`})`;
  // stayFlagsSql's rule on integers: a new stay unless the previous stint has the same stay start or,
  // without one, was booked out at most STAY_LINK_MINUTES before this book-in
  const newStay = `(p IS NULL OR CASE WHEN t_stay IS NOT NULL THEN p.y IS DISTINCT FROM t_stay ELSE p.l IS NOT NULL AND t_in > p.l END)`;
  // p: the person's previous stint (NULL for the first); p2: the one before
  return `SELECT seq, person_key, ${ALL_STINT_DIMENSIONS.join(', ')}, s_day, a_end, m_end,
       ${from('p.a')} AS a_from, ${from('p.m')} AS m_from, ${from('p.a', true)} AS fa_from, ${from('p.m', true)} AS fm_from,
       coalesce(p.a > a_end OR p.m > m_end OR a2 >= s_day, false) AS inexact,
       CASE WHEN ${newStay} AND at_stay_start THEN 2 * day_initial + 1 ELSE 2 * day_transfer END AS book_in
  FROM (SELECT *, lag({a: a_end, m: m_end, f: facility, l: t_link, y: t_stay}) OVER w AS p, lag(a_end, 2) OVER w AS a2,
               CAST(row_number() OVER w AS INTEGER) AS seq
          FROM (${stintPassRowsSql(where, input)})
        WINDOW w AS (PARTITION BY person_key ORDER BY t_in, ord))`;
}

/**
 * The stints matching `where` with a book-in, as the one-sort pass reads them (unsorted): the
 * person's 64-bit hash (person_key), book-in and stay start as epoch microseconds (t_in, t_stay),
 * the book-out plus STAY_LINK_MINUTES (t_link), the tie-break `ord`, whether it is booked in at its
 * stay's start, the book-in day as an initial and as a transfer book-in (NULL outside the coverage),
 * the breakdown codes and the day ranges (s_day, a_end, m_end) counted from the coverage's first day.
 */
export function stintPassRowsSql(where: string, input: LagPassInput): string {
  const first = `DATE '${input.firstDay}'`;
  const last = `DATE '${input.lastDay}'`;
  const day = (d: string) => `CAST(${d} - ${first} AS INTEGER)`;
  const covered = (t: string) => `CASE WHEN CAST(${t} AS DATE) BETWEEN ${first} AND ${last} THEN ${day(`CAST(${t} AS DATE)`)} END`;
  const codes = ALL_STINT_DIMENSIONS.map((d) => `CAST(${d}_.code AS ${input.codeTypes[d]}) AS ${d}`).join(', ');
  const joins = ALL_STINT_DIMENSIONS.map(
    (d) => `JOIN (SELECT label, code FROM ${input.dict} WHERE dimension = '${d}') ${d}_ ON ${d}_.label = ${labelSql(`s.${STINT_DIMENSIONS[d]}`, STINT_DIMENSIONS[d])}`,
  ).join('\n         ');
  const link = `${STAY_LINK_MINUTES * 60_000_000}`;
  return `SELECT hash(${PERSON_KEY_SQL}) AS person_key, epoch_us(s.book_in_at) AS t_in, ${ORD_SQL} AS ord,
         epoch_us(s.book_out_at) + ${link} AS t_link, epoch_us(s.stay_book_in_at) AS t_stay,
         s.stay_book_in_at IS NULL OR epoch_us(s.book_in_at) <= epoch_us(s.stay_book_in_at) + ${link} AS at_stay_start,
         ${covered('coalesce(s.stay_book_in_at, s.book_in_at)')} AS day_initial, ${covered('s.book_in_at')} AS day_transfer,
         ${codes},
         ${day(`greatest(CAST(s.book_in_at AS DATE), ${first})`)} AS s_day,
         ${day(`least(greatest(coalesce(CAST(s.book_out_at AS DATE), ${last}), CAST(s.book_in_at AS DATE)), ${last})`)} AS a_end,
         ${day(`CASE WHEN s.book_out_at IS NULL THEN ${last} ELSE least(CAST(s.book_out_at AS DATE) - 1, ${last}) END`)} AS m_end
    FROM foia_detention_stints s
         ${joins}
   WHERE s.book_in_at IS NOT NULL AND (${where})`;
}

/** The exact per-facility pass: effective ranges (a_from, m_from) per person and facility. */
export function facilityPassSql(rows: string, options: { perRelease?: boolean } = {}): string {
  return `SELECT *, ${fromSql('a_prev')} AS a_from, ${fromSql('m_prev')} AS m_from
  FROM (SELECT *, max(a_end) OVER w AS a_prev, max(m_end) OVER w AS m_prev
          FROM ${rows}
        WINDOW w AS (${partition(options.perRelease !== false, ', facility')} ${STINT_ORDER} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))`;
}

/** The columns holding the effective starts of the `any` and `midnight` ranges. */
export interface EventColumns {
  aFrom: string;
  mFrom: string;
}

/**
 * +1/-1 events of effective ranges (a table or CTE name: it is read four times), summed per key
 * and day: [release_id,] <keys>, count_kind, day, delta. `groupingSets`, when given, computes several
 * key sets in one scan (keys absent from a set come out NULL). `perRelease` false: no release_id.
 */
export function deltasSql(
  pass: string,
  keys: string[],
  options: { groupingSets?: string[][]; perRelease?: boolean; columns?: EventColumns } = {},
): string {
  const rel = options.perRelease === false ? [] : ['release_id'];
  const { aFrom, mFrom } = options.columns ?? { aFrom: 'a_from', mFrom: 'm_from' };
  const k = [...rel, ...keys].map((c) => c + ', ').join('');
  const groupBy = (day: string) =>
    options.groupingSets
      ? `GROUP BY GROUPING SETS (${options.groupingSets.map((set) => `(${[...rel, ...set, day].join(', ')})`).join(', ')})`
      : `GROUP BY ${k}${day}`;
  const part = (kind: string, day: string, sign: string, ok: string) =>
    `SELECT ${k}'${kind}' AS count_kind, ${day} AS day, ${sign}count(*) AS delta FROM ${pass} WHERE ${ok} ${groupBy(day)}`;
  return `SELECT ${k}count_kind, day, sum(delta) AS delta FROM (
    ${part('any', aFrom, '', `${aFrom} <= a_end`)}
    UNION ALL ${part('any', 'a_end + 1', '-', `${aFrom} <= a_end`)}
    UNION ALL ${part('midnight', mFrom, '', `${mFrom} <= m_end`)}
    UNION ALL ${part('midnight', 'm_end + 1', '-', `${mFrom} <= m_end`)})
  GROUP BY ALL`;
}

/**
 * Daily values from deltas (a table or CTE name with release_id, <keys>, count_kind, day, delta;
 * a key and day may appear more than once):
 * every day of the coverage (`cov`: release_id, first_day, last_day) for every key seen, zeros
 * included, so a day with nobody held reads 0 instead of falling back to an older release.
 * Keys are numbered first, and the running sum adds DOUBLEs (exact for these counts): partitioned by
 * one integer and without 128-bit sums, it is several times faster.
 */
export function fillSql(deltas: string, keys: string[], cov: string): string {
  const using = ['release_id', ...keys, 'count_kind'].join(', ');
  return `WITH k_ AS (SELECT keys.*, kind.count_kind, row_number() OVER () AS kid
                FROM (SELECT DISTINCT release_id${keys.map((c) => ', ' + c).join('')} FROM ${deltas}) keys
               CROSS JOIN (VALUES ('any'), ('midnight')) kind(count_kind)),
  d_ AS (SELECT k_.kid, d.day, CAST(sum(d.delta) AS DOUBLE) AS delta FROM ${deltas} d JOIN k_ USING (${using}) GROUP BY ALL),
  g_ AS (SELECT k_.kid, cal.day
           FROM k_ JOIN (SELECT release_id, CAST(unnest(generate_series(first_day, last_day, INTERVAL 1 DAY)) AS DATE) AS day FROM (${cov})) cal USING (release_id)),
  v_ AS (SELECT g_.kid, g_.day, sum(coalesce(d_.delta, 0)) OVER (PARTITION BY g_.kid ORDER BY g_.day) AS people
           FROM g_ LEFT JOIN d_ USING (kid, day))
  SELECT k_.release_id, v_.day, ${keys.map((c) => `k_.${c}, `).join('')}k_.count_kind, CAST(v_.people AS INTEGER) AS people
    FROM v_ JOIN k_ USING (kid)`;
}

/**
 * Daily population for any set of breakdowns, computed from the stints (the metric's path for
 * breakdowns that are not materialised): release_id, day, <dims>, count_kind, people. With
 * `facility` among the dims the per-facility pass is used, and the other dims are attributed within
 * each facility; otherwise the national pass.
 */
export function dailyPopulationSql(where: string, cov: string, dims: StintDimension[]): string {
  const pass = dims.includes('facility') ? facilityPassSql('rows_') : nationalPassSql('rows_');
  return `WITH rows_ AS (${stintRowsSql(where, cov, { dims })}),
  pass_ AS MATERIALIZED (${pass}),
  deltas_ AS MATERIALIZED (${deltasSql('pass_', dims)})
  SELECT * FROM (${fillSql('deltas_', dims, cov)})`;
}

/**
 * Book-ins per month for any set of breakdowns, computed from the stints (the metric's path for
 * breakdowns that are not materialised): release_id, month, <dims>, stint_kind, book_ins.
 * 'initial' book-ins are dated by the stay's start, 'transfer' ones by their own book-in; only those
 * inside the coverage count.
 */
export function bookInsSql(where: string, cov: string, dims: StintDimension[]): string {
  return `WITH rows_ AS (${stintRowsSql(where, cov, { dims })})
  SELECT p.release_id, CAST(date_trunc('month', p.t) AS DATE) AS month, ${dims.map((d) => `p.${d}, `).join('')}p.stint_kind, count(*) AS book_ins
    FROM (SELECT *, CASE WHEN initial_book_in THEN 'initial' ELSE 'transfer' END AS stint_kind,
                 CASE WHEN initial_book_in THEN coalesce(stay_book_in_at, book_in_at) ELSE book_in_at END AS t
            FROM (${nationalPassSql('rows_')})) p
    JOIN (${cov}) c USING (release_id)
   WHERE CAST(p.t AS DATE) BETWEEN c.first_day AND c.last_day
   GROUP BY ALL`;
}

/**
 * One row per stay (the stay rule above) of the stints matching `where`: release, person, start
 * (ICE's stay start, else the first book-in), last book-out (NULL while held), number of stints,
 * whether it began with an initial book-in, and the first stint's provenance and attributes. For
 * reading and checking: the metrics read the tables refreshDerived fills.
 */
export function staysSql(where: string, cov: string): string {
  const first = (col: string) => `arg_min(${col}, (book_in_at, ord))`;
  return `WITH rows_ AS (${stintRowsSql(where, cov)}),
  flagged AS (SELECT *, sum(CASE WHEN new_stay THEN 1 ELSE 0 END) OVER (PARTITION BY release_id, person_key ${STINT_ORDER}) AS stay_seq
                FROM (${nationalPassSql('rows_')}))
  SELECT release_id, person_key, stay_seq, NOT starts_with(person_key, '#') AS has_person_id,
         ${first('coalesce(stay_book_in_at, book_in_at)')} AS stay_start,
         CASE WHEN bool_or(book_out_at IS NULL) THEN NULL ELSE max(book_out_at) END AS stay_end,
         count(*) AS stints, bool_or(initial_book_in) AS initial_book_in,
         ${first('sheet')} AS sheet, ${first('"row"')} AS "row",
         ${ALL_STINT_DIMENSIONS.map((d) => `${first(d)} AS ${d}`).join(', ')}
    FROM flagged
   GROUP BY release_id, person_key, stay_seq`;
}
