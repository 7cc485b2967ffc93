import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { ParamError } from '../../src/metrics/params.js';
import { buildApp } from '../../src/server/app.js';
import { borderPage } from '../../src/server/pages/border.js';
import { resolveCountry } from '../../src/lib/countries.js';
import type { PageResult } from '../../src/server/pages/types.js';
import { DATASETS } from '../../src/sources/registry.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';
import { splitCsvLine } from '../helpers/csv.js';

const SW = 'Southwest Land Border';
const NOV_FILE = 'nationwide-encounters-fy23-fy26-nov-state.csv';
const OHSS_FILE = 'KHSM Encounters (USBP) fy25m11.xlsx';

/** Southwest encounters of November 2025, added up straight from the CBP file, independently of the ingest. */
function southwestNov2025(data: string): number {
  const [head, ...lines] = readFileSync(join(data, 'cbp-encounters', NOV_FILE), 'utf8').split(/\r?\n/);
  const cols = splitCsvLine(head!);
  const at = (name: string) => {
    const i = cols.indexOf(name);
    assert.ok(i >= 0, `column ${name} in ${NOV_FILE}`);
    return i;
  };
  const [fy, month, region, count] = [at('Fiscal Year'), at('Month (abbv)'), at('Land Border Region'), at('Encounter Count')];
  let sum = 0;
  let matched = 0;
  for (const line of lines) {
    if (!line) continue;
    const c = splitCsvLine(line);
    assert.equal(c.length, cols.length, `a line of ${cols.length} cells: ${line}`);
    if (c[fy] === '2026 (FYTD)' && c[month] === 'NOV' && c[region] === SW) {
      sum += Number(c[count]);
      matched++;
    }
  }
  assert.ok(matched > 0, 'the file has Southwest lines for November 2025');
  return sum;
}

function has(html: string, re: RegExp): void {
  assert.ok(re.test(html), `the page should match ${re}`);
}

interface Section {
  csv: string;
  rows: Array<Record<string, string | number | boolean | null>>;
  partial_periods: string[];
  releases: string[];
}

interface HeadFigure {
  month: string;
  month_name: string;
  value: number;
  release_id: string;
  file: string;
  year_earlier: { month: string; value: number } | null;
  change: number | null;
}

interface BorderData {
  years: string;
  headline: { nationwide: HeadFigure; southwest: HeadFigure };
  series: Section;
  yearly: Section;
  southwest: { by_component: Section; by_component_yearly: Section; by_encounter_type: Section };
  title: Section;
  demographic: Section;
  citizenship: Section & { ranked_by: string };
  ohss: Section & { label: string };
  revisions: Array<{ month: string; region: string; from_file: string; from_value: number; to_file: string; to_value: number; change: number }>;
}

const dataOf = (p: PageResult) => p.data as unknown as BorderData;

describe('the border page on the real CBP and OHSS files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-border-'));
  let db: Database | undefined;
  let app: FastifyInstance | undefined;
  let page: PageResult | undefined;

  before(async () => {
    const data = sharedDataDir();
    if (!data) return; // each test then skips (or fails under CI) through requireSharedData
    db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    const report = await ingestPaths([join(data, 'cbp-encounters'), join(data, 'dhs-ohss', OHSS_FILE)], { db, archive: new Archive(join(dir, 'a')), origin: 'mirror' });
    assert.equal(report.errors, 0, JSON.stringify(report.outcomes));
    assert.equal(report.ingested, 5);
    page = await borderPage.render({ db, vintage: 'latest', params: {}, query: {} });
    app = await buildApp(db);
  });

  after(async () => {
    await app?.close();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('headline: November 2025, nationwide 30,375 and the Southwest as summed from the file, with file and year-earlier change', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    const { nationwide, southwest } = dataOf(page!).headline;
    assert.equal(nationwide.month, '2025-11');
    assert.equal(nationwide.month_name, 'November 2025');
    assert.equal(nationwide.value, 30_375);
    assert.equal(nationwide.file, NOV_FILE);
    assert.equal(southwest.month, '2025-11');
    assert.equal(southwest.value, southwestNov2025(data));
    assert.equal(southwest.file, NOV_FILE);
    for (const h of [nationwide, southwest]) {
      assert.equal(h.year_earlier?.month, '2024-11');
      assert.equal(h.change, h.value - h.year_earlier!.value);
    }
    const html = page!.body;
    has(html, /<div class="v">30,375<\/div>/);
    has(html, new RegExp(`<div class="v">${southwest.value.toLocaleString('en-US')}</div>`));
    has(html, /encounters in November 2025/);
    has(html, new RegExp(`<a href="/-/releases/${nationwide.release_id}">${NOV_FILE}</a>`));
    // said near the headline, and in the captions of the charts that count crossings
    const cards = html.indexOf('<div class="cards">');
    assert.ok(html.slice(0, cards).includes('An encounter is an event, not a person'), 'stated before the headline figures');
    const captions = html.match(/<figcaption>[\s\S]*?<\/figcaption>/g) ?? [];
    assert.ok(captions.length >= 7, `captions: ${captions.length}`);
    assert.ok(captions.filter((c) => c.includes('An encounter is an event, not a person')).length >= 6);
  });

  test('monthly series by region: regions add up to the nationwide month; the CSV form is that series', async (t) => {
    if (!requireSharedData(t)) return;
    const d = dataOf(page!);
    const nov = d.series.rows.find((r) => r.period === '2025-11');
    assert.ok(nov);
    assert.equal(nov.total, 30_375);
    assert.equal((nov[SW] as number) + (nov['Northern Land Border'] as number) + (nov.Other as number), 30_375);
    assert.equal(nov.release_id, d.headline.nationwide.release_id);
    assert.equal(d.series.rows[0]?.period, '2020-10', 'the oldest state file starts with FY2021');
    assert.deepEqual(page!.csv.columns, ['period', 'region', 'value', 'partial']);
    const csvNov = page!.csv.rows.filter((r) => r.period === '2025-11');
    assert.equal(csvNov.length, 3);
    assert.equal(csvNov.reduce((s, r) => s + Number(r.value), 0), 30_375);
    // the footer's releases: every CBP file and the OHSS workbook, newest first
    assert.equal(page!.releases.length, 5);
    assert.equal(page!.releases[0]!.file_names[0], NOV_FILE);
  });

  test('Southwest by component from the Southwest file: FY2024 Border Patrol 1,530,523 and OFO 604,482; encounter types add up', async (t) => {
    if (!requireSharedData(t)) return;
    const d = dataOf(page!);
    const fy24 = d.southwest.by_component_yearly.rows.find((r) => r.period === 'FY2024');
    assert.ok(fy24);
    assert.equal(fy24['U.S. Border Patrol'], 1_530_523);
    assert.equal(fy24['Office of Field Operations'], 604_482);
    assert.equal(fy24.partial, false);
    const jan = d.southwest.by_component.rows.find((r) => r.period === '2025-01');
    assert.equal(jan?.total, 61_448, 'the Southwest file figure, not the later nationwide one');
    const types = d.southwest.by_encounter_type.rows.find((r) => r.period === '2025-01');
    assert.equal(types?.total, 61_448);
    const html = page!.body;
    has(html, /<a href="\/api\/v1\/metrics\/cbp\.encounters\.csv\?grain=month&#38;by=component&#38;filter=region%3DSouthwest\+Land\+Border&#38;vintage=[0-9a-f]{12}">/);
    has(html, /sbo-encounters-fy22-fy25-aug\.csv/);
  });

  test('every chart has a CSV link to the metrics API whose rows are the ones shown', async (t) => {
    if (!requireSharedData(t)) return;
    const html = page!.body;
    const links = [...html.matchAll(/<a href="(\/api\/v1\/metrics\/[^"]+\.csv\?[^"]+)">/g)].map((m) => m[1]!.replace(/&#38;/g, '&'));
    assert.ok(links.length >= 8, `CSV links: ${links.length}`);
    const figures = html.match(/<figure>[\s\S]*?<\/figure>/g) ?? [];
    for (const f of figures) assert.match(f, /Download CSV: <a href="\/api\/v1\/metrics\//);
    const d = dataOf(page!);
    const res = await app!.inject({ url: d.southwest.by_component_yearly.csv });
    assert.equal(res.statusCode, 200, res.body);
    const line = res.body.split('\n').find((l) => l.startsWith('FY2024,U.S. Border Patrol'));
    assert.equal(line?.split(',')[2], '1530523');
    const ohss = await app!.inject({ url: d.ohss.csv });
    assert.equal(ohss.statusCode, 200, ohss.body);
    assert.match(ohss.body, /^FY2024,1557320$/m);
  });

  test('revisions: the January 2025 Southwest month, 61,448 in the Southwest file and 61,445 in the nationwide file', async (t) => {
    if (!requireSharedData(t)) return;
    const jan = dataOf(page!).revisions.find((r) => r.month === '2025-01' && r.region === SW);
    assert.ok(jan, 'the January 2025 Southwest revision is listed');
    assert.equal(jan.from_file, 'sbo-encounters-fy22-fy25-aug.csv');
    assert.equal(jan.from_value, 61_448);
    assert.equal(jan.to_file, 'nationwide-encounters-fy22-fy25-state.csv');
    assert.equal(jan.to_value, 61_445);
    assert.equal(jan.change, -3);
    const html = page!.body;
    const section = html.slice(html.indexOf('<h2 id="revisions">'));
    has(section, /CBP revises earlier months/);
    has(section, /The tracker keeps every file/);
    has(section, /<a href="\/api\/v1\/revisions\/cbp\.encounters\.csv">/);
    const api = await app!.inject({ url: '/api/v1/revisions/cbp.encounters.csv' });
    assert.equal(api.statusCode, 200, api.body);
    assert.match(api.body, /^2025-01,Southwest Land Border,[0-9a-f]{12},sbo-encounters-fy22-fy25-aug\.csv,61448,[0-9a-f]{12},nationwide-encounters-fy22-fy25-state\.csv,61445,-3$/m);
    has(section, /<tr><td>2025-01<\/td><td>Southwest Land Border<\/td><td><a href="\/-\/releases\/[0-9a-f]{12}">sbo-encounters-fy22-fy25-aug\.csv<\/a><\/td><td class="num">61,448<\/td><td><a href="\/-\/releases\/[0-9a-f]{12}">nationwide-encounters-fy22-fy25-state\.csv<\/a><\/td><td class="num">61,445<\/td><td class="num">−3<\/td><\/tr>/);
  });

  test('the OHSS series stands apart: FY2024 = 1,557,320, Border Patrol only, rounded to 10', async (t) => {
    if (!requireSharedData(t)) return;
    const d = dataOf(page!);
    assert.equal(d.ohss.label, 'Border Patrol only, rounded to 10 by DHS OHSS');
    assert.equal(d.ohss.rows.find((r) => r.period === 'FY2024')?.value, 1_557_320);
    assert.equal(d.ohss.rows[0]?.period, 'FY2000');
    assert.ok(d.ohss.rows.every((r) => Number(r.value) % 10 === 0));
    const html = page!.body;
    const section = html.slice(html.indexOf('<h2 id="ohss">'), html.indexOf('<h2 id="revisions">'));
    has(section, /Border Patrol only, rounded to 10 by DHS OHSS/);
    has(section, /KHSM Encounters \(USBP\) fy25m11\.xlsx/);
    // its own chart, with no CBP file in it
    assert.ok(!section.includes('nationwide-encounters'), 'the OHSS chart names no CBP file');
  });

  test('the Title 42 period is shaded and labelled in the monthly charts', async (t) => {
    if (!requireSharedData(t)) return;
    const svgs = page!.body.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    const banded = svgs.filter((s) => /Title 42 \(Mar 2020 – 11 May 2023\)/.test(s) && s.includes('fill="#efe3cf"'));
    assert.ok(banded.length >= 5, `charts with the Title 42 band: ${banded.length}`);
    has(page!.body, /March 2020 – 11 May 2023/);
  });

  test('title, demographic and citizenship breakdowns; each country links to its page, OTHER explained and unlinked', async (t) => {
    if (!requireSharedData(t)) return;
    const d = dataOf(page!);
    const t42 = d.title.rows.find((r) => r.period === '2022-05');
    assert.ok(t42 && (t42['Title 42'] as number) > 0 && (t42['Title 8'] as number) > 0);
    assert.equal(d.title.rows.find((r) => r.period === '2025-11')?.['Title 42'] ?? null, null);
    assert.ok(d.demographic.rows.some((r) => typeof r.UAC === 'number'), 'UAC (formerly UC / Single Minors)');
    assert.equal(d.demographic.rows.find((r) => r.period === '2025-11')?.total, 30_375);
    assert.equal(d.citizenship.ranked_by, 'FY2025', 'FY2026 is a year to date');
    const html = page!.body;
    has(html, /<a href="\/countries\/VEN">VENEZUELA<\/a>/);
    has(html, /<a href="\/countries\/CHN">CHINA, PEOPLES REPUBLIC OF<\/a>/);
    has(html, /<a href="\/countries\/MMR">MYANMAR \(BURMA\)<\/a>/);
    assert.ok(!/href="\/countries\/[^"]*">OTHER/.test(html), 'OTHER has no link');
    has(html, /OTHER<\/strong> is every country it does not break out/);
    has(html, /UC \/ Single Minors/);
  });

  test('every citizenship CBP names in the files resolves to one ISO code through the shared crosswalk; OTHER to none', async (t) => {
    if (!requireSharedData(t)) return;
    const names = (await db!.all(`SELECT DISTINCT citizenship FROM cbp_encounters WHERE citizenship IS NOT NULL ORDER BY 1`)).map((r) => r.citizenship as string);
    assert.equal(names.length, 22);
    const iso = (n: string) => {
      const r = resolveCountry(n);
      return r && 'iso3' in r ? r.iso3 : undefined;
    };
    for (const n of names) assert.equal(iso(n) === undefined, n === 'OTHER', n);
    assert.deepEqual(['El Salvador', 'TURKEY', 'RUSSIA', 'CANADA', 'MYANMAR (BURMA)', 'CHINA, PEOPLES REPUBLIC OF'].map(iso), ['SLV', 'TUR', 'RUS', 'CAN', 'MMR', 'CHN']);
    assert.equal(new Set(names.filter((n) => n !== 'OTHER').map(iso)).size, 21, 'no two names share a code');
  });

  test('?years=cy gives calendar years, ?years=bogus is a ParamError', async (t) => {
    if (!requireSharedData(t)) return;
    assert.equal(dataOf(page!).years, 'fy');
    assert.ok(dataOf(page!).yearly.rows.some((r) => r.period === 'FY2024' && r.partial === false));
    const cy = await borderPage.render({ db: db!, vintage: 'latest', params: {}, query: { years: 'cy' } });
    const d = dataOf(cy!);
    assert.equal(d.years, 'cy');
    assert.ok(d.yearly.rows.every((r) => String(r.period).startsWith('CY')));
    const cy24 = d.yearly.rows.find((r) => r.period === 'CY2024');
    assert.ok(cy24 && cy24.partial === false && cy24.months === 12);
    const cy25 = d.yearly.rows.find((r) => r.period === 'CY2025');
    assert.equal(cy25?.partial, true, 'CY2025 runs to November');
    assert.equal(cy25?.months, 11);
    has(cy!.body, /<h2 id="years">Encounters by calendar year<\/h2>/);
    has(cy!.body, /<tr><td>CY2024<\/td>/);
    await assert.rejects(() => borderPage.render({ db: db!, vintage: 'latest', params: {}, query: { years: 'bogus' } }), (err: unknown) => err instanceof ParamError && err.param === 'years');
  });

  test('a pinned vintage shows the numbers as they were', async (t) => {
    if (!requireSharedData(t)) return;
    // the September 2025 nationwide file: the Southwest file came before it, so the January revision is known
    const sep = page!.releases.find((r) => r.file_names.includes('nationwide-encounters-fy22-fy25-state.csv'))!;
    const pinned = dataOf((await borderPage.render({ db: db!, vintage: sep.release_id, params: {}, query: {} }))!);
    assert.equal(pinned.headline.nationwide.month, '2025-09');
    assert.ok(pinned.revisions.some((r) => r.month === '2025-01'));
    const oldest = page!.releases.find((r) => r.file_names.includes('nationwide-encounters-fy21-fy24-state.csv'))!;
    const early = await borderPage.render({ db: db!, vintage: oldest.release_id, params: {}, query: {} });
    const e = dataOf(early!);
    assert.equal(e.headline.nationwide.month, '2024-09');
    assert.deepEqual(e.revisions, []);
    has(early!.body, /No file of that kind loaded: no CBP Southwest Land Border Encounters file/);
  });

  test('tables sit in scrolling containers, so a phone does not scroll the page sideways', async (t) => {
    if (!requireSharedData(t)) return;
    const html = page!.body;
    const tables = html.match(/<table/g) ?? [];
    const wrapped = html.match(/<div class="table-wrap"><table/g) ?? [];
    assert.ok(tables.length >= 8);
    assert.equal(wrapped.length, tables.length);
  });
});

test('with no file loaded the border page says so instead of drawing empty charts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-border-empty-'));
  const db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    const page = await borderPage.render({ db, vintage: 'latest', params: {}, query: {} });
    assert.ok(page);
    assert.ok(!page.body.includes('<svg'), 'no chart without data');
    assert.ok((page.body.match(/No file of that kind loaded/g) ?? []).length >= 6);
    assert.deepEqual(page.csv.rows, []);
    assert.deepEqual(page.releases, []);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
