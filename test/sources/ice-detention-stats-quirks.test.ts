/**
 * One test per quirk of MANIFEST.md §1 "Format drift / quirks" (items 1–11), each on
 * the real file MANIFEST names, then the headline figures I1–I18 through the parser.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { parseDetentionStats } from '../../src/sources/ice/detention-stats/parse.js';
import { materialiseFacts } from '../../src/sources/ice/detention-stats/interpret.js';
import type { ParsedRelease, Row } from '../../src/sources/types.js';
import { openDb, tempStore } from '../helpers/ingest-fixtures.js';
import { sharedDataDir, requireSharedData } from '../helpers/shared-data.js';

const FY19 = 'raw/FY2019/2019-10-06_FY19-detentionstats.xlsx';
const CARWILB_FY20 = 'carwilb/FY20-detentionstats.xlsx';
const CARWILB_FY24 = 'carwilb/FY24_detentionStats.xlsx';
const CARWILB_FY26 = 'carwilb/FY26_detentionStats_04092026.xlsx';
const FY26_HIDDEN = 'raw/FY2026/2026-01-09_FY26_detentionStats01082026.xlsx';
const SWAP_A = 'raw/FY2025/2025-02-28_FY25_detentionStats02272025.xlsx';
const SWAP_B = 'raw/FY2025/2025-03-06_FY25_detentionStats03052025.xlsx';
const BLOATED = 'raw/FY2025/2025-06-06_FY25_detentionStats06052025.xlsx';

const cache = new Map<string, Promise<ParsedRelease>>();

/** Parses a workbook of the shared data folder once per run (undefined when the folder is absent: the test is skipped). */
async function parse(t: TestContext, rel: string): Promise<ParsedRelease | undefined> {
  if (!requireSharedData(t)) return undefined;
  return parseRel(rel);
}

function parseRel(rel: string): Promise<ParsedRelease> {
  let p = cache.get(rel);
  if (!p) {
    const path = join(sharedDataDir()!, 'ice-detention-stats', rel);
    p = parseDetentionStats({ path, fileName: basename(path), bytes: readFileSync(path), releaseId: rel });
    cache.set(rel, p);
  }
  return p;
}

const rows = (p: ParsedRelease, table: string): Row[] => p.tables[table] ?? [];
const allFacts = (p: ParsedRelease): Row[] =>
  materialiseFacts({
    tables: rows(p, 'ice_tables'),
    rows: rows(p, 'ice_table_rows'),
    cols: rows(p, 'ice_table_cols'),
    cells: rows(p, 'ice_table_cells'),
  } as unknown as Parameters<typeof materialiseFacts>[0]) as unknown as Row[];
const facts = (p: ParsedRelease, where: Row): Row[] =>
  allFacts(p).filter((f) => Object.entries(where).every(([k, v]) => f[k] === v));

/** The one fact matching `where`. */
function fact(p: ParsedRelease, where: Row): Row {
  const found = facts(p, where);
  assert.equal(found.length, 1, `one fact for ${JSON.stringify(where)}, found ${found.length}`);
  return found[0]!;
}

const adpFy = { table_id: 'adp_by_agency_month_criminality', agency: 'all', criminality: 'all', month: null };
const atdTotal = { table_id: 'atd_by_technology', measure: 'atd_participants', category: 'all' };
const codes = (p: ParsedRelease) => p.anomalies.map((a) => a.code);
const sheetStatus = (p: ParsedRelease, name: string) => rows(p, 'release_sheets').find((s) => s.sheet === name);

test('quirk 1: drifting sheet names, with leading and trailing spaces, are read', async (t) => {
  const eofy20 = await parse(t, CARWILB_FY20);
  if (!eofy20) return;
  assert.equal(eofy20.summary.detention_sheet, 'Detention EOFY2020');
  assert.equal(eofy20.fiscalYear, 2020);
  const fac = rows(eofy20, 'ice_facilities');
  assert.equal(fac.length, 170);
  assert.ok(fac.every((r) => r.sheet === 'Facilities EOYFY20 '), 'the sheet name is kept as published, trailing space included');

  for (const [rel, sheet, fy] of [
    ['raw/FY2020/2020-09-01_FY20-detentionstats.xlsx', 'Detention FY20 YTD', 2020],
    ['raw/FY2021/2021-01-22_FY21-detentionstats.xlsx', 'Detention FY21 YTD', 2021],
    ['raw/FY2022/2022-01-11_FY22_detentionStats01102022.xlsx', 'Detention FY22', 2022],
  ] as const) {
    const p = await parseRel(rel);
    assert.equal(p.summary.detention_sheet, sheet, rel);
    assert.equal(p.fiscalYear, fy, rel);
  }

  // 'ATD EOFY23 ' (trailing space) beside 'ATD FY24 YTD': one is used, the other reported
  const eofy23 = await parseRel('raw/FY2023/2023-10-01_FY23_detentionStats.xlsx');
  assert.ok(eofy23.anomalies.some((a) => a.code === 'stale-sheet' && a.subject === 'ATD EOFY23 '), JSON.stringify(eofy23.anomalies));

  const fy26 = await parseRel(CARWILB_FY26);
  assert.equal(sheetStatus(fy26, ' ICLOS and Detainees')?.status, 'not-parsed');
  assert.equal(sheetStatus(fy26, 'FY26 Monthly Segregation')?.status, 'not-parsed');
  assert.equal(sheetStatus(fy26, 'Facilities FY26')?.status, 'parsed');
});

test('quirk 2 / I16: hidden stale sheets are ignored and reported', async (t) => {
  const p = await parse(t, FY26_HIDDEN);
  if (!p) return;
  assert.equal(p.summary.detention_sheet, 'Detention FY26');
  assert.equal(p.summary.detained_total, 68990, 'not the hidden sheet’s 19,068');
  assert.equal(p.fiscalYear, 2026);
  const hidden = p.anomalies.filter((a) => a.code === 'hidden-sheet-ignored').map((a) => a.subject);
  assert.deepEqual(hidden.sort(), ['Detention EOFY2020', 'Footnotes_DEL']);
  assert.ok(p.anomalies.find((a) => a.subject === 'Detention EOFY2020')!.detail.includes('Detention EOFY2020'));
  assert.deepEqual(sheetStatus(p, 'Detention EOFY2020'), { release_id: FY26_HIDDEN, sheet: 'Detention EOFY2020', position: 1, hidden: true, status: 'ignored-hidden' });
  assert.equal(facts(p, { sheet: 'Detention EOFY2020' }).length, 0);
  assert.equal(p.snapshotDate, '2026-01-07', 'from Footnotes, not Footnotes_DEL');

  // the same hidden pair in two FY2022 releases
  for (const [rel, total] of [
    ['raw/FY2022/2022-02-17_FY22_detentionStats_02162022.xlsx', 19948],
    ['raw/FY2022/2022-08-05_FY22_detentionStats08042022.xlsx', 23390],
  ] as const) {
    const q = await parseRel(rel);
    assert.equal(q.summary.detention_sheet, 'Detention FY22', rel);
    assert.equal(q.summary.detained_total, total, rel);
    assert.equal(codes(q).filter((c) => c === 'hidden-sheet-ignored').length, 2, rel);
  }
});

test('quirk 3: content that does not match the file name is read as what it is', async (t) => {
  const eofy20 = await parse(t, 'raw/FY2021/2021-10-29_FY21_detentionStats10282021.xlsx');
  if (!eofy20) return;
  assert.equal(eofy20.fiscalYear, 2020);
  assert.equal(eofy20.summary.detention_sheet, 'Detention EOFY2020');
  assert.equal(eofy20.summary.detained_total, 19068);
  assert.ok(codes(eofy20).includes('filename-fy-mismatch'));

  const fy25 = await parseRel('raw/FY2024/2024-11-16_FY24_detentionStats11152024.xlsx');
  assert.equal(fy25.fiscalYear, 2025);
  assert.equal(fy25.summary.detention_sheet, 'Detention FY25');
  const mismatch = fy25.anomalies.find((a) => a.code === 'filename-fy-mismatch');
  assert.ok(mismatch && /FY2024/.test(mismatch.detail) && /FY2025/.test(mismatch.detail), JSON.stringify(mismatch));
  // same numbers as the properly named FY25 release
  const twin = await parseRel('raw/FY2025/2024-11-22_FY25_detentionStats11212024.xlsx');
  for (const k of ['detained_total', 'detained_ice', 'detained_cbp', 'adp_fy', 'removals_fytd', 'book_ins_fytd', 'atd_total']) {
    assert.equal(fy25.summary[k], twin.summary[k], k);
  }
  assert.equal(fy25.summary.detained_total, 38863);
  assert.ok(!codes(twin).includes('filename-fy-mismatch'));

  // EOFY23 carrying an 'ATD FY24 YTD' sheet listed first: still a FY2023 release
  const eofy23 = await parseRel('raw/FY2023/2023-10-01_FY23_detentionStats.xlsx');
  assert.equal(eofy23.fiscalYear, 2023);
  assert.equal(eofy23.summary.detained_total, 36845);
  assert.ok(!codes(eofy23).includes('filename-fy-mismatch'));
});

test('quirk 4 / I17: ICE and CBP columns swapped between two releases of 02/23/2025', async (t) => {
  const data = requireSharedData(t);
  if (!data) return;
  const store = tempStore();
  const { db, archive } = await openDb(store);
  try {
    const paths = [SWAP_A, SWAP_B].map((r) => join(data, 'ice-detention-stats', r));
    const report = await ingestPaths(paths, { db, archive, origin: 'file' });
    assert.equal(report.ingested, 2, JSON.stringify(report.outcomes));
    const got = await db.all(
      `SELECT r.release_id, strftime(r.snapshot_date, '%Y-%m-%d') AS snapshot,
              max(f.value) FILTER (WHERE f.agency = 'ICE') AS ice, max(f.value) FILTER (WHERE f.agency = 'CBP') AS cbp,
              max(f.value) FILTER (WHERE f.agency = 'all') AS total,
              (SELECT count(*) FROM release_anomalies a WHERE a.release_id = r.release_id AND a.code = 'agency-columns-swapped') AS swapped,
              (SELECT count(*) FROM release_anomalies a WHERE a.release_id = r.release_id AND a.code = 'stale-snapshot') AS stale
         FROM releases r JOIN ice_detention_facts f USING (release_id)
        WHERE f.table_id = 'detained_by_criminality_agency' AND f.measure = 'detained' AND f.criminality = 'all'
        GROUP BY ALL ORDER BY r.release_id`,
    );
    assert.deepEqual(got, [
      { release_id: 'acc2bb0b2770', snapshot: '2025-02-23', ice: 21137, cbp: 22622, total: 43759, swapped: 1, stale: 0 },
      { release_id: 'cc8e500e93d7', snapshot: '2025-02-23', ice: 22622, cbp: 21137, total: 43759, swapped: 1, stale: 0 },
    ]);
    const detail = await db.one(`SELECT subject, detail FROM release_anomalies WHERE code = 'agency-columns-swapped' AND release_id = 'acc2bb0b2770'`);
    assert.match(detail!.subject as string, /cc8e500e93d7/);
    assert.match(detail!.detail as string, /ICE 21137 \/ CBP 22622.*ICE 22622 \/ CBP 21137/);
  } finally {
    db.close();
    store.remove();
  }
});

test('quirk 5: the ADP and ATD totals are found by title wherever their rows moved', async (t) => {
  if (!requireSharedData(t)) return;
  for (const [rel, cell, value] of [
    [FY19, 'N59', 50165.43836],
    ['raw/FY2022/2022-01-11_FY22_detentionStats01102022.xlsx', 'N76', undefined],
    ['raw/FY2024/2023-12-22_FY24_detentionStats12202023.xlsx', 'N75', undefined],
    [CARWILB_FY24, 'N99', 37721.8032786885],
    [BLOATED, 'N100', undefined],
    [CARWILB_FY26, 'N104', 66978.048387],
  ] as const) {
    const f = fact(await parseRel(rel), adpFy);
    assert.equal(f.cell, cell, rel);
    assert.equal(f.sheet, (await parseRel(rel)).summary.detention_sheet);
    if (value !== undefined) assert.ok(Math.abs((f.value as number) - value) < 1e-6, `${rel}: ${f.value}`);
  }
  for (const [rel, cell, value] of [
    [CARWILB_FY26, 'B13', 180701],
    [FY26_HIDDEN, 'B14', 180658],
    [CARWILB_FY24, 'B15', 179071],
  ] as const) {
    const f = fact(await parseRel(rel), atdTotal);
    assert.deepEqual([f.cell, f.value], [cell, value], rel);
  }
});

test('quirk 6: drifting table titles map to one table id', async (t) => {
  const eofy24 = await parse(t, CARWILB_FY24);
  if (!eofy24) return;
  const title = (p: ParsedRelease, id: string) => rows(p, 'release_tables').filter((r) => r.table_id === id).map((r) => r.title);
  assert.deepEqual(title(eofy24, 'book_ins_by_facility_criminality'), ['ICE Initial Book-Ins by Criminality: EOFY2024']);
  assert.equal(eofy24.summary.book_ins_fytd, 277913);
  assert.ok(!codes(eofy24).includes('unrecognised-table'));

  const eofy20 = await parseRel(CARWILB_FY20);
  const fy26 = await parseRel(CARWILB_FY26);
  assert.deepEqual(title(eofy20, 'book_outs_by_facility'), ['ICE Final Releases by Facility Type: EOFY2020']);
  assert.deepEqual(title(fy26, 'book_outs_by_facility'), ['ICE Final Book Outs by Facility Type: FY2026']);
  for (const [p, label] of [
    [eofy20, 'FRC'],
    [fy26, 'FSC'],
  ] as const) {
    const family = facts(p, { table_id: 'book_outs_by_facility', row_label: label });
    assert.ok(family.length > 0, label);
    assert.ok(family.every((f) => f.facility_type === 'family' && f.measure === 'book_outs'), JSON.stringify(family));
    const adult = fact(p, { table_id: 'book_outs_by_facility', facility_type: 'adult' });
    const all = fact(p, { table_id: 'book_outs_by_facility', facility_type: 'all' });
    const fam = family.reduce((s, f) => s + (f.value as number), 0);
    assert.ok(Math.abs((all.value as number) - (adult.value as number) - fam) < 1e-6, 'Total = Adult + family');
  }
  // book-ins: FRC (EOFY2020) and FSC (FY2026) rows are family too
  assert.ok(facts(eofy20, { table_id: 'book_ins_by_facility_criminality', facility_type: 'family' }).length > 0);
  assert.ok(facts(fy26, { table_id: 'book_ins_by_facility_criminality', facility_type: 'family' }).length > 0);
});

test(
  'quirk 6: every FY2022 release keeps its "ICE Final Releases by Facility Type" table',
  async (t) => {
    const p = await parse(t, 'raw/FY2022/2022-01-11_FY22_detentionStats01102022.xlsx');
    if (!p) return;
    // 'Detention FY22'!H27: the header "Total" is merged over J28:L28 and the values sit in L29:L31 (84026 / 22094 / 61932);
    // same in 2022-01-21, 2022-02-17 and 2022-03-03
    assert.equal(fact(p, { table_id: 'book_outs_by_facility', facility_type: 'all' }).value, 84026);
  },
);

test(
  'quirk 6: the Adult row of "ICE Final Releases: FY2024" / "ICE Final Book Outs : FY2025" is facility type adult',
  async (t) => {
    const p = await parse(t, CARWILB_FY24);
    if (!p) return;
    // the row labelled 'Adult' (268480) is a facility type, not a category
    const adult = facts(p, { row_label: 'Adult', measure: 'book_outs' }).filter((f) => !String(f.table_id).includes('reason'));
    assert.ok(adult.length > 0);
    assert.ok(adult.every((f) => f.facility_type === 'adult'), JSON.stringify(adult));
  },
);

/** Facilities-sheet layouts H5 (FY19), H9 (FY23), H12 (early FY24, "FY23 ALOS"), H4 (FY26, header row 10). */
const LAYOUTS = [
  { sig: 'H5', rel: FY19, headerRow: 7, rows: 213 },
  // INVENTORY's 127 and 125 rows include 4 and 5 notes under the list (rows 132–137, 129–133)
  { sig: 'H9', rel: 'raw/FY2023/2023-03-01_FY23_detentionStats02282023.xlsx', headerRow: 7, rows: 123, notes: 4 },
  { sig: 'H12', rel: 'raw/FY2024/2023-11-23_FY24_detentionStats11222023.xlsx', headerRow: 6, rows: 120, notes: 5 },
  { sig: 'H4', rel: 'raw/FY2026/2026-02-13_FY26_detentionStats_02122026.xlsx', headerRow: 10, rows: 220 },
];
const isNote = (r: Row) => r.aor === null && r.city === null && r.state === null;

test('quirk 7: every facility-header layout gives name, city, state, AOR and ALOS', async (t) => {
  if (!requireSharedData(t)) return;
  for (const l of LAYOUTS) {
    const p = await parseRel(l.rel);
    const fac = rows(p, 'ice_facilities');
    assert.equal(fac.length, l.rows, l.sig);
    assert.equal(p.summary.facility_note_rows, (l as { notes?: number }).notes ?? 0, `${l.sig}: note rows`);
    assert.equal(fac[0]!.row, l.headerRow + 1, `${l.sig}: first facility right under the header`);
    assert.ok(!codes(p).includes('unrecognised-facility-column'), `${l.sig}: ${JSON.stringify(p.anomalies)}`);
    const real = fac.filter((r) => !isNote(r));
    assert.ok(real.length >= l.rows - 5, `${l.sig}: ${real.length} facilities`);
    for (const r of real) {
      for (const col of ['name', 'city', 'state', 'aor']) assert.ok(typeof r[col] === 'string' && r[col] !== '', `${l.sig} row ${r.row}: ${col}`);
      assert.match(r.state as string, /^[A-Z]{2}$/, `${l.sig} row ${r.row}`);
    }
    const alos = real.filter((r) => typeof r.alos === 'number' && r.alos > 0);
    assert.ok(alos.length >= real.length * 0.9, `${l.sig}: ALOS in ${alos.length} of ${real.length} rows`);
  }
  // FY2023: ODO inspection columns mapped, Nakamoto columns kept in other_columns
  const h9 = rows(await parseRel(LAYOUTS[1]!.rel), 'ice_facilities');
  assert.ok(h9.some((r) => typeof r.last_inspection_date === 'string'));
  assert.ok(h9.some((r) => typeof r.other_columns === 'string' && r.other_columns.includes('Nakamoto')));
});

test(
  'quirk 7: notes under the facility list are not stored as facilities',
  async (t) => {
    if (!requireSharedData(t)) return;
    for (const l of LAYOUTS) {
      const notes = rows(await parseRel(l.rel), 'ice_facilities').filter(isNote);
      // 2023-03-01 rows 132, 133, 135, 137 and 2023-11-23 rows 129–133 ("[1] (STFRCTX) …", "*ODO inspections are …") are notes
      assert.deepEqual(notes.map((r) => `${r.row}: ${String(r.name).slice(0, 40)}`), [], l.sig);
    }
  },
);

test('quirk 8: the 2021-01-07 release lists all 1,882 facilities', async (t) => {
  const p = await parse(t, 'raw/FY2021/2021-01-07_FY21-detentionstats.xlsx');
  if (!p) return;
  assert.equal(rows(p, 'ice_facilities').length, 1882);
  assert.equal(p.summary.facility_rows, 1882);
  assert.equal((await parseRel('raw/FY2021/2021-01-22_FY21-detentionstats.xlsx')).summary.facility_rows, 155, 'the next release is back to normal');
});

test('quirk 9 / I11: a 1.5 MB FY2025 release with a bloated sheet parses', async (t) => {
  const data = requireSharedData(t);
  if (!data) return;
  assert.ok(statSync(join(data, 'ice-detention-stats', BLOATED)).size > 1_500_000);
  const path = join(data, 'ice-detention-stats', BLOATED);
  const started = Date.now();
  const p = await parseDetentionStats({ path, fileName: basename(path), bytes: readFileSync(path), releaseId: 'bloated' });
  assert.ok(Date.now() - started < 30_000, `parsed in ${Date.now() - started} ms`);
  assert.deepEqual([p.summary.detained_total, p.summary.detained_ice, p.summary.detained_cbp], [51302, 33976, 17326]);
  assert.equal(p.snapshotDate, '2025-06-01');
  assert.equal(sheetStatus(p, 'Monthly Segregation')?.status, 'not-parsed');
});

test('quirk 10: stale or reworded footnote dates', async (t) => {
  const p = await parse(t, 'raw/FY2023/2022-11-17_FY23_detentionStats11162022.xlsx');
  if (!p) return;
  assert.equal(p.fiscalYear, 2023);
  assert.equal(p.snapshotDate, '2020-10-02', 'the date the footnote says, never guessed');
  const a = p.anomalies.find((x) => x.code === 'snapshot-outside-fiscal-year');
  assert.ok(a && a.detail.includes('2020-10-02') && a.detail.includes('FY2023'), JSON.stringify(p.anomalies));

  const june = await parseRel('raw/FY2021/2021-06-12_FY21_detentionStats061121.xlsx');
  assert.equal(june.snapshotDate, '2020-06-20');
  assert.ok(codes(june).includes('snapshot-outside-fiscal-year'));

  // FY2023–early FY2024 wording ("snapshot as of  12/17/2023", two spaces) is still found
  const dec = await parseRel('raw/FY2024/2023-12-22_FY24_detentionStats12202023.xlsx');
  assert.equal(dec.snapshotDate, '2023-12-17');
  assert.ok(!codes(dec).includes('missing-snapshot-date'));
  assert.ok(!codes(dec).includes('snapshot-outside-fiscal-year'));
});

test('quirk 11: methodology footnotes are stored', async (t) => {
  const p = await parse(t, CARWILB_FY26);
  if (!p) return;
  const notes = rows(p, 'ice_footnotes');
  assert.ok(notes.length > 50, `${notes.length} footnotes`);
  assert.ok(notes.every((n) => n.sheet === 'Footnotes' && typeof n.note === 'string' && n.note !== '' && typeof n.topic === 'string'));
  const returns = notes.find((n) => /Removal Data Include Returns and Expulsions/.test(n.note as string));
  assert.ok(returns, 'removals include returns and expulsions');
  assert.match(returns.topic as string, /Removals/);
  assert.ok(notes.some((n) => /"lock" removal statistics/.test(n.note as string)));
  assert.ok(notes.some((n) => n.row === 71 && /snapshot as of 04\/04\/2026/.test(n.note as string)), 'I9');
});

test('headline figures I1–I18 through the parser', async (t) => {
  const fy26 = await parse(t, CARWILB_FY26);
  if (!fy26) return;
  const s = fy26.summary;
  const close = (a: unknown, b: number, what: string) => assert.ok(typeof a === 'number' && Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`);
  assert.equal(s.detained_total, 60311); // I1
  assert.equal(fact(fy26, { table_id: 'detained_by_criminality_agency', measure: 'detained', agency: 'all', criminality: 'all' }).cell, 'F20');
  assert.deepEqual([s.detained_ice, s.detained_cbp], [51428, 8883]); // I2
  assert.deepEqual([s.detained_convicted, s.detained_pending, s.detained_other], [17589, 18731, 23991]); // I3
  close(s.adp_fy, 66978.048387, 'I4');
  const jan = fact(fy26, { ...adpFy, month: '2026-01-01' }); // I5
  close(jan.value, 71929.483871, 'I5');
  assert.equal(jan.cell, 'E104');
  assert.equal(s.removals_fytd, 234236); // I6
  assert.equal(fact(fy26, { table_id: 'removals', category: 'all' }).cell, 'P29');
  assert.equal(s.book_ins_fytd, 230354); // I7
  assert.equal(s.atd_total, 180701); // I8
  assert.deepEqual([fact(fy26, { ...atdTotal, category: 'SmartLINK' }).value, fact(fy26, { ...atdTotal, category: 'SmartLINK' }).cell], [131643, 'B9']);
  assert.equal(fy26.snapshotDate, '2026-04-04'); // I9
  assert.equal(s.snapshot_cell, 'Footnotes!B71');
  const fac = rows(fy26, 'ice_facilities'); // I10
  assert.equal(fac.length, 203);
  const stewart = fac.filter((r) => r.name === 'STEWART DETENTION CENTER');
  assert.equal(stewart.length, 1);
  assert.deepEqual([stewart[0]!.row, stewart[0]!.aor, stewart[0]!.guaranteed_minimum], [191, 'ATL', 1600]);

  const cases: Array<[string, string, Record<string, number>]> = [
    [BLOATED, 'I11', { detained_total: 51302, detained_ice: 33976, detained_cbp: 17326 }],
    ['raw/FY2025/2025-10-30_FY25_detentionStats09252025.xlsx', 'I12', { detained_total: 59762, adp_fy: 48404.4816901408, removals_fytd: 319980, book_ins_fytd: 310181, atd_total: 181210 }],
    [CARWILB_FY24, 'I13', { detained_total: 37684, adp_fy: 37721.8032786885, removals_fytd: 271484, book_ins_fytd: 277913, atd_total: 179071 }],
    [CARWILB_FY20, 'I14', { detained_total: 19068, adp_fy: 33723.97814, removals_fytd: 185884 }],
    [FY19, 'I15', { detained_total: 50922, adp_fy: 50165.43836, removals_fytd: 267258, book_ins_fytd: 510854 }],
    [FY26_HIDDEN, 'I16', { detained_total: 68990 }],
    [SWAP_A, 'I17', { detained_total: 43759, detained_ice: 21137, detained_cbp: 22622 }],
    [SWAP_B, 'I17', { detained_total: 43759, detained_ice: 22622, detained_cbp: 21137 }],
    ['raw/FY2026/2026-02-13_FY26_detentionStats_02122026.xlsx', 'I18', { detained_total: 68289, adp_fy: 67972.915385, removals_fytd: 162192 }],
  ];
  for (const [rel, id, want] of cases) {
    const got = (await parseRel(rel)).summary;
    for (const [k, v] of Object.entries(want)) close(got[k], v, `${id} ${rel} ${k}`);
  }
});
