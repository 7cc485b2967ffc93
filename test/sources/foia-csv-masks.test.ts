/**
 * The ERO-LESA CSV load flags redacted cells as bit masks, 62 columns to a mask, and names
 * them per distinct mask. ICE's detainer layout has 65 columns, so its last three sit in a
 * second mask: a CSV built here with redaction codes on both sides of that boundary must
 * come back with every redacted column named, in column order, and each row with its line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { LAYOUTS } from '../../src/sources/ice/foia/layouts.js';
import { DATASETS } from '../../src/sources/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'tracker-foia-masks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const REDACTION = '"(b)(6), (b)(7)(c)"';

test('a 65-column detainers CSV: redactions in the first and the second mask are all named, in column order, with the line of each row', async () => {
  const layout = LAYOUTS.find((l) => l.id === 'detainers-latest')!;
  const n = layout.columns.length;
  assert.equal(n, 65, 'the layout this test is about');
  // which columns (0-based) each data row redacts: none; one on each side of the 62-column boundary; the first and the last three
  const redactedIn = [[], [0, 61, 62], [0, n - 3, n - 2, n - 1]];
  const banner = ['ERO-LESA Statistical Tracking Unit', 'For Official Use Only (FOUO)/Pre-decisional', '2025-ICLI-00019', 'Please review the last tab for footnotes.', '', 'ICE detainers (test)'];
  const lines = [...banner.map((b) => b + ','.repeat(n - 1)), layout.columns.map((c) => (c.header.includes(',') ? `"${c.header}"` : c.header)).join(',')];
  for (const cols of redactedIn) lines.push(layout.columns.map((_, i) => (cols.includes(i) ? REDACTION : '')).join(','));
  const file = join(dir, 'Detainers test.csv');
  writeFileSync(file, lines.join('\n') + '\n');

  const db = await Database.open(join(dir, 'tracker.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    const report = await ingestPaths([file], { db, archive: new Archive(join(dir, 'archive')), origin: 'file' });
    assert.equal(report.errors, 0, JSON.stringify(report.outcomes));
    const rows = await db.all(`SELECT "row", redacted FROM foia_detainers ORDER BY "row"`);
    const name = (i: number) => layout.columns[i]!.canonical ?? layout.columns[i]!.header;
    assert.deepEqual(
      rows.map((r) => [r.row, r.redacted]),
      redactedIn.map((cols, k) => [8 + k, cols.map(name)]),
    );
  } finally {
    db.close();
  }
});
