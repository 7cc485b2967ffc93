import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { FOIA_METRICS } from '../../src/metrics/foia.js';
import { parseQuery, type RawQuery } from '../../src/metrics/params.js';
import { runMetric } from '../../src/metrics/query.js';
import { dedupedArrestsSql } from '../../src/sources/ice/foia/derive/arrests.js';
import { ALL_STINT_DIMENSIONS, bookInsSql, dailyPopulationSql, staysSql } from '../../src/sources/ice/foia/derive/detention.js';
import { refreshDerived } from '../../src/sources/ice/foia/derive/refresh.js';
import { tempStore, type TempStore } from '../helpers/ingest-fixtures.js';

const FOIA = join(import.meta.dirname, '..', '..', 'src', 'sources', 'ice', 'foia');
const ARRESTS = 'a00000000001';
const DETENTIONS = 'd00000000001';
const A = 'FACA';
const B = 'FACB';
const OTHER = '3 Other Immigration Violator';
const CONVICTED = '1 Convicted Criminal';

let store: TempStore;
let db: Database;

async function release(id: string, source: string, snapshot: string): Promise<void> {
  await db.run(
    `INSERT INTO releases (release_id, source_id, sha256, bytes, snapshot_date, ingested_at) VALUES ($1, $2, $1, 0, CAST($3 AS DATE), current_timestamp)`,
    [id, source, snapshot],
  );
}

type Cell = string | number | null;

/** Arrests: [person, apprehension time, method, aor]. */
const arrests: Array<[string | null, string | null, string, string]> = [
  // P1: twice 12 h apart → one arrest
  ['P1', '2025-01-10 08:00:00', 'Located', 'Houston'],
  ['P1', '2025-01-10 20:00:00', 'Located', 'Houston'],
  // P2: 25 h apart → two arrests
  ['P2', '2025-01-10 08:00:00', 'Located', 'Miami'],
  ['P2', '2025-01-11 09:00:00', 'Located', 'Miami'],
  // P3: the reprocessed copy comes first, the arrest 4 h later → one arrest, the 'Located' row kept
  ['P3', '2025-01-12 06:00:00', 'ERO Reprocessed Arrest', 'Houston'],
  ['P3', '2025-01-12 10:00:00', 'Located', 'Houston'],
  // P4: three arrests 20 h apart (first to third 40 h): each within 24 h of the previous → one arrest
  ['P4', '2025-01-13 00:00:00', 'CAP Local Incarceration', 'Miami'],
  ['P4', '2025-01-13 20:00:00', 'CAP Local Incarceration', 'Miami'],
  ['P4', '2025-01-14 16:00:00', 'CAP Local Incarceration', 'Miami'],
  // P5: exactly 24 h apart → one arrest (a gap of 24 h stays in the arrest)
  ['P5', '2025-01-15 00:00:00', 'Located', 'Miami'],
  ['P5', '2025-01-16 00:00:00', 'Located', 'Miami'],
  // no person id: never linked, both kept
  [null, '2025-01-10 09:00:00', 'Located', 'Houston'],
  [null, '2025-01-10 09:00:00', 'Located', 'Houston'],
  // a person but no date: kept as an arrest of its own, in no period
  ['P6', null, 'Located', 'Houston'],
];

/** Stints: [person, facility, book in, book out (null: still held), stay book in, criminality]. */
const stints: Array<[string | null, string, string, string | null, string | null, string]> = [
  ['U', A, '2025-02-25 10:00:00', '2025-03-01 09:00:00', null, OTHER], // the earliest book-out: coverage starts 03-01
  ['X', A, '2025-03-01 22:00:00', '2025-03-02 08:00:00', null, OTHER], // crosses midnight
  ['V1', B, '2025-03-02 10:00:00', '2025-03-03 10:00:00', null, OTHER], // two people in one facility
  ['V2', B, '2025-03-02 10:00:00', '2025-03-03 10:00:00', null, OTHER],
  ['Y', A, '2025-03-03 09:00:00', '2025-03-03 17:00:00', null, OTHER], // in and out the same day
  ['Z', A, '2025-03-04 08:00:00', '2025-03-05 10:00:00', '2025-03-04 08:00:00', CONVICTED], // transfer A → B on 03-05
  ['Z', B, '2025-03-05 10:05:00', '2025-03-06 12:00:00', '2025-03-04 08:00:00', OTHER],
  ['T', A, '2025-03-06 08:00:00', '2025-03-06 09:00:00', null, OTHER], // no stay start: 10 min later → same stay
  ['T', B, '2025-03-06 09:10:00', '2025-03-06 18:00:00', null, OTHER],
  ['S', A, '2025-03-07 08:00:00', '2025-03-07 09:00:00', null, OTHER], // back in A 60 min later → a new stay
  ['S', A, '2025-03-07 10:00:00', '2025-03-07 11:00:00', null, OTHER],
  ['W', B, '2025-03-08 12:00:00', null, null, OTHER], // open: counted up to the snapshot 03-10
  ['N', B, '2025-03-08 00:00:00', '2025-03-09 23:00:00', null, OTHER], // an A stint nested inside a B stint
  ['N', A, '2025-03-08 12:00:00', '2025-03-08 13:00:00', null, OTHER],
  [null, A, '2025-03-09 10:00:00', '2025-03-09 11:00:00', null, OTHER], // no person id: a person of its own
];

before(async () => {
  store = tempStore();
  db = await Database.open(store.dbPath, {
    schemas: [readFileSync(join(FOIA, 'schema.sql'), 'utf8'), readFileSync(join(FOIA, 'derived.sql'), 'utf8')],
  });
  await release(ARRESTS, 'ice.foia-arrests', '2025-01-31');
  await release(DETENTIONS, 'ice.foia-detentions', '2025-03-10');
  await db.append(
    'foia_arrests',
    arrests.map(([person, at, method, aor], i): Record<string, Cell> => ({
      release_id: ARRESTS,
      sheet: 'Admin Arrests',
      row: 8 + i,
      apprehension_at: at,
      apprehension_date: at?.slice(0, 10) ?? null,
      aor: `${aor} Area of Responsibility`,
      apprehension_method: method,
      criminality: OTHER,
      citizenship_country: 'MEXICO',
      person_id: person,
    })),
  );
  await db.append(
    'foia_detention_stints',
    stints.map(([person, facility, bookIn, bookOut, stay, criminality], i): Record<string, Cell> => ({
      release_id: DETENTIONS,
      sheet: 'Detentions',
      row: 8 + i,
      stay_book_in_at: stay,
      book_in_at: bookIn,
      book_out_at: bookOut,
      facility_code: facility,
      criminality,
      citizenship_country: 'GUATEMALA',
      aor: 'Houston Area of Responsibility',
      person_id: person,
    })),
  );
  await db.transaction(() => refreshDerived(db, DETENTIONS));
  await db.transaction(() => refreshDerived(db, ARRESTS));
});

after(() => {
  db?.close();
  store?.remove();
});

async function metric(id: string, raw: RawQuery) {
  const def = FOIA_METRICS.find((m) => m.id === id)!;
  return (await runMetric(db, def, parseQuery(def, raw))).rows;
}

const DAYS = ['03-01', '03-02', '03-03', '03-04', '03-05', '03-06', '03-07', '03-08', '03-09', '03-10'].map((d) => `2025-${d}`);

/** Values per day of the coverage, from rows with `period`, `value` and the given key. */
function series(rows: Array<Record<string, unknown>>, key?: string, value?: string): number[] {
  return DAYS.map((day) => {
    const r = rows.find((x) => x.period === day && (key === undefined || x[key] === value));
    return r ? (r.value as number) : Number.NaN;
  });
}

describe('arrests: de-duplication', () => {
  test('the rule on hand-built cases', async () => {
    const kept = await db.all(
      `SELECT person_id, strftime(arrest_at, '%Y-%m-%d %H:%M') AS at, apprehension_method AS method, "row", cluster_rows, has_person_id
         FROM (${dedupedArrestsSql(`a.release_id = '${ARRESTS}'`)}) ORDER BY person_id NULLS LAST, arrest_at, "row"`,
    );
    assert.deepEqual(kept, [
      // 12 h apart: one arrest, the first row kept, two rows merged
      { person_id: 'P1', at: '2025-01-10 08:00', method: 'Located', row: 8, cluster_rows: 2, has_person_id: true },
      // 25 h apart: two arrests
      { person_id: 'P2', at: '2025-01-10 08:00', method: 'Located', row: 10, cluster_rows: 1, has_person_id: true },
      { person_id: 'P2', at: '2025-01-11 09:00', method: 'Located', row: 11, cluster_rows: 1, has_person_id: true },
      // reprocessed (row 12, earlier) + normal (row 13) within 24 h: one arrest, the normal row kept
      { person_id: 'P3', at: '2025-01-12 10:00', method: 'Located', row: 13, cluster_rows: 2, has_person_id: true },
      // chain of three, 20 h apart: gaps to the previous arrest are 20 h and 20 h, so one arrest of three rows
      { person_id: 'P4', at: '2025-01-13 00:00', method: 'CAP Local Incarceration', row: 14, cluster_rows: 3, has_person_id: true },
      // exactly 24 h apart: still one arrest
      { person_id: 'P5', at: '2025-01-15 00:00', method: 'Located', row: 17, cluster_rows: 2, has_person_id: true },
      // no date: alone
      { person_id: 'P6', at: null, method: 'Located', row: 21, cluster_rows: 1, has_person_id: true },
      // no person id: both kept, flagged
      { person_id: null, at: '2025-01-10 09:00', method: 'Located', row: 19, cluster_rows: 1, has_person_id: false },
      { person_id: null, at: '2025-01-10 09:00', method: 'Located', row: 20, cluster_rows: 1, has_person_id: false },
    ]);
  });

  test('refreshDerived stores them, with the kept row and the labels', async () => {
    // 9 arrests: the 8 above with a date and P6's; 14 rows, 2 without a person, 1 without a date
    assert.deepEqual(
      await db.one(`SELECT rows_total, rows_without_person, rows_without_start, units FROM foia_derived_coverage WHERE release_id = $1`, [ARRESTS]),
      { rows_total: 14, rows_without_person: 2, rows_without_start: 1, units: 9 },
    );
    const p3 = await db.one(`SELECT sheet, "row", method, aor, cluster_rows FROM foia_arrests_deduped WHERE release_id = $1 AND "row" = 13`, [ARRESTS]);
    assert.deepEqual(p3, { sheet: 'Admin Arrests', row: 13, method: 'Located', aor: 'Houston Area of Responsibility', cluster_rows: 2 });
  });

  test('foia.arrests counts de-duplicated arrests and shows has_person_id', async () => {
    // 1 (P1) + 2 (P2) + 1 (P3) + 1 (P4) + 1 (P5) + 2 without id = 8 arrests from 13 rows
    assert.deepEqual(await metric('foia.arrests', {}), [{ period: '2025-01', value: 8 }]);
    assert.deepEqual(await metric('foia.arrests', { by: 'has_person_id' }), [
      { period: '2025-01', has_person_id: 'false', value: 2 },
      { period: '2025-01', has_person_id: 'true', value: 6 },
    ]);
    // by day: 01-10 P1, P2 and the two without id; 01-11 P2; 01-12 P3 (its kept row); 01-13 P4; 01-15 P5
    assert.deepEqual(
      (await metric('foia.arrests', { grain: 'day' })).map((r) => [r.period, r.value]),
      [['2025-01-10', 4], ['2025-01-11', 1], ['2025-01-12', 1], ['2025-01-13', 1], ['2025-01-15', 1]],
    );
    // the kept row's method: no 'ERO Reprocessed Arrest' is left (P3's copy was dropped)
    const byMethod = await metric('foia.arrests', { by: 'method' });
    assert.deepEqual(byMethod.map((r) => [r.method, r.value]), [['CAP Local Incarceration', 1], ['Located', 7]]);
    assert.deepEqual(await metric('foia.arrests', { grain: 'fy', filter: 'has_person_id=true' }), [{ period: 'FY2025', value: 6 }]);
    assert.deepEqual(await metric('foia.arrests', { by: 'aor', filter: 'has_person_id=true' }), [
      { period: '2025-01', aor: 'Houston Area of Responsibility', value: 2 },
      { period: '2025-01', aor: 'Miami Area of Responsibility', value: 4 },
    ]);
  });
});

describe('detention: stays and daily population', () => {
  test('coverage: from the earliest book-out to the snapshot date', async () => {
    const cov = await db.one(
      `SELECT strftime(first_day, '%Y-%m-%d') AS first_day, strftime(last_day, '%Y-%m-%d') AS last_day, rows_total, rows_without_person, units AS stays, people_recomputed
         FROM foia_derived_coverage WHERE release_id = $1`,
      [DETENTIONS],
    );
    // stays inside the coverage: X, V1, V2, Y, Z, T, S twice, W, N, the row without id = 11 (U began 02-25)
    // N's A stint lies inside its B stint (its ends decrease): N is recomputed by the exact passes
    assert.deepEqual(cov, { first_day: '2025-03-01', last_day: '2025-03-10', rows_total: 15, rows_without_person: 1, stays: 11, people_recomputed: 1 });
  });

  test('stays: ICE stay start, else within 15 minutes of the previous book-out', async () => {
    const stays = await db.all(
      `SELECT person_key, stints, initial_book_in, strftime(stay_start, '%m-%d %H:%M') AS start
         FROM (${staysSql(`s.release_id = '${DETENTIONS}'`, `SELECT release_id, first_day, last_day FROM foia_derived_coverage`)})
        WHERE person_key IN ('Z', 'T', 'S', 'N') ORDER BY person_key, stay_start`,
    );
    assert.deepEqual(stays, [
      // N: the A stint begins while the B stint is open → the same stay
      { person_key: 'N', stints: 2, initial_book_in: true, start: '03-08 00:00' },
      // S: back 60 minutes after leaving → two stays
      { person_key: 'S', stints: 1, initial_book_in: true, start: '03-07 08:00' },
      { person_key: 'S', stints: 1, initial_book_in: true, start: '03-07 10:00' },
      // T: no stay start, booked into B 10 minutes after leaving A → one stay
      { person_key: 'T', stints: 2, initial_book_in: true, start: '03-06 08:00' },
      // Z: both stints carry the stay start 03-04 08:00
      { person_key: 'Z', stints: 2, initial_book_in: true, start: '03-04 08:00' },
    ]);
  });

  test('stays: a book-in exactly 15 minutes after the book-out continues the stay, a second later does not', async () => {
    // a database of its own, so these stints stay out of the metrics above
    const own = await Database.open(':memory:', { schemas: [readFileSync(join(FOIA, 'schema.sql'), 'utf8'), readFileSync(join(FOIA, 'derived.sql'), 'utf8')] });
    try {
      await own.run(`INSERT INTO releases (release_id, source_id, sha256, bytes, snapshot_date, ingested_at) VALUES ('e1', 'ice.foia-detentions', 'e1', 0, DATE '2025-03-10', current_timestamp)`);
      const rows: Array<[string, string, string, string | null]> = [
        ['E', A, '2025-03-02 08:00:00', '2025-03-03 09:00:00'],
        ['E', B, '2025-03-03 09:15:00', '2025-03-04 10:00:00'],
        ['F', A, '2025-03-02 08:00:00', '2025-03-03 09:00:00'],
        ['F', B, '2025-03-03 09:15:01', null],
      ];
      await own.append(
        'foia_detention_stints',
        rows.map(([person, facility, bookIn, bookOut], i): Record<string, Cell> => ({
          release_id: 'e1', sheet: 'Detentions', row: 8 + i, book_in_at: bookIn, book_out_at: bookOut, facility_code: facility, person_id: person,
        })),
      );
      await own.transaction(() => refreshDerived(own, 'e1', { firstDay: '2025-03-01' }));
      const books = await own.all(`SELECT stint_kind, sum(book_ins) AS n FROM foia_book_ins WHERE dimension = 'all' GROUP BY ALL ORDER BY 1`);
      // E: one stay of two stints (an initial book-in and a transfer); F: two stays
      assert.deepEqual(books, [
        { stint_kind: 'initial', n: 3 },
        { stint_kind: 'transfer', n: 1 },
      ]);
    } finally {
      own.close();
    }
  });

  test('national: distinct people per day, any and midnight', async () => {
    // any: 03-01 U (out 09:00), X (in 22:00) · 03-02 X, V1, V2 · 03-03 V1, V2, Y · 03-04 Z · 03-05 Z once,
    // though in A and in B · 03-06 Z, T · 03-07 S once, though booked into A twice · 03-08 W, N · 03-09 W, N,
    // the row without id · 03-10 W (open, counted up to the snapshot)
    const any = await metric('foia.detained', {});
    assert.deepEqual(series(any), [2, 3, 3, 1, 1, 2, 1, 2, 3, 1]);
    assert.equal(any.length, 10, 'only the coverage: nothing after the snapshot date');
    // midnight ending the day: 03-01 X · 03-02 V1, V2 · 03-03 none (Y left at 17:00, V at 10:00) · 03-04 Z in A ·
    // 03-05 Z in B · 03-06 none · 03-07 none · 03-08 W, N · 03-09 W (N left 23:00) · 03-10 W
    assert.deepEqual(series(await metric('foia.detained', { filter: 'count=midnight' })), [1, 2, 0, 1, 1, 0, 0, 2, 1, 1]);
    const both = await metric('foia.detained', { by: 'count', from: '2025-03-03', to: '2025-03-03' });
    assert.deepEqual(both, [
      { period: '2025-03-03', count: 'any', value: 3 },
      { period: '2025-03-03', count: 'midnight', value: 0 },
    ]);
  });

  test('per facility: a person counts once in each facility of the day', async () => {
    const rows = await metric('foia.detained', { by: 'facility' });
    // A: 03-01 U, X · 03-02 X · 03-03 Y · 03-04 Z · 03-05 Z (left 10:00) · 03-06 T · 03-07 S (twice: once) ·
    //    03-08 N · 03-09 the row without id · 03-10 nobody (a zero, not a gap)
    assert.deepEqual(series(rows, 'facility', A), [2, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    // B: 03-02 and 03-03 V1, V2 · 03-05 Z (from 10:05) · 03-06 Z, T · 03-08 and 03-09 W, N · 03-10 W
    assert.deepEqual(series(rows, 'facility', B), [0, 2, 2, 0, 1, 2, 0, 2, 2, 1]);
    // the transfer day 03-05: one person nationally, one in each facility
    const mid = await metric('foia.detained', { by: 'facility', filter: 'count=midnight' });
    // midnight: only X (03-01) and Z (03-04) in A; in B V1, V2 (03-02), Z (03-05), W and N (03-08), W after
    assert.deepEqual(series(mid, 'facility', A), [1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(series(mid, 'facility', B), [0, 2, 0, 0, 1, 0, 0, 2, 1, 1]);
  });

  test('criminality: each person-day once, under the stint that held the person first', async () => {
    const any = await metric('foia.detained', { by: 'criminality' });
    // Z's A stint is 'convicted', the B stint 'other': on 03-05 Z counts under A's stint (booked in first)
    assert.deepEqual(series(any, 'criminality', CONVICTED), [0, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
    assert.deepEqual(series(any, 'criminality', OTHER), [2, 3, 3, 0, 0, 2, 1, 2, 3, 1]);
    // at midnight on 03-05 Z is in B only: 'other'
    const mid = await metric('foia.detained', { by: 'criminality', filter: 'count=midnight' });
    assert.deepEqual(series(mid, 'criminality', CONVICTED), [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(series(mid, 'criminality', OTHER), [1, 2, 0, 0, 1, 0, 0, 2, 1, 1]);
  });

  test('two breakdowns at once are computed from the stints, with the same rules', async () => {
    const rows = await metric('foia.detained', { by: 'facility,criminality', from: '2025-03-05', to: '2025-03-05' });
    // zeros are filled for the combinations the release has (no convicted stint was ever in B)
    assert.deepEqual(rows, [
      { period: '2025-03-05', facility: A, criminality: CONVICTED, value: 1 },
      { period: '2025-03-05', facility: A, criminality: OTHER, value: 0 },
      { period: '2025-03-05', facility: B, criminality: OTHER, value: 1 },
    ]);
    // and the computed path gives the stored numbers for one breakdown
    const computed = await db.all(
      `SELECT strftime(day, '%Y-%m-%d') AS day, facility, count_kind, people
         FROM (${dailyPopulationSql(`s.release_id = '${DETENTIONS}'`, `SELECT release_id, first_day, last_day FROM foia_derived_coverage`, ['facility'])})
        ORDER BY 1, 2, 3`,
    );
    const stored = await db.all(
      `SELECT strftime(day, '%Y-%m-%d') AS day, dim_value AS facility, count_kind, people FROM foia_daily_population
        WHERE dimension = 'facility' ORDER BY 1, 2, 3`,
    );
    assert.equal(computed.length, 40);
    assert.deepEqual(computed, stored);
  });

  test('foia.book_ins: initial book-ins (stays) and transfers', async () => {
    // initial: X, V1, V2, Y, Z, T, S twice, W, N, the row without id = 11; U's stay began before the coverage
    assert.deepEqual(await metric('foia.book_ins', {}), [{ period: '2025-03', value: 11 }]);
    // transfers: Z into B, T into B, N into A
    assert.deepEqual(await metric('foia.book_ins', { by: 'stint' }), [
      { period: '2025-03', stint: 'initial', value: 11 },
      { period: '2025-03', stint: 'transfer', value: 3 },
    ]);
    // initial by facility: A X, Y, Z, T, S, S, no id = 7; B V1, V2, W, N = 4
    assert.deepEqual(await metric('foia.book_ins', { by: 'facility' }), [
      { period: '2025-03', facility: A, value: 7 },
      { period: '2025-03', facility: B, value: 4 },
    ]);
    assert.deepEqual(await metric('foia.book_ins', { by: 'facility,criminality', filter: 'stint=transfer' }), [
      { period: '2025-03', facility: A, criminality: OTHER, value: 1 },
      { period: '2025-03', facility: B, criminality: OTHER, value: 2 },
    ]);
    assert.deepEqual(await metric('foia.book_ins', { grain: 'fy' }), [{ period: 'FY2025', value: 11 }]);
  });

  test('deriving again replaces the rows of the release', async () => {
    const before = await db.one(`SELECT count(*) AS n, sum(people) AS s FROM foia_daily_population WHERE release_id = $1`, [DETENTIONS]);
    await db.transaction(() => refreshDerived(db, DETENTIONS));
    const again = await db.one(`SELECT count(*) AS n, sum(people) AS s FROM foia_daily_population WHERE release_id = $1`, [DETENTIONS]);
    assert.deepEqual(again, before);
    // 10 days × 2 kinds × (all + 2 facilities + 1 AOR + 2 criminalities + 1 citizenship)
    assert.equal(before!.n, 10 * 2 * 7);
    const coverage = await db.one(`SELECT count(*) AS n FROM foia_derived_coverage WHERE release_id = $1`, [DETENTIONS]);
    assert.equal(coverage!.n, 1);
  });
});

/** The stored tables of a release equal the exact passes (computed from the stints) day by day, for every breakdown. */
async function assertStoredMatchesExact(releaseId: string): Promise<void> {
  const cov = `SELECT release_id, first_day, last_day FROM foia_derived_coverage WHERE release_id = '${releaseId}'`;
  for (const dim of [null, ...ALL_STINT_DIMENSIONS]) {
    const computed = await db.all(
      `SELECT strftime(day, '%Y-%m-%d') AS day, ${dim ?? `'all'`} AS v, count_kind, people
         FROM (${dailyPopulationSql(`s.release_id = '${releaseId}'`, cov, dim ? [dim] : [])}) ORDER BY 1, 2, 3`,
    );
    const stored = await db.all(
      `SELECT strftime(day, '%Y-%m-%d') AS day, dim_value AS v, count_kind, people FROM foia_daily_population
        WHERE release_id = '${releaseId}' AND dimension = '${dim ?? 'all'}' ORDER BY 1, 2, 3`,
    );
    assert.ok(stored.length > 100, `${dim}: ${stored.length} rows`);
    assert.deepEqual(stored, computed, `daily population by ${dim ?? 'nothing'}`);
    const books = await db.all(
      `SELECT strftime(month, '%Y-%m') AS month, ${dim ?? `'all'`} AS v, stint_kind, CAST(book_ins AS INTEGER) AS n
         FROM (${bookInsSql(`s.release_id = '${releaseId}'`, cov, dim ? [dim] : [])}) ORDER BY 1, 2, 3`,
    );
    const storedBooks = await db.all(
      `SELECT strftime(month, '%Y-%m') AS month, dim_value AS v, stint_kind, book_ins AS n FROM foia_book_ins
        WHERE release_id = '${releaseId}' AND dimension = '${dim ?? 'all'}' ORDER BY 1, 2, 3`,
    );
    assert.deepEqual(storedBooks, books, `book-ins by ${dim ?? 'nothing'}`);
  }
  // the breakdowns attributed one stint per person-day add up to the national count
  const sums = await db.all(
    `SELECT dimension, count(*) AS days_off FROM (
       SELECT dimension, day, count_kind, sum(people) AS s FROM foia_daily_population WHERE release_id = '${releaseId}' AND dimension IN ('aor', 'criminality', 'citizenship') GROUP BY ALL) x
     JOIN (SELECT day, count_kind, people FROM foia_daily_population WHERE release_id = '${releaseId}' AND dimension = 'all') n USING (day, count_kind)
     WHERE x.s <> n.people GROUP BY ALL`,
  );
  assert.deepEqual(sums, []);
}

/**
 * The SQL engine (the one-sort pass corrected by the exact passes) stores the same rows as the
 * sweep, and recomputes the people the sweep counted as needing it; the sweep's rows are put back.
 */
/** A release's stored population and book-ins, in a fixed order. */
async function dumpDerived(releaseId: string) {
  return {
    population: await db.all(
      `SELECT strftime(day, '%Y-%m-%d') AS day, dimension, dim_value, count_kind, people FROM foia_daily_population WHERE release_id = $1 ORDER BY ALL`,
      [releaseId],
    ),
    bookIns: await db.all(`SELECT strftime(month, '%Y-%m') AS month, stint_kind, dimension, dim_value, book_ins FROM foia_book_ins WHERE release_id = $1 ORDER BY ALL`, [releaseId]),
  };
}

/**
 * The sweep walked on two threads, sorted on the hash's top 3 or 7 bits only (so that every sort key
 * is shared by dozens of people, or by a few in runs short enough for the insertion sort, interleaved,
 * and the ranges are cut where the key changes), stores the same rows as on one thread sorted on 32
 * bits, and counts the same people recomputed.
 */
async function assertThreadsAgree(releaseId: string, options: { firstDay?: string }, peopleRecomputed: number): Promise<void> {
  const one = await dumpDerived(releaseId);
  for (const keyBits of [3, 7]) {
    const two = await db.transaction(() => refreshDerived(db, releaseId, { ...options, sweep: { threads: 2, keyBits } }));
    assert.ok('sweep_walk' in two.detentions!.timings, 'derived by the sweep');
    assert.equal(two.detentions!.peopleRecomputed, peopleRecomputed, `${keyBits} bits`);
    assert.deepEqual(await dumpDerived(releaseId), one, `${keyBits} bits`);
  }
  await db.transaction(() => refreshDerived(db, releaseId, options));
}

async function assertEnginesAgree(releaseId: string, options: { firstDay?: string }, peopleRecomputed: number): Promise<void> {
  const dump = () => dumpDerived(releaseId);
  const sweep = await dump();
  const sql = await db.transaction(() => refreshDerived(db, releaseId, { ...options, engine: 'sql' }));
  assert.ok('lag_pass' in sql.detentions!.timings, 'derived by the SQL passes');
  assert.equal(sql.detentions!.peopleRecomputed, peopleRecomputed);
  const bySql = await dump();
  assert.ok(bySql.population.length > 1000, `${bySql.population.length} rows`);
  assert.deepEqual(bySql, sweep);
  await db.transaction(() => refreshDerived(db, releaseId, options));
}

describe('detention: the one-sort pass agrees with the exact passes', () => {
  const MESSY = 'd00000000002';
  test('on a messy release: nested, duplicated and overlapping stints, same-day returns', async () => {
    await release(MESSY, 'ice.foia-detentions', '2025-06-30');
    // 3,000 stints of 300 people over 8 facilities and 3 criminalities, hash-random: starts within
    // 120 days, 0 to 20 days long (one in ten open), so people are often in two places at once
    await db.run(
      `INSERT INTO foia_detention_stints (release_id, sheet, "row", stay_book_in_at, book_in_at, book_out_at, facility_code, criminality, aor, citizenship_country, person_id)
       SELECT '${MESSY}', 'S' || CAST(i % 3 AS VARCHAR), CAST(i AS INTEGER),
              CASE WHEN hash(i, 1) % 2 = 0 THEN TIMESTAMP '2025-03-01' + to_seconds(CAST(hash(i, 2) % (120 * 86400) AS BIGINT)) END,
              TIMESTAMP '2025-03-01' + to_seconds(CAST(hash(i, 2) % (120 * 86400) AS BIGINT)),
              CASE WHEN hash(i, 3) % 10 = 0 THEN NULL
                   ELSE TIMESTAMP '2025-03-01' + to_seconds(CAST(hash(i, 2) % (120 * 86400) + hash(i, 4) % (20 * 86400) AS BIGINT)) END,
              'F' || CAST(hash(i, 5) % 8 AS VARCHAR), 'C' || CAST(hash(i, 6) % 3 AS VARCHAR), 'AOR' || CAST(hash(i, 7) % 2 AS VARCHAR),
              CASE WHEN hash(i, 9) % 4 = 0 THEN 'X' END,
              CASE WHEN hash(i, 8) % 50 = 0 THEN NULL ELSE 'P' || CAST(hash(i, 10) % 300 AS VARCHAR) END
         FROM range(3000) t(i)`,
    );
    const out = await db.transaction(() => refreshDerived(db, MESSY));
    assert.equal(out.detentions!.sweepTimes, 'seconds');
    assert.ok(out.detentions!.peopleRecomputed > 0 && out.detentions!.peopleRecomputed < 300, `${out.detentions!.peopleRecomputed} people recomputed`);
    assert.ok('sweep_walk' in out.detentions!.timings, 'derived by the sweep');
    await assertStoredMatchesExact(MESSY);
    await assertEnginesAgree(MESSY, {}, out.detentions!.peopleRecomputed);
    await assertThreadsAgree(MESSY, {}, out.detentions!.peopleRecomputed);
    // combinations of labels that meet under one key are told apart by the second hash, and the release goes to the SQL passes
    const stored = await dumpDerived(MESSY);
    const weak = await db.transaction(() => refreshDerived(db, MESSY, { sweep: { comboKey: (labels) => `hash(${labels.join(', ')}) % 3` } }));
    assert.ok('lag_pass' in weak.detentions!.timings, 'derived by the SQL passes');
    assert.deepEqual(await dumpDerived(MESSY), stored);
  });

  const STRAY = 'd00000000003';
  test('with stray years, ties on the book-in, stays far from their stints and blank or redacted values', async () => {
    await release(STRAY, 'ice.foia-detentions', '2025-05-20');
    // 4,000 stints of about 450 people (three rows share a person and a base time, so book-ins tie
    // across two sheets); one in fifty booked in around 1900 or 2099, book-outs around 1900 or 2101
    // or before the book-in, stay starts in 1999 or elsewhere in the period: day numbers far outside
    // the coverage on both sides, which must land on the same side of every range as the dates do
    await db.run(
      `INSERT INTO foia_detention_stints (release_id, sheet, "row", stay_book_in_at, book_in_at, book_out_at, facility_code, criminality, aor, citizenship_country, person_id, redacted)
       SELECT '${STRAY}', 'T' || CAST(i % 2 AS VARCHAR), CAST(i // 2 AS INTEGER),
              CASE hash(i, 1) % 5 WHEN 0 THEN NULL WHEN 1 THEN TIMESTAMP '1999-01-01' + to_seconds(i * 86400)
                   WHEN 2 THEN TIMESTAMP '2025-03-01' + to_seconds(CAST(hash(i, 2) % (60 * 86400) AS BIGINT))
                   ELSE TIMESTAMP '2025-03-01' + to_seconds(CAST(hash(i // 3, 2) % (60 * 86400) AS BIGINT)) END,
              CASE hash(i, 3) % 50 WHEN 0 THEN TIMESTAMP '1900-01-01' + to_seconds(i * 86400) WHEN 1 THEN TIMESTAMP '2099-12-31 23:59:59' - to_seconds(i * 86400)
                   ELSE TIMESTAMP '2025-03-01' + to_seconds(CAST(hash(i // 3, 2) % (60 * 86400) AS BIGINT) + CAST(hash(i, 4) % 3 AS BIGINT) * 3600) END,
              CASE hash(i, 5) % 40 WHEN 0 THEN NULL WHEN 1 THEN TIMESTAMP '1900-06-01' + to_seconds(i * 86400) WHEN 2 THEN TIMESTAMP '2101-01-01' + to_seconds(i * 86400)
                   WHEN 3 THEN TIMESTAMP '2025-03-01' + to_seconds(CAST(hash(i // 3, 2) % (60 * 86400) AS BIGINT) - 90000)
                   ELSE TIMESTAMP '2025-03-01' + to_seconds(CAST(hash(i // 3, 2) % (60 * 86400) + hash(i, 6) % (9 * 86400) AS BIGINT)) END,
              CASE WHEN hash(i, 7) % 30 = 0 THEN '' ELSE 'G' || CAST(hash(i, 8) % 4 AS VARCHAR) END,
              CASE WHEN hash(i, 9) % 30 = 0 THEN NULL ELSE 'K' || CAST(hash(i, 10) % 2 AS VARCHAR) END,
              'A', 'Z' || CAST(hash(i, 11) % 3 AS VARCHAR),
              CASE WHEN hash(i, 12) % 40 = 0 THEN NULL ELSE 'Q' || CAST(hash(i // 3, 13) % 150 AS VARCHAR) END,
              CASE WHEN hash(i, 7) % 60 = 0 THEN ['facility_code'] END
         FROM range(4000) t(i)`,
    );
    // so few rows make stray days look common, so the coverage is given
    const out = await db.transaction(() => refreshDerived(db, STRAY, { firstDay: '2025-03-01' }));
    assert.deepEqual([out.detentions!.firstDay, out.detentions!.lastDay], ['2025-03-01', '2025-05-20']);
    assert.ok('sweep_walk' in out.detentions!.timings, 'derived by the sweep');
    // 1900 and 2099 are outside 32-bit seconds since 2000
    assert.equal(out.detentions!.sweepTimes, 'microseconds');
    await assertStoredMatchesExact(STRAY);
    await assertEnginesAgree(STRAY, { firstDay: '2025-03-01' }, out.detentions!.peopleRecomputed);
    await assertThreadsAgree(STRAY, { firstDay: '2025-03-01' }, out.detentions!.peopleRecomputed);
    const labels = await db.all(
      `SELECT DISTINCT dim_value FROM foia_daily_population WHERE release_id = '${STRAY}' AND dimension = 'facility' AND dim_value LIKE '(%' ORDER BY 1`,
    );
    assert.deepEqual(labels, [{ dim_value: '(blank)' }, { dim_value: '(redacted)' }]);
  });
});

describe('detention: breakdowns with too many values to pack', () => {
  const MANY = 'd00000000005';
  test('facility, AOR and citizenship codes whose combinations pass 2^31 are read one column each, with the same result', async () => {
    await release(MANY, 'ice.foia-detentions', '2025-04-30');
    // 1,000 stints of 300 people: about 430 facilities, 430 AORs, 430 citizenships and 50 classes
    await db.run(
      `INSERT INTO foia_detention_stints (release_id, sheet, "row", book_in_at, book_out_at, facility_code, criminality, aor, citizenship_country, person_id)
       SELECT '${MANY}', 'M', CAST(i AS INTEGER),
              TIMESTAMP '2025-03-01' + to_seconds(CAST(hash(i, 1) % (50 * 86400) AS BIGINT)),
              CASE WHEN hash(i, 2) % 8 = 0 THEN NULL
                   ELSE TIMESTAMP '2025-03-01' + to_seconds(CAST(hash(i, 1) % (50 * 86400) + hash(i, 3) % (15 * 86400) AS BIGINT)) END,
              'F' || CAST(hash(i, 4) % 500 AS VARCHAR), 'C' || CAST(hash(i, 5) % 50 AS VARCHAR),
              'AOR' || CAST(hash(i, 6) % 500 AS VARCHAR), 'N' || CAST(hash(i, 7) % 500 AS VARCHAR), 'P' || CAST(hash(i, 8) % 300 AS VARCHAR)
         FROM range(1000) t(i)`,
    );
    const out = await db.transaction(() => refreshDerived(db, MANY, { firstDay: '2025-03-01' }));
    assert.ok('sweep_walk' in out.detentions!.timings, 'derived by the sweep');
    const labels = await db.all(
      `SELECT dimension, count(DISTINCT dim_value) AS n FROM foia_daily_population WHERE release_id = '${MANY}' AND dimension <> 'all' GROUP BY ALL ORDER BY ALL`,
    );
    assert.ok(labels.reduce((p, r) => p * Number(r.n), 1) >= 2 ** 31, `the combinations must pass 2^31: ${JSON.stringify(labels)}`);
    await assertStoredMatchesExact(MANY);
    await assertEnginesAgree(MANY, { firstDay: '2025-03-01' }, out.detentions!.peopleRecomputed);
  });
});

describe('detention: the unit the sweep reads times in', () => {
  /** Derives a release by the sweep and by the SQL passes; both store the same rows. Returns the sweep's unit, March's book-ins by kind and the national count of people at any time of day. */
  async function derive(id: string) {
    const out = await db.transaction(() => refreshDerived(db, id, { firstDay: '2025-03-01' }));
    const sweep = await dumpDerived(id);
    await db.transaction(() => refreshDerived(db, id, { firstDay: '2025-03-01', engine: 'sql' }));
    assert.deepEqual(await dumpDerived(id), sweep, `${id}: the sweep and the SQL passes differ`);
    const kinds = await db.all(`SELECT stint_kind, book_ins FROM foia_book_ins WHERE release_id = $1 AND dimension = 'all' ORDER BY 1`, [id]);
    const any = sweep.population.filter((r) => r.dimension === 'all' && r.count_kind === 'any').map((r) => r.people);
    return { unit: out.detentions!.sweepTimes, kinds: Object.fromEntries(kinds.map((r) => [r.stint_kind, r.book_ins])), any };
  }

  /** Two people's stints; P1 is booked in again 15 minutes and `gap` after a book-out that is `outFraction` past midnight, P2 exactly 15 minutes after. */
  async function twoPeople(id: string, outFraction: string, inFraction: string, extra = ''): Promise<void> {
    await release(id, 'ice.foia-detentions', '2025-03-08');
    await db.run(
      `INSERT INTO foia_detention_stints (release_id, sheet, "row", stay_book_in_at, book_in_at, book_out_at, facility_code, criminality, aor, citizenship_country, person_id) VALUES
         ('${id}', 'S', 8, NULL, TIMESTAMP '2025-03-02 10:00:00', TIMESTAMP '2025-03-05 00:00:00${outFraction}', 'F1', 'C', 'A', 'X', 'P1'),
         ('${id}', 'S', 9, NULL, TIMESTAMP '2025-03-05 00:15:00${inFraction}', NULL, 'F2', 'C', 'A', 'X', 'P1'),
         ('${id}', 'S', 10, NULL, TIMESTAMP '2025-03-03 08:00:00', TIMESTAMP '2025-03-05 00:00:00', 'F1', 'C', 'A', 'X', 'P2'),
         ('${id}', 'S', 11, NULL, TIMESTAMP '2025-03-05 00:15:00', TIMESTAMP '2025-03-06 12:00:00', 'F2', 'C', 'A', 'X', 'P2')${extra}`,
    );
  }

  test('whole seconds are read as 32-bit seconds since 2000; a fraction of a second as microseconds, and it decides whether a book-in starts a stay', async () => {
    // P1 booked in again 15 minutes and 0.1 s after the book-out: past the 15-minute link, a new stay (an initial book-in)
    await twoPeople('t00000000001', '.4', '.5');
    // the same without the fractions: exactly 15 minutes, a transfer within the stay, as P2's
    await twoPeople('t00000000002', '', '');
    const fraction = await derive('t00000000001');
    const whole = await derive('t00000000002');
    assert.equal(fraction.unit, 'microseconds');
    assert.equal(whole.unit, 'seconds');
    assert.deepEqual(fraction.kinds, { initial: 3, transfer: 1 });
    assert.deepEqual(whole.kinds, { initial: 2, transfer: 2 });
    // 1 to 8 March: P1 from the 2nd on, P2 from the 3rd to the 6th
    assert.deepEqual(whole.any, [0, 1, 2, 2, 2, 2, 1, 1]);
    assert.deepEqual(fraction.any, whole.any);
  });

  test('the last second 32 bits hold on either side of 2000 is read as seconds, the next one out as microseconds, with the same counts', async () => {
    const far = (id: string, out: string, stay: string) =>
      twoPeople(id, '', '', `, ('${id}', 'S', 12, TIMESTAMP '${stay}', TIMESTAMP '2025-03-04 09:00:00', TIMESTAMP '${out}', 'F3', 'C', 'A', 'X', 'P3')`);
    await far('t00000000003', '2068-01-19 03:14:07', '1931-12-13 20:45:53');
    await far('t00000000004', '2068-01-19 03:14:08', '1931-12-13 20:45:53');
    await far('t00000000005', '2068-01-19 03:14:07', '1931-12-13 20:45:52');
    const inside = await derive('t00000000003');
    assert.equal(inside.unit, 'seconds');
    // P3 from the 4th to the end: booked out long after the coverage, in a stay begun long before (a transfer)
    assert.deepEqual(inside.any, [0, 1, 2, 3, 3, 3, 2, 2]);
    assert.deepEqual(inside.kinds, { initial: 2, transfer: 3 });
    for (const id of ['t00000000004', 't00000000005']) {
      const outside = await derive(id);
      assert.equal(outside.unit, 'microseconds', id);
      assert.deepEqual([outside.any, outside.kinds], [inside.any, inside.kinds], id);
    }
  });
});

describe('detention: a release the sweep cannot hold exactly', () => {
  test('a book-in in 2300 (beyond 2^53 microseconds) is derived by the SQL passes, with the same rules', async () => {
    const FAR = 'd00000000004';
    await release(FAR, 'ice.foia-detentions', '2025-03-10');
    await db.run(
      `INSERT INTO foia_detention_stints (release_id, sheet, "row", book_in_at, book_out_at, facility_code, criminality, aor, citizenship_country, person_id) VALUES
         ('${FAR}', 'S', 8, TIMESTAMP '2025-03-02 10:00', TIMESTAMP '2025-03-05 09:00', 'F1', 'C', 'A', 'X', 'P1'),
         ('${FAR}', 'S', 9, TIMESTAMP '2025-03-03 10:00', NULL, 'F2', 'C', 'A', 'X', 'P2'),
         ('${FAR}', 'S', 10, TIMESTAMP '2300-01-01 00:00', NULL, 'F2', 'C', 'A', 'X', 'P3')`,
    );
    const out = await db.transaction(() => refreshDerived(db, FAR, { firstDay: '2025-03-01' }));
    assert.ok('lag_pass' in out.detentions!.timings, JSON.stringify(out.detentions!.timings));
    // P1 on the 2nd to the 5th, P2 from the 3rd on; P3's book-in is after the coverage
    const national = await db.all(
      `SELECT people FROM foia_daily_population WHERE release_id = $1 AND dimension = 'all' AND count_kind = 'any' ORDER BY day`,
      [FAR],
    );
    assert.deepEqual(national.map((r) => r.people), [0, 1, 2, 2, 2, 1, 1, 1, 1, 1]);
  });
});

describe('event metrics', () => {
  test('foia.encounters and foia.detainers count rows by month, with labels for blank and redacted values', async () => {
    const ENC = 'e00000000001';
    const DET = 'f00000000001';
    await release(ENC, 'ice.foia-encounters', '2025-02-28');
    await release(DET, 'ice.foia-detainers', '2025-02-28');
    await db.run(
      `INSERT INTO foia_encounters (release_id, sheet, "row", event_date, aor, event_type, citizenship_country, redacted) VALUES
         ('${ENC}', 'Encounters', 8, DATE '2025-01-05', 'Atlanta Area of Responsibility', 'CAP', 'MEXICO', NULL),
         ('${ENC}', 'Encounters', 9, DATE '2025-01-06', 'Atlanta Area of Responsibility', 'CAP', NULL, ['citizenship_country']),
         ('${ENC}', 'Encounters', 10, DATE '2025-02-01', NULL, 'Located', 'MEXICO', NULL)`,
    );
    await db.run(
      `INSERT INTO foia_detainers (release_id, sheet, "row", prepare_date, facility_aor, criminality, citizenship_country) VALUES
         ('${DET}', 'Detainers', 8, DATE '2024-09-30', 'Dallas Area of Responsibility', '${CONVICTED}', 'HONDURAS'),
         ('${DET}', 'Detainers', 9, DATE '2024-10-01', 'Dallas Area of Responsibility', '${CONVICTED}', 'HONDURAS')`,
    );
    assert.deepEqual(await metric('foia.encounters', { by: 'citizenship', to: '2025-01' }), [
      { period: '2025-01', citizenship: '(redacted)', value: 1 },
      { period: '2025-01', citizenship: 'MEXICO', value: 1 },
    ]);
    assert.deepEqual(await metric('foia.encounters', { by: 'aor', from: '2025-02' }), [{ period: '2025-02', aor: '(blank)', value: 1 }]);
    // 2024-09-30 is in FY2024, 2024-10-01 in FY2025
    assert.deepEqual(await metric('foia.detainers', { grain: 'fy' }), [
      { period: 'FY2024', value: 1 },
      { period: 'FY2025', value: 1 },
    ]);
  });
});
