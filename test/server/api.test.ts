import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { METRICS } from '../../src/metrics/registry.js';
import { buildApp } from '../../src/server/app.js';
import { DATASETS } from '../../src/sources/registry.js';
import { readCriminality, readInventory } from '../helpers/inventory.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

// One database of every real workbook, built once; the tests only read it, except the
// last one, which ingests one more release to see the ETag change.
const dir = mkdtempSync(join(tmpdir(), 'tracker-api-'));
let db: Database | undefined;
let app: FastifyInstance | undefined;

const LATEST = 'bbf3a29014d6'; // carwilb/FY26_detentionStats_04092026.xlsx, snapshot 04/04/2026
const FEB13 = '055a59c6fc97'; // raw/FY2026/2026-02-13_FY26_detentionStats_02122026.xlsx, snapshot 02/07/2026

before(async () => {
  const data = sharedDataDir();
  if (!data) return;
  db = await Database.open(join(dir, 'tracker.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  const report = await ingestPaths([join(data, 'ice-detention-stats')], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
  assert.equal(report.errors, 0, JSON.stringify(report.outcomes.filter((o) => o.status === 'error')));
  app = await buildApp(db);
});

after(async () => {
  await app?.close();
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Ready {
  data: string;
  app: FastifyInstance;
  db: Database;
}

function ready(t: TestContext): Ready | undefined {
  const data = requireSharedData(t);
  if (!data) return undefined;
  assert.ok(app && db, 'the database was not built');
  return { data, app, db };
}

type Row = Record<string, string | number | null>;
interface MetricBody {
  ok: true;
  metric: string;
  query: Record<string, unknown>;
  rows: Row[];
  partial_periods: string[];
  releases: string[];
  caveats: string[];
}

async function getJson<T = MetricBody>(a: FastifyInstance, url: string): Promise<T> {
  const res = await a.inject({ url });
  assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
  assert.match(res.headers['content-type'] as string, /^application\/json/);
  return res.json() as T;
}

/** The value of the row for `period` (and the given dimension values). */
function valueAt(rows: Row[], period: string, dims: Record<string, string> = {}): number {
  const found = rows.filter((r) => r.period === period && Object.entries(dims).every(([k, v]) => r[k] === v));
  assert.equal(found.length, 1, `one row for ${period} ${JSON.stringify(dims)} in ${JSON.stringify(rows)}`);
  return found[0]!.value as number;
}

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≠ ${expected}`);
}

/** Splits simple CSV (no quoted fields) into a header and rows. */
function csvLines(body: string): { header: string; rows: string[][] } {
  const lines = body.trimEnd().split('\n');
  return { header: lines[0]!, rows: lines.slice(1).map((l) => l.split(',')) };
}

// the registry's order; the ids every release so far has promised are checked to be among them
const METRIC_IDS = METRICS.map((m) => m.id);
const PROMISED = ['ice.detained', 'ice.adp', 'ice.book_ins', 'ice.removals', 'ice.atd', 'ice.facility_adp', 'cbp.encounters', 'ohss.usbp_encounters', 'foia.removals'];
test('the metric registry holds every promised metric id once', () => {
  for (const id of PROMISED) assert.ok(METRIC_IDS.includes(id), id);
  assert.equal(new Set(METRIC_IDS).size, METRIC_IDS.length);
});

test('/api/v1/metrics lists every metric with their grains and dimensions', async (t) => {
  const r = ready(t);
  if (!r) return;
  const body = await getJson<{ ok: boolean; metrics: Array<Record<string, unknown>> }>(r.app, '/api/v1/metrics');
  assert.equal(body.ok, true);
  assert.deepEqual(body.metrics.map((m) => m.id), METRIC_IDS);
  for (const m of body.metrics) {
    const def = METRICS.find((d) => d.id === m.id)!;
    assert.deepEqual(m.grains, def.grains, `${def.id} grains`);
    assert.equal(m.default_grain, def.defaultGrain);
    assert.deepEqual(m.dimensions, Object.fromEntries(Object.entries(def.dimensions).map(([k, d]) => [k, d.description])));
    assert.equal(m.url, `/api/v1/metrics/${def.id}`);
    assert.ok(Array.isArray(m.caveats) && (m.caveats as string[]).length > 0);
  }
  const adp = body.metrics.find((m) => m.id === 'ice.adp')!;
  assert.deepEqual(adp.grains, ['month', 'fy']);
  assert.deepEqual(Object.keys(adp.dimensions as object), ['agency', 'criminality']);
  assert.deepEqual(body.metrics.find((m) => m.id === 'ice.removals')!.dimensions, {});
});

test('ice.detained equals the INVENTORY.md totals of known snapshots', async (t) => {
  const r = ready(t);
  if (!r) return;
  const inventory = readInventory(r.data);
  const byFile = (suffix: string) => {
    const row = inventory.find((i) => i.file.endsWith(suffix));
    assert.ok(row, `${suffix} in INVENTORY.md`);
    return row;
  };
  const series = (await getJson(r.app, '/api/v1/metrics/ice.detained')).rows;
  const cases: Array<[string, string, number]> = [
    ['2026-04-04', 'carwilb/FY26_detentionStats_04092026.xlsx', 60311], // I1
    ['2025-06-01', '2025-06-06_FY25_detentionStats06052025.xlsx', 51302], // I11
    ['2019-10-04', '2019-10-06_FY19-detentionstats.xlsx', 50922], // I15
    ['2026-02-07', '2026-02-13_FY26_detentionStats_02122026.xlsx', 68289], // I18
    ['2026-01-07', '2026-01-09_FY26_detentionStats01082026.xlsx', 68990], // I16, not the hidden sheet's 19,068
  ];
  for (const [period, file, golden] of cases) {
    const inv = byFile(file);
    assert.deepEqual(inv.snapshot, [period]);
    assert.equal(inv.total, golden);
    assert.equal(valueAt(series, period), golden, period);
  }
  // every snapshot of the series is the total of a workbook with that snapshot date
  assert.ok(series.length > 100, `${series.length} snapshots`);
  for (const row of series) {
    const totals = inventory.filter((i) => i.snapshot.includes(row.period as string)).map((i) => i.total);
    if (totals.length === 0) continue; // FY2023 footnotes do not say "snapshot as of"
    assert.ok(totals.includes(row.value as number), `${row.period}: ${row.value} not in ${JSON.stringify(totals)}`);
  }

  const agency = await getJson(r.app, '/api/v1/metrics/ice.detained?by=agency&from=2025-06-01&to=2025-06-01');
  const i11 = byFile('2025-06-06_FY25_detentionStats06052025.xlsx');
  assert.deepEqual(agency.rows, [
    { period: '2025-06-01', agency: 'CBP', value: 17326 },
    { period: '2025-06-01', agency: 'ICE', value: 33976 },
  ]);
  assert.deepEqual([i11.ice, i11.cbp], [33976, 17326]);
  assert.deepEqual(agency.releases, [i11.sha12]);
  assert.deepEqual(agency.query, { grain: 'snapshot', from: '2025-06-01', to: '2025-06-01', by: ['agency'], filter: {}, vintage: 'latest' });
});

test('ice.detained by criminality at 2026-04-04 is 17,589 / 18,731 / 23,991', async (t) => {
  const r = ready(t);
  if (!r) return;
  const body = await getJson(r.app, '/api/v1/metrics/ice.detained?by=criminality&from=2026-04-04&to=2026-04-04');
  const golden = readCriminality(r.data).get(LATEST)!;
  assert.deepEqual([golden.convicted, golden.pending, golden.other], [17589, 18731, 23991]);
  assert.deepEqual(body.rows, [
    { period: '2026-04-04', criminality: 'convicted', value: 17589 },
    { period: '2026-04-04', criminality: 'other', value: 23991 },
    { period: '2026-04-04', criminality: 'pending', value: 18731 },
  ]);
  const filtered = await getJson(r.app, '/api/v1/metrics/ice.detained?filter=criminality=pending&filter=agency=all&from=2026-04-04');
  assert.deepEqual(filtered.rows, [{ period: '2026-04-04', value: 18731 }]);
});

test('ice.adp by fiscal year and month, removals and book-ins by fiscal year', async (t) => {
  const r = ready(t);
  if (!r) return;
  const fy = (await getJson(r.app, '/api/v1/metrics/ice.adp?grain=fy')).rows;
  assertClose(valueAt(fy, 'FY2025'), 48404.4816901408, 'ADP FY2025'); // I12
  assertClose(valueAt(fy, 'FY2024'), 37721.8032786885, 'ADP FY2024'); // I13
  assertClose(valueAt(fy, 'FY2026'), 66978.048387, 'ADP FY2026'); // I4
  assertClose(valueAt(fy, 'FY2019'), 50165.43836, 'ADP FY2019'); // I15
  const month = (await getJson(r.app, '/api/v1/metrics/ice.adp?grain=month&from=2026-01&to=2026-01')).rows;
  assert.equal(month.length, 1);
  assertClose(valueAt(month, '2026-01'), 71929.483871, 'ADP January 2026'); // I5

  const removals = (await getJson(r.app, '/api/v1/metrics/ice.removals?grain=fy')).rows;
  assert.equal(valueAt(removals, 'FY2025'), 319980); // I12
  assert.equal(valueAt(removals, 'FY2024'), 271484); // I13
  assert.equal(valueAt(removals, 'FY2019'), 267258); // I15
  assert.equal(valueAt(removals, 'FY2026'), 234236); // I6
  const bookIns = (await getJson(r.app, '/api/v1/metrics/ice.book_ins?grain=fy')).rows;
  assert.equal(valueAt(bookIns, 'FY2019'), 510854); // I15
  assert.equal(valueAt(bookIns, 'FY2024'), 277913); // I13
  assert.equal(valueAt(bookIns, 'FY2026'), 230354); // I7
});

test('a release id as vintage gives what was known at that release; latest gives the newest', async (t) => {
  const r = ready(t);
  if (!r) return;
  const pinned = await getJson(r.app, `/api/v1/metrics/ice.adp?grain=fy&vintage=${FEB13}`);
  assertClose(valueAt(pinned.rows, 'FY2026'), 67972.915385, 'ADP FY2026 at 055a59c6fc97'); // I18
  assert.ok(pinned.releases.includes(FEB13) && !pinned.releases.includes(LATEST), pinned.releases.join());
  assertClose(valueAt(pinned.rows, 'FY2025'), 48404.4816901408, 'earlier years stay in a pinned series'); // I12
  assert.equal(pinned.query.vintage, FEB13);
  const latest = await getJson(r.app, '/api/v1/metrics/ice.adp?grain=fy&from=FY2026');
  assertClose(valueAt(latest.rows, 'FY2026'), 66978.048387, 'ADP FY2026 latest');
  assert.deepEqual(latest.releases, [LATEST]);
  const detained = await getJson(r.app, `/api/v1/metrics/ice.detained?vintage=${FEB13}`);
  assert.equal(valueAt(detained.rows, '2026-02-07'), 68289);
  assert.equal(detained.rows.at(-1)!.period, '2026-02-07', 'the series ends at the pinned release');
  assert.ok(detained.rows.length > 100, 'the whole series up to the pinned release');
});

test('a date as vintage leaves out the releases retrieved after it', async (t) => {
  const r = ready(t);
  if (!r) return;
  const ledger = (await getJson<{ releases: Array<Record<string, unknown>> }>(r.app, '/api/v1/releases')).releases;
  const knownAt = new Map(ledger.map((x) => [x.release_id as string, x.known_at as string]));
  assert.equal(knownAt.get(FEB13), '2026-02-13');

  const detained = await getJson(r.app, '/api/v1/metrics/ice.detained?vintage=2026-02-10');
  assert.ok(detained.releases.length > 100);
  for (const id of detained.releases) assert.ok(knownAt.get(id)! <= '2026-02-10', `${id} known ${knownAt.get(id)}`);
  assert.ok(!detained.releases.includes(FEB13) && !detained.releases.includes(LATEST));
  assert.equal(detained.rows.at(-1)!.period, '2026-01-25');
  assert.equal(detained.rows.at(-1)!.value, 70766);
  assert.ok(!detained.rows.some((x) => x.period === '2026-02-07' || x.period === '2026-04-04'));

  // the FY2026 ADP known on 2026-02-10 is the one of the release retrieved 2026-02-03
  const adp = await getJson(r.app, '/api/v1/metrics/ice.adp?grain=fy&from=FY2026&vintage=2026-02-10');
  const prev = ledger.filter((x) => (x.known_at as string) <= '2026-02-10' && !x.date_suspect).sort((a, b) => String(b.effective_date).localeCompare(String(a.effective_date)))[0]!;
  assert.deepEqual(adp.releases, [prev.release_id]);
  assertClose(valueAt(adp.rows, 'FY2026'), prev.adp_fy as number, 'ADP FY2026 known on 2026-02-10');
  assert.notEqual(valueAt(adp.rows, 'FY2026'), 67972.915385);
  // the same day as the retrieval includes the release
  const onDay = await getJson(r.app, '/api/v1/metrics/ice.adp?grain=fy&from=FY2026&vintage=2026-02-13');
  assert.deepEqual(onDay.releases, [FEB13]);
});

test('CSV forms have the header period,value (or with the by columns) and the JSON numbers', async (t) => {
  const r = ready(t);
  if (!r) return;
  const cases = ['/api/v1/metrics/ice.adp?grain=fy', '/api/v1/metrics/ice.removals', '/api/v1/metrics/ice.detained?by=agency&from=2025-06-01&to=2025-06-01', '/api/v1/metrics/ice.adp?grain=month&by=agency,criminality&from=FY2026'];
  for (const url of cases) {
    const json: MetricBody = await getJson(r.app, url);
    const [path, qs] = url.split('?');
    const res: LightMyRequestResponse = await r.app.inject({ url: `${path}.csv${qs ? `?${qs}` : ''}` });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.headers['content-type'] as string, /^text\/csv/);
    const csv = csvLines(res.body);
    const by = json.query.by as string[];
    assert.equal(csv.header, ['period', ...by, 'value'].join(','), url);
    assert.equal(csv.rows.length, json.rows.length, url);
    csv.rows.forEach((cells, i) => {
      const row = json.rows[i]!;
      assert.deepEqual(cells.slice(0, -1), [row.period, ...by.map((b) => row[b])], url);
      assert.equal(Number(cells.at(-1)), row.value, url);
    });
  }
  const fyCsv = csvLines((await r.app.inject({ url: '/api/v1/metrics/ice.adp.csv?grain=fy' })).body);
  assert.equal(fyCsv.header, 'period,value');
  assert.ok(fyCsv.rows.some(([p, v]) => p === 'FY2025' && Math.abs(Number(v) - 48404.4816901408) < 1e-6));
  const agencyCsv = (await r.app.inject({ url: '/api/v1/metrics/ice.detained.csv?by=agency&from=2025-06-01&to=2025-06-01' })).body;
  assert.equal(agencyCsv, 'period,agency,value\n2025-06-01,CBP,17326\n2025-06-01,ICE,33976\n');
});

test('partial_periods names the month and fiscal year of the latest snapshot', async (t) => {
  const r = ready(t);
  if (!r) return;
  const month = await getJson(r.app, '/api/v1/metrics/ice.adp?grain=month');
  assert.equal(month.rows.at(-1)!.period, '2026-04');
  assert.ok(month.partial_periods.includes('2026-04'), JSON.stringify(month.partial_periods));
  assert.ok(!month.partial_periods.includes('2026-03'));
  assert.ok(!month.partial_periods.includes('2026-01'));
  const fy = await getJson(r.app, '/api/v1/metrics/ice.adp?grain=fy');
  assert.ok(fy.partial_periods.includes('FY2026'), JSON.stringify(fy.partial_periods));
  assert.ok(!fy.partial_periods.includes('FY2024')); // the EOFY2024 release is dated 10/03/2024
  const removals = await getJson(r.app, '/api/v1/metrics/ice.removals');
  assert.ok(removals.partial_periods.includes('FY2026'));
  const cy = await getJson(r.app, '/api/v1/metrics/ice.book_ins?grain=cy');
  assert.ok(cy.partial_periods.includes('CY2026'));
  assert.ok(!cy.partial_periods.includes('CY2024'), JSON.stringify(cy.partial_periods));
});

test('every client error is 400 or 404 with exactly the body {ok:false,error,status}', async (t) => {
  const r = ready(t);
  if (!r) return;
  const cases: Array<[string, number, RegExp]> = [
    ['/api/v1/metrics/ice.adp?frob=1', 400, /^frob: unknown parameter/],
    ['/api/v1/metrics/ice.adp?grain=week', 400, /^grain: 'week' is not a grain/],
    ['/api/v1/metrics/ice.detained?grain=month', 400, /^grain: ice\.detained has no 'month' grain; it has snapshot/],
    ['/api/v1/metrics/ice.adp?grain=fy&grain=month', 400, /^grain: given more than once/],
    ['/api/v1/metrics/ice.adp?by=state', 400, /^by: ice\.adp has no dimension 'state'; it has agency, criminality/],
    ['/api/v1/metrics/ice.removals?by=agency', 400, /^by: ice\.removals has no dimension 'agency'$/],
    ['/api/v1/metrics/ice.adp?by=agency,agency', 400, /^by: a dimension is named twice/],
    ['/api/v1/metrics/ice.adp?filter=agency', 400, /^filter: 'agency' is not DIM=VALUE/],
    ['/api/v1/metrics/ice.adp?filter=agency=', 400, /^filter: the value for 'agency'/],
    ['/api/v1/metrics/ice.adp?filter=state=TX', 400, /^filter: ice\.adp has no dimension 'state'/],
    ['/api/v1/metrics/ice.adp?from=2025-13', 400, /^from: '2025-13' is not a period/],
    ['/api/v1/metrics/ice.adp?from=2025-02-30', 400, /^from: '2025-02-30' is not a period/],
    ['/api/v1/metrics/ice.adp?to=last-year', 400, /^to: 'last-year' is not a period/],
    ['/api/v1/metrics/ice.adp?from=FY2025&to=FY2024', 400, /^from: 'FY2025' is after 'FY2024'/],
    ['/api/v1/metrics/ice.adp?vintage=yesterday', 400, /^vintage: 'yesterday' is not 'latest', a release id/],
    ['/api/v1/metrics/ice.adp?vintage=2026-02-31', 400, /^vintage: /],
    ['/api/v1/metrics/ice.adp?vintage=000000000000', 400, /^vintage: no release '000000000000'/],
    ['/api/v1/metrics/ice.adp.csv?vintage=000000000000', 400, /^vintage: no release/],
    ['/api/v1/metrics/ice.nothing', 404, /^unknown metric 'ice\.nothing'; see \/api\/v1\/metrics/],
    ['/api/v1/metrics/ice.nothing.csv', 404, /^unknown metric 'ice\.nothing'/],
    ['/no/such/page', 404, /^not found: \/no\/such\/page$/],
    ['/-/releases/000000000000', 404, /^not found: /],
    ['/-/releases/000000000000.json', 404, /^not found: /],
    ['/methodology?vintage=soon', 400, /^vintage: 'soon'/],
  ];
  for (const [url, status, message] of cases) {
    const res: LightMyRequestResponse = await r.app.inject({ url });
    assert.equal(res.statusCode, status, `${url}: ${res.body}`);
    assert.match(res.headers['content-type'] as string, /^application\/json/, url);
    const body = res.json() as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['error', 'ok', 'status'], url);
    assert.equal(body.ok, false, url);
    assert.equal(typeof body.error, 'string', url);
    assert.equal(body.status, status, url);
    assert.match(body.error as string, message, url);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
  }
});

test('/api/v1/openapi.json is OpenAPI 3.1 with one path per metric and its grains as the enum of grain', async (t) => {
  const r = ready(t);
  if (!r) return;
  const doc = await getJson<{ openapi: string; info: Record<string, unknown>; paths: Record<string, { get: { parameters: Array<{ name: string; schema: Record<string, unknown> }>; responses: Record<string, unknown> } }> }>(
    r.app,
    '/api/v1/openapi.json',
  );
  assert.match(doc.openapi, /^3\.1\./);
  assert.equal(typeof doc.info.title, 'string');
  const metricPaths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/metrics/'));
  assert.deepEqual(metricPaths, METRIC_IDS.map((id) => `/api/v1/metrics/${id}`));
  for (const m of METRICS) {
    const op = doc.paths[`/api/v1/metrics/${m.id}`]!.get;
    const grain = op.parameters.find((p) => p.name === 'grain')!;
    assert.deepEqual(grain.schema.enum, m.grains, m.id);
    assert.equal(grain.schema.default, m.defaultGrain, m.id);
    const names = op.parameters.map((p) => p.name);
    assert.deepEqual(names.includes('by'), Object.keys(m.dimensions).length > 0, m.id);
    assert.ok(names.includes('vintage') && names.includes('from') && names.includes('to'), m.id);
    assert.deepEqual(Object.keys(op.responses).sort(), ['200', '400', '404'], m.id);
  }
  assert.ok(doc.paths['/api/v1/metrics']);
});

test('a second request with If-None-Match gets 304 and no body', async (t) => {
  const r = ready(t);
  if (!r) return;
  for (const url of ['/api/v1/metrics/ice.adp?grain=fy', '/methodology', '/-/releases.json']) {
    const first: LightMyRequestResponse = await r.app.inject({ url });
    assert.equal(first.statusCode, 200);
    const etag = first.headers.etag as string;
    assert.match(etag, /^W\/"[0-9a-f]{12}-[0-9a-f]{10}"$/);
    assert.match(first.headers['cache-control'] as string, /must-revalidate/);
    const again: LightMyRequestResponse = await r.app.inject({ url, headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304, url);
    assert.equal(again.body, '', url);
    assert.equal(again.headers.etag, etag);
    const stale: LightMyRequestResponse = await r.app.inject({ url, headers: { 'if-none-match': 'W/"000000000000-0000000000"' } });
    assert.equal(stale.statusCode, 200);
  }
  // another URL, another ETag; errors get none
  const a = await r.app.inject({ url: '/api/v1/metrics/ice.adp?grain=fy' });
  const b = await r.app.inject({ url: '/api/v1/metrics/ice.adp?grain=month' });
  assert.notEqual(a.headers.etag, b.headers.etag);
  assert.equal((await r.app.inject({ url: '/api/v1/metrics/ice.adp?grain=week' })).headers.etag, undefined);
});

test('a large response is gzip-compressed when asked', async (t) => {
  const r = ready(t);
  if (!r) return;
  const url = '/api/v1/metrics/ice.adp?grain=month&by=agency,criminality';
  const plain = await r.app.inject({ url });
  assert.ok(plain.body.length > 10_000, `${plain.body.length} bytes`);
  assert.equal(plain.headers['content-encoding'], undefined);
  const zipped: LightMyRequestResponse = await r.app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
  assert.equal(zipped.statusCode, 200);
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.ok(zipped.rawPayload.length < plain.body.length / 3);
  assert.deepEqual(JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8')), plain.json());
  const csv = await r.app.inject({ url: '/api/v1/metrics/ice.facility_adp.csv?from=2026-04-04&by=state,facility', headers: { 'accept-encoding': 'gzip' } });
  assert.equal(csv.headers['content-encoding'], 'gzip');
  assert.match(csv.headers.vary as string, /accept-encoding/i);
  const text = gunzipSync(csv.rawPayload).toString('utf8');
  assert.match(text, /^period,state,facility,value\n/);
  assert.equal(text.trimEnd().split('\n').length, 1 + 203); // I10: 203 facilities in the 04/09/2026 release
  // a small response is sent as it is
  const small = await r.app.inject({ url: '/api/v1/metrics/ice.removals.csv?from=FY2026', headers: { 'accept-encoding': 'gzip' } });
  assert.equal(small.headers['content-encoding'], undefined);
  assert.equal(small.body, 'period,value\nFY2026,234236\n');
});

test('security headers are on pages, API responses and errors', async (t) => {
  const r = ready(t);
  if (!r) return;
  for (const url of ['/', '/api/v1/metrics', '/api/v1/metrics/ice.adp.csv', '/api/v1/metrics/nope', '/nowhere']) {
    const res: LightMyRequestResponse = await r.app.inject({ url });
    assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
    const csp = res.headers['content-security-policy'] as string;
    assert.match(csp, /default-src 'self'/, url);
    assert.match(csp, /frame-ancestors 'none'/, url);
    assert.equal(res.headers['x-frame-options'], 'DENY', url);
    assert.ok(res.headers['referrer-policy'], url);
  }
});

test('the overview, release and methodology pages answer in HTML, JSON and CSV', async (t) => {
  const r = ready(t);
  if (!r) return;
  const pages: Array<[string, RegExp]> = [
    ['/', /^text\/html/],
    ['/overview', /^text\/html/],
    ['/overview.json', /^application\/json/],
    ['/overview.csv', /^text\/csv/],
    ['/-/releases', /^text\/html/],
    ['/-/releases.json', /^application\/json/],
    ['/-/releases.csv', /^text\/csv/],
    [`/-/releases/${LATEST}`, /^text\/html/],
    [`/-/releases/${LATEST}.json`, /^application\/json/],
    [`/-/releases/${LATEST}.csv`, /^text\/csv/],
    ['/methodology', /^text\/html/],
    ['/methodology.json', /^application\/json/],
    ['/methodology.csv', /^text\/csv/],
    [`/methodology?vintage=${FEB13}`, /^text\/html/],
  ];
  for (const [url, type] of pages) {
    const res: LightMyRequestResponse = await r.app.inject({ url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
    assert.match(res.headers['content-type'] as string, type, url);
    assert.ok(res.body.length > 0, url);
  }

  type Overview = { ok: boolean; latest: string; snapshot_date: string; headlines: Array<{ metric: string; value: number | null; release_id: string }> };
  const headline = (o: Overview, key: string) => o.headlines.find((h) => h.metric === key)!;
  const overview = await getJson<Overview>(r.app, '/overview.json');
  assert.equal(overview.ok, true);
  assert.equal(overview.latest, LATEST);
  assert.equal(overview.snapshot_date, '2026-04-04');
  assert.equal(headline(overview, 'detained_total').value, 60311);
  assert.equal(headline(overview, 'removals_fytd').value, 234236);
  const pinned = await getJson<Overview>(r.app, `/overview.json?vintage=${FEB13}`);
  assert.equal(pinned.latest, FEB13);
  assert.equal(headline(pinned, 'detained_total').value, 68289);
  const html = (await r.app.inject({ url: '/' })).body;
  assert.match(html, /60,311/);
  assert.match(html, new RegExp(`/-/releases/${LATEST}`));
  const csv = (await r.app.inject({ url: '/overview.csv' })).body;
  assert.match(csv, /^metric,label,value,previous,as_of,release_id,cell\n/);
  assert.match(csv, /\ndetained_total,People in ICE detention,60311,/);

  const release = await getJson<{ release: Record<string, unknown> }>(r.app, `/-/releases/${LATEST}.json`);
  assert.equal(release.release.release_id, LATEST);
  assert.equal(release.release.detained_total, 60311);
  const ledger = await getJson<{ releases: unknown[] }>(r.app, '/-/releases.json');
  assert.equal(ledger.releases.length, 134);
});

test('/methodology is generated from the metrics, ICE’s footnotes and the anomalies in the database', async (t) => {
  const r = ready(t);
  if (!r) return;
  type Methodology = {
    ok: boolean;
    metrics: Array<Record<string, unknown>>;
    footnotes: { release_id: string; snapshot_date: string; notes: Array<{ release_id: string; sheet: string; row: number; cell: string; topic: string; note: string }> };
    anomalies: Array<{ code: string; count: number }>;
  };
  const body = await getJson<Methodology>(r.app, '/methodology.json');
  assert.equal(body.ok, true);
  assert.deepEqual(body.metrics.map((m) => m.id), METRIC_IDS);
  for (const m of body.metrics) {
    const def = METRICS.find((d) => d.id === m.id)!;
    assert.ok(!('baseSql' in m) && !('aggregate' in m), `${def.id} has no functions`);
    assert.deepEqual(m, JSON.parse(JSON.stringify(def)));
  }

  // ICE's notes, verbatim, of the newest release, with the row they came from
  assert.equal(body.footnotes.release_id, LATEST);
  assert.equal(body.footnotes.snapshot_date, '2026-04-04');
  const notes = body.footnotes.notes;
  const topics = new Set(notes.map((n) => n.topic));
  for (const topic of ['FY2026 ICE Removals', 'FY2026 ICE Initial Book-Ins', 'FY2026 ICE Average Daily Population and ICE Average Length of Stay', 'ICE Currently Detained Population Breakdown', 'ATD']) {
    assert.ok(topics.has(topic), topic);
  }
  for (const topic of ['Monthly Bond Statistics', 'TPS Countries', 'Type--Detailed']) assert.ok(!topics.has(topic), topic);
  for (const n of notes) assert.match(n.topic, /removals|book-?ins|average daily population|currently detained|\bATD\b|alternatives to detention/i);
  const stored = await r.db.all(`SELECT "row", topic, note FROM ice_footnotes WHERE release_id = $1`, [LATEST]);
  for (const n of notes) {
    assert.equal(n.release_id, LATEST);
    assert.equal(n.cell, `${n.sheet}!B${n.row}`);
    assert.ok(stored.some((s) => s.row === n.row && s.topic === n.topic && s.note === n.note), `row ${n.row} is stored verbatim`);
  }
  const docket = notes.find((n) => n.row === 71)!; // I9
  assert.match(docket.note, /snapshot as of 04\/04\/2026/);

  // anomaly codes with their counts, as in the database
  const counts = await r.db.all(`SELECT code, count(*) AS n FROM release_anomalies GROUP BY code ORDER BY code`);
  assert.ok(counts.length > 0);
  assert.deepEqual(body.anomalies.map((a) => [a.code, a.count]), counts.map((c) => [c.code, c.n]));

  const html = (await r.app.inject({ url: '/methodology' })).body;
  for (const m of METRICS) {
    assert.ok(html.includes(`<code>${m.id}</code>`), m.id);
    for (const name of Object.keys(m.dimensions)) assert.ok(html.includes(`<code>${name}</code>`), `${m.id} ${name}`);
  }
  assert.match(html, /id="vintages"/);
  assert.match(html, /id="anomalies"/);
  assert.match(html, /<code>agency-columns-swapped<\/code>/);
  assert.match(html, /Footnotes!B71/);
  assert.match(html, /snapshot as of 04\/04\/2026/);
  assert.match(html, /<a href="\/methodology" aria-current="page">/);

  // pinned to a release, the footnotes are that release's
  const pinned = await getJson<Methodology>(r.app, `/methodology.json?vintage=${FEB13}`);
  assert.equal(pinned.footnotes.release_id, FEB13);
  assert.ok(pinned.footnotes.notes.length > 0);

  // records hold quoted commas but no newlines
  const csv = (await r.app.inject({ url: '/methodology.csv' })).body.trimEnd().split('\n');
  assert.equal(csv[0], 'id,title,description,unit,grains,default_grain,dimensions,sources,caveats');
  assert.equal(csv.length, 1 + METRICS.length);
  assert.deepEqual(csv.slice(1).map((l) => l.split(',')[0]), METRIC_IDS);
  assert.ok(csv.some((l) => l.startsWith('ice.adp,') && l.includes(',month fy,month,agency criminality,')));
});

test(
  'a malformed percent-encoding in the path gets the one error body and the security headers',
  async (t) => {
    const r = ready(t);
    if (!r) return;
    for (const url of ['/api/v1/metrics/%E0%A4%A', '/-/releases/%E0%A4%A']) {
      const res: LightMyRequestResponse = await r.app.inject({ url });
      assert.equal(res.statusCode, 400, url);
      assert.deepEqual(Object.keys(res.json() as object).sort(), ['error', 'ok', 'status'], `${url}: ${res.body}`);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
    }
  },
);

// last: it adds a release to the shared database
test('the ETag changes once another release is ingested', async (t) => {
  const r = ready(t);
  if (!r) return;
  const url = '/api/v1/metrics/ice.adp?grain=fy';
  const before = await r.app.inject({ url });
  const etag = before.headers.etag as string;
  assert.equal((await r.app.inject({ url, headers: { 'if-none-match': etag } })).statusCode, 304);

  const extra = join(r.data, 'ice-detention-stats-extra', 'FY25_detentionStats08292025.xlsx');
  const report = await ingestPaths([extra], { db: r.db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
  assert.equal(report.ingested, 1, JSON.stringify(report.outcomes));
  // the app caches the data version until the ingest in its process says otherwise
  assert.equal((await r.app.inject({ url })).headers.etag, etag);
  r.app.dataVersion.invalidate();

  const after = await r.app.inject({ url, headers: { 'if-none-match': etag } });
  assert.equal(after.statusCode, 200);
  assert.notEqual(after.headers.etag, etag);
  assert.equal((await r.app.inject({ url, headers: { 'if-none-match': after.headers.etag as string } })).statusCode, 304);
  // FY2025 still comes from ICE's final release, dated after 08/29/2025 (X1)
  assertClose(valueAt((after.json() as MetricBody).rows, 'FY2025'), 48404.4816901408, 'ADP FY2025');
  const detained = await getJson(r.app, '/api/v1/metrics/ice.detained?from=2025-08-01&to=2025-08-31');
  assert.ok(detained.rows.some((x) => x.value === 61226), JSON.stringify(detained.rows)); // X1
});
