import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { parseHTML } from 'linkedom';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { buildApp } from '../../src/server/app.js';
import { facilitySlug } from '../../src/server/pages/facility-slug.js';
import { DATASETS } from '../../src/sources/registry.js';
import { repoRoot, requireSharedData, sharedDataDir } from '../helpers/shared-data.js';
import { parseCsv } from '../helpers/csv.js';

function csvObjects(text: string): Array<Record<string, string>> {
  const [head, ...rows] = parseCsv(text);
  assert.ok(head && head.length > 1, 'the CSV has a header row');
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ''])));
}

/** Like assert.match, without printing a whole page when it fails. */
function has(html: string, re: RegExp): void {
  assert.ok(re.test(html), `the page should match ${re}`);
}

interface Facility {
  name: string;
  slug: string;
  state: string | null;
  state_effective: string | null;
  aor: string | null;
  guaranteed_minimum: number | null;
  adp: number | null;
  crim: number | null;
  noncrim: number | null;
  release_id: string;
}

const STEWART = 'stewart-detention-center-ga';

test('facility slugs are stable across spelling, case, punctuation and accents', () => {
  assert.equal(facilitySlug('STEWART DETENTION CENTER', 'GA'), STEWART);
  assert.equal(facilitySlug('  Stewart Detention Center ', ' ga'), STEWART);
  assert.equal(facilitySlug('SOUTHWEST KEY – RIO GRANDE', 'TX'), facilitySlug('SOUTHWEST KEY - RIO GRANDE', 'TX'));
  assert.equal(facilitySlug("ST. MARY'S JAIL", 'NY'), 'st-marys-jail-ny');
  assert.equal(facilitySlug('Centro Penitenciario Bayamón', 'PR'), 'centro-penitenciario-bayamon-pr');
  assert.equal(facilitySlug('IMPERIAL REGIONAL DETENTION FACILITY', null), 'imperial-regional-detention-facility');
  assert.match(facilitySlug('A & B (C/D)', 'ca'), /^[a-z0-9]+(-[a-z0-9]+)*$/);
});

test('enhance.js does not throw on a page without tables, nor on one with a table', () => {
  const script = readFileSync(join(repoRoot, 'src/web/static/enhance.js'), 'utf8');
  for (const html of ['<!doctype html><html><body><p>No tables</p></body></html>', '<!doctype html><html><body><table data-sortable><thead><tr><th>A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table></body></html>']) {
    const { document } = parseHTML(html);
    assert.doesNotThrow(() => runInNewContext(script, { document, console: { error: () => undefined } }));
  }
});

describe('detention and facility pages on real ICE files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-pages-'));
  let db: Database | undefined;
  let app: FastifyInstance | undefined;
  let loaded: string[] = [];

  before(async () => {
    const data = sharedDataDir();
    if (!data) return; // each test then skips (or fails under CI) through requireSharedData
    db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    await ingestPaths([join(data, 'ice-detention-stats/raw/FY2026'), join(data, 'ice-detention-stats/carwilb')], {
      db,
      archive: new Archive(join(dir, 'a')),
      origin: 'mirror',
    });
    app = await buildApp(db);
    const releases = (await app.inject({ url: '/-/releases.json' })).json() as { releases: Array<{ release_id: string }> };
    loaded = releases.releases.map((r) => r.release_id);
  });

  after(async () => {
    await app?.close();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (url: string) => {
    const res = await app!.inject({ url });
    return res;
  };

  test('/facilities.json lists the 203 facilities of the 04/09/2026 release, Stewart among them', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await get('/facilities.json');
    assert.equal(res.statusCode, 200);
    const body = res.json() as { ok: boolean; release: { release_id: string; snapshot_date: string }; count: number; total_in_release: number; facilities: Facility[]; national_adp: number };
    assert.equal(body.ok, true);
    assert.equal(body.release.release_id, 'bbf3a29014d6');
    assert.equal(body.release.snapshot_date, '2026-04-04');
    assert.equal(body.total_in_release, 203);
    assert.equal(body.count, 203);
    assert.equal(body.facilities.length, 203);
    assert.ok(Math.abs(body.national_adp - 66978.048387) < 1e-6, 'national ADP: Detention FY26!N104');
    const stewart = body.facilities.find((f) => f.name === 'STEWART DETENTION CENTER');
    assert.ok(stewart, 'Stewart is listed');
    assert.equal(stewart.aor, 'ATL');
    assert.equal(stewart.state, 'GA');
    assert.equal(stewart.guaranteed_minimum, 1600);
    assert.equal(stewart.slug, STEWART);
    assert.equal(stewart.release_id, 'bbf3a29014d6');
    assert.ok(stewart.adp !== null && stewart.crim !== null && stewart.noncrim !== null);
    assert.ok(Math.abs(stewart.adp - (stewart.crim + stewart.noncrim)) < 1e-9, 'ADP = criminal + non-criminal');
  });

  test('/facilities filters by state server-side and rejects an unknown state with the JSON error body', async (t) => {
    if (!requireSharedData(t)) return;
    const ga = (await get('/facilities.json?state=GA')).json() as { count: number; total_in_release: number; facilities: Facility[]; filters: Record<string, string> };
    assert.ok(ga.count > 0 && ga.count < ga.total_in_release);
    assert.equal(ga.facilities.length, ga.count);
    assert.ok(ga.facilities.every((f) => f.state_effective === 'GA'));
    assert.ok(ga.facilities.some((f) => f.slug === STEWART));
    assert.deepEqual(ga.filters, { state: 'GA' });

    const combined = (await get('/facilities.json?state=ga&aor=atl&q=stewart')).json() as { facilities: Facility[] };
    assert.deepEqual(combined.facilities.map((f) => f.name), ['STEWART DETENTION CENTER']);

    const bad = await get('/facilities?state=ZZ');
    assert.equal(bad.statusCode, 400);
    const err = bad.json() as { ok: boolean; error: string; status: number };
    assert.deepEqual(Object.keys(err).sort(), ['error', 'ok', 'status']);
    assert.equal(err.ok, false);
    assert.equal(err.status, 400);
    assert.match(err.error, /^state: 'ZZ'/);
    assert.equal((await get('/facilities?aor=XYZ')).statusCode, 400);
    assert.equal((await get('/facilities?type=NOPE')).statusCode, 400);
    assert.equal((await get('/facilities?state=GA&state=TX')).statusCode, 400);
    // the empty values a submitted form sends mean "no filter"
    const empty = (await get('/facilities.json?q=&state=&aor=&type=')).json() as { count: number };
    assert.equal(empty.count, 203);
  });

  test('/facilities HTML has the filter form, the sortable table and links to each facility', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await get('/facilities');
    assert.equal(res.statusCode, 200);
    const html = res.body;
    has(html, /<form method="get" action="\/facilities"/);
    for (const id of ['f-q', 'f-state', 'f-aor', 'f-type']) has(html, new RegExp(`<label for="${id}">`));
    has(html, /<select id="f-state" name="state">/);
    has(html, /<table data-sortable>/);
    has(html, new RegExp(`<a href="/facilities/${STEWART}">STEWART DETENTION CENTER</a>`));
    has(html, /203 facilities/);
    has(html, /hold rooms, hospitals, juvenile/);
    const filtered = await get('/facilities?state=GA');
    has(filtered.body, /<option value="GA" selected>GA<\/option>/);
    has(filtered.body, /Showing <strong>\d+<\/strong> of 203 facilities/);

    const csv = csvObjects((await get('/facilities.csv')).body);
    assert.equal(csv.length, 203);
    const row = csv.find((r) => r.slug === STEWART);
    assert.equal(row?.aor, 'ATL');
    assert.equal(row?.guaranteed_minimum, '1600');
  });

  test('/facilities/:slug has one row per loaded release, a chart and a table; unknown slugs are 404', async (t) => {
    if (!requireSharedData(t)) return;
    assert.ok(loaded.length >= 9, `releases loaded: ${loaded.length}`);
    const res = await get(`/facilities/${STEWART}.json`);
    assert.equal(res.statusCode, 200);
    const body = res.json() as { slug: string; facility: Facility; rows: Facility[]; releases: string[] };
    assert.equal(body.slug, STEWART);
    assert.equal(body.rows.length, loaded.length);
    assert.deepEqual(new Set(body.rows.map((r) => r.release_id)), new Set(loaded));
    assert.equal(body.facility.release_id, 'bbf3a29014d6');
    assert.equal(body.facility.guaranteed_minimum, 1600);
    assert.equal(body.facility.aor, 'ATL');

    const html = (await get(`/facilities/${STEWART}`)).body;
    has(html, /<h1>STEWART DETENTION CENTER<\/h1>/);
    has(html, /<svg[^>]*role="img"/);
    has(html, /<table data-sortable>/);
    has(html, /restarts every October 1/);
    has(html, /fiscal years run October–September/);

    const csv = csvObjects((await get(`/facilities/${STEWART}.csv`)).body);
    assert.equal(csv.length, loaded.length);
    assert.ok(csv.every((r) => r.slug === STEWART));

    const missing = await get('/facilities/no-such-facility-zz');
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { ok: false, error: 'not found: /facilities/no-such-facility-zz', status: 404 });
    assert.equal((await get('/facilities/no-such-facility-zz.json')).statusCode, 404);
  });

  test('/detention.json has the detained series and ADP by month and criminality', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await get('/detention.json');
    assert.equal(res.statusCode, 200);
    type Row = Record<string, string | number | boolean | null>;
    const body = res.json() as Record<string, { rows: Row[]; csv: string[]; unit: string; partial_periods: string[] }>;
    const last = body.detained!.rows.find((r) => r.period === '2026-04-04');
    assert.ok(last, 'the 2026-04-04 snapshot is in the series');
    assert.equal(last.total, 60311); // Detention FY26!F20
    assert.equal(last.convicted, 17589); // F21
    assert.equal(last.pending, 18731); // F22
    assert.equal(last.other, 23991); // F23
    assert.equal(last.release_id, 'bbf3a29014d6');

    const jan = body.adp!.rows.find((r) => r.period === '2026-01');
    assert.ok(jan, 'January 2026 ADP is in the series');
    assert.equal(jan.fiscal_year, 'FY2026');
    assert.ok(Math.abs((jan.total as number) - 71929.483871) < 1e-6, `ADP January 2026 = ${jan.total}`); // Detention FY26!E104
    const parts = (jan.convicted as number) + (jan.pending as number) + (jan.other as number);
    assert.ok(Math.abs(parts - (jan.total as number)) < 0.01, `criminality rows add up: ${parts}`);
    assert.ok(body.adp!.partial_periods.includes('2026-04'), 'the month of the snapshot is partial');

    const fy26 = body.removals!.rows.find((r) => r.period === 'FY2026');
    assert.equal(fy26?.total, 234236); // Detention FY26!P29
    assert.equal(fy26?.partial, true);
    const bookIns = body.book_ins!.rows.filter((r) => String(r.period) >= '2025-10');
    assert.ok(bookIns.every((r) => r.total === (r.ICE as number) + (r.CBP as number)), 'ICE + CBP = total book-ins');

    // the chart's CSV link returns the same numbers
    const link = body.detained!.csv[0]!;
    assert.equal(link, '/api/v1/metrics/ice.detained.csv?by=criminality&from=FY2019&vintage=bbf3a29014d6');
    const apiRows = csvObjects((await get(link)).body);
    assert.deepEqual(
      apiRows.filter((r) => r.period === '2026-04-04').map((r) => [r.criminality, Number(r.value)]),
      [['convicted', 17589], ['other', 23991], ['pending', 18731]],
    );
    assert.equal(apiRows.length, body.detained!.rows.length * 3);
  });

  test('/detention honours the vintage: a release id shows the series as that release left it', async (t) => {
    if (!requireSharedData(t)) return;
    const body = (await get('/detention.json?vintage=055a59c6fc97')).json() as Record<string, { rows: Array<Record<string, unknown>> }>;
    const detained = body.detained!.rows;
    assert.equal(detained.at(-1)?.period, '2026-02-07');
    assert.equal(detained.at(-1)?.total, 68289); // the 02/12/2026 release, Detention FY26!F20
    assert.ok(detained.length > 1, 'the history before the pinned release is kept');
    assert.equal(body.removals!.rows.find((r) => r.period === 'FY2026')?.total, 162192); // its P29
    assert.equal((await get('/detention?vintage=ffffffffffff')).statusCode, 400);
  });

  test('/detention HTML: four charts with captions, CSV links and data tables; the CSV form is the detained series', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await get('/detention');
    assert.equal(res.statusCode, 200);
    const html = res.body;
    assert.equal((html.match(/<h2 /g) ?? []).length, 4);
    assert.equal((html.match(/<figure>/g) ?? []).length, 4);
    assert.equal((html.match(/<figcaption>/g) ?? []).length, 4);
    assert.ok((html.match(/<svg[^>]*role="img"/g) ?? []).length >= 3);
    assert.ok((html.match(/role="img"/g) ?? []).length >= 4);
    assert.equal((html.match(/<details><summary>Data table<\/summary>/g) ?? []).length, 4);
    assert.equal((html.match(/<table data-sortable>/g) ?? []).length, 4);
    has(html, /Months are calendar months; fiscal years run October–September/);
    has(html, /href="\/api\/v1\/metrics\/ice\.adp\.csv\?grain=month&#38;by=criminality&#38;from=FY2019&#38;vintage=/);
    has(html, /href="\/api\/v1\/metrics\/ice\.book_ins\.csv\?grain=month&#38;by=agency/);
    has(html, /href="\/api\/v1\/metrics\/ice\.removals\.csv\?grain=fy/);
    has(html, /people \(average per day\)/); // the unit of ice.adp
    has(html, /A book-in is not an arrest/); // a caveat of ice.book_ins
    has(html, /<td>2026-04-04<\/td><td class="num">17,589<\/td>/);

    const csv = (await get('/detention.csv')).body;
    assert.equal(csv.split(/\r?\n/)[0], 'period,convicted,pending,other,total,release_id');
    const rows = csvObjects(csv);
    assert.deepEqual(rows.find((r) => r.period === '2026-04-04'), {
      period: '2026-04-04',
      convicted: '17589',
      pending: '18731',
      other: '23991',
      total: '60311',
      release_id: 'bbf3a29014d6',
    });
  });

  test('the browser script is served', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await get('/static/enhance.js');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /javascript/);
    assert.match(res.body, /aria-sort/);
  });
});
