/**
 * The anomaly detectors over every ICE detention-statistics release of the shared data
 * (ice-detention-stats/ and ice-detention-stats-extra/, 136 releases) and the four CBP files,
 * ingested into one database. Every cross-release finding was reviewed against the files;
 * the list below is the whole of them, so a detector that starts finding something else
 * fails here. The cited cells are read back from the workbooks with the xlsx reader, not
 * with the source's parser.
 *
 * Findings per code (cross-release), FY2019–FY2026:
 *   duplicate-content 2 · agency-columns-swapped 2 · stale-snapshot 2 · snapshot-date-regressed 6 ·
 *   stale-facilities-sheet 6 · facility-adp-sum-mismatch 6 · facility-person-days-decrease 17 · month-jump 3
 *   (none for the CBP files: CBP revises months, which is not an anomaly; the diff lists them).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { codeInfo, DETECTORS, listAnomalies, PARSER_CODES, runDetectors } from '../../src/anomalies/detectors.js';
import { DATE_SUSPECT_CODES, nationalFacts, type NationalFact } from '../../src/anomalies/releases.js';
import { noMemo } from '../../src/anomalies/types.js';
import { ICE_DETENTION_STATS } from '../../src/sources/ice/detention-stats/source-id.js';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { DATASETS } from '../../src/sources/registry.js';
import type { Sheet } from '../../src/xlsx/sheet.js';
import { Workbook } from '../../src/xlsx/workbook.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

/** Every cross-release finding over the shared data: [code, release, subject]. Each was checked against the file. */
const EXPECTED: Array<[string, string, string]> = [
  // the 02/23/2025 pair: Detention FY25!B20/D20 exchanged (MANIFEST quirk 4)
  ['agency-columns-swapped', 'acc2bb0b2770', 'detained ICE/CBP vs release cc8e500e93d7'],
  ['agency-columns-swapped', 'cc8e500e93d7', 'detained ICE/CBP vs release acc2bb0b2770'],
  // the same bytes under two ICE names
  ['duplicate-content', '66ce2cc482f7', 'FY21-detentionstats.xlsx = FY21_detentionStats11122021.xlsx'],
  ['duplicate-content', '88f372440d55', 'FY21-detentionstats.xlsx = FY21_detention-stats.xlsx'],
  // Facilities sheets that are stale (Feb 2020 in 2021 and 2022 files; May 2021 in September), FY2021's in an EOFY2020 file,
  // all 1,882 facilities (01/02/2021), and zero-population and juvenile rows (06/29/2025)
  ['facility-adp-sum-mismatch', '375ec899a8d9', 'Facilities FY21 YTD!A8:Q191'],
  ['facility-adp-sum-mismatch', '614b4e5f280b', 'Facilities FY25!A8:Q208'],
  ['facility-adp-sum-mismatch', '8420a7129c9b', 'Facilities FY22!A8:Q191'],
  ['facility-adp-sum-mismatch', 'bdd7907f8020', 'Facilities FY21 YTD!A8:Q142'],
  ['facility-adp-sum-mismatch', 'c049a757da9a', 'Facilities FY21 YTD!A8:Q1889'],
  ['facility-adp-sum-mismatch', 'da8341abe878', 'Facilities FY21 YTD!A8:Q148'],
  // a facility's fiscal-year person-days fell: rows split (Dilley, Folkston), a facility at zero (Nevada Southern),
  // ADPs that dropped by a third to all of it (Orange County FL, Moshannon Valley, Chula Vista) and small revisions
  ['facility-person-days-decrease', '055a59c6fc97', 'DILLEY IMMIGRATION PROCESSING CENTER, DILLEY, TX'],
  ['facility-person-days-decrease', '11bf50caa713', 'DALLAS COUNTY JAIL - LEW STERRETT JUSTICE CENTER, DALLAS, TX'],
  ['facility-person-days-decrease', '1977ce8d9467', 'GARVIN COUNTY DETENTION CENTER, PAULS VALLEY, OK'],
  ['facility-person-days-decrease', '1acf26ae26de', 'COLLIER COUNTY NAPLES JAIL CENTER, NAPLES, FL'],
  ['facility-person-days-decrease', '2d14e929c00c', 'EAST HIDALGO DETENTION CENTER, LA VILLA, TX'],
  ['facility-person-days-decrease', '3786051dabb3', 'BROWARD COUNTY JAIL, FT.LAUDERDALE, FL'],
  ['facility-person-days-decrease', '3b928e82a1d2', 'SAN LUIS REGIONAL DETENTION CENTER, SAN LUIS, AZ'],
  ['facility-person-days-decrease', '48cb922b19a3', 'NEVADA SOUTHERN DETENTION CENTER, PAHRUMP, NV'],
  ['facility-person-days-decrease', '590552b93a7d', 'MOSHANNON VALLEY CORRECTIONAL, PHILIPSBURG, PA'],
  ['facility-person-days-decrease', '5e63e5ee70c1', 'LEVY COUNTY JAIL, BRONSON, FL'],
  ['facility-person-days-decrease', '88f372440d55', 'MAIN - FOLKSTON IPC (D RAY JAMES), FOLKSTON, GA'],
  ['facility-person-days-decrease', '9e818169a669', 'BEDFORD MUNICIPAL DETENTION CENTER, BEDFORD, TX'],
  ['facility-person-days-decrease', '9e818169a669', 'EULESS CITY JAIL, EULESS, TX'],
  ['facility-person-days-decrease', '9e818169a669', 'RIO GRANDE VALLEY STAGING, LOS FRESNOS, TX'],
  ['facility-person-days-decrease', 'c583e1853aa4', 'CBP CHULA VISTA BPS, SAN DIEGO, CA'],
  ['facility-person-days-decrease', 'e212d4791900', 'HONOLULU FEDERAL DETENTION CENTER, HONOLULU, HI'],
  ['facility-person-days-decrease', 'e212d4791900', 'ORANGE COUNTY JAIL, ORLANDO, FL'],
  // April 2020 (the pandemic) and May 2021 (the spring 2021 rise in CBP-arrested detainees)
  ['month-jump', '344994aa5584', 'adp 2020-04'],
  ['month-jump', '344994aa5584', 'book_ins 2020-04'],
  ['month-jump', '3b928e82a1d2', 'adp 2021-05'],
  // footnote dates a year old, and two older files put back online
  ['snapshot-date-regressed', '319f187b2c29', 'FY21_detentionStats061121.xlsx retrieved 2021-06-12'],
  ['snapshot-date-regressed', '606207871174', 'FY24_detentionStats09172024.xlsx retrieved 2024-11-21'],
  ['snapshot-date-regressed', '66ce2cc482f7', 'FY21_detentionStats11122021.xlsx retrieved 2021-11-13'],
  ['snapshot-date-regressed', 'bdd7907f8020', 'FY21_detentionStats10282021.xlsx retrieved 2021-10-29'],
  ['snapshot-date-regressed', 'da19e17cc2a8', 'FY23_detentionStats11162022.xlsx retrieved 2022-11-17'],
  ['snapshot-date-regressed', 'f7146f19d775', 'FY21_detentionStats10072021.xlsx retrieved 2021-10-08'],
  ['stale-facilities-sheet', '154b92bf5190', 'Facilities FY22!A8:Q139'],
  ['stale-facilities-sheet', '2893bd3b8ba9', 'Facilities FY24!A8:Q116'],
  ['stale-facilities-sheet', '48b3905381c9', 'Facilities FY21 YTD!A8:Q142'],
  ['stale-facilities-sheet', '5eb47eb0ed14', 'Facilities FY24!A8:Q113'],
  ['stale-facilities-sheet', '8420a7129c9b', 'Facilities FY22!A8:Q191'],
  ['stale-facilities-sheet', 'da8341abe878', 'Facilities FY21 YTD!A8:Q148'],
  ['stale-snapshot', 'da19e17cc2a8', 'snapshot date 2020-10-02'],
  ['stale-snapshot', 'f7146f19d775', 'snapshot date 2020-10-02'],
];

describe('anomaly detectors over the real files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-anomalies-'));
  let db: Database | undefined;
  const books = new Map<string, Promise<Workbook>>();

  before(async () => {
    const data = sharedDataDir();
    if (!data) return;
    db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    const report = await ingestPaths(
      ['ice-detention-stats', 'ice-detention-stats-extra', 'cbp-encounters'].map((f) => join(data, f)),
      { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' },
    );
    assert.equal(report.errors, 0, JSON.stringify(report.outcomes.filter((o) => o.status === 'error')));
  });
  after(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The workbook of a release, read with the xlsx reader (not the source's parser). */
  async function sheetOf(releaseId: string, name: string): Promise<Sheet> {
    let wb = books.get(releaseId);
    if (!wb) {
      const f = await db!.one(`SELECT local_path FROM release_files WHERE release_id = $1 ORDER BY local_path LIMIT 1`, [releaseId]);
      const path = f!.local_path as string;
      wb = Workbook.open(readFileSync(path), path);
      books.set(releaseId, wb);
    }
    const book = await wb;
    const info = book.sheets.find((s) => s.name.trim() === name);
    assert.ok(info, `${releaseId}: no sheet '${name}'`);
    return book.sheet(info);
  }
  const cell = (s: Sheet, ref: string) => {
    const m = /^([A-Z]+)(\d+)$/.exec(ref)!;
    return s.get(Number(m[2]), [...m[1]!].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0));
  };
  const rowSum = (s: Sheet, row: number) => ['N', 'O', 'P', 'Q'].reduce((n, c) => n + Number(cell(s, `${c}${row}`) ?? 0), 0);
  const finding = async (code: string, release: string, subject?: string) => {
    const rows = (await listAnomalies(db!, { release, codes: [code] })).filter((a) => subject === undefined || a.subject === subject);
    assert.equal(rows.length, 1, `${code} ${release} ${subject ?? ''}: ${JSON.stringify(rows)}`);
    return rows[0]!;
  };

  test('every cross-release finding is one reviewed against the files, and none is missing', async (t) => {
    if (!requireSharedData(t)) return;
    const got = await db!.all(`SELECT code, release_id, subject FROM release_anomalies WHERE cross_release ORDER BY code, release_id, subject`);
    assert.deepEqual(
      got.map((r) => [r.code, r.release_id, r.subject]),
      [...EXPECTED].sort((a, b) => a.join('\u0000').localeCompare(b.join('\u0000'))),
    );
    const cbp = await listAnomalies(db!, { source: 'cbp.encounters' });
    assert.deepEqual(cbp.filter((a) => a.code !== 'no-final-newline' && a.code !== 'byte-order-mark').map((a) => a.code), [], 'CBP: revisions are not anomalies');
  });

  test('agency-columns-swapped: Detention FY25!B20/D20 exchanged; the neighbours point at the 02/27/2025 file', async (t) => {
    if (!requireSharedData(t)) return;
    const [a, b] = [await sheetOf('acc2bb0b2770', 'Detention FY25'), await sheetOf('cc8e500e93d7', 'Detention FY25')];
    assert.deepEqual([cell(a, 'B20'), cell(a, 'D20'), cell(a, 'F20')], [21137, 22622, 43759]);
    assert.deepEqual([cell(b, 'B20'), cell(b, 'D20'), cell(b, 'F20')], [22622, 21137, 43759]);
    const f = await finding('agency-columns-swapped', 'acc2bb0b2770');
    assert.equal(f.severity, 'error');
    assert.match(f.detail, /ICE 21137 \/ CBP 22622 \(Detention FY25!B20 \/ D20\)/);
    // 02/09/2025: ICE 19,304 / CBP 21,865; 03/09/2025: ICE 25,732 / CBP 20,537 — CBP was falling, ICE rising
    assert.match(f.detail, /2025-02-09: ICE 19304 \/ CBP 21865; 2025-03-09: ICE 25732 \/ CBP 20537\) follow release cc8e500e93d7's order, so this release's columns are probably the exchanged ones/);
  });

  test('snapshot-date-regressed: footnotes a year old and older files put back online', async (t) => {
    if (!requireSharedData(t)) return;
    const fn = await sheetOf('606207871174', 'Footnotes');
    assert.match(String(cell(fn, 'B75')), /snapshot as of 09\/08\/2024/);
    const back = await finding('snapshot-date-regressed', '606207871174');
    assert.match(back.detail, /retrieved 2024-11-21, has snapshot date 2024-09-08 \(Footnotes!B75\), 56 days older than 2024-11-03 of FY24_detentionStats11152024\.xlsx \(release 3378edf22794\)/);
    assert.match(back.detail, /first seen 2024-09-18 as FY24_detentionStats09172024\.xlsx: an older file was put back online/);
    // FY21_detentionStats061121.xlsx says 06/20/2020 in June 2021 (MANIFEST quirk 10)
    assert.match(String(cell(await sheetOf('319f187b2c29', 'Footnotes'), 'B71')), /06\/20\/2020/);
    assert.match((await finding('snapshot-date-regressed', '319f187b2c29')).detail, /snapshot date 2020-06-20 \(Footnotes!B71\), 336 days older than 2021-05-22/);
    // FY21_detentionStats10282021.xlsx holds the EOFY2020 tables (MANIFEST quirk 3)
    assert.match((await finding('snapshot-date-regressed', 'bdd7907f8020')).detail, /snapshot date 2020-10-02/);
  });

  test('stale-facilities-sheet: the 07/31/2022 release carries the February 2022 facility figures', async (t) => {
    if (!requireSharedData(t)) return;
    const [stale, feb] = [await sheetOf('154b92bf5190', 'Facilities FY22'), await sheetOf('e8205d7f822b', 'Facilities FY22')];
    // STEWART DETENTION CENTER, the same four ADP columns to the last decimal, five months apart
    const row = (s: Sheet) => [...Array(s.maxRow).keys()].find((r) => s.text(r, 1) === 'STEWART DETENTION CENTER')!;
    assert.deepEqual(['N', 'O', 'P', 'Q'].map((c) => cell(stale, `${c}${row(stale)}`)), ['N', 'O', 'P', 'Q'].map((c) => cell(feb, `${c}${row(feb)}`)));
    const f = await finding('stale-facilities-sheet', '154b92bf5190');
    assert.match(f.detail, /^75 of the 132 facility rows \(57%\) of Facilities FY22!A8:Q139 \(the sheet says its data are of 2022-02-07\) carry exactly the figures .* release e8205d7f822b \(snapshot 2022-02-13/);
    assert.match((await finding('stale-facilities-sheet', 'da8341abe878')).detail, /^all 141 facility rows .* release 1c821e06baa9 \(snapshot 2021-05-08/);
  });

  test('facility-adp-sum-mismatch: a February 2020 sheet in 2021, and the 1,882-facility list', async (t) => {
    if (!requireSharedData(t)) return;
    const f = await finding('facility-adp-sum-mismatch', '375ec899a8d9');
    assert.match(f.detail, /adds up to 43,476.3, 264.2% of the national FY2021 ADP 16,454.4 \(Detention FY21 YTD!N59\) of snapshot 2021-02-13; the sheet says its data are of 2020-02-24/);
    assert.equal(Math.round(Number(cell(await sheetOf('375ec899a8d9', 'Detention FY21 YTD'), 'N59')) * 10) / 10, 16454.4);
    assert.match((await finding('facility-adp-sum-mismatch', 'c049a757da9a')).detail, /the 1882 facilities .* 115.9% of the national FY2021 ADP/);
    // no release inside the range is flagged: the 136 ratios are 93.2%–100.9% apart from the six
    const inside = await listAnomalies(db!, { codes: ['facility-adp-sum-mismatch'] });
    assert.equal(inside.length, 6);
  });

  test('facility-person-days-decrease: Dilley split into two rows (Facilities FY26!N63:Q64, 02/07/2026)', async (t) => {
    if (!requireSharedData(t)) return;
    const [jan, feb] = [await sheetOf('e55ce6a567cf', 'Facilities FY26'), await sheetOf('055a59c6fc97', 'Facilities FY26')];
    // the four ADP columns are N–Q in every layout: checked on the header row here
    const header = [...Array(20).keys()].find((r) => feb.text(r, 1) === 'Name')!;
    assert.deepEqual(['N', 'O', 'P', 'Q'].map((c) => feb.text(header, c.charCodeAt(0) - 64)), ['Male Crim', 'Male Non-Crim', 'Female Crim', 'Female Non-Crim']);
    assert.equal(jan.text(65, 1), 'DILLEY IMMIGRATION PROCESSING CENTER');
    assert.equal(Math.round(rowSum(jan, 65) * 100) / 100, 867.12);
    assert.equal(feb.text(63, 1), 'DILLEY IMMIGRATION PROCESSING CENTER');
    assert.equal(Math.round(rowSum(feb, 63) * 100) / 100, 706.09);
    assert.equal(feb.text(64, 1), 'DILLEY PROCESSING SINGLE ADULT FEMALE');
    const f = await finding('facility-person-days-decrease', '055a59c6fc97');
    assert.match(f.detail, /fell from 98,851 \(release e55ce6a567cf, figures of 2026-01-22, day 114 of FY2026: ADP 867.12 at Facilities FY26!N65:Q65\) to 90,379 \(release 055a59c6fc97, figures of 2026-02-05, day 128 of FY2026: ADP 706.09 at Facilities FY26!N63:Q63\)/);
    assert.match(f.detail, /new in the same place in release 055a59c6fc97: DILLEY PROCESSING SINGLE ADULT FEMALE \(ADP 194.28 at Facilities FY26!N64:Q64\), with it 115,246 person-days: the facility was split into several rows/);
    // ORANGE COUNTY JAIL (Orlando): 138.76 on 08/14/2022, 0.43 five weeks later
    assert.match((await finding('facility-person-days-decrease', 'e212d4791900', 'ORANGE COUNTY JAIL, ORLANDO, FL')).detail, /ADP 138.76 .* ADP 0.43/);
    // whole-number rounding (08/10/2025, 11/16/2025, 11/30/2025) is not a fall: no FY2025-end or FY2026 finding but Dilley
    const rounded = (await listAnomalies(db!, { codes: ['facility-person-days-decrease'] })).filter((a) => ['a46d2732edfa', 'f0a3e97f1825', 'cd254e2e3eba', '086d19edd4a1', 'd69c8eabaebb'].includes(a.release_id));
    assert.deepEqual(rounded, []);
  });

  test('month-jump: book-ins fell 56% in April 2020 (Detention FY20 YTD!O20 → P20)', async (t) => {
    if (!requireSharedData(t)) return;
    const s = await sheetOf('344994aa5584', 'Detention FY20 YTD');
    assert.deepEqual([cell(s, 'O20'), cell(s, 'P20')], [19364, 8512]);
    const f = await finding('month-jump', '344994aa5584', 'book_ins 2020-04');
    assert.match(f.detail, /fell from 19,364 in March 2020 \(Detention FY20 YTD!O20\) to 8,512 in April 2020 \(Detention FY20 YTD!P20\): -56%, -10,852; the largest change in the 17 month-to-month changes before it was -29% \(May 2019 to June 2019\), so the limit was 43.4%/);
    assert.match((await finding('month-jump', '3b928e82a1d2', 'adp 2021-05')).detail, /rose from 15,555.2 in April 2021 \(Detention FY21 YTD!H76\) to 20,956 in May 2021 \(Detention FY21 YTD!I76\): \+34.7%/);
  });

  test('the listing carries the parser findings too: hidden sheets, the stale ATD sheet, 2/29/2025', async (t) => {
    if (!requireSharedData(t)) return;
    const hidden = await listAnomalies(db!, { release: '2991ea8514c5', codes: ['hidden-sheet-ignored'] });
    assert.deepEqual(hidden.map((a) => a.subject).sort(), ['Detention EOFY2020', 'Footnotes_DEL']);
    const invalid = await finding('invalid-date', 'f0a3e97f1825');
    assert.equal(invalid.subject, 'Facilities FY26!Y62');
    assert.equal((await sheetOf('f0a3e97f1825', 'Facilities FY26')).text(62, 25), '2/29/2025');
    const stale = await listAnomalies(db!, { codes: ['stale-sheet'] });
    assert.ok(stale.some((a) => a.subject === 'ATD EOFY23 '), 'ATD EOFY23 beside ATD FY24 YTD');
    // every code in the database is explained
    const codes = await db!.all(`SELECT DISTINCT code FROM release_anomalies`);
    const known = new Set([...DETECTORS.map((d) => d.code), ...PARSER_CODES.map((c) => c.code)]);
    for (const c of codes) if (known.has(c.code as string)) assert.ok(codeInfo(c.code as string)!.explain.length > 40, c.code as string);
    // severities filter as "at least"
    const errors = await listAnomalies(db!, { severity: 'error' });
    assert.deepEqual([...new Set(errors.map((a) => a.code))], ['agency-columns-swapped']);
  });

  test("the national figures of the releases being loaded, joined from the parser's rows, are the facts view's", async (t) => {
    if (!requireSharedData(t)) return;
    const releases = await db!.all(
      `SELECT r.release_id, r.fiscal_year, min(f.local_path) AS path FROM releases r JOIN release_files f USING (release_id) WHERE r.source_id = $1 GROUP BY ALL ORDER BY r.release_id`,
      [ICE_DETENTION_STATS],
    );
    assert.equal(releases.length, 136);
    const dataset = DATASETS.find((d) => d.id === ICE_DETENTION_STATS)!;
    const batch = new Map<string, { tables: Record<string, object[]>; fiscalYear: number | null }>();
    for (const r of releases) {
      const path = r.path as string;
      const parsed = await dataset.parse({ path, fileName: basename(path), bytes: readFileSync(path), releaseId: r.release_id as string });
      batch.set(r.release_id as string, { tables: parsed.tables, fiscalYear: (r.fiscal_year as number | null) ?? null });
    }
    const canonical = (facts: NationalFact[]) => facts.map((f) => JSON.stringify(f)).sort();
    const fromView = canonical(await nationalFacts(db!));
    // 4,154 from the 134 releases of the 139 workbooks (as the benchmark's ingest reads them), 62 from the two extra ones
    assert.equal(fromView.length, 4154 + 62);
    // every release from the parser's rows, then every other one from the view beside them
    assert.deepEqual(canonical(await nationalFacts(db!, noMemo, batch)), fromView);
    const half = new Map([...batch].filter((_, i) => i % 2 === 0));
    assert.deepEqual(canonical(await nationalFacts(db!, noMemo, half)), fromView);
  });

  test('recomputing the detectors gives the same findings', async (t) => {
    if (!requireSharedData(t)) return;
    const before = await db!.all(`SELECT * FROM release_anomalies WHERE cross_release ORDER BY ALL`);
    await db!.transaction(() => runDetectors(db!, 'ice.detention-stats'));
    assert.deepEqual(await db!.all(`SELECT * FROM release_anomalies WHERE cross_release ORDER BY ALL`), before);
  });
});

test('the detectors forget the releases they read exactly when release_order can change: its codes are DATE_SUSPECT_CODES', () => {
  const view = readFileSync(join(import.meta.dirname, '../../src/db/migrations/001-core.sql'), 'utf8');
  const body = view.slice(view.indexOf('CREATE OR REPLACE VIEW release_order'));
  const listed = /WHERE code IN \(([^)]*)\)/.exec(body)![1]!.split(',').map((s) => s.trim().replace(/^'|'$/g, ''));
  assert.deepEqual(listed.sort(), [...DATE_SUSPECT_CODES].sort());
});
