/**
 * The country pages (/countries/ISO3), the index (/countries) and /third-country-removals.
 *
 * On the real files (CBP's state CSVs, the OHSS KHSM workbook, the Seattle FOIA removals) every
 * number the pages show is checked against a sum computed here from the files themselves,
 * independently of the ingest: CBP by the rule "each month from the latest file reporting it",
 * the Seattle removals by counting lines, the OHSS figure by reading the workbook's cell with
 * exceljs. A synthetic FOIA production with departure countries checks the third-country
 * comparison by ISO code (it needs no shared data).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { metricById } from '../../src/metrics/registry.js';
import { buildApp } from '../../src/server/app.js';
import { countriesPage } from '../../src/server/pages/countries.js';
import { countryPage } from '../../src/server/pages/country.js';
import { classifyPair } from '../../src/server/pages/country-data.js';
import { PAGES } from '../../src/server/pages/index.js';
import { thirdCountryPage } from '../../src/server/pages/third-country.js';
import { LAYOUTS } from '../../src/sources/ice/foia/layouts.js';
import { DATASETS } from '../../src/sources/registry.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';
import { splitCsvLine } from '../helpers/csv.js';

const OHSS_FILE = 'KHSM Encounters (USBP) fy25m11.xlsx';
const YEARBOOK_2022_REMOVALS = 'Yearbook2022_Table42NoncitizenRemovalsByCriminalStatusAndRegionAndCountryOfNationality_D.csv';
const ICE_REMOVALS = 'FY2017andFY2018ICERemovalsbyCountryofCitizenship.csv';
const CECOT = '2025-03-15-el-salvador-cecot';

/** Registers the three pages for the app the test builds, unless src/server/pages/index.ts already lists them. */
function register(): () => void {
  const pages = [countryPage, countriesPage, thirdCountryPage].filter((p) => !PAGES.some((x) => x.path === p.path));
  PAGES.push(...pages);
  return () => {
    for (const p of pages) PAGES.splice(PAGES.indexOf(p), 1);
  };
}

/* ---------------------------------------------------------------- independent readings of the files */

const FISCAL_MONTHS = ['OCT', 'NOV', 'DEC', 'JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP'];

interface CbpLine {
  fy: number;
  month: number;
  citizenship: string;
  count: number;
}

/**
 * CBP encounters by fiscal year and citizenship, straight from the state files: each month is
 * taken from the file whose data run latest among the files that report it (the tracker's rule,
 * "the latest release reporting it"), then months are added into fiscal years.
 */
function cbpByFiscalYear(data: string): (citizenship: string | null, fy: number) => number {
  const dir = join(data, 'cbp-encounters');
  const files = readdirSync(dir).filter((f) => /^nationwide-encounters-.*-state\.csv$/.test(f));
  assert.equal(files.length, 3, 'three CBP state files in the shared data');
  const byFile = new Map<string, Map<string, CbpLine[]>>();
  for (const f of files) {
    const [head, ...lines] = readFileSync(join(dir, f), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
    const cols = splitCsvLine(head!);
    const at = (n: string) => {
      const i = cols.indexOf(n);
      assert.ok(i >= 0, `${f} has column ${n}`);
      return i;
    };
    const [fy, month, cit, count] = [at('Fiscal Year'), at('Month (abbv)'), at('Citizenship'), at('Encounter Count')];
    const months = new Map<string, CbpLine[]>();
    for (const line of lines) {
      if (!line) continue;
      const c = splitCsvLine(line);
      const row = { fy: Number(c[fy]!.slice(0, 4)), month: FISCAL_MONTHS.indexOf(c[month]!), citizenship: c[cit]!, count: Number(c[count]) };
      assert.ok(row.month >= 0 && Number.isFinite(row.count), `${f}: ${line}`);
      const key = `${row.fy}-${String(row.month).padStart(2, '0')}`;
      months.set(key, [...(months.get(key) ?? []), row]);
    }
    byFile.set(f, months);
  }
  const lastMonth = (f: string) => [...byFile.get(f)!.keys()].sort().at(-1)!;
  const pick = new Map<string, string>();
  for (const f of [...files].sort((a, b) => lastMonth(a).localeCompare(lastMonth(b)))) for (const k of byFile.get(f)!.keys()) pick.set(k, f);
  return (citizenship, fy) => {
    let sum = 0;
    for (const [k, f] of pick) {
      if (!k.startsWith(`${fy}-`)) continue;
      for (const r of byFile.get(f)!.get(k)!) if (citizenship === null || r.citizenship === citizenship) sum += r.count;
    }
    return sum;
  };
}

/** Seattle removals of one citizenship by fiscal year of departure, counted line by line over both files. */
function seattleRemovals(data: string, citizenship: string): Map<number, number> {
  const dir = join(data, 'foia-ice-seattle-removals');
  const out = new Map<number, number>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.csv'))) {
    const lines = readFileSync(join(dir, f), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
    assert.match(lines[6]!, /^Departed Date,.*Country of Citizenship/, `${f}: the header on line 7`);
    for (const line of lines.slice(7)) {
      if (!line) continue;
      const c = splitCsvLine(line);
      if (c[3] !== citizenship) continue;
      const [m, , y] = c[0]!.split('/').map(Number) as [number, number, number];
      const fy = m >= 10 ? y + 1 : y;
      out.set(fy, (out.get(fy) ?? 0) + 1);
    }
  }
  return out;
}

let workbook: Promise<ExcelJS.Workbook> | undefined;

/** The OHSS workbook's Annual Citizenship value for a citizenship and fiscal year, read with exceljs (once); undefined when there is no row. */
async function ohssAnnual(data: string, citizenship: string, fy: number): Promise<number | undefined> {
  workbook ??= (async () => {
    const w = new ExcelJS.Workbook();
    await w.xlsx.readFile(join(data, 'dhs-ohss', OHSS_FILE));
    return w;
  })();
  const ws = (await workbook).getWorksheet('Annual Citizenship');
  assert.ok(ws, 'the Annual Citizenship sheet');
  const header = (ws.getRow(1).values as unknown[]).map((v) => String(v ?? '').replace(/\s+/g, ' ').trim());
  const [cFy, cCit, cQty] = [header.findIndex((h) => /^fiscal year$/i.test(h)), header.indexOf('Citizenship'), header.indexOf('Quantity')];
  assert.ok(cFy > 0 && cCit > 0 && cQty > 0, `columns of Annual Citizenship: ${header.join('|')}`);
  let found: number | undefined;
  ws.eachRow((row, n) => {
    if (n === 1) return;
    if (Number(row.getCell(cFy).value) === fy && String(row.getCell(cCit).value).trim() === citizenship) found = Number(row.getCell(cQty).value);
  });
  return found;
}

/** A country's line of the Yearbook 2022 removals-by-nationality table (all criminal statuses): a number, or 'D' (withheld). */
function yearbook2022Removals(data: string, country: string, fy: number): number | 'D' {
  const [head, ...lines] = readFileSync(join(data, 'dhs-ohss', 'yearbook-web-tables', YEARBOOK_2022_REMOVALS), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const col = splitCsvLine(head!).indexOf(String(fy));
  assert.ok(col > 0, `FY${fy} in ${YEARBOOK_2022_REMOVALS}`);
  const line = lines.map(splitCsvLine).find((c) => c[0] === country);
  assert.ok(line, `${country} in ${YEARBOOK_2022_REMOVALS}`);
  const v = line[col]!.trim();
  return v === 'D' ? 'D' : Number(v.replace(/,/g, ''));
}

/** ICE's FY2017/FY2018 removals table: the line of one citizenship. */
function iceRemovalsTable(data: string, citizenship: string): { 2017: number; 2018: number } {
  const lines = readFileSync(join(data, 'ice-removals-by-citizenship', ICE_REMOVALS), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  assert.equal(lines[0], 'CountryOfCitizenship,2017,2018');
  const c = lines.map(splitCsvLine).find((x) => x[0]!.trim() === citizenship);
  assert.ok(c, `${citizenship} in ${ICE_REMOVALS}`);
  return { 2017: Number(c[1]), 2018: Number(c[2]) };
}

/* ---------------------------------------------------------------- page data shapes */

interface YearValue {
  period: string;
  value: number | null;
  partial: boolean;
  note: string | null;
}

interface Measure {
  key: string;
  status: string;
  says: string;
  spellings: string[];
  headline: { period: string; value: number | null; previous: { period: string; value: number | null } | null; change: number | null } | null;
  years: YearValue[];
  months: Array<{ month: string; value: number }>;
  coverage: { text: string; productions: Array<{ title: string | null }> } | null;
}

interface CountryData {
  ok: true;
  iso3: string;
  name: string;
  requested: string;
  measures: Record<string, Measure>;
  cbp_other: { period: string; other: number; total: number; share_pct: number } | null;
  destinations: { status: string; says: string; all_years: { total: number; same: number; third: number; unknown_missing: number }; rows: Array<{ iso3: string | null; kind: string; all_years: number }>; sent_here: Array<{ iso3: string | null; all_years: number }> };
  flow: { fiscal_year: string | null; steps: Array<{ key: string; value: number | null; missing: string | null }>; note: string };
  events: Array<{ id: string }>;
}

const year = (m: Measure, period: string) => m.years.find((y) => y.period === period);
const formatted = (n: number) => n.toLocaleString('en-US');

function has(html: string, needle: string | RegExp): void {
  if (typeof needle === 'string') assert.ok(html.includes(needle), `the page should contain ${JSON.stringify(needle)}`);
  else assert.match(html, needle);
}

/* ---------------------------------------------------------------- real files */

describe('country pages on the real CBP, OHSS and Seattle FOIA files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-countries-'));
  let db: Database | undefined;
  let app: FastifyInstance | undefined;
  let unregister: () => void = () => undefined;
  let cbp: ((c: string | null, fy: number) => number) | undefined;

  before(async () => {
    const data = sharedDataDir();
    if (!data) return; // each test then skips (or fails under CI) through requireSharedData
    db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    const report = await ingestPaths(
      [
        join(data, 'cbp-encounters'),
        join(data, 'dhs-ohss', OHSS_FILE),
        join(data, 'foia-ice-seattle-removals'),
        join(data, 'dhs-ohss', 'yearbook-web-tables'),
        join(data, 'ice-removals-by-citizenship'),
      ],
      { db, archive: new Archive(join(dir, 'a')), origin: 'mirror' },
    );
    assert.equal(report.errors, 0, JSON.stringify(report.outcomes.filter((o) => o.status === 'error')));
    assert.ok(report.ingested >= 9, `ingested ${report.ingested}`);
    unregister = register();
    app = await buildApp(db);
    cbp = cbpByFiscalYear(data);
  });

  after(async () => {
    unregister();
    await app?.close();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const page = async (url: string) => {
    const res = await app!.inject({ url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
    return res;
  };
  const json = async (url: string) => (await page(url)).json() as CountryData;

  test('Venezuela: CBP FY2024 and FY2025 as summed from the files, the headline change, OHSS and Seattle removals; the CECOT event listed and drawn', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    const d = await json('/countries/VEN.json');
    assert.equal(d.iso3, 'VEN');
    assert.equal(d.name, 'Venezuela');
    const c = d.measures.cbp!;
    assert.equal(c.status, 'ok');
    assert.deepEqual(c.spellings, ['VENEZUELA']);
    const fy24 = cbp!('VENEZUELA', 2024);
    const fy25 = cbp!('VENEZUELA', 2025);
    assert.equal(fy24, 313_496, 'the independent sum itself (each month from the latest file reporting it)');
    assert.equal(year(c, 'FY2024')?.value, fy24);
    assert.equal(year(c, 'FY2025')?.value, fy25);
    assert.equal(year(c, 'FY2026')?.partial, true, 'FY2026 is the year to date');
    assert.equal(c.headline?.period, 'FY2025', 'the latest complete fiscal year');
    assert.equal(c.headline?.value, fy25);
    assert.equal(c.headline?.previous?.value, fy24);
    assert.equal(c.headline?.change, fy25 - fy24);
    // OHSS names Venezuela; its figure is the workbook's cell
    const ohss = await ohssAnnual(data, 'Venezuela', 2024);
    assert.ok(ohss !== undefined && ohss > 0);
    assert.equal(year(d.measures.ohss!, 'FY2024')?.value, ohss);
    // Seattle removals
    const sea = seattleRemovals(data, 'VENEZUELA');
    for (const [fy, n] of sea) assert.equal(year(d.measures.foia_removals!, `FY${fy}`)?.value, n, `FY${fy}`);
    assert.equal(year(d.measures.foia_removals!, 'FY2016')?.value, 0, 'a year of the productions without a Venezuelan removal is 0, not missing');
    // events: the CECOT transfer, as a listed event and as a mark on the monthly CBP chart (March 2025 is inside it)
    assert.ok(d.events.some((e) => e.id === CECOT));
    const html = (await page('/countries/VEN')).body;
    has(html, `<h1>Venezuela`);
    has(html, formatted(fy24));
    has(html, `<a href="/events#${CECOT}"><strong>2025-03-15`);
    const figures = html.match(/<figure>[\s\S]*?<\/figure>/g) ?? [];
    assert.ok(figures.some((f) => f.includes(`href="/events#${CECOT}"`) && f.includes('238 Venezuelans')), 'the event is drawn on a chart');
  });

  test('Mexico: FY2018 FOIA removals (Seattle) as counted from both files, with their coverage; CBP FY2025; destinations unknown', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    const d = await json('/countries/MEX.json');
    const sea = seattleRemovals(data, 'MEXICO');
    assert.equal(sea.get(2018), 2_774, 'the independent count itself');
    const r = d.measures.foia_removals!;
    assert.equal(r.status, 'ok');
    assert.equal(year(r, 'FY2018')?.value, sea.get(2018));
    for (const [fy, n] of sea) assert.equal(year(r, `FY${fy}`)?.value, n, `FY${fy}`);
    assert.equal(year(r, 'FY2012')?.partial, true, 'the productions start in FY2012');
    assert.equal(year(r, 'FY2019')?.partial, true, 'and end in July 2019');
    assert.equal(r.headline?.period, 'FY2018');
    assert.equal(r.headline?.value, 2_774);
    assert.equal(r.coverage?.text, 'Seattle area of responsibility, FY2012–FY2019 only');
    assert.equal(r.coverage?.productions.length, 2);
    assert.equal(year(d.measures.cbp!, 'FY2025')?.value, cbp!('MEXICO', 2025));
    const ohss = await ohssAnnual(data, 'Mexico', 2024);
    assert.ok(ohss !== undefined && ohss > 0);
    assert.equal(year(d.measures.ohss!, 'FY2024')?.value, ohss);
    // no departure country in these productions: no destination, no third-country share
    assert.equal(d.destinations.all_years.unknown_missing, [...sea.values()].reduce((a, b) => a + b, 0));
    assert.equal(d.destinations.all_years.third, 0);
    assert.match(d.destinations.says, /no departure country/);
    // national removals: ICE's own table and the DHS yearbook, each from its file
    assert.equal(year(d.measures.ice_removals!, 'FY2018')?.value, iceRemovalsTable(data, 'MEXICO')[2018]);
    assert.equal(year(d.measures.dhs_removals!, 'FY2022')?.value, yearbook2022Removals(data, 'Mexico', 2022));
    assert.equal(d.measures.dhs_removals!.headline?.period, 'FY2022');
    // the flow: the year with the most steps that have a figure; no rate between them
    assert.equal(d.flow.fiscal_year, 'FY2018');
    assert.equal(d.flow.steps.find((s) => s.key === 'foia_removals')?.value, 2_774);
    assert.equal(d.flow.steps.find((s) => s.key === 'ice_removals')?.value, iceRemovalsTable(data, 'MEXICO')[2018]);
    assert.equal(d.flow.steps.find((s) => s.key === 'dhs_removals')?.value, yearbook2022Removals(data, 'Mexico', 2018));
    assert.equal(d.flow.steps.find((s) => s.key === 'cbp')?.value, null);
    assert.match(d.flow.note, /no step is divided by another/);
    const html = (await page('/countries/MEX')).body;
    has(html, 'Seattle area of responsibility, FY2012–FY2019 only');
    has(html, '2,774');
    has(html, 'From encounter to removal');
    assert.ok(!/conversion|removal rate/i.test(html), 'no rate between steps');
  });

  test('El Salvador: CBP and Seattle numbers from the files; the CECOT event as destination and citizenship', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    const d = await json('/countries/SLV.json');
    assert.deepEqual(d.measures.cbp!.spellings, ['EL SALVADOR']);
    assert.equal(year(d.measures.cbp!, 'FY2025')?.value, cbp!('EL SALVADOR', 2025));
    assert.equal(year(d.measures.cbp!, 'FY2023')?.value, cbp!('EL SALVADOR', 2023));
    const sea = seattleRemovals(data, 'EL SALVADOR');
    for (const [fy, n] of sea) assert.equal(year(d.measures.foia_removals!, `FY${fy}`)?.value, n, `FY${fy}`);
    const ohss = await ohssAnnual(data, 'El Salvador', 2024);
    assert.ok(ohss !== undefined && ohss > 0);
    assert.equal(year(d.measures.ohss!, 'FY2024')?.value, ohss);
    assert.ok(d.events.some((e) => e.id === CECOT));
    const html = (await page('/countries/SLV')).body;
    has(html, /El Salvador as destination and citizenship of the people/);
    has(html, `href="/events#${CECOT}"`);
  });

  test('Iran: CBP puts it inside OTHER (the page says so, with OTHER as summed from the files); the OHSS Border Patrol figure is the workbook’s', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    const d = await json('/countries/IRN.json');
    const c = d.measures.cbp!;
    assert.equal(c.status, 'not-named');
    assert.equal(c.years.length, 6, 'the years of the CBP files, each without a figure');
    assert.ok(c.years.every((y) => y.value === null));
    const other = cbp!('OTHER', 2025);
    const total = cbp!(null, 2025);
    assert.deepEqual(d.cbp_other, { period: 'FY2025', other, total, share_pct: Math.round((other / total) * 1000) / 10 });
    const share = ((other / total) * 100).toFixed(1);
    assert.match(c.says, new RegExp(`^CBP does not break out Iran: it is inside OTHER, which was ${formatted(other)} encounters in FY2025, ${share.replace('.', '\\.')}% of the total`));
    // OHSS's Border Patrol series names Iran: its FY2024 figure is the workbook's cell (rounded to 10)
    const ohss2024 = await ohssAnnual(data, 'Iran', 2024);
    assert.equal(ohss2024, 800, 'the KHSM workbook has Iran in FY2024');
    const o = d.measures.ohss!;
    assert.equal(o.status, 'ok');
    assert.deepEqual(o.spellings, ['Iran']);
    assert.equal(o.headline?.period, 'FY2024');
    assert.equal(o.headline?.value, ohss2024);
    assert.equal(year(o, 'FY2014')?.value, null, 'no row in FY2014');
    assert.match(year(o, 'FY2014')?.note ?? '', /fewer than 5/);
    assert.match(c.says, /OHSS's Border Patrol series does name Iran: 800 in FY2024/);
    const sea = seattleRemovals(data, 'IRAN');
    for (const [fy, n] of sea) assert.equal(year(d.measures.foia_removals!, `FY${fy}`)?.value, n);
    // removals of Iranians nationally: ICE's table (FY2017-FY2018) and the DHS yearbook
    const ice = iceRemovalsTable(data, 'IRAN');
    assert.equal(year(d.measures.ice_removals!, 'FY2017')?.value, ice[2017]);
    assert.equal(year(d.measures.ice_removals!, 'FY2018')?.value, ice[2018]);
    assert.equal(d.measures.dhs_removals!.headline?.value, yearbook2022Removals(data, 'Iran', 2022));
    assert.equal(d.flow.fiscal_year, 'FY2018');
    assert.deepEqual(
      d.flow.steps.filter((s) => s.value !== null).map((s) => [s.key, s.value]),
      [['ohss', 10], ['ice_removals', ice[2018]], ['dhs_removals', yearbook2022Removals(data, 'Iran', 2018)], ['foia_removals', 0]],
    );
    const html = (await page('/countries/IRN')).body;
    has(html, `CBP does not break out Iran: it is inside OTHER, which was ${formatted(other)} encounters in FY2025, ${share}% of the total`);
    has(html, "ICE's biweekly detention statistics have no nationality");
    // events involving Iran: the Panama flight (citizenship) and the announced deportations to Iran
    assert.deepEqual(d.events.map((e) => e.id), ['2025-02-12-panama-first-flight', '2025-09-30-iran-deportations-announced']);
    has(html, 'href="/events#2025-09-30-iran-deportations-announced"');
    has(html, 'reported only');
  });

  test('what a page says where a source has no figure: FOIA metrics not built yet, or built without a file loaded', async (t) => {
    if (!requireSharedData(t)) return;
    const d = await json('/countries/IRN.json');
    for (const [key, id] of [['foia_arrests', 'foia.arrests'], ['foia_book_ins', 'foia.book_ins'], ['foia_detained', 'foia.detained'], ['foia_encounters', 'foia.encounters']] as const) {
      const m = d.measures[key]!;
      if (metricById(id) === undefined) {
        assert.equal(m.status, 'not-available', key);
        assert.match(m.says, /^Not available yet: /, key);
      } else {
        // registered: no such production is loaded in this test (or no citizenship breakdown)
        assert.ok(['not-loaded', 'no-nationality', 'not-available'].includes(m.status), `${key}: ${m.status}`);
        assert.ok(m.says.length > 0, key);
      }
      assert.equal(m.years.length, 0);
    }
    const html = (await page('/countries/IRN')).body;
    assert.ok(/not available yet|no file loaded/.test(html));
  });

  test('a number the yearbook withheld ("D") is shown as withheld, never as zero: Benin FY2022', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    assert.equal(yearbook2022Removals(data, 'Benin', 2022), 'D');
    const d = await json('/countries/BEN.json');
    const fy22 = year(d.measures.dhs_removals!, 'FY2022');
    assert.equal(fy22?.value, null);
    assert.match(fy22?.note ?? '', /withheld/);
    assert.equal(year(d.measures.dhs_removals!, 'FY2021')?.value, yearbook2022Removals(data, 'Benin', 2021));
    const idx = (await json('/countries.json')) as unknown as { countries: Array<{ iso3: string; values: Record<string, { value: number | null; withheld?: boolean }> }> };
    assert.deepEqual(
      (({ value, withheld }) => ({ value, withheld }))(idx.countries.find((c) => c.iso3 === 'BEN')!.values.dhs_removals!),
      { value: null, withheld: true },
    );
    has((await page('/countries/BEN')).body, 'withheld by the agency');
  });

  test('codes: lower case is the same page; a code that is not ISO 3166-1 alpha-3 is a 404 with the error body; XKX is Kosovo', async (t) => {
    if (!requireSharedData(t)) return;
    const lower = await json('/countries/irn.json');
    assert.equal(lower.iso3, 'IRN');
    assert.equal(lower.requested, 'irn');
    for (const url of ['/countries/XYZ.json', '/countries/XYZ', '/countries/XYZ.csv', '/countries/YUG.json', '/countries/IR.json', '/countries/IRAN.json']) {
      const res = await app!.inject({ url });
      assert.equal(res.statusCode, 404, url);
      const body = res.json() as { ok: boolean; error: string; status: number };
      assert.deepEqual(Object.keys(body).sort(), ['error', 'ok', 'status'], url);
      assert.equal(body.ok, false);
      assert.equal(body.status, 404);
      assert.match(body.error, /ISO 3166-1 alpha-3/, url);
    }
    const kosovo = await json('/countries/XKX.json');
    assert.equal(kosovo.name, 'Kosovo');
    const bad = await app!.inject({ url: '/countries/MEX.json?fy=2018' });
    assert.equal(bad.statusCode, 400);
    const asked = await json('/countries/MEX.json?fy=FY2016');
    assert.equal(asked.flow.fiscal_year, 'FY2016');
    assert.equal(asked.flow.steps.find((s) => s.key === 'foia_removals')?.value, seattleRemovals(requireSharedData(t)!, 'MEXICO').get(2016));
  });

  test('the CSV form: one line per measure and fiscal year', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await page('/countries/VEN.csv');
    const lines = res.body.trim().split(/\r?\n/);
    assert.equal(lines[0], 'country,measure,metric,grain,period,value,partial,note,spellings');
    assert.ok(lines.includes(`VEN,cbp,cbp.encounters,fy,FY2024,${cbp!('VENEZUELA', 2024)},false,,VENEZUELA`));
  });

  test('/countries ranks countries by each measure, groups apart; each row links to its page', async (t) => {
    if (!requireSharedData(t)) return;
    interface Row {
      iso3?: string;
      name: string;
      kind?: string;
      values: Record<string, { value: number; rank: number | null }>;
    }
    const d = (await json('/countries.json')) as unknown as { by: string; measures: Array<{ key: string; period: string | null; status: string }>; countries: Row[]; groups: Row[] };
    assert.equal(d.by, 'cbp');
    assert.equal(d.measures.find((m) => m.key === 'cbp')?.period, 'FY2025');
    assert.equal(d.measures.find((m) => m.key === 'ohss')?.period, 'FY2024');
    assert.equal(d.measures.find((m) => m.key === 'foia_removals')?.period, 'FY2018');
    // ranked by CBP FY2025, largest first: the 21 countries CBP names, each figure the files' sum
    const named = d.countries.filter((c) => c.values.cbp);
    assert.equal(named.length, 21);
    assert.deepEqual(named, d.countries.slice(0, 21), 'countries with a CBP figure come first');
    for (let i = 1; i < named.length; i++) assert.ok(named[i - 1]!.values.cbp!.value >= named[i]!.values.cbp!.value);
    assert.equal(named[0]!.iso3, 'MEX');
    assert.equal(named[0]!.values.cbp!.value, cbp!('MEXICO', 2025));
    assert.equal(named[0]!.values.cbp!.rank, 1);
    assert.equal(d.countries.find((c) => c.iso3 === 'VEN')!.values.cbp!.value, cbp!('VENEZUELA', 2025));
    assert.equal(d.countries.find((c) => c.iso3 === 'MEX')!.values.foia_removals!.value, 2_774);
    assert.equal(d.countries.find((c) => c.iso3 === 'IRN')!.values.ohss!.value, 800);
    assert.equal(d.countries.find((c) => c.iso3 === 'IRN')!.values.cbp, undefined, 'Iran is inside OTHER');
    // OTHER is not a country: listed apart, never ranked
    assert.ok(!d.countries.some((c) => /^OTHER$/i.test(c.name)));
    const other = d.groups.find((g) => g.name === 'OTHER');
    assert.equal(other?.values.cbp?.value, cbp!('OTHER', 2025));
    assert.equal(other?.values.cbp?.rank, null);
    // ranked by another measure
    const byOhss = (await json('/countries.json?by=ohss')) as unknown as { by: string; countries: Row[] };
    assert.equal(byOhss.by, 'ohss');
    const ranked = byOhss.countries.filter((c) => c.values.ohss);
    for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1]!.values.ohss!.value >= ranked[i]!.values.ohss!.value);
    assert.ok(ranked.length > 100, 'OHSS names many more countries than CBP');
    assert.equal((await app!.inject({ url: '/countries?by=nonsense' })).statusCode, 400);
    const html = (await page('/countries')).body;
    has(html, '<table data-sortable>');
    has(html, '<a href="/countries/MEX">Mexico</a>');
    has(html, '<a href="/countries/IRN">Iran</a>');
    has(html, 'Not countries');
    has(html, `data-sort="${cbp!('MEXICO', 2025)}"`);
    const csv = (await page('/countries.csv')).body.split(/\r?\n/);
    assert.match(csv[0]!, /^iso3,name,kind,cbp_period,cbp,cbp_rank,/);
    assert.ok(csv[1]!.startsWith(`MEX,Mexico,country,FY2025,${cbp!('MEXICO', 2025)},1,`));
  });

  test('/third-country-removals renders and states that every Seattle removal has an unknown destination', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    const res = await page('/third-country-removals.json');
    const d = res.json() as { totals: { removals: number; third: number; unknown_missing: number; unknown_share_pct: number }; events: Array<{ id: string }>; pitfalls: Array<{ id: string }>; coverage: { text: string } };
    const lines = readdirSync(join(data, 'foia-ice-seattle-removals'))
      .filter((f) => f.endsWith('.csv'))
      .reduce((n, f) => n + readFileSync(join(data, 'foia-ice-seattle-removals', f), 'utf8').split(/\r?\n/).slice(7).filter((l) => l.trim() !== '').length, 0);
    assert.equal(d.totals.removals, lines);
    assert.equal(d.totals.third, 0);
    assert.equal(d.totals.unknown_missing, lines);
    assert.equal(d.totals.unknown_share_pct, 100);
    assert.equal(d.coverage.text, 'Seattle area of responsibility, FY2012–FY2019 only');
    assert.ok(d.events.some((e) => e.id === CECOT));
    assert.ok(!d.events.some((e) => e.id === '2025-09-30-iran-deportations-announced'), 'Iranians sent to Iran are not a third-country event');
    assert.deepEqual(d.pitfalls.map((p) => p.id).slice(0, 4), ['dual-nationality', 'transit', 'stateless', 'spelling']);
    const html = (await page('/third-country-removals')).body;
    has(html, `Unknown: ${formatted(lines)} (100.0%)`);
    has(html, 'these productions have no departure-country column');
    has(html, 'These are reported events, not rows of the agency files');
    has(html, /Dual nationality/);
    has(html, /Transit stops/);
    const csv = (await page('/third-country-removals.csv')).body.split(/\r?\n/);
    assert.equal(csv[0], 'month,removals,third,same,unknown_missing,unknown_not_one_country,partial');
  });
});

/* ---------------------------------------------------------------- synthetic production with departure countries */

describe('third-country removals are compared by ISO code (a synthetic FOIA production with departure countries)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-third-'));
  let db: Database | undefined;
  let app: FastifyInstance | undefined;
  let unregister: () => void = () => undefined;

  // [departed, citizenship, departure country, how many]
  const RECORDS: Array<[string, string, string, number]> = [
    ['3/15/2025', 'VENEZUELA', 'EL SALVADOR', 3],
    ['3/20/2025', 'VENEZUELA', 'VENEZUELA', 1],
    ['3/2/2025', 'MEXICO', 'MEXICO', 2],
    ['4/10/2025', 'BURMA', 'MYANMAR', 1],
    ['4/11/2025', 'CUBA', '', 1],
    ['4/12/2025', 'UNKNOWN', 'MEXICO', 1],
    ['4/13/2025', 'GUATEMALA', 'MEXICO', 2],
  ];

  before(async () => {
    const layout = LAYOUTS.find((l) => l.id === 'removals-2025-07');
    assert.ok(layout, 'the July 2025 removals layout');
    const width = layout.columns.length;
    const banner = ['ERO-LESA Statistical Tracking Unit', 'For Official Use Only (FOUO)/Pre-decisional', 'Test production', 'Please review the last tab for footnotes.', '', 'FY2025 YTD ICE Removals (synthetic test production)'];
    const lines = [...banner.map((b) => b + ','.repeat(width - 1)), layout.columns.map((c) => c.header).join(',')];
    for (const [date, cit, dep, n] of RECORDS) {
      for (let i = 0; i < n; i++) {
        lines.push(
          layout.columns
            .map((c) => (c.header === 'Departed Date' ? date : c.header === 'Citizenship Country' ? cit : c.header === 'Departure Country' ? dep : c.header === 'Birth Year' ? '1990' : ''))
            .join(','),
        );
      }
    }
    const file = join(dir, 'synthetic-removals.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    const report = await ingestPaths([file], { db, archive: new Archive(join(dir, 'a')), origin: 'mirror' });
    assert.equal(report.errors, 0, JSON.stringify(report.outcomes));
    unregister = register();
    app = await buildApp(db);
  });

  after(async () => {
    unregister();
    await app?.close();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('classifyPair: same country under two spellings, a third country, a name that is not one country, a missing value', () => {
    assert.equal(classifyPair('BURMA', 'MYANMAR').kind, 'same');
    assert.equal(classifyPair('BURMA', 'MYANMAR').spelling_only, true);
    assert.equal(classifyPair('KOREA', 'SOUTH KOREA').kind, 'same');
    assert.equal(classifyPair('VENEZUELA', 'EL SALVADOR').kind, 'third');
    assert.equal(classifyPair('UNKNOWN', 'MEXICO').unknown_why, 'not-one-country');
    assert.equal(classifyPair('USSR', 'RUSSIA').unknown_why, 'not-one-country');
    assert.equal(classifyPair('CUBA', '(missing)').unknown_why, 'missing');
  });

  test('the page counts third, same and unknown by ISO code, and says how the raw-name flag differs', async () => {
    const res = await app!.inject({ url: '/third-country-removals.json' });
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    const d = res.json() as {
      totals: { removals: number; third: number; same: number; unknown_missing: number; unknown_not_one_country: number; spelling_only: number; raw_flag_yes: number; third_share_of_known_pct: number };
      destinations: Array<{ iso3: string; removals: number; citizenships: Array<{ iso3: string; removals: number }> }>;
      spelling_differences: Array<{ citizenship: string; departure_country: string; iso3: string; value: number }>;
      months: Array<{ month: string; third: number; same: number }>;
    };
    const { removals, third, same, unknown_missing, unknown_not_one_country, spelling_only, raw_flag_yes } = d.totals;
    assert.deepEqual(
      { removals, third, same, unknown_missing, unknown_not_one_country, spelling_only, raw_flag_yes },
      { removals: 11, third: 5, same: 4, unknown_missing: 1, unknown_not_one_country: 1, spelling_only: 1, raw_flag_yes: 7 },
    );
    assert.equal(d.totals.third_share_of_known_pct, Math.round((5 / 9) * 1000) / 10);
    assert.deepEqual(
      d.destinations.map((x) => [x.iso3, x.removals]),
      [['SLV', 3], ['MEX', 2]],
    );
    assert.deepEqual(d.destinations[0]!.citizenships, [{ citizenship: 'VENEZUELA', iso3: 'VEN', removals: 3 }]);
    assert.deepEqual(d.spelling_differences, [{ citizenship: 'BURMA', departure_country: 'MYANMAR', iso3: 'MMR', value: 1 }]);
    assert.deepEqual(
      d.months.map((m) => [m.month, m.third, m.same]),
      [['2025-03', 3, 3], ['2025-04', 2, 1]],
    );
    const html = (await app!.inject({ url: '/third-country-removals' })).body;
    assert.ok(html.includes('<a href="/countries/SLV">El Salvador</a>'));
    assert.ok(html.includes('counts 7 as “yes”, this page 5'));
    // CECOT (March 2025) falls inside the months of this production: drawn on the chart
    assert.ok((html.match(/<figure>[\s\S]*?<\/figure>/)?.[0] ?? '').includes(`href="/events#${CECOT}"`));
  });

  test('country pages: where Venezuelans were removed to, and who was removed to El Salvador', async () => {
    const ven = (await app!.inject({ url: '/countries/VEN.json' })).json() as CountryData;
    assert.equal(ven.destinations.status, 'ok');
    assert.deepEqual(ven.destinations.all_years, { ...ven.destinations.all_years, total: 4, same: 1, third: 3, unknown_missing: 0 });
    assert.deepEqual(
      ven.destinations.rows.map((r) => [r.iso3, r.kind, r.all_years]),
      [['SLV', 'third', 3], ['VEN', 'same', 1]],
    );
    assert.match(ven.destinations.says, /3 to another country \(75%/);
    const slv = (await app!.inject({ url: '/countries/SLV.json' })).json() as CountryData;
    assert.deepEqual(slv.destinations.sent_here.map((s) => [s.iso3, s.all_years]), [['VEN', 3]]);
    assert.equal(slv.measures.foia_removals!.status, 'no-rows');
    assert.match(slv.measures.foia_removals!.says, /^No record of a citizen of El Salvador in the loaded productions/);
    const mmr = (await app!.inject({ url: '/countries/MMR.json' })).json() as CountryData;
    assert.deepEqual(mmr.measures.foia_removals!.spellings, ['BURMA']);
    assert.equal(mmr.destinations.all_years.same, 1, 'BURMA removed to MYANMAR is not a third-country removal');
  });
});
