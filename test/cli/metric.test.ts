import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { METRICS } from '../../src/metrics/registry.js';
import { buildApp } from '../../src/server/app.js';
import { DATASETS } from '../../src/sources/registry.js';
import { tracker } from '../helpers/cli.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'tracker-metric-cli-'));
const dbPath = join(dir, 'tracker.duckdb');


// every real workbook, loaded once; the database is closed again so that the CLI can open it
before(async () => {
  const data = sharedDataDir();
  if (!data) return;
  const db = await Database.open(dbPath, { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    const report = await ingestPaths([join(data, 'ice-detention-stats')], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
    assert.equal(report.errors, 0);
  } finally {
    db.close();
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The API's rows for a query, from the same database file, opened read-only after the CLI has run. */
async function apiRows(url: string): Promise<unknown[]> {
  const db = await Database.open(dbPath, { readOnly: true });
  try {
    const app = await buildApp(db);
    try {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { rows: unknown[] }).rows;
    } finally {
      await app.close();
    }
  } finally {
    db.close();
  }
}

test('tracker metric gives the same rows as GET /api/v1/metrics/ID', async (t) => {
  if (!requireSharedData(t)) return;
  const cases: Array<[string[], string]> = [
    [['ice.adp', '--grain', 'fy', '--by', 'criminality'], '/api/v1/metrics/ice.adp?grain=fy&by=criminality'],
    [['ice.detained', '--by', 'agency', '--from', '2025-06-01', '--to', '2025-06-01'], '/api/v1/metrics/ice.detained?by=agency&from=2025-06-01&to=2025-06-01'],
    [['ice.removals', '--vintage', '055a59c6fc97'], '/api/v1/metrics/ice.removals?vintage=055a59c6fc97'],
    [['ice.book_ins', '--grain', 'cy', '--filter', 'agency=ICE', '--vintage', '2026-02-10'], '/api/v1/metrics/ice.book_ins?grain=cy&filter=agency=ICE&vintage=2026-02-10'],
  ];
  const cli: unknown[][] = [];
  for (const [args] of cases) {
    const r = tracker('metric', ...args, '--format', 'json', '--db', dbPath);
    assert.equal(r.code, 0, r.stderr);
    cli.push(JSON.parse(r.stdout) as unknown[]);
  }
  for (const [i, [args, url]] of cases.entries()) {
    const api = await apiRows(url);
    assert.ok(api.length > 0, url);
    assert.deepEqual(cli[i], api, args.join(' '));
  }
  // the numbers themselves (MANIFEST I12, I13, I15)
  const adp = cli[0] as Array<{ period: string; criminality: string; value: number }>;
  const fy2025 = adp.filter((x) => x.period === 'FY2025');
  assert.deepEqual(fy2025.map((x) => x.criminality), ['convicted', 'other', 'pending']);
  assert.ok(Math.abs(fy2025.reduce((s, x) => s + x.value, 0) - 48404.4816901408) < 1e-6);
  assert.deepEqual(adp.filter((x) => x.period === 'FY2019').map((x) => x.criminality), ['convicted', 'non_criminal']);
  assert.deepEqual(cli[1], [
    { period: '2025-06-01', agency: 'CBP', value: 17326 },
    { period: '2025-06-01', agency: 'ICE', value: 33976 },
  ]);
  // as known at the 02/12/2026 release: FY2026 to date then (I18), earlier years final (I12, I13, I15)
  const removals = new Map((cli[2] as Array<{ period: string; value: number }>).map((x) => [x.period, x.value]));
  assert.deepEqual([removals.get('FY2026'), removals.get('FY2025'), removals.get('FY2024'), removals.get('FY2019')], [162192, 319980, 271484, 267258]);
});

test('tracker metrics --format json lists every metric of the registry', () => {
  const r = tracker('metrics', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Array<{ id: string; grains: string[]; dimensions: string[] }>;
  for (const id of ['ice.detained', 'ice.adp', 'ice.book_ins', 'ice.removals', 'ice.atd', 'ice.facility_adp', 'cbp.encounters', 'ohss.usbp_encounters', 'foia.removals']) {
    assert.ok(rows.some((m) => m.id === id), id);
  }
  assert.deepEqual(rows.map((m) => m.id), METRICS.map((m) => m.id));
  for (const m of METRICS) {
    const row = rows.find((x) => x.id === m.id)!;
    assert.deepEqual(row.grains, m.grains, m.id);
    assert.deepEqual(row.dimensions, Object.keys(m.dimensions), m.id);
  }
});

test('a bad --grain exits 2 with the reason on stderr', () => {
  // parameters are checked before the database is opened: this one does not exist
  const db = join(dir, 'none', 'absent.duckdb');
  const bad = tracker('metric', 'ice.adp', '--grain', 'week', '--db', db);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /grain: 'week' is not a grain: use one of day, month, fy, cy, snapshot/);
  const notOffered = tracker('metric', 'ice.detained', '--grain', 'fy', '--db', db);
  assert.equal(notOffered.code, 2);
  assert.match(notOffered.stderr, /grain: ice\.detained has no 'fy' grain; it has snapshot/);
});
