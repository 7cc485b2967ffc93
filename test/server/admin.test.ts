import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { buildApp } from '../../src/server/app.js';
import { DATASETS } from '../../src/sources/registry.js';
import { repoRoot, requireSharedData } from '../helpers/shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'tracker-admin-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the server ingests for the CLI while it keeps serving, and shows the new releases without a restart', async (t) => {
  const data = requireSharedData(t);
  if (!data) return;
  const db = await Database.open(join(dir, 'a.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  const archive = new Archive(join(dir, 'archive'));
  try {
    await ingestPaths([join(data, 'ice-detention-stats/raw/FY2026')], { db, archive, origin: 'mirror' });
    const app = await buildApp(db, { admin: { archive, token: 'secret-token' } });
    const count = async () => ((await app.inject({ url: '/-/releases.json' })).json() as { releases: unknown[] }).releases.length;
    assert.equal(await count(), 5);
    const before = (await app.inject({ url: '/overview.json' })).headers.etag;

    const denied = await app.inject({ method: 'POST', url: '/-/admin/ingest', headers: { authorization: 'Bearer wrong' }, payload: { paths: [] } });
    assert.equal(denied.statusCode, 403);
    assert.deepEqual(denied.json(), { ok: false, error: 'admin endpoints answer only the local tracker CLI', status: 403 });

    // a page request while the ingest runs is answered from the committed data
    const ingest = app.inject({
      method: 'POST',
      url: '/-/admin/ingest',
      headers: { authorization: 'Bearer secret-token' },
      payload: { paths: [join(data, 'ice-detention-stats/carwilb')] },
    });
    const during = await app.inject({ url: '/-/releases.json' });
    assert.equal(during.statusCode, 200);
    const report = (await ingest).json() as { ingested: number; errors: number };
    assert.deepEqual([report.ingested, report.errors], [4, 0]);
    assert.equal(await count(), 9);
    const overview = await app.inject({ url: '/overview.json' });
    assert.notEqual(overview.headers.etag, before, 'the data version changed');
    assert.equal((overview.json() as { snapshot_date: string }).snapshot_date, '2026-04-04');
    await app.close();
  } finally {
    db.close();
  }
});

test('tracker ingest hands its work to a running tracker serve', async (t) => {
  const data = requireSharedData(t);
  if (!data) return;
  const dbPath = join(dir, 'b.duckdb');
  const cli = (...args: string[]) => [join(repoRoot, 'src/cli/main.ts'), '--db', dbPath, ...args];
  const first = spawnSync(process.execPath, ['--import', 'tsx', ...cli('ingest', join(data, 'ice-detention-stats/raw/FY2019'), '--quiet')], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(first.status, 0, first.stderr);
  const server = spawn(process.execPath, ['--import', 'tsx', ...cli('serve', '--port', '0')], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not start')), 30_000);
      server.stdout.on('data', (b: Buffer) => {
        if (b.toString().includes('serving on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    assert.ok(existsSync(`${dbPath}.server.json`));
    const second = spawnSync(process.execPath, ['--import', 'tsx', ...cli('ingest', join(data, 'ice-detention-stats/raw/FY2020'), '--format', 'table')], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /held by the tracker server/);
    assert.match(second.stdout, /4 releases ingested/);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  assert.ok(!existsSync(`${dbPath}.server.json`), 'the server removes its file when it stops');
});
