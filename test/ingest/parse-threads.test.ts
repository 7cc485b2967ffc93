import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Database } from '../../src/db/connection.js';
import { ingestPaths, type IngestOptions } from '../../src/ingest/pipeline.js';
import { ParsePool, parseThreadCount } from '../../src/ingest/parse-pool.js';
import { DATASETS } from '../../src/sources/registry.js';
import { count, incompleteReleases, openDb, tempStore } from '../helpers/ingest-fixtures.js';
import { requireSharedData } from '../helpers/shared-data.js';

// one workbook of each layout era, and two that are one release under two names
const WORKBOOKS = [
  'raw/FY2019/2019-10-06_FY19-detentionstats.xlsx',
  'raw/FY2020/2020-09-01_FY20-detentionstats.xlsx',
  'raw/FY2021/2021-01-07_FY21-detentionstats.xlsx',
  'carwilb/FY20-detentionstats.xlsx',
  'carwilb/FY22-detentionStats.xlsx',
];

/** Every row of every table the detention statistics and the ledger fill, in a fixed order, as text. */
async function contents(db: Database): Promise<Record<string, string[]>> {
  const tables = [...DATASETS.find((d) => d.id === 'ice.detention-stats')!.tables, 'release_tables', 'release_sheets', 'release_files'];
  const out: Record<string, string[]> = {};
  for (const t of tables) {
    const rows = await db.all(`SELECT * EXCLUDE (${t === 'release_files' ? 'local_path, added_at' : 'release_id'}) , release_id FROM ${t}`);
    out[t] = rows.map((r) => JSON.stringify(r)).sort();
  }
  out.releases = (await db.all(`SELECT release_id, sha256, bytes, snapshot_date, fiscal_year, summary::VARCHAR AS summary FROM releases`)).map((r) => JSON.stringify(r)).sort();
  out.anomalies = (await db.all(`SELECT release_id, code, severity, subject, detail, cross_release FROM release_anomalies`)).map((r) => JSON.stringify(r)).sort();
  return out;
}

/** A folder of the workbooks (and `extra` files), ingested into a fresh database with the options given. */
async function ingestFolder(t: TestContext, options: Pick<IngestOptions, 'parseThreads'>, extra: Record<string, Uint8Array> = {}) {
  const data = requireSharedData(t);
  if (!data) return undefined;
  const store = tempStore();
  const dir = join(store.dir, 'in');
  mkdirSync(dir);
  for (const rel of WORKBOOKS) copyFileSync(join(data, 'ice-detention-stats', rel), join(dir, basename(rel)));
  // the same bytes as the third workbook under ICE's own name
  copyFileSync(join(data, 'ice-detention-stats', WORKBOOKS[2]!), join(dir, 'FY21_detentionStats01152021.xlsx'));
  for (const [name, bytes] of Object.entries(extra)) writeFileSync(join(dir, name), bytes);
  const { db, archive } = await openDb(store);
  const report = await ingestPaths([dir], { db, archive, origin: 'file', ...options });
  return { store, db, report, archive, dir };
}

const stagingFolders = () => readdirSync(tmpdir()).filter((n) => n.startsWith('tracker-staging-'));
/** This process's own staging folders (other test files run beside this one and have theirs). */
const ownStagingFolders = () => stagingFolders().filter((n) => n.startsWith(`tracker-staging-${process.pid}-`));

test('releases parsed on threads are stored exactly as those parsed on the main thread', async (t) => {
  const before = ownStagingFolders();
  const main = await ingestFolder(t, { parseThreads: { count: 0 } });
  if (!main) return;
  const threaded = await ingestFolder(t, { parseThreads: { count: 2, only: true } });
  try {
    assert.equal(main.report.ingested, 5, JSON.stringify(main.report.outcomes));
    assert.deepEqual(
      threaded!.report.outcomes.map((o) => [basename(o.path), o.status]),
      main.report.outcomes.map((o) => [basename(o.path), o.status]),
    );
    const a = await contents(main.db);
    const b = await contents(threaded!.db);
    for (const table of Object.keys(a)) {
      assert.ok(a[table]!.length > 0, `${table} has rows`);
      assert.deepEqual(b[table], a[table], `${table} is the same`);
    }
    assert.equal(await count(threaded!.db, 'SELECT count(*) FROM ice_facilities'), await count(main.db, 'SELECT count(*) FROM ice_facilities'));
    assert.deepEqual(await incompleteReleases(threaded!.db), []);
    assert.deepEqual(ownStagingFolders(), before, 'the staging folders are removed');

    // the same folder again: every file is known, nothing is added
    const rows = await count(threaded!.db, 'SELECT count(*) FROM ice_table_cells');
    const again = await ingestPaths([threaded!.dir], { db: threaded!.db, archive: threaded!.archive, origin: 'file', parseThreads: { count: 2, only: true } });
    assert.deepEqual(new Set(again.outcomes.map((o) => o.status)), new Set(['duplicate']));
    assert.equal(await count(threaded!.db, 'SELECT count(*) FROM ice_table_cells'), rows);
  } finally {
    for (const run of [main, threaded]) {
      run?.db.close();
      run?.store.remove();
    }
  }
});

test('a file that fails on a thread is an error naming it; the others are stored', async (t) => {
  const data = requireSharedData(t);
  if (!data) return;
  const whole = readFileSync(join(data, 'ice-detention-stats', WORKBOOKS[0]!));
  const run = await ingestFolder(t, { parseThreads: { count: 1, only: true } }, {
    'FY24_detentionStats_cut.xlsx': whole.subarray(0, Math.floor(whole.length / 2)),
    'FY25_detentionStats_01022025.xlsx': new TextEncoder().encode('<!DOCTYPE html><html><body>Access denied</body></html>'),
  });
  try {
    const { report, db } = run!;
    const errors = report.outcomes.filter((o) => o.status === 'error');
    assert.deepEqual(errors.map((o) => basename(o.path)).sort(), ['FY24_detentionStats_cut.xlsx', 'FY25_detentionStats_01022025.xlsx'], JSON.stringify(report.outcomes));
    for (const e of errors) assert.ok(e.status === 'error' && e.error.includes(e.path), JSON.stringify(e));
    const page = errors.find((o) => o.path.endsWith('_01022025.xlsx'));
    assert.match(page?.status === 'error' ? page.error : '', /HTML page/);
    assert.equal(report.ingested, 5);
    assert.equal(await count(db, 'SELECT count(*) FROM releases'), 5);
    assert.deepEqual(await incompleteReleases(db), []);
  } finally {
    run?.db.close();
    run?.store.remove();
  }
});

test('a staging folder left by a killed process is removed by the next run with threads; a live one is kept', async (t) => {
  const data = requireSharedData(t);
  if (!data) return;
  const dead = join(tmpdir(), 'tracker-staging-999999999-orphan');
  const live = join(tmpdir(), `tracker-staging-${process.ppid}-alive`);
  mkdirSync(dead, { recursive: true });
  mkdirSync(live, { recursive: true });
  try {
    const run = await ingestFolder(t, { parseThreads: { count: 1 } });
    run?.db.close();
    run?.store.remove();
    assert.ok(!stagingFolders().includes(basename(dead)), 'the orphan is gone');
    assert.ok(stagingFolders().includes(basename(live)), 'the folder of a running process stays');
  } finally {
    rmSync(dead, { recursive: true, force: true });
    rmSync(live, { recursive: true, force: true });
  }
});

test('parse threads: none for a few files or on fewer than four cores, TRACKER_PARSE_THREADS decides when set', (t) => {
  const saved = process.env.TRACKER_PARSE_THREADS;
  t.after(() => {
    if (saved === undefined) delete process.env.TRACKER_PARSE_THREADS;
    else process.env.TRACKER_PARSE_THREADS = saved;
  });
  delete process.env.TRACKER_PARSE_THREADS;
  assert.equal(parseThreadCount(3), 0);
  const cores = availableParallelism();
  assert.equal(parseThreadCount(139), cores < 4 ? 0 : Math.min(cores - 1, 3));
  process.env.TRACKER_PARSE_THREADS = '2';
  assert.equal(parseThreadCount(3), 2);
  process.env.TRACKER_PARSE_THREADS = 'many';
  assert.throws(() => parseThreadCount(139), /TRACKER_PARSE_THREADS must be a whole number/);
});

test('a pool finished before its threads are ready waits for them and closes their databases', async () => {
  const pool = new ParsePool(2, DATASETS.filter((d) => d.parseOffThread).map((d) => d.schemaSql));
  // the threads are private: their replies are watched here, as the pool receives them
  const workers = (pool as unknown as { threads: Array<{ worker: import('node:worker_threads').Worker; ready: boolean }> }).threads;
  const closed: number[] = [];
  workers.forEach((t, i) => t.worker.on('message', (m: object) => 'closed' in m && closed.push(i)));
  // a thread takes about 0.3 s to load and open its DuckDB: none is ready yet
  assert.deepEqual(workers.map((t) => t.ready), [false, false]);
  const staging = await pool.finish();
  // stopping a thread while its DuckDB opened aborted the process; now each is closed once ready
  assert.deepEqual(closed.sort(), [0, 1]);
  // they had no job, so nothing is staged
  assert.deepEqual(staging.paths, []);
  await pool.dispose();
});
