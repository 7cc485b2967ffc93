import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tracker } from '../helpers/cli.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'tracker-cli-'));
const db = join(dir, 'tracker.duckdb');


before(() => {
  const data = sharedDataDir();
  if (!data) return;
  const input = join(dir, 'in');
  mkdirSync(input);
  for (const f of ['carwilb/FY26_detentionStats_04092026.xlsx', 'raw/FY2025/2025-02-28_FY25_detentionStats02272025.xlsx', 'raw/FY2025/2025-03-06_FY25_detentionStats03052025.xlsx']) {
    copyFileSync(join(data, 'ice-detention-stats', f), join(input, f.split('/').pop()!));
  }
  writeFileSync(join(input, 'README.md'), 'not data');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('tracker ingest, then releases --format json gives the ledger with real values', (t) => {
  if (!requireSharedData(t)) return;
  const ing = tracker('ingest', join(dir, 'in'), '--db', db, '--quiet', '--format', 'table');
  assert.equal(ing.code, 0, ing.stderr);
  assert.match(ing.stdout, /3 releases ingested/);
  const rel = tracker('releases', '--source', 'ice.detention-stats', '--format', 'json', '--db', db);
  assert.equal(rel.code, 0, rel.stderr);
  const rows = JSON.parse(rel.stdout) as Array<Record<string, unknown>>;
  assert.equal(rows.length, 3);
  const latest = rows.find((r) => r.snapshot_date === '2026-04-04')!;
  assert.deepEqual(
    {
      release_id: latest.release_id,
      file_names: latest.file_names,
      fiscal_year: latest.fiscal_year,
      detained_total: latest.detained_total,
      detained_ice: latest.detained_ice,
      detained_cbp: latest.detained_cbp,
      detained_convicted: latest.detained_convicted,
      detained_pending: latest.detained_pending,
      detained_other: latest.detained_other,
      removals_fytd: latest.removals_fytd,
      book_ins_fytd: latest.book_ins_fytd,
      atd_total: latest.atd_total,
      facility_rows: latest.facility_rows,
      anomalies: latest.anomalies,
    },
    {
      release_id: 'bbf3a29014d6',
      file_names: ['FY26_detentionStats_04092026.xlsx'],
      fiscal_year: 2026,
      detained_total: 60311,
      detained_ice: 51428,
      detained_cbp: 8883,
      detained_convicted: 17589,
      detained_pending: 18731,
      detained_other: 23991,
      removals_fytd: 234236,
      book_ins_fytd: 230354,
      atd_total: 180701,
      facility_rows: 203,
      // ICE's note above the ATD-by-AOR table: "From '03/23/2026' and '04/05/2026', 10 FAMU individuals were released from ICE custody."
      anomalies: ['sheet-note'],
    },
  );
  assert.equal(Math.round((latest.adp_fy as number) * 1e6), 66978048387);
  assert.match(latest.sha256 as string, /^bbf3a29014d6[0-9a-f]{52}$/);
  const swapped = rows.filter((r) => (r.anomalies as string[]).includes('agency-columns-swapped'));
  assert.deepEqual(swapped.map((r) => [r.detained_ice, r.detained_cbp]).sort(), [[21137, 22622], [22622, 21137]]);
});

test('ingesting the same folder again adds nothing', (t) => {
  if (!requireSharedData(t)) return;
  const again = tracker('ingest', join(dir, 'in'), '--db', db, '--quiet', '--format', 'table');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /0 releases ingested, 3 already known/);
});

test('tracker sql is read-only and csv works', (t) => {
  if (!requireSharedData(t)) return;
  const ok = tracker('sql', "SELECT value FROM ice_detention_facts WHERE release_id = 'bbf3a29014d6' AND cell = 'F20'", '--db', db, '--format', 'csv');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'value\n60311\n');
  const write = tracker('sql', 'DELETE FROM releases', '--db', db);
  assert.notEqual(write.code, 0);
  assert.match(write.stderr, /read-only|read only/i);
});

test('a named file no source claims is an error with exit code 3; usage errors exit 2', () => {
  const readme = join(dir, 'notes.txt');
  writeFileSync(readme, 'hello');
  const r = tracker('ingest', readme, '--db', join(dir, 'other.duckdb'));
  assert.equal(r.code, 3);
  assert.match(r.stderr, /notes\.txt: no source recognises this file/);
  assert.equal(tracker('frobnicate').code, 2);
  assert.equal(tracker('releases', '--format', 'xml', '--db', db).code, 2);
});
