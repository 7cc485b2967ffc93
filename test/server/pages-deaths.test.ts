/**
 * The deaths page (/deaths, .json, .csv) on the real death lists, with the facility
 * registry built from ICE's facility lists, UWCHR's list and the newest detention
 * statistics (for ICE's current names): the counts agree with the list of people and
 * with the API, facilities are joined to codes where the name allows, each person links
 * to ICE's report where the file has one, and the page says what the files are.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { DEATH_METRICS } from '../../src/metrics/deaths.js';
import { METRICS } from '../../src/metrics/registry.js';
import { buildApp } from '../../src/server/app.js';
import { deathsPage } from '../../src/server/pages/deaths.js';
import { PAGES } from '../../src/server/pages/index.js';
import { iceDetaineeDeaths } from '../../src/sources/ice/deaths/index.js';
import { DATASETS } from '../../src/sources/registry.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

// registered here until the registries list them (a no-op once they do)
if (!DATASETS.some((d) => d.id === iceDetaineeDeaths.id)) DATASETS.push(iceDetaineeDeaths);
for (const m of DEATH_METRICS) if (!METRICS.some((x) => x.id === m.id)) METRICS.push(m);
if (!PAGES.some((p) => p.path === deathsPage.path)) PAGES.push(deathsPage);

interface Person {
  date_of_death: string;
  fiscal_year: number;
  name: string | null;
  age: number | null;
  country: string | null;
  facility: string | null;
  state: string | null;
  detloc: string | null;
  record_source: string;
  url: string | null;
  release_id: string;
  line: number;
}

interface DeathsData {
  releases: string[];
  coverage: { foia_list: { first: string; last: string; deaths: number }; report_index: { first: string; last: string; deaths: number }; gap: { from: string; to: string }; incomplete_years: string[] };
  per_fiscal_year: { csv: string; rows: Array<{ period: string; ice_foia_list: number; ice_death_reports: number; other_sources: number; total: number; incomplete: boolean }> };
  per_facility: {
    registry_loaded: boolean;
    places: number;
    matched: number;
    rows: Array<{ detloc: string | null; facility_page: string | null; names: string[]; state: string | null; deaths: number }>;
    unmatched: Array<{ facility: string; deaths: number; method: string }>;
  };
  people: Person[];
}

/** A match on the page, reported without printing the whole page. */
function has(text: string, re: RegExp): void {
  assert.ok(re.test(text), `the page should match ${re}`);
}

const SENSATIONAL = /\b(horrific|shocking|tragic|brutal|slaughter|massacre|outrage|scandal|chilling|heartbreaking)\b/i;

describe('the deaths page on the real death lists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-deaths-page-'));
  let db: Database | undefined;
  let app: FastifyInstance | undefined;
  let html = '';
  let data: DeathsData | undefined;

  before(async () => {
    const shared = sharedDataDir();
    if (!shared) return;
    db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    const report = await ingestPaths(
      [
        join(shared, 'ice-detainee-deaths'),
        join(shared, 'ice-detention-stats', 'carwilb', 'FY26_detentionStats_04092026.xlsx'),
        join(shared, 'ice-facility-lists'),
        join(shared, 'uwchr', 'facilities.csv.gz'),
      ],
      { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' },
    );
    assert.equal(report.errors, 0, JSON.stringify(report.outcomes.filter((o) => o.status === 'error')));
    app = await buildApp(db);
    const page = await app.inject({ url: '/deaths' });
    assert.equal(page.statusCode, 200, page.body);
    html = page.body;
    const json = await app.inject({ url: '/deaths.json' });
    assert.equal(json.statusCode, 200, json.body);
    data = json.json() as DeathsData;
  });

  after(async () => {
    await app?.close();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the page renders: a sober title and intro saying what the files are, the caveats, a chart, three tables', (t) => {
    if (!requireSharedData(t)) return;
    has(html, /<title>[^<]*Deaths in ICE custody/);
    has(html, /<h1>Deaths in ICE custody<\/h1>/);
    has(html, /These are not ICE's own files/);
    has(html, /href="https:\/\/github.com\/etchin\/ice-detention-mortality"/);
    has(html, /href="https:\/\/www.ice.gov\/detain\/detainee-death-reporting"/);
    has(html, /href="https:\/\/www.ice.gov\/doclib\/foia\/reports\/detaineedeaths-2003-2017.pdf"/);
    has(html, /<strong>A gap:<\/strong> no death from 1 June 2017 to 9 April 2018 is in either list, so FY2017 and FY2018 are incomplete/);
    has(html, /25 rows of the index cite another source instead of an ICE report \(www.theguardian.com\)/);
    has(html, /differs for 12 deaths/);
    has(html, /<svg aria-label="Deaths in ICE custody by fiscal year, by kind of record" role="img"/);
    for (const id of ['years', 'facilities', 'people']) has(html, new RegExp(`<h2 id="${id}">`));
    assert.ok(!SENSATIONAL.test(html.replace(/<tbody>[\s\S]*?<\/tbody>/g, '')), 'no sensational words outside the data');
    // the footer names the two files
    has(html, /_extracted_foia_2003_2017\.csv/);
    has(html, /detailed_death_data\.csv/);
  });

  test('per fiscal year: the table, the list of people and the API agree (FY2025 23, FY2026 20 to date)', async (t) => {
    if (!requireSharedData(t)) return;
    const d = data!;
    assert.equal(d.people.length, 273);
    const fromPeople: Record<string, number> = {};
    for (const p of d.people) fromPeople[`FY${p.fiscal_year}`] = (fromPeople[`FY${p.fiscal_year}`] ?? 0) + 1;
    assert.deepEqual(Object.fromEntries(d.per_fiscal_year.rows.map((r) => [r.period, r.total])), fromPeople);
    assert.equal(d.per_fiscal_year.rows[0]!.period, 'FY2004');
    assert.equal(d.per_fiscal_year.rows.at(-1)!.period, 'FY2026');
    const fy = (p: string) => d.per_fiscal_year.rows.find((r) => r.period === p)!;
    assert.deepEqual([fy('FY2025').total, fy('FY2025').ice_death_reports, fy('FY2025').other_sources], [23, 18, 5]);
    assert.deepEqual([fy('FY2026').total, fy('FY2026').other_sources], [20, 20]);
    assert.equal(fy('FY2004').ice_foia_list, 27);
    assert.deepEqual(d.coverage.incomplete_years, ['FY2017', 'FY2018', 'FY2026']);
    assert.deepEqual(d.coverage.gap, { from: '2017-06-01', to: '2018-04-09' });
    const api = await app!.inject({ url: '/api/v1/metrics/ice.deaths?grain=fy' });
    assert.deepEqual(Object.fromEntries((api.json() as { rows: Array<{ period: string; value: number }> }).rows.map((r) => [r.period, r.value])), fromPeople);
    // the page's CSV link answers
    const csv = await app!.inject({ url: d.per_fiscal_year.csv });
    assert.equal(csv.statusCode, 200, csv.body);
    assert.match(csv.body, /^period,source,value\r?\n/);
  });

  test('per facility: names joined to ICE facility codes where they allow, the rest listed as not matched', (t) => {
    if (!requireSharedData(t)) return;
    const f = data!.per_facility;
    assert.equal(f.registry_loaded, true);
    assert.ok(f.matched >= 110 && f.matched < f.places, `${f.matched} of ${f.places} names matched`);
    const stewart = f.rows.find((r) => r.detloc === 'STWRTGA');
    assert.ok(stewart, 'Stewart Detention Center is matched to STWRTGA');
    assert.deepEqual(stewart.names.sort(), ['Stewart Detention Center', 'Stewart Detention Center (GA)']);
    assert.equal(stewart.deaths, data!.people.filter((p) => /^Stewart Detention Center/.test(p.facility ?? '')).length);
    assert.equal(stewart.facility_page, '/facilities/stewart-detention-center-ga');
    const eloy = f.rows.find((r) => r.detloc === 'EAZ');
    assert.equal(eloy?.deaths, 15);
    // a renamed facility under one code: the FOIA list's Jena/LaSalle and the index's Central Louisiana ICE Processing Center
    assert.deepEqual(f.rows.find((r) => r.detloc === 'JENADLA')?.names.sort(), ['Central Louisiana ICE Processing Center (CLIP C)', 'Jena/LaSalle Detention Facility']);
    assert.equal(f.rows.reduce((n, r) => n + r.deaths, 0), 273, 'every death in one facility row');
    const names = new Set(f.unmatched.map((u) => u.facility));
    for (const n of ['ICE enforcement action (Minneapolis)', 'Lovelace Medical Center (LMC)']) assert.ok(names.has(n), `${n} is listed as not matched`);
    assert.ok(f.unmatched.every((u) => u.method === 'unmatched' || u.method === 'ambiguous'));
    has(html, /<a href="\/facilities\/stewart-detention-center-ga"><code>STWRTGA<\/code><\/a>/);
  });

  test('a linked facility page exists', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await app!.inject({ url: '/facilities/stewart-detention-center-ga' });
    assert.equal(res.statusCode, 200);
  });

  test("the people: names as ICE's documents give them, each linked to ICE's report, its PDF list or ICE's reporting page", (t) => {
    if (!requireSharedData(t)) return;
    const people = data!.people;
    assert.deepEqual(people.map((p) => p.date_of_death), [...people.map((p) => p.date_of_death)].sort().reverse(), 'newest first');
    const first = people.find((p) => p.name === 'Mirimanian, Gourgen')!;
    assert.deepEqual([first.date_of_death, first.age, first.country, first.facility, first.state, first.detloc, first.record_source, first.url], [
      '2018-04-10', 54, 'Armenia', 'Prairieland Detention Center', 'TX', 'PRLDCTX', 'ice-death-report', 'https://www.ice.gov/doclib/foia/reports/ddrMirimanianGourgen.pdf',
    ]);
    has(html, /<a href="https:\/\/www.ice.gov\/doclib\/foia\/reports\/ddrMirimanianGourgen.pdf">ICE death report \(PDF\)<\/a>/);
    const foia = people.find((p) => p.name === 'CACERES-Maradiaga, Vicente')!;
    assert.equal(foia.url, 'https://www.ice.gov/doclib/foia/reports/detaineedeaths-2003-2017.pdf');
    has(html, /<td>CACERES-Maradiaga, Vicente<\/td>/);
    // every ICE report row links its PDF; every other row links ICE's reporting page and names the source it cites
    const reports = html.match(/>ICE death report \(PDF\)<\/a>/g) ?? [];
    assert.equal(reports.length, people.filter((p) => p.record_source === 'ice-death-report').length);
    assert.equal(reports.length, 77);
    const other = html.match(/\(no ICE report in the file; the file cites <a href="https:\/\/www.theguardian.com\//g) ?? [];
    assert.equal(other.length, 25);
    assert.equal((html.match(/>ICE FOIA list<\/a>/g) ?? []).length, 171);
  });

  test('the CSV is the list of people, one line each, with file and line', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await app!.inject({ url: '/deaths.csv' });
    assert.equal(res.statusCode, 200);
    const lines = res.body.trim().split(/\r?\n/);
    assert.equal(lines[0], 'date_of_death,fiscal_year,name,age,sex,country,country_iso3,facility,city,state,detloc,match_method,record_source,url,release_id,line');
    assert.equal(lines.length, 274);
  });

  test('a pinned vintage keeps its numbers: as of the FOIA list, only the FOIA list', async (t) => {
    if (!requireSharedData(t)) return;
    const foiaRelease = data!.people.find((p) => p.record_source === 'ice-foia-list')!.release_id;
    const res = await app!.inject({ url: `/deaths.json?vintage=${foiaRelease}` });
    assert.equal(res.statusCode, 200, res.body);
    const pinned = res.json() as DeathsData;
    assert.equal(pinned.people.length, 171);
    assert.deepEqual(pinned.releases, [foiaRelease]);
    const html = await app!.inject({ url: `/deaths?vintage=${foiaRelease}` });
    assert.match(html.body, /Vintage <code>[0-9a-f]{12}<\/code>: only the files known by then are used/);
    const unknown = await app!.inject({ url: '/deaths.json?vintage=000000000000' });
    assert.equal(unknown.statusCode, 400);
    assert.match((unknown.json() as { error: string }).error, /vintage: no release '000000000000'/);
  });
});

describe('the deaths page without the death lists', () => {
  test('renders and says what to load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracker-deaths-empty-'));
    const db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    const app = await buildApp(db);
    try {
      const res = await app.inject({ url: '/deaths' });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.body, /No death list is loaded/);
      const json = await app.inject({ url: '/deaths.json' });
      assert.equal(json.statusCode, 200);
      assert.deepEqual((json.json() as DeathsData).people, []);
    } finally {
      await app.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
