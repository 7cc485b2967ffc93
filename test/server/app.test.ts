import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { DATASETS } from '../../src/sources/registry.js';
import { buildApp } from '../../src/server/app.js';
import { requireSharedData } from '../helpers/shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'tracker-app-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the overview and the release ledger, and its JSON, list the loaded releases; unknown paths get the JSON error body', async (t) => {
  const data = requireSharedData(t);
  if (!data) return;
  const db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    await ingestPaths([join(data, 'ice-detention-stats/raw/FY2026')], { db, archive: new Archive(join(dir, 'a')), origin: 'mirror' });
    const app = await buildApp(db);
    const page = await app.inject({ url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.body, /5 releases are in the series/);
    const ledger = await app.inject({ url: '/-/releases' });
    assert.match(ledger.body, /68,289/); // 02/07/2026 snapshot, Detention FY26!F20
    assert.match(ledger.body, /hidden-sheet-ignored/); // the 01/08/2026 release
    const json = await app.inject({ url: '/-/releases.json' });
    const body = json.json() as { ok: boolean; releases: Array<Record<string, unknown>> };
    assert.equal(body.ok, true);
    assert.deepEqual(
      body.releases.map((r) => [r.snapshot_date, r.detained_total]),
      // newest first, each release's Detention!F20
      [['2026-02-07', 68289], ['2026-01-25', 70766], ['2026-01-07', 68990], ['2025-11-30', 65735], ['2025-11-16', 65135]],
    );
    const missing = await app.inject({ url: '/nowhere' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { ok: false, error: 'not found: /nowhere', status: 404 });
    await app.close();
  } finally {
    db.close();
  }
});
