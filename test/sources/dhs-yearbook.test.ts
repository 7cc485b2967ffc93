/**
 * dhs.yearbook and ice.removals-by-citizenship: the 32 yearbook web-table CSVs and ICE's FY2017–
 * FY2018 table ingested into a temporary database; headline figures Y1–Y7 and R1–R2 of MANIFEST.md
 * (addendum) through the API; the quirks of §9–§10 (table numbers that shift between yearbooks,
 * part letters that change order, "D" withheld, "-" zero, pandas floats, ICE's leading spaces);
 * then bad input on small synthetic CSVs.
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
import { YEARBOOK_METRICS } from '../../src/metrics/dhs-yearbook.js';
import { METRICS } from '../../src/metrics/registry.js';
import { buildApp } from '../../src/server/app.js';
import { dhsYearbook } from '../../src/sources/dhs/yearbook/index.js';
import { parseYearbook, type YearbookFact } from '../../src/sources/dhs/yearbook/parse.js';
import { iceRemovalsByCitizenship } from '../../src/sources/ice/removals-by-citizenship/index.js';
import { parseIceRemovalsByCitizenship, type IceRemovalRow } from '../../src/sources/ice/removals-by-citizenship/parse.js';
import { DATASETS } from '../../src/sources/registry.js';
import type { Effects, ParsedRelease } from '../../src/sources/types.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

const YB = 'dhs-ohss/yearbook-web-tables';
const ICE_FILE = 'FY2017andFY2018ICERemovalsbyCountryofCitizenship.csv';
const REMOVALS = 'CriminalStatusAndRegionAndCountryOfNationality';
const F = {
  yb2019B: `Yearbook2019_Table41AliensRemovedBy${REMOVALS}_B.csv`,
  yb2020B: `Yearbook2020_Table41NoncitizensRemovedBy${REMOVALS}_B.csv`,
  yb2020D: `Yearbook2020_Table41NoncitizensRemovedBy${REMOVALS}_D.csv`,
  yb2021B: `Yearbook2021_Table41NoncitizenRemovalsBy${REMOVALS}_B.csv`,
  yb2022B: `Yearbook2022_Table42NoncitizenRemovalsBy${REMOVALS}_B.csv`,
  yb2022D: `Yearbook2022_Table42NoncitizenRemovalsBy${REMOVALS}_D.csv`,
  yb2022E: `Yearbook2022_Table42NoncitizenRemovalsBy${REMOVALS}_E.csv`,
  yb2022T34B: 'Yearbook2022_Table34Title42ExpulsionsAndNoncitizenApprehensionsByRegionAndCountryOfNationality_B.csv',
  yb2022T39: 'Yearbook2022_Table39NoncitizenRemovalsReturnsAndExpulsions_A.csv',
  yb2022T41B: 'Yearbook2022_Table41NoncitizenEnforcementReturnsByRegionAndCountryOfNationality_B.csv',
};

const datasets = [dhsYearbook, iceRemovalsByCitizenship].filter((d) => !DATASETS.some((x) => x.id === d.id));
const metrics = YEARBOOK_METRICS.filter((m) => !METRICS.some((x) => x.id === m.id));
DATASETS.push(...datasets);
METRICS.push(...metrics);

const dir = mkdtempSync(join(tmpdir(), 'tracker-yearbook-'));
let db: Database | undefined;
let app: Awaited<ReturnType<typeof buildApp>> | undefined;
const release: Record<string, string> = {};

before(async () => {
  const data = sharedDataDir();
  if (!data) return;
  db = await Database.open(join(dir, 'tracker.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  const report = await ingestPaths([join(data, YB), join(data, 'ice-removals-by-citizenship')], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
  assert.equal(report.errors, 0, JSON.stringify(report.outcomes.filter((o) => o.status === 'error')));
  assert.equal(report.ingested, 33);
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
  releases: string[];
  query: { filter: Record<string, string> };
}

async function api(t: TestContext, metric: string, query: string): Promise<MetricBody | undefined> {
  if (!requireSharedData(t)) return undefined;
  const res = await app!.inject({ url: `/api/v1/metrics/${metric}?${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json<MetricBody>();
}

/** period → value, or `${period}|${dim}` → value when the rows are broken down. */
function values(body: MetricBody): Record<string, number | string | null> {
  return Object.fromEntries(body.rows.map((r) => [Object.entries(r).filter(([k]) => k !== 'value').map(([, v]) => v).join('|'), r.value ?? null]));
}

/* ------------------------------------------------------------------ Y1–Y7, R1–R2 through the API */

describe('headline figures Y1–Y7 and R1–R2 through /api/v1/metrics', () => {
  test('Y1: DHS removals FY2022: total 108,733; Mexico 62,047; Venezuela 488; Iran 21; Cuba 56 (Yearbook 2022 Table 42 D)', async (t) => {
    const total = await api(t, 'dhs.yearbook_removals', 'from=FY2022&to=FY2022');
    if (!total) return;
    assert.deepEqual(total.rows, [{ period: 'FY2022', value: 108_733 }]);
    assert.deepEqual(total.releases, [release[F.yb2022D]]);
    assert.deepEqual(total.query.filter, { criminal_status: 'all' }, 'the default criminal status is named in the answer');
    const by = values((await api(t, 'dhs.yearbook_removals', 'from=FY2022&to=FY2022&by=country'))!);
    assert.deepEqual([by['FY2022|MEX'], by['FY2022|VEN'], by['FY2022|IRN'], by['FY2022|CUB']], [62_047, 488, 21, 56]);
    assert.equal(by['FY2022|Total'], undefined, 'by country never lists the total line as a country');
    const iran = (await api(t, 'dhs.yearbook_removals', 'from=FY2022&to=FY2022&filter=citizenship=Iran'))!;
    assert.deepEqual(iran.rows, [{ period: 'FY2022', value: 21 }]);
  });

  test('Y2: criminal removals of Iranians FY2022 = 13; FY2021 is withheld ("D"): null, never 0', async (t) => {
    const b = await api(t, 'dhs.yearbook_removals', 'from=FY2021&to=FY2022&filter=country=IRN&filter=criminal_status=criminal');
    if (!b) return;
    assert.equal(values(b).FY2022, 13);
    assert.notEqual(values(b).FY2021, 0);
    assert.ok(values(b).FY2021 === null || values(b).FY2021 === 'withheld', `FY2021 is ${values(b).FY2021}`);
    const stored = await db!.one(
      `SELECT file, line, "column", value, flag, withheld FROM dhs_yearbook_facts WHERE release_id = $1 AND iso3 = 'IRN' AND fiscal_year = 2021`,
      [release[F.yb2022E]!],
    );
    assert.deepEqual(stored, { file: F.yb2022E, line: 69, column: '2021', value: null, flag: 'D', withheld: true });
  });

  test(
    'Y2: the API shows a withheld number as "withheld"',
    async (t) => {
      const b = await api(t, 'dhs.yearbook_removals', 'from=FY2021&to=FY2021&filter=country=IRN&filter=criminal_status=criminal');
      if (!b) return;
      assert.deepEqual(b.rows, [{ period: 'FY2021', value: 'withheld' }]);
    },
  );

  test('Y3: apprehensions incl. Title 42 FY2022: total 2,584,220; Venezuela 206,075; Iran 2,026 (Table 34 B, column "2022 [8]")', async (t) => {
    const total = await api(t, 'dhs.yearbook_apprehensions', 'from=FY2022');
    if (!total) return;
    assert.deepEqual(total.rows, [{ period: 'FY2022', value: 2_584_220 }]);
    const by = values((await api(t, 'dhs.yearbook_apprehensions', 'from=FY2022&by=country'))!);
    assert.deepEqual([by['FY2022|VEN'], by['FY2022|IRN']], [206_075, 2_026]);
    const cell = await db!.one(`SELECT line, "column" FROM dhs_yearbook_facts WHERE release_id = $1 AND iso3 = 'IRN' AND fiscal_year = 2022`, [release[F.yb2022T34B]!]);
    assert.deepEqual(cell, { line: 79, column: '2022 [8]' });
  });

  test('Y4: FY2022 removals 108,733, administrative returns 180,266 ("180266.0"), enforcement returns 81,121, expulsions 1,103,966 (Table 39)', async (t) => {
    const b = await api(t, 'dhs.yearbook_annual', 'from=FY2022&by=measure');
    if (!b) return;
    const v = values(b);
    assert.deepEqual(
      [v['FY2022|removals'], v['FY2022|administrative_returns'], v['FY2022|enforcement_returns'], v['FY2022|expulsions']],
      [108_733, 180_266, 81_121, 1_103_966],
    );
    // without a measure the series is removals, never a sum of unlike things
    assert.deepEqual((await api(t, 'dhs.yearbook_annual', 'from=FY2022'))!.rows, [{ period: 'FY2022', value: 108_733 }]);
    const raw = readFileSync(join(sharedDataDir()!, YB, F.yb2022T39), 'utf8').split('\n')[131]!;
    assert.equal(raw, '2022,108733,180266.0,81121.0,1103966');
    // 1892: removals 2,801; the returns are blank (not covered) and expulsions "X" (not applicable): null, not 0
    const y1892 = await db!.all(`SELECT measure, value, flag FROM dhs_yearbook_facts WHERE release_id = $1 AND fiscal_year = 1892 ORDER BY measure`, [release[F.yb2022T39]!]);
    assert.deepEqual(y1892, [
      { measure: 'administrative_returns', value: null, flag: '' },
      { measure: 'enforcement_returns', value: null, flag: '' },
      { measure: 'expulsions', value: null, flag: 'X' },
      { measure: 'removals', value: 2_801, flag: null },
    ]);
  });

  test('Y5: FY2019 removals revised: 359,885 / Mexico 215,205 (Yearbook 2019) → 348,468 / 203,824 (2020) → 347,090 / 202,587 (2022, the default)', async (t) => {
    const q = 'from=FY2019&to=FY2019';
    const latest = await api(t, 'dhs.yearbook_removals', q);
    if (!latest) return;
    const at = async (vintage: string | undefined, extra = '') => values((await api(t, 'dhs.yearbook_removals', `${q}${extra}${vintage ? `&vintage=${vintage}` : ''}`))!).FY2019;
    assert.equal(await at(undefined), 347_090);
    assert.equal(await at(undefined, '&filter=country=MEX'), 202_587);
    assert.equal(await at(release[F.yb2020B]), 348_468);
    assert.equal(await at(release[F.yb2020B], '&filter=country=MEX'), 203_824);
    assert.equal(await at(release[F.yb2019B]), 359_885);
    assert.equal(await at(release[F.yb2019B], '&filter=country=MEX'), 215_205);
    // Yearbook 2021 has its own vintage in between
    assert.equal(await at(release[F.yb2021B]), 347_183);
    // the single-year Yearbook 2019 part is read by its columns: Total, Criminal, Non-Criminal
    const y2019 = values((await api(t, 'dhs.yearbook_removals', `${q}&by=criminal_status&vintage=${release[F.yb2019B]}`))!);
    assert.deepEqual(y2019, { 'FY2019|all': 359_885, 'FY2019|criminal': 155_788, 'FY2019|non_criminal': 204_097 });
  });

  test('Y6: DHS removals FY2021 = 89,191 in Yearbook 2021, 85,783 in Yearbook 2022 (the default)', async (t) => {
    const latest = await api(t, 'dhs.yearbook_removals', 'from=FY2021&to=FY2021');
    if (!latest) return;
    assert.deepEqual(latest.rows, [{ period: 'FY2021', value: 85_783 }]);
    const yb2021 = (await api(t, 'dhs.yearbook_removals', `from=FY2021&to=FY2021&vintage=${release[F.yb2021B]}`))!;
    assert.deepEqual(yb2021.rows, [{ period: 'FY2021', value: 89_191 }]);
    assert.deepEqual(yb2021.releases, [release[F.yb2021B]]);
  });

  test('Y7: Iran removals FY2019 = 26, FY2020 = 20 (Yearbook 2021 Table 41 B)', async (t) => {
    const b = await api(t, 'dhs.yearbook_removals', `from=FY2019&to=FY2020&filter=country=IRN&vintage=${release[F.yb2021B]}`);
    if (!b) return;
    assert.deepEqual(b.rows, [{ period: 'FY2019', value: 26 }, { period: 'FY2020', value: 20 }]);
  });

  test('R1: ICE removals FY2017 = 226,119, FY2018 = 256,085: the sum of the 196 lines (the table has no total line)', async (t) => {
    const b = await api(t, 'ice.removals_by_citizenship', '');
    if (!b) return;
    assert.deepEqual(b.rows, [{ period: 'FY2017', value: 226_119 }, { period: 'FY2018', value: 256_085 }]);
    const n = await db!.one(`SELECT count(DISTINCT line) AS lines, count(*) AS cells FROM ice_removals_by_citizenship`);
    assert.deepEqual(n, { lines: 196, cells: 392 });
    const summary = await db!.one(`SELECT summary::VARCHAR AS s FROM releases WHERE release_id = $1`, [release[ICE_FILE]!]);
    assert.deepEqual(JSON.parse(summary!.s as string), { countries: 196, removals_fy2017: 226_119, removals_fy2018: 256_085 });
  });

  test('R2: ICE removals FY2018 of citizens of Iran 22, Venezuela 336, Mexico 141,045 (numbers written with a leading space)', async (t) => {
    const b = await api(t, 'ice.removals_by_citizenship', 'from=FY2018&by=country');
    if (!b) return;
    const v = values(b);
    assert.deepEqual([v['FY2018|IRN'], v['FY2018|VEN'], v['FY2018|MEX']], [22, 336, 141_045]);
    const byName = (await api(t, 'ice.removals_by_citizenship', 'from=FY2018&filter=citizenship=IRAN'))!;
    assert.deepEqual(byName.rows, [{ period: 'FY2018', value: 22 }]);
    const raw = readFileSync(join(sharedDataDir()!, 'ice-removals-by-citizenship', ICE_FILE), 'utf8').split('\n');
    assert.equal(raw[1], 'MEXICO, 128765, 141045');
    const stored = await db!.one(`SELECT line, "column", citizenship, iso3, value FROM ice_removals_by_citizenship WHERE citizenship = 'IRAN' AND fiscal_year = 2018`);
    assert.deepEqual(stored, { line: 110, column: '2018', citizenship: 'IRAN', iso3: 'IRN', value: 22 });
  });
});

/* ------------------------------------------------------------------ quirks */

describe('quirks of the yearbook tables and ICE\'s table', () => {
  test('removals by country are Table 41 to Yearbook 2021 and Table 42 in 2022, where Table 41 is enforcement returns: read by title', async (t) => {
    if (!requireSharedData(t)) return;
    const kinds = await db!.all(`SELECT DISTINCT yearbook, table_number, table_kind FROM dhs_yearbook_facts WHERE table_number IN (41, 42) ORDER BY yearbook, table_number`);
    assert.deepEqual(kinds.map((k) => [k.yearbook, k.table_number, k.table_kind]), [
      [2019, 41, 'removals-by-nationality'],
      [2020, 41, 'removals-by-nationality'],
      [2021, 41, 'removals-by-nationality'],
      [2022, 41, 'enforcement-returns-by-nationality'],
      [2022, 42, 'removals-by-nationality'],
    ]);
    // Yearbook 2022 Table 41's numbers are returns, not removals
    const returns = values((await api(t, 'dhs.yearbook_returns', 'from=FY2022&by=type'))!);
    assert.deepEqual(returns, { 'FY2022|administrative': 180_266, 'FY2022|enforcement': 81_121 });
    const t41 = await db!.one(`SELECT DISTINCT measure FROM dhs_yearbook_facts WHERE release_id = $1`, [release[F.yb2022T41B]!]);
    assert.deepEqual(t41, { measure: 'enforcement_returns' });
  });

  test('part letters change order: country totals are part B in 2020–2021 and part D in 2022; 2022 B is region, criminal', async (t) => {
    if (!requireSharedData(t)) return;
    const parts = await db!.all(
      `SELECT file, any_value(geography) AS geography, any_value(criminal_status) AS status FROM dhs_yearbook_facts WHERE file IN ($1, $2, $3, $4, $5) GROUP BY file ORDER BY file`,
      [F.yb2020B, F.yb2020D, F.yb2021B, F.yb2022B, F.yb2022D],
    );
    assert.deepEqual(parts.map((p) => [p.file, p.geography, p.status]), [
      [F.yb2020B, 'country', 'all'],
      [F.yb2020D, 'country', 'criminal'],
      [F.yb2021B, 'country', 'all'],
      [F.yb2022B, 'region', 'criminal'],
      [F.yb2022D, 'country', 'all'],
    ]);
    const regions = values((await api(t, 'dhs.yearbook_removals', 'from=FY2022&by=region&filter=criminal_status=criminal'))!);
    assert.equal(regions['FY2022|North America'], 53_947);
  });

  test('"-" is zero, "D" is withheld (NULL, flagged), never 0', async (t) => {
    if (!requireSharedData(t)) return;
    const angola = await db!.all(`SELECT fiscal_year, value, flag, withheld FROM dhs_yearbook_facts WHERE release_id = $1 AND iso3 = 'AGO' AND fiscal_year IN (2016, 2017, 2018) ORDER BY fiscal_year`, [release[F.yb2020D]!]);
    assert.deepEqual(angola, [
      { fiscal_year: 2016, value: null, flag: 'D', withheld: true },
      { fiscal_year: 2017, value: 0, flag: '-', withheld: false },
      { fiscal_year: 2018, value: 14, flag: null, withheld: false },
    ]);
    const counts = await db!.one(`SELECT count(*) FILTER (WHERE withheld AND value IS NOT NULL) AS bad, count(*) FILTER (WHERE withheld) AS withheld FROM dhs_yearbook_facts`);
    assert.equal(counts!.bad, 0);
    assert.ok(Number(counts!.withheld) > 500);
  });

  test('every label resolves: countries to ISO codes, regions and "All other countries [n]" to groups, former countries as historic', async (t) => {
    if (!requireSharedData(t)) return;
    const kinds = await db!.all(`SELECT citizenship_kind AS k, count(*) AS n FROM dhs_yearbook_facts WHERE geography <> 'national' GROUP BY 1 ORDER BY 1`);
    assert.ok(!kinds.some((k) => k.k === 'unmapped'), JSON.stringify(kinds));
    const anomalies = await db!.all(`SELECT code FROM release_anomalies WHERE release_id IN (SELECT release_id FROM releases WHERE source_id IN ('dhs.yearbook', 'ice.removals-by-citizenship'))`);
    assert.deepEqual(anomalies.map((a) => a.code), ['no-final-newline'], "only ICE's file lacks its last line break");
    const other = await db!.one(`SELECT citizenship, citizenship_kind FROM dhs_yearbook_facts WHERE release_id = $1 AND label LIKE 'All other countries%' LIMIT 1`, [release[F.yb2022D]!]);
    assert.deepEqual(other, { citizenship: 'All other countries', citizenship_kind: 'group' });
  });

  test('the yearbook is placed by its last fiscal year: Yearbook 2022 tables are 2022-09-30, Yearbook 2019 2019-09-30', async (t) => {
    if (!requireSharedData(t)) return;
    const rows = await db!.all(`SELECT strftime(snapshot_date, '%Y-%m-%d') AS d, count(*) AS n FROM releases WHERE source_id = 'dhs.yearbook' GROUP BY 1 ORDER BY 1`);
    assert.deepEqual(rows, [{ d: '2019-09-30', n: 2 }, { d: '2020-09-30', n: 6 }, { d: '2021-09-30', n: 7 }, { d: '2022-09-30', n: 17 }]);
  });

  test('titles say whose series it is: DHS-wide or ICE only', () => {
    const title = (id: string) => YEARBOOK_METRICS.find((m) => m.id === id)!.title;
    assert.match(title('dhs.yearbook_removals'), /DHS-wide/);
    assert.match(title('ice.removals_by_citizenship'), /ICE only/);
    for (const m of YEARBOOK_METRICS) assert.ok(m.caveats.some((c) => /never join/i.test(c)), m.id);
  });

  test('by region and by country together is a 400 saying why', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await app!.inject({ url: '/api/v1/metrics/dhs.yearbook_removals?by=region,country' });
    assert.equal(res.statusCode, 400);
    assert.match(res.json<{ error: string }>().error, /by region of nationality or by country of nationality, not by both/);
  });
});

/* ------------------------------------------------------------------ synthetic files */

const enc = (s: string) => new TextEncoder().encode(s);
const YB_FILE = `Yearbook2022_Table42NoncitizenRemovalsBy${REMOVALS}_D.csv`;
const GOOD = 'Country of nationality,2021,2022 [3]\nTotal,85783,108733\nIran,11,21\n"Korea, South",37,40\nAll other countries [1],30,D\n';

function yb(text: string, fileName = YB_FILE): Promise<ParsedRelease> {
  return parseYearbook({ path: `/tmp/${fileName}`, fileName, bytes: enc(text), releaseId: 'synthetic000' });
}

async function rejects(p: Promise<unknown>, expected: Partial<SourceFormatError['location']>, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof SourceFormatError, String(err));
    assert.deepEqual({ ...err.location, ...expected }, err.location, `location ${JSON.stringify(err.location)}`);
    assert.match(err.message, message);
    assert.ok(err.message.startsWith('/tmp/'), 'the message names the file');
    return true;
  });
}

describe('synthetic yearbook files', () => {
  test('a well-formed part: quoted names, footnote marks, D withheld, snapshot from the last fiscal year', async () => {
    const p = await yb(GOOD);
    assert.deepEqual(p.anomalies, []);
    assert.equal(p.snapshotDate, '2022-09-30');
    const facts = p.tables.dhs_yearbook_facts as YearbookFact[];
    const korea = facts.find((f) => f.citizenship === 'Korea, South' && f.fiscal_year === 2022)!;
    assert.deepEqual([korea.iso3, korea.line, korea.column, korea.value, korea.criminal_status], ['KOR', 4, '2022 [3]', 40, 'all']);
    const other = facts.find((f) => f.label === 'All other countries [1]' && f.fiscal_year === 2022)!;
    assert.deepEqual([other.citizenship, other.citizenship_kind, other.value, other.flag, other.withheld], ['All other countries', 'group', null, 'D', true]);
    assert.equal(p.summary.removals_fy2022, 108_733);
  });

  test('an unmapped country: anomaly unrecognised-country naming line and column, the line kept', async () => {
    const p = await yb(GOOD.replace('Iran,', 'Atlantis,'));
    assert.deepEqual(p.anomalies.map((a) => [a.code, a.subject]), [['unrecognised-country', `${YB_FILE}, line 3, column 'Country of nationality'`]]);
    const kept = (p.tables.dhs_yearbook_facts as YearbookFact[]).filter((f) => f.citizenship === 'Atlantis');
    assert.deepEqual(kept.map((f) => [f.iso3, f.citizenship_kind, f.value]), [[null, 'unmapped', 11], [null, 'unmapped', 21]]);
  });

  test('a renamed or unknown header is an error naming the file, line 1 and the column', async () => {
    await rejects(yb(GOOD.replace('Country of nationality', 'Nationality')), { line: 1, column: 'Nationality' }, /expected "Region of nationality" or "Country of nationality"/);
    await rejects(yb(GOOD.replace('2021,', 'Total,')), { line: 1, column: 'Total' }, /expected a fiscal year/);
    // the part order of Yearbook 2022 says D is by country: a region header there means the parts moved
    await rejects(yb(GOOD.replace('Country of nationality', 'Region of nationality')), { line: 1, column: 'Region of nationality' }, /should be by country/);
  });

  test('a missing field, a value that is not a number, a missing Total line: errors naming line and column', async () => {
    await rejects(yb(GOOD.replace('Iran,11,21', 'Iran,11')), { line: 3, column: '2022 [3]' }, /1 fields|2 fields where the header has 3/);
    await rejects(yb(GOOD.replace('Iran,11,21', 'Iran,11,2l')), { line: 3, column: '2022 [3]' }, /"2l" is neither a whole number nor one of OHSS's codes/);
    await rejects(yb(GOOD.replace('Total,85783,108733\n', '')), { line: 2 }, /no "Total" line/);
  });

  test('a yearbook whose part order is not reviewed, or a title not in the crosswalk, is an error naming the table', async () => {
    await rejects(yb(GOOD, YB_FILE.replace('Yearbook2022_Table42', 'Yearbook2023_Table43')), { table: `NoncitizenRemovalsBy${REMOVALS}` }, /part D of Yearbook 2023 is not known/);
    await rejects(yb('Year,Number\n2022,5\n', 'Yearbook2022_Table38NoncitizenDetentionsByFacility_A.csv'), { table: 'NoncitizenDetentionsByFacility' }, /unrecognised yearbook table title/);
  });

  test('by-year tables: footnote marks on years, pandas floats, "-" zero; an unknown column is an error', async () => {
    const p = await yb('Year,Removals [1],Returns [2],Expulsions [3]\n2019,347183,171125.0,X\n2020 [4],237861,-,206770\n', 'Yearbook2021_Table39NoncitizenRemovalsReturnsAndExpulsions_A.csv');
    const f = p.tables.dhs_yearbook_facts as YearbookFact[];
    assert.deepEqual(f.map((x) => [x.fiscal_year, x.measure, x.value, x.flag]), [
      [2019, 'removals', 347_183, null], [2019, 'returns', 171_125, null], [2019, 'expulsions', null, 'X'],
      [2020, 'removals', 237_861, null], [2020, 'returns', 0, '-'], [2020, 'expulsions', 206_770, null],
    ]);
    await rejects(yb('Year,Removals [1],Deportations\n2019,1,2\n', 'Yearbook2021_Table39NoncitizenRemovalsReturnsAndExpulsions_A.csv'), { line: 1, column: 'Deportations' }, /unknown column "Deportations"/);
    await rejects(yb('Year,Removals [1]\n2019,1.5\n', 'Yearbook2021_Table39NoncitizenRemovalsReturnsAndExpulsions_A.csv'), { line: 2, column: 'Removals [1]' }, /"1.5" is neither/);
  });

  test('not a CSV: an HTML page saved under the name', async () => {
    await rejects(yb('<!DOCTYPE html><html></html>'), { line: 1 }, /not a CSV file/);
  });
});

const ice = (text: string) => parseIceRemovalsByCitizenship({ path: `/tmp/${ICE_FILE}`, fileName: ICE_FILE, bytes: enc(text), releaseId: 'synthetic000' });

describe("synthetic ICE tables", () => {
  test('leading spaces are trimmed; the summary sums each year', async () => {
    const p = await ice('CountryOfCitizenship,2017,2018\nMEXICO, 128765, 141045\nIRAN, 22, 22\n');
    const rows = p.tables.ice_removals_by_citizenship as IceRemovalRow[];
    assert.deepEqual(rows.map((r) => [r.citizenship, r.iso3, r.column, r.value]), [['MEXICO', 'MEX', '2017', 128_765], ['MEXICO', 'MEX', '2018', 141_045], ['IRAN', 'IRN', '2017', 22], ['IRAN', 'IRN', '2018', 22]]);
    assert.deepEqual(p.summary, { countries: 2, removals_fy2017: 128_787, removals_fy2018: 141_067 });
    assert.deepEqual(p.anomalies, []);
  });

  test('bad input: a renamed header, a value that is not a number, a short line; an unmapped name is an anomaly', async () => {
    await rejects(ice('Nation,2017,2018\nMEXICO, 1, 2\n'), { line: 1, column: 'Nation' }, /CountryOfCitizenship/);
    await rejects(ice('CountryOfCitizenship,2017,FY\nMEXICO, 1, 2\n'), { line: 1, column: 'FY' }, /fiscal year/);
    await rejects(ice('CountryOfCitizenship,2017,2018\nMEXICO, 1, 2x\n'), { line: 2, column: '2018' }, /" 2x" is not a whole number/);
    await rejects(ice('CountryOfCitizenship,2017,2018\nMEXICO, 1\n'), { line: 2 }, /2 fields where the header has 3/);
    const p = await ice('CountryOfCitizenship,2017,2018\nATLANTIS, 1, 2\n');
    assert.deepEqual(p.anomalies.map((a) => [a.code, a.subject]), [['unrecognised-country', `${ICE_FILE}, line 2, column 'CountryOfCitizenship'`]]);
    assert.equal((p.tables.ice_removals_by_citizenship as IceRemovalRow[]).length, 2);
  });
});

describe('names and discovery', () => {
  test('claims: yearbook CSV names and ICE\'s table, not other files', () => {
    assert.ok(dhsYearbook.claims(F.yb2022D, new Uint8Array()));
    assert.ok(dhsYearbook.claims('Yearbook2019_Table41AliensRemovedByCriminalStatusAndRegionAndCountryOfNationality_A.csv', new Uint8Array()));
    assert.ok(!dhsYearbook.claims('fy2019_table41d.xlsx', new Uint8Array()));
    assert.ok(iceRemovalsByCitizenship.claims(ICE_FILE, new Uint8Array()));
    assert.ok(!iceRemovalsByCitizenship.claims('FY25_detentionStats08292025.xlsx', new Uint8Array()));
    assert.equal(dhsYearbook.describeFile(F.yb2022D).url, 'https://ohss.dhs.gov/topics/immigration/yearbook/2022/table42');
  });

  test('discovery lists nothing and makes no request: the tables are web pages and a PDF, ingested from files', async () => {
    const logged: string[] = [];
    const fx: Effects = {
      http: { get: async () => assert.fail('no request expected') },
      logger: { info: (m) => logged.push(m), warn: (m) => logged.push(m) },
      now: () => new Date(0),
    };
    assert.deepEqual(await dhsYearbook.discover(fx), []);
    assert.deepEqual(await iceRemovalsByCitizenship.discover(fx), []);
    assert.equal(logged.length, 2);
  });
});
