/**
 * The ERO-LESA CSV load flags redacted cells as bit masks, 62 columns to a mask, and names
 * them per distinct mask. ICE's detainer layout has 65 columns, so its last three sit in a
 * second mask: a CSV built here with redaction codes on both sides of that boundary must
 * come back with every redacted column named, in column order, and each row with its line.
 * The names are written into the copy as a CASE of lists when the combinations are few
 * (MAX_LISTED_MASKS), and joined when they are more: a file with every combination of nine
 * redacted columns (512) takes the join, and must name them the same way.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { MAX_LISTED_MASKS } from '../../src/sources/ice/foia/csv-load.js';
import { LAYOUTS, type FoiaLayout } from '../../src/sources/ice/foia/layouts.js';
import { DATASETS } from '../../src/sources/registry.js';
import { lesaCsvText } from '../helpers/lesa.js';

const dir = mkdtempSync(join(tmpdir(), 'tracker-foia-masks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const REDACTION = '"(b)(6), (b)(7)(c)"';

/** An ERO-LESA CSV of `layout` whose data rows redact the columns (0-based) listed for each, every other cell blank. */
function writeRedactions(file: string, layout: FoiaLayout, redactedIn: number[][]): void {
  writeFileSync(file, lesaCsvText(layout, 'ICE records (test)', redactedIn.map((cols) => layout.columns.map((_, i) => (cols.includes(i) ? REDACTION : '')))));
}

/** Ingests `file` into a new database and returns each row's line and redacted columns, in line order. */
async function storedRedactions(file: string, table: string): Promise<unknown[][]> {
  const db = await Database.open(join(dir, `${table}-${Math.random().toString(36).slice(2)}.duckdb`), { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    const report = await ingestPaths([file], { db, archive: new Archive(join(dir, 'archive')), origin: 'file' });
    assert.equal(report.errors, 0, JSON.stringify(report.outcomes));
    return (await db.all(`SELECT "row", redacted FROM ${table} ORDER BY "row"`)).map((r) => [r.row, r.redacted]);
  } finally {
    db.close();
  }
}

test('a 65-column detainers CSV: redactions in the first and the second mask are all named, in column order, with the line of each row', async () => {
  const layout = LAYOUTS.find((l) => l.id === 'detainers-latest')!;
  const n = layout.columns.length;
  assert.equal(n, 65, 'the layout this test is about');
  // which columns (0-based) each data row redacts: none; one on each side of the 62-column boundary; the first and the last three
  const redactedIn = [[], [0, 61, 62], [0, n - 3, n - 2, n - 1]];
  const file = join(dir, 'Detainers test.csv');
  writeRedactions(file, layout, redactedIn);
  const name = (i: number) => layout.columns[i]!.canonical ?? layout.columns[i]!.header;
  assert.deepEqual(
    await storedRedactions(file, 'foia_detainers'),
    redactedIn.map((cols, k) => [8 + k, cols.map(name)]),
  );
});

test('more combinations of redacted columns than are listed in the copy: joined, and named the same way', async () => {
  const layout = LAYOUTS.find((l) => l.id === 'removals-2025-07')!;
  // every subset of columns 0, 2, 4, … 16 (departed_date, departure_country, …), one row each
  const columns = Array.from({ length: 9 }, (_, k) => 2 * k);
  const redactedIn = Array.from({ length: 2 ** columns.length }, (_, bits) => columns.filter((_, k) => (bits >> k) & 1));
  assert.ok(redactedIn.length > MAX_LISTED_MASKS, 'the combinations must be more than the CASE lists');
  const file = join(dir, 'Removals test.csv');
  writeRedactions(file, layout, redactedIn);
  const name = (i: number) => layout.columns[i]!.canonical ?? layout.columns[i]!.header;
  assert.deepEqual(
    await storedRedactions(file, 'foia_removals'),
    redactedIn.map((cols, k) => [8 + k, cols.map(name)]),
  );
});
