/**
 * dhs.ohss-monthly: the three real OHSS "Immigration Enforcement and Legal Processes" workbooks
 * (April, July, August 2024) ingested into a temporary database, headline figures M1–M11 of
 * MANIFEST.md (addendum) through the API, the quirks of §8 (hidden month rows, moved country
 * columns, revised months, a wrong month in a title), then bad input on small synthetic workbooks.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { SourceFormatError } from '../../src/lib/errors.js';
import { OHSS_MONTHLY_METRICS } from '../../src/metrics/ohss-monthly.js';
import { METRICS } from '../../src/metrics/registry.js';
import { buildApp } from '../../src/server/app.js';
import { discoverOhssMonthly, isOhssMonthlyFileName } from '../../src/sources/dhs/ohss-monthly/discover.js';
import { dhsOhssMonthly } from '../../src/sources/dhs/ohss-monthly/index.js';
import { LAYOUTS, type TableLayout } from '../../src/sources/dhs/ohss-monthly/layouts.js';
import { currentAsOf, parseOhssMonthly } from '../../src/sources/dhs/ohss-monthly/parse.js';
import type { MonthlyFact } from '../../src/sources/dhs/ohss-monthly/read-table.js';
import { DATASETS } from '../../src/sources/registry.js';
import type { Effects, ParsedRelease } from '../../src/sources/types.js';
import { cellRef } from '../../src/xlsx/cell-ref.js';
import { Workbook } from '../../src/xlsx/workbook.js';
import { ZipArchive } from '../../src/xlsx/zip.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';
import { buildXlsx, cell } from '../helpers/xlsx-builder.js';

const APRIL = '24-0809_ohss_immigration-enforcement-and-legal-processes-tables-april-2024.xlsx';
const JULY = '2024_1108_ohss_immigration-enforcement-and-legal-processes-tables-july-2024.xlsx';
const AUGUST = '2024_1206_ohss_immigration-enforcement-and-legal-processes-tables-august-2024.xlsx';
const folder = () => join(sharedDataDir()!, 'dhs-ohss', 'monthly-tables');

/** Registers the dataset and its metrics for this process (a no-op once they are in the registries). */
const datasets = [dhsOhssMonthly].filter((d) => !DATASETS.some((x) => x.id === d.id));
const metrics = OHSS_MONTHLY_METRICS.filter((m) => !METRICS.some((x) => x.id === m.id));
DATASETS.push(...datasets);
METRICS.push(...metrics);

const dir = mkdtempSync(join(tmpdir(), 'tracker-ohss-monthly-'));
let db: Database | undefined;
let app: Awaited<ReturnType<typeof buildApp>> | undefined;
/** File name → release id. */
const release: Record<string, string> = {};

before(async () => {
  if (!sharedDataDir()) return;
  db = await Database.open(join(dir, 'tracker.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  const report = await ingestPaths([folder()], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
  assert.equal(report.errors, 0, JSON.stringify(report.outcomes));
  assert.equal(report.ingested, 3);
  for (const o of report.outcomes) if (o.status === 'ingested') release[basename(o.path)] = o.release_id;
  app = await buildApp(db);
});

after(async () => {
  await app?.close();
  db?.close();
  for (const d of datasets) DATASETS.splice(DATASETS.indexOf(d), 1);
  for (const m of metrics) METRICS.splice(METRICS.indexOf(m), 1);
  rmSync(dir, { recursive: true, force: true });
});

interface MetricBody {
  rows: Array<Record<string, string | number | null>>;
  partial_periods: string[];
  releases: string[];
  title: string;
  caveats: string[];
}

async function api(t: TestContext, metric: string, query: string): Promise<MetricBody | undefined> {
  if (!requireSharedData(t)) return undefined;
  const res = await app!.inject({ url: `/api/v1/metrics/${metric}?${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json<MetricBody>();
}

/** The value of one period (and, if given, one breakdown value) in a metric answer. */
function valueOf(body: MetricBody, period: string, where: Record<string, string> = {}): number | string | null | undefined {
  const found = body.rows.filter((r) => r.period === period && Object.entries(where).every(([k, v]) => r[k] === v));
  assert.ok(found.length <= 1, `one row for ${period} ${JSON.stringify(where)}`);
  return found[0]?.value;
}

/* ------------------------------------------------------------------ M1–M11 through the API */

describe('headline figures M1–M11 through /api/v1/metrics', () => {
  test('M1: ICE ERO removals and returns FY2023 = 142,580; Mexico 54,060 (ICE ERO R&R by Citizenship!C121/D121 of August)', async (t) => {
    const all = await api(t, 'ohss.ice_removals', 'grain=fy&from=FY2023&to=FY2023');
    if (!all) return;
    assert.deepEqual(all.rows, [{ period: 'FY2023', value: 142_580 }]);
    assert.deepEqual(all.releases, [release[AUGUST]]);
    const mexico = (await api(t, 'ohss.ice_removals', 'grain=fy&from=FY2023&to=FY2023&filter=citizenship=Mexico'))!;
    assert.deepEqual(mexico.rows, [{ period: 'FY2023', value: 54_060 }]);
    // the same through the ISO code
    const mex = (await api(t, 'ohss.ice_removals', 'grain=fy&from=FY2023&to=FY2023&filter=country=MEX'))!;
    assert.deepEqual(mex.rows, [{ period: 'FY2023', value: 54_060 }]);
    // provenance of the stored numbers: release, sheet and cell
    const cells = await db!.all(
      `SELECT cell, value FROM ohss_monthly_facts WHERE release_id = $1 AND sheet = 'ICE ERO R&R by Citizenship' AND fiscal_year = 2023 AND month_start IS NULL AND citizenship IN ('Total', 'Mexico') ORDER BY cell`,
      [release[AUGUST]!],
    );
    assert.deepEqual(cells, [{ cell: 'C121', value: 142_580 }, { cell: 'D121', value: 54_060 }]);
  });

  test('M2: Venezuela FY2023 = 830, FY2024 Oct–Aug = 3,230 (column L in August)', async (t) => {
    const b = await api(t, 'ohss.ice_removals', 'grain=fy&from=FY2023&by=country&filter=country=VEN');
    if (!b) return;
    assert.deepEqual(b.rows, [
      { period: 'FY2023', country: 'VEN', value: 830 },
      { period: 'FY2024', country: 'VEN', value: 3_230 },
    ]);
    assert.deepEqual(b.partial_periods, ['FY2024'], 'FY2024 is year to date');
  });

  test('M3: FY2024 YTD in three releases: 155,320 (April), 227,020 (July), 254,000 (August, the default)', async (t) => {
    const latest = await api(t, 'ohss.ice_removals', 'grain=fy&from=FY2024');
    if (!latest) return;
    assert.equal(valueOf(latest, 'FY2024'), 254_000);
    const april = (await api(t, 'ohss.ice_removals', `grain=fy&from=FY2024&vintage=${release[APRIL]}`))!;
    assert.equal(valueOf(april, 'FY2024'), 155_320);
    assert.deepEqual(april.releases, [release[APRIL]]);
    const july = (await api(t, 'ohss.ice_removals', `grain=fy&from=FY2024&vintage=${release[JULY]}`))!;
    assert.equal(valueOf(july, 'FY2024'), 227_020);
    // a date vintage: what was known on 2024-07-31 (the July release's data month ends then)
    const byDate = (await api(t, 'ohss.ice_removals', 'grain=fy&from=FY2024&vintage=2024-07-31'))!;
    assert.equal(valueOf(byDate, 'FY2024'), 227_020);
  });

  test('M4: of FY2024 Oct–Aug removals and returns, CBP-arrested 210,340 and ICE-arrested 43,650', async (t) => {
    const b = await api(t, 'ohss.ice_removals', 'grain=fy&from=FY2024&by=arrest_agency');
    if (!b) return;
    assert.deepEqual(b.rows, [
      { period: 'FY2024', arrest_agency: 'CBP', value: 210_340 },
      { period: 'FY2024', arrest_agency: 'ICE', value: 43_650 },
    ]);
    // the total is read from the table, not added from CBP + ICE (other and unknown agencies are in it)
    assert.equal(valueOf((await api(t, 'ohss.ice_removals', 'grain=fy&from=FY2024'))!, 'FY2024'), 254_000);
  });

  test('M5: ERO administrative arrests FY2023 = 170,590; Mexico 42,850; Venezuela 16,870', async (t) => {
    const total = await api(t, 'ohss.arrests', 'grain=fy&from=FY2023&to=FY2023');
    if (!total) return;
    assert.equal(valueOf(total, 'FY2023'), 170_590);
    const by = (await api(t, 'ohss.arrests', 'grain=fy&from=FY2023&to=FY2023&by=citizenship'))!;
    assert.equal(valueOf(by, 'FY2023', { citizenship: 'Mexico' }), 42_850);
    assert.equal(valueOf(by, 'FY2023', { citizenship: 'Venezuela' }), 16_870);
    // by citizenship never repeats the total as a citizenship: the named countries and "Other" add up to it within rounding
    assert.ok(!by.rows.some((r) => r.citizenship === 'Total' || r.citizenship === 'all'));
    const sum = by.rows.reduce((n, r) => n + Number(r.value), 0);
    assert.ok(Math.abs(sum - 170_590) <= 5 * by.rows.length, `${sum} vs 170,590`);
    assert.equal(by.rows.length, 11, 'ten named countries and Other');
  });

  test('M6: ICE book-ins FY2023 = 273,220, Mexico 54,730; FY2024 Oct–Aug = 255,910', async (t) => {
    const b = await api(t, 'ohss.book_ins', 'grain=fy&from=FY2023');
    if (!b) return;
    assert.deepEqual(b.rows, [{ period: 'FY2023', value: 273_220 }, { period: 'FY2024', value: 255_910 }]);
    const mx = (await api(t, 'ohss.book_ins', 'grain=fy&from=FY2023&to=FY2023&filter=country=MEX'))!;
    assert.deepEqual(mx.rows, [{ period: 'FY2023', value: 54_730 }]);
  });

  test('M7: DHS removals FY2023 revised across releases: 178,370 (April), 177,900 (July), 177,770 (August, the default)', async (t) => {
    const latest = await api(t, 'ohss.dhs_removals', 'grain=fy&from=FY2023&to=FY2023');
    if (!latest) return;
    assert.deepEqual(latest.rows, [{ period: 'FY2023', value: 177_770 }]);
    const july = (await api(t, 'ohss.dhs_removals', `grain=fy&from=FY2023&to=FY2023&vintage=${release[JULY]}`))!;
    assert.deepEqual(july.rows, [{ period: 'FY2023', value: 177_900 }]);
    const april = (await api(t, 'ohss.dhs_removals', `grain=fy&from=FY2023&to=FY2023&vintage=${release[APRIL]}`))!;
    assert.deepEqual(april.rows, [{ period: 'FY2023', value: 178_370 }]);
    // the three vintages are all stored, each with its cell
    const stored = await db!.all(
      `SELECT release_id, cell, value FROM ohss_monthly_facts WHERE sheet = 'DHS Removals by Citizenship' AND fiscal_year = 2023 AND month_start IS NULL AND citizenship = 'Total' ORDER BY value DESC`,
    );
    assert.deepEqual(stored, [
      { release_id: release[APRIL], cell: 'C121', value: 178_370 },
      { release_id: release[JULY], cell: 'C121', value: 177_900 },
      { release_id: release[AUGUST], cell: 'C121', value: 177_770 },
    ]);
  });

  test('M8: Border Patrol encounters of Iranian citizens nationwide, FY2023 = 460, FY2024 Oct–Aug = 670 (Nationwide USBP!AW)', async (t) => {
    const b = await api(t, 'ohss.encounters', 'grain=fy&from=FY2023&filter=component=USBP&filter=country=IRN');
    if (!b) return;
    assert.deepEqual(b.rows, [{ period: 'FY2023', value: 460 }, { period: 'FY2024', value: 670 }]);
    const cell = await db!.one(`SELECT cell, citizenship FROM ohss_monthly_facts WHERE release_id = $1 AND sheet = 'Nationwide USBP' AND iso3 = 'IRN' AND fiscal_year = 2023 AND month_start IS NULL`, [release[AUGUST]!]);
    assert.deepEqual(cell, { cell: 'AW121', citizenship: 'Iran' });
  });

  test('M9: OFO enforcement encounters of Iranian citizens, FY2023 = 3,220, FY2024 Oct–Aug = 1,750 (Nationwide OFO!AX)', async (t) => {
    const b = await api(t, 'ohss.encounters', 'grain=fy&from=FY2023&filter=component=OFO&filter=encounter_type=enforcement&filter=country=IRN');
    if (!b) return;
    assert.deepEqual(b.rows, [{ period: 'FY2023', value: 3_220 }, { period: 'FY2024', value: 1_750 }]);
    // OHSS publishes OFO by citizenship for enforcement encounters only: asking for all OFO encounters by country is refused, and says why
    const res = await app!.inject({ url: '/api/v1/metrics/ohss.encounters?grain=fy&filter=component=OFO&filter=country=IRN' });
    assert.equal(res.statusCode, 400);
    const err = res.json<{ ok: boolean; error: string; status: number }>();
    assert.equal(err.ok, false);
    assert.match(err.error, /Nationwide OFO' \(component=OFO, encounter_type=enforcement, by citizenship\)/);
  });

  test('M10: CBP nationwide encounters FY2023 = 3,201,140 (CBP Encounter by Type + Region!C122; CBP says 3,201,144)', async (t) => {
    const b = await api(t, 'ohss.encounters', 'grain=fy&from=FY2023&to=FY2023');
    if (!b) return;
    assert.deepEqual(b.rows, [{ period: 'FY2023', value: 3_201_140 }]);
    const cell = await db!.one(`SELECT cell FROM ohss_monthly_facts WHERE release_id = $1 AND table_id = 'cbp-encounters-type-region' AND fiscal_year = 2023 AND month_start IS NULL AND region = 'all' AND encounter_type = 'all'`, [release[AUGUST]!]);
    assert.deepEqual(cell, { cell: 'C122' });
    // the Southwest total is published twice (Type + Region and SWB by Citizenship): counted once
    const swb = (await api(t, 'ohss.encounters', 'grain=fy&from=FY2023&to=FY2023&filter=region=Southwest Land Border'))!;
    assert.deepEqual(swb.rows, [{ period: 'FY2023', value: 2_475_670 }]);
  });

  test('the Southwest USBP encounters by citizenship come from one table (top 100), never mixed with the top-ten table', async (t) => {
    const b = await api(t, 'ohss.encounters', 'grain=fy&from=FY2023&to=FY2023&filter=component=USBP&filter=region=Southwest Land Border&by=citizenship');
    if (!b) return;
    const names = b.rows.map((r) => r.citizenship);
    assert.ok(names.includes('All other, including stateless and unknown'));
    assert.ok(!names.includes('Other'), 'the top-ten table\'s remainder is not added to the top-100 table\'s');
    assert.equal(b.rows.length, 101);
    const total = (await api(t, 'ohss.encounters', 'grain=fy&from=FY2023&to=FY2023&filter=component=USBP&filter=region=Southwest Land Border'))!;
    const sum = b.rows.reduce((n, r) => n + Number(r.value), 0);
    assert.ok(Math.abs(sum - Number(valueOf(total, 'FY2023'))) <= 5 * b.rows.length, `${sum} vs ${valueOf(total, 'FY2023')}`);
    // all of CBP at the Southwest border by citizenship: only the top-ten table has it
    const cbp = (await api(t, 'ohss.encounters', 'grain=fy&from=FY2023&to=FY2023&filter=region=Southwest Land Border&by=citizenship'))!;
    assert.equal(cbp.rows.length, 11);
  });

  test('M11: ICE removals FY2022 = 72,180 (ICE\'s annual figure is 72,177: OHSS rounds to 10)', async (t) => {
    const b = await api(t, 'ohss.ice_removals', 'grain=fy&from=FY2022&to=FY2022');
    if (!b) return;
    assert.deepEqual(b.rows, [{ period: 'FY2022', value: 72_180 }]);
  });
});

/* ------------------------------------------------------------------ the quirks of §8 */

describe('quirks of the OHSS monthly tables', () => {
  test('hidden month rows are read: October 2021 of ICE removals is row 109, hidden in the sheet XML', async (t) => {
    const b = await api(t, 'ohss.ice_removals', 'grain=month&from=2021-10&to=2021-10');
    if (!b) return;
    assert.deepEqual(b.rows, [{ period: '2021-10', value: 4_880 }]);
    const stored = await db!.one(`SELECT "row", cell, fiscal_year FROM ohss_monthly_facts WHERE release_id = $1 AND sheet = 'ICE ERO R&R by Citizenship' AND month_start = DATE '2021-10-01' AND citizenship = 'Total'`, [release[AUGUST]!]);
    assert.deepEqual(stored, { row: 109, cell: 'C109', fiscal_year: 2022 });
    // the row is hidden (outline level 1) in the file itself
    const bytes = readFileSync(join(folder(), AUGUST));
    const zip = await ZipArchive.open(bytes, AUGUST);
    const info = (await Workbook.open(bytes, AUGUST)).sheets.find((s) => s.name === 'ICE ERO R&R by Citizenship')!;
    const sheetXml = (await zip.read(info.part))!.toString('utf8');
    assert.match(/<row r="109"[^>]*>/.exec(sheetXml)![0], /hidden="1"/);
    // the month rows of FY2014–FY2022 (108) are hidden; each is stored, as are the visible ones of FY2023–FY2024
    const hidden = [...sheetXml.matchAll(/<row r="(\d+)"[^>]*hidden="1"/g)].map((m) => Number(m[1]));
    assert.equal(hidden.length, 108);
    const storedRows = new Set((await db!.all(`SELECT DISTINCT "row" FROM ohss_monthly_facts WHERE release_id = $1 AND sheet = 'ICE ERO R&R by Citizenship'`, [release[AUGUST]!])).map((r) => r.row));
    assert.deepEqual(hidden.filter((r) => !storedRows.has(r)), []);
    // every month of FY2014–FY2023 (120) and FY2024 to August (11) has a month row, per table and release
    const months = await db!.one(`SELECT count(DISTINCT month_start) AS n FROM ohss_monthly_facts WHERE release_id = $1 AND table_id = 'ice-removals-returns-citizenship'`, [release[AUGUST]!]);
    assert.equal(months!.n, 131);
  });

  test('a country column moved between releases is read by its header: Venezuela is K in April, L in August', async (t) => {
    if (!requireSharedData(t)) return;
    const cells = await db!.all(
      `SELECT f.release_id, f.cell, f.value FROM ohss_monthly_facts f JOIN releases r USING (release_id)
        WHERE f.sheet = 'ICE ERO R&R by Citizenship' AND f.citizenship = 'Venezuela' AND f.fiscal_year = 2023 AND f.month_start IS NULL
        ORDER BY r.snapshot_date`,
    );
    assert.deepEqual(cells, [
      { release_id: release[APRIL], cell: 'K121', value: 830 },
      { release_id: release[JULY], cell: 'K121', value: 830 },
      { release_id: release[AUGUST], cell: 'L121', value: 830 },
    ]);
    const april = (await api(t, 'ohss.ice_removals', `grain=fy&from=FY2023&to=FY2023&filter=citizenship=Venezuela&vintage=${release[APRIL]}`))!;
    assert.deepEqual(april.rows, [{ period: 'FY2023', value: 830 }]);
    // April names Peru among the arrest countries and not the Dominican Republic; August the reverse
    const named = await db!.all(
      `SELECT release_id, list(DISTINCT citizenship ORDER BY citizenship) AS c FROM ohss_monthly_facts WHERE sheet = 'ERO Arrests by Citizenship' GROUP BY release_id`,
    );
    const of = (id: string) => named.find((n) => n.release_id === id)!.c as string[];
    assert.ok(of(release[APRIL]!).includes('Peru') && !of(release[APRIL]!).includes('Dominican Republic'));
    assert.ok(of(release[AUGUST]!).includes('Dominican Republic') && !of(release[AUGUST]!).includes('Peru'));
  });

  test('a revised month: DHS removals September 2023 is 18,390 by default (August) and 18,490 as of April', async (t) => {
    const latest = await api(t, 'ohss.dhs_removals', 'grain=month&from=2023-09&to=2023-09');
    if (!latest) return;
    assert.deepEqual(latest.rows, [{ period: '2023-09', value: 18_390 }]);
    const april = (await api(t, 'ohss.dhs_removals', `grain=month&from=2023-09&to=2023-09&vintage=${release[APRIL]}`))!;
    assert.deepEqual(april.rows, [{ period: '2023-09', value: 18_490 }]);
  });

  test('each release is a vintage placed by its data month: snapshots 2024-04-30, 2024-07-31, 2024-08-31; "current as of" kept', async (t) => {
    if (!requireSharedData(t)) return;
    const rows = await db!.all(`SELECT release_id, strftime(snapshot_date, '%Y-%m-%d') AS d, fiscal_year, summary::VARCHAR AS s FROM releases WHERE source_id = 'dhs.ohss-monthly' ORDER BY snapshot_date`);
    assert.deepEqual(rows.map((r) => [r.release_id, r.d, r.fiscal_year]), [
      [release[APRIL], '2024-04-30', 2024],
      [release[JULY], '2024-07-31', 2024],
      [release[AUGUST], '2024-08-31', 2024],
    ]);
    const aug = JSON.parse(rows[2]!.s as string) as Record<string, unknown>;
    assert.equal(aug.data_month, '2024-08');
    assert.equal(aug.current_as_of, '2024-09-30');
    assert.equal(aug.ice_removals_returns_fytd, 254_000);
    assert.equal(aug.dhs_removals_fytd, 315_480);
    assert.equal(JSON.parse(rows[0]!.s as string).current_as_of, '2024-05-31');
  });

  test('the April release\'s "Nationwide OFO" title says June 2024: an anomaly, the data month stays April', async (t) => {
    if (!requireSharedData(t)) return;
    const anomalies = await db!.all(`SELECT release_id, code, subject FROM release_anomalies WHERE release_id IN (SELECT release_id FROM releases WHERE source_id = 'dhs.ohss-monthly') ORDER BY release_id`);
    assert.deepEqual(anomalies, [{ release_id: release[APRIL], code: 'title-month-mismatch', subject: 'Nationwide OFO!A2' }]);
  });

  test('every stored number is a multiple of 10, resolved to a country where it names one, and has its cell', async (t) => {
    if (!requireSharedData(t)) return;
    const bad = await db!.one(`SELECT count(*) FILTER (WHERE value % 10 <> 0) AS unrounded, count(*) FILTER (WHERE citizenship_kind = 'unmapped') AS unmapped, count(*) FILTER (WHERE cell IS NULL OR sheet IS NULL) AS unplaced, count(*) AS n FROM ohss_monthly_facts`);
    assert.deepEqual([bad!.unrounded, bad!.unmapped, bad!.unplaced], [0, 0, 0]);
    assert.ok(Number(bad!.n) > 170_000);
    const iso = await db!.all(`SELECT DISTINCT citizenship, iso3 FROM ohss_monthly_facts WHERE citizenship IN ('China, People''s Republic', 'Korea, South', 'Congo, Democratic Republic', 'Cote d''Ivoire') ORDER BY citizenship`);
    assert.deepEqual(iso.map((r) => [r.citizenship, r.iso3]), [
      ['China, People\'s Republic', 'CHN'],
      ['Congo, Democratic Republic', 'COD'],
      ['Cote d\'Ivoire', 'CIV'],
      ['Korea, South', 'KOR'],
    ]);
  });

  test('every chart title says whose series it is: ICE only, DHS-wide, or CBP', async () => {
    const title = (id: string) => OHSS_MONTHLY_METRICS.find((m) => m.id === id)!.title;
    assert.match(title('ohss.ice_removals'), /ICE only/);
    assert.match(title('ohss.arrests'), /ICE only/);
    assert.match(title('ohss.book_ins'), /ICE only/);
    assert.match(title('ohss.dhs_removals'), /DHS-wide/);
    assert.match(title('ohss.encounters'), /CBP/);
    for (const m of OHSS_MONTHLY_METRICS) {
      if (m.dimensions.citizenship) assert.ok(m.caveats.some((c) => /top ten/.test(c) && /Other/.test(c)), `${m.id} says only the top countries are named`);
    }
  });

  test('a grouping OHSS does not publish is a 400 naming the tables there are', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await app!.inject({ url: '/api/v1/metrics/ohss.ice_removals?grain=fy&by=citizenship,arrest_agency' });
    assert.equal(res.statusCode, 400);
    assert.match(res.json<{ error: string }>().error, /^by: no OHSS table publishes ohss\.ice_removals .*'ICE ERO R&R by Citizenship' \(by citizenship\)/);
  });
});

/* ------------------------------------------------------------------ synthetic workbooks */

interface SheetDraft {
  name: string;
  title: string;
  groups?: string[];
  headers: string[];
  /** [FY cell, month, ...values] */
  body: Array<Array<string | number | undefined>>;
  notes: string[];
}

const MONTHS = ['October', 'November', 'December', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September'];

/** A sheet for a layout: FY2023 (12 months) and FY2024 YTD (October, November), values multiples of 10. */
function draft(layout: TableLayout): SheetDraft {
  const columns: string[] = [];
  const groups: string[] = [];
  const block = layout.columns === 'citizenship' ? ['Total', 'Mexico', 'Venezuela', 'Other'] : Object.keys(layout.labels!);
  for (const g of layout.groups ? Object.keys(layout.groups.labels) : ['']) {
    block.forEach((h, i) => {
      columns.push(h);
      groups.push(i === 0 ? g : '');
    });
  }
  const body: SheetDraft['body'] = [];
  const values = (base: number) => columns.map((_, i) => (base + i) * 10);
  body.push([2023, 'Total', ...values(1200)]);
  MONTHS.forEach((m, i) => body.push([undefined, m, ...values(100 + i)]));
  body.push(['2024 YTD', 'Total', ...values(200)]);
  body.push([undefined, 'October', ...values(100)], [undefined, 'November', ...values(100)]);
  return {
    name: layout.sheet,
    title: `${layout.titleText}: Fiscal Years 2023 to 2024 YTD (November 2023)`,
    ...(layout.groups ? { groups } : {}),
    headers: ['Fiscal Year', 'Month', ...columns],
    body,
    notes: ['Notes: To protect privacy, table cells are rounded to the nearest ten. Data are current as of December 29, 2023; future reporting may include updates.', 'Source: Office of Homeland Security Statistics Persist Dataset.'],
  };
}

const text = (ref: string, s: string) => cell.inline(ref, s);

/** Month rows hidden at outline level 1, as OHSS writes them. */
function sheetRows(d: SheetDraft): string[] {
  const rows: string[] = [];
  const row = (r: number, cells: string[], hidden = false) => rows.push(`<row r="${r}"${hidden ? ' hidden="1" outlineLevel="1"' : ''}>${cells.join('')}</row>`);
  row(1, [text('A1', 'Return to Table of Contents.')]);
  row(2, [text('A2', d.title)]);
  let r = 3;
  if (d.groups) {
    row(r, d.groups.map((g, i) => (g ? text(cellRef(r, i + 3), g) : '')).filter(Boolean));
    r++;
  }
  row(r, d.headers.map((h, i) => text(cellRef(r, i + 1), h)));
  for (const values of d.body) {
    r++;
    const cells = values.map((v, i) => (v === undefined ? '' : typeof v === 'number' ? cell.num(cellRef(r, i + 1), v) : text(cellRef(r, i + 1), v)));
    row(r, cells.filter(Boolean), values[0] === undefined);
  }
  for (const n of d.notes) {
    r++;
    row(r, [text(cellRef(r, 1), n)]);
  }
  return rows;
}

function workbook(edit: (drafts: SheetDraft[]) => void = () => undefined): Uint8Array {
  const drafts = LAYOUTS.map(draft);
  edit(drafts);
  return buildXlsx({ sheets: [{ name: 'TOC', rows: [`<row r="1">${text('A1', 'Table of Contents')}</row>`] }, ...drafts.map((d) => ({ name: d.name, rows: sheetRows(d) }))] });
}

const FILE = '2024_0315_ohss_immigration-enforcement-and-legal-processes-tables-november-2023.xlsx';
const parse = (bytes: Uint8Array) => parseOhssMonthly({ path: `/tmp/${FILE}`, fileName: FILE, bytes, releaseId: 'synthetic000' });
const factsOf = (p: ParsedRelease) => p.tables.ohss_monthly_facts as MonthlyFact[];
const sheetOf = (drafts: SheetDraft[], name: string) => drafts.find((d) => d.name === name)!;

async function rejects(bytes: Uint8Array, expected: Partial<SourceFormatError['location']>, message: RegExp): Promise<void> {
  await assert.rejects(parse(bytes), (err: unknown) => {
    assert.ok(err instanceof SourceFormatError, String(err));
    assert.deepEqual({ ...err.location, ...expected }, err.location, `location ${JSON.stringify(err.location)}`);
    assert.match(err.message, message);
    assert.ok(err.message.startsWith(`/tmp/${FILE}`), 'the message names the file');
    return true;
  });
}

describe('synthetic workbooks', () => {
  test('a well-formed workbook: every layout read, hidden month rows included, snapshot from the months', async () => {
    const p = await parse(workbook());
    assert.deepEqual(p.anomalies, []);
    assert.equal(p.snapshotDate, '2023-11-30');
    assert.equal(p.fiscalYear, 2024);
    assert.equal(p.summary.current_as_of, '2023-12-29');
    const facts = factsOf(p);
    assert.deepEqual([...new Set(facts.map((f) => f.table_id))], LAYOUTS.map((l) => l.id));
    const oct = facts.find((f) => f.table_id === 'ice-removals-returns-citizenship' && f.month_start === '2022-10-01' && f.citizenship === 'Total')!;
    assert.deepEqual([oct.row, oct.cell, oct.value, oct.fiscal_year, oct.ytd], [5, 'C5', 1_000, 2023, false]);
    const ytd = facts.find((f) => f.table_id === 'ice-removals-returns-citizenship' && f.fiscal_year === 2024 && f.month_start === null && f.citizenship === 'Venezuela')!;
    assert.deepEqual([ytd.cell, ytd.value, ytd.ytd, ytd.iso3, ytd.citizenship_kind], ['E17', 2_020, true, 'VEN', 'country']);
    const groupRow = facts.find((f) => f.table_id === 'cbp-encounters-type-region' && f.encounter_type === 'administrative' && f.region === 'Air Ports of Entry' && f.month_start === null && f.fiscal_year === 2023)!;
    assert.equal(groupRow.cell, 'Q5', 'the group header over M carries to Q');
    const swb = facts.filter((f) => f.table_id === 'cbp-swb-agency-citizenship' && f.fiscal_year === 2023 && f.month_start === null && f.component === 'OFO');
    assert.deepEqual(swb.map((f) => [f.citizenship, f.region]), [['Total', 'Southwest Land Border'], ['Mexico', 'Southwest Land Border'], ['Venezuela', 'Southwest Land Border'], ['Other', 'Southwest Land Border']]);
  });

  test('columns are found by header: Venezuela before Mexico is still Venezuela', async () => {
    const p = await parse(
      workbook((drafts) => {
        const d = sheetOf(drafts, 'ICE ERO R&R by Citizenship');
        d.headers = ['Fiscal Year', 'Month', 'Total', 'Venezuela', 'Mexico', 'Other'];
      }),
    );
    const v = factsOf(p).find((f) => f.table_id === 'ice-removals-returns-citizenship' && f.iso3 === 'VEN' && f.fiscal_year === 2023 && f.month_start === null)!;
    assert.equal(v.cell, 'D4');
  });

  test('"X" and "NA" are stored as NULL with the code, never as 0', async () => {
    const p = await parse(
      workbook((drafts) => {
        sheetOf(drafts, 'DHS Removals by Arrest Agcy').body[0]![3] = 'X';
        sheetOf(drafts, 'DHS Removals by Arrest Agcy').body[0]![4] = 'NA';
      }),
    );
    const f = factsOf(p).filter((x) => x.table_id === 'dhs-removals-arrest-agency' && x.row === 4);
    assert.deepEqual(f.map((x) => [x.cell, x.value, x.flag]), [['C4', 12_000, null], ['D4', null, 'X'], ['E4', null, 'NA']]);
  });

  test('an unmapped country: anomaly unrecognised-country naming the cell, numbers kept without a code', async () => {
    const p = await parse(
      workbook((drafts) => {
        sheetOf(drafts, 'ERO Arrests by Citizenship').headers[4] = 'Atlantis';
      }),
    );
    assert.deepEqual(p.anomalies.map((a) => [a.code, a.subject]), [['unrecognised-country', 'ERO Arrests by Citizenship!E3']]);
    const kept = factsOf(p).filter((f) => f.citizenship === 'Atlantis');
    assert.equal(kept.length, 16);
    assert.ok(kept.every((f) => f.iso3 === null && f.citizenship_kind === 'unmapped'));
  });

  test('a renamed header is an error naming file, sheet and cell', async () => {
    await rejects(
      workbook((drafts) => {
        sheetOf(drafts, 'ICE ERO R&R by Arrest Agcy').headers[4] = 'HSI';
      }),
      { sheet: 'ICE ERO R&R by Arrest Agcy', cell: 'E3' },
      /unknown header "HSI"/,
    );
    await rejects(
      workbook((drafts) => {
        sheetOf(drafts, 'CBP Encounter by Type + Region').groups![12] = 'Expulsions';
      }),
      { sheet: 'CBP Encounter by Type + Region', cell: 'O3' },
      /unknown group header "Expulsions"/,
    );
    await rejects(
      workbook((drafts) => {
        sheetOf(drafts, 'DHS Removals by Citizenship').headers[2] = 'All';
      }),
      { sheet: 'DHS Removals by Citizenship', cell: 'C3' },
      /expected the "Total" column first/,
    );
    await rejects(
      workbook((drafts) => {
        sheetOf(drafts, 'ERO Arrests by Citizenship').headers[0] = 'Year';
      }),
      { sheet: 'ERO Arrests by Citizenship', cell: 'A3' },
      /no header row with "Fiscal Year"/,
    );
  });

  test('a missing column is an error naming file, sheet, header row and the column', async () => {
    await rejects(
      workbook((drafts) => {
        const d = sheetOf(drafts, 'ICE Book-Ins by Arrest Agency');
        d.headers = d.headers.slice(0, 4);
        d.body = d.body.map((r) => r.slice(0, 4));
      }),
      { sheet: 'ICE Book-Ins by Arrest Agency', row: 3, column: 'ice' },
      /has no "ice" column/,
    );
  });

  test('a missing or renamed table is an error naming it', async () => {
    await rejects(
      workbook((drafts) => {
        sheetOf(drafts, 'DHS Removals by Citizenship').title = 'DHS Removals by Citizenship and Sex: Fiscal Years 2023 to 2024 YTD (November 2023)';
      }),
      { sheet: 'DHS Removals by Citizenship', table: 'DHS Removals by Selected Citizenship' },
      /table not found/,
    );
  });

  test('a value that is not a number, or a number in a column without a header, is an error naming the cell', async () => {
    await rejects(
      workbook((drafts) => {
        sheetOf(drafts, 'Nationwide USBP').body[3]![4] = 'n/a';
      }),
      { sheet: 'Nationwide USBP', cell: 'E7' },
      /"n\/a" is neither a whole number nor one of OHSS's codes/,
    );
    await rejects(
      workbook((drafts) => {
        sheetOf(drafts, 'Nationwide USBP').body[3]![6] = 10;
      }),
      { sheet: 'Nationwide USBP', cell: 'G7' },
      /in a column without a header/,
    );
  });

  test('an unknown table is reported, not read; a title month that disagrees with the data is reported', async () => {
    const bytes = workbook((drafts) => {
      drafts.push({ ...draft(LAYOUTS[0]!), name: 'New Table', title: 'ICE Detainers by Citizenship: Fiscal Years 2023 to 2024 YTD (November 2023)' });
      sheetOf(drafts, 'SWB USBP').title = 'SW Border USBP Encounters by Top 100 Citizenships: Fiscal Years 2023 to 2024 YTD (January 2024)';
    });
    const p = await parse(bytes);
    assert.deepEqual(p.anomalies.map((a) => [a.code, a.subject]), [
      ['unrecognised-table', 'New Table'],
      ['title-month-mismatch', 'SWB USBP!A2'],
    ]);
    assert.equal((p.tables.release_sheets as Array<{ sheet: string; status: string }>).find((s) => s.sheet === 'New Table')!.status, 'not-parsed');
  });

  test('not an xlsx: an HTML page saved under the name', async () => {
    await assert.rejects(parse(new TextEncoder().encode('<!DOCTYPE html><html>Access denied</html>')), /HTML page/);
  });
});

/* ------------------------------------------------------------------ names and discovery */

describe('file names and discovery', () => {
  test('OHSS file names, both date-prefix forms and a re-upload suffix', () => {
    for (const n of [APRIL, JULY, AUGUST, '24-1011_ohss_immigration-enforcement-and-legal-processes-tables-june-2024_2.xlsx', 'ohss_immigration-enforcement-and-legal-processes-tables-may-2025.xlsx']) {
      assert.ok(isOhssMonthlyFileName(n), n);
    }
    for (const n of ['KHSM Encounters (USBP) fy25m11.xlsx', 'ohss_immigration-enforcement-and-legal-processes-tables-april-2024.csv', 'FY25_detentionStats08292025.xlsx']) {
      assert.ok(!isOhssMonthlyFileName(n), n);
    }
    assert.equal(currentAsOf('Data are current as of September 30, 2024; future reporting'), '2024-09-30');
    assert.equal(currentAsOf('Data are current as of May 31, 2024.'), '2024-05-31');
  });

  test('discovery lists the workbook links of the OHSS page, and fails on a page without one', async () => {
    const page = (html: string): Effects => ({
      http: { get: async (url) => ({ url, status: 200, headers: {}, body: new TextEncoder().encode(html), notModified: false }) },
      logger: { info: () => undefined, warn: () => undefined },
      now: () => new Date(0),
    });
    const html = `<a href="/sites/default/files/2024-12/${AUGUST}">August</a> <a href="/sites/default/files/2024-12/other.pdf">pdf</a>`;
    assert.deepEqual(await discoverOhssMonthly(page(html), 'https://ohss.dhs.gov/topics/x'), [
      { url: `https://ohss.dhs.gov/sites/default/files/2024-12/${AUGUST}`, fileName: AUGUST },
    ]);
    await assert.rejects(discoverOhssMonthly(page('<p>moved</p>'), 'https://ohss.dhs.gov/topics/x'), SourceFormatError);
  });
});
