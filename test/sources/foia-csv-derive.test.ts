/**
 * An ERO-LESA detentions CSV is derived at ingest from the load's stage (the coverage, the
 * dictionary of labels and the sweep read it instead of foia_detention_stints, which DuckDB scans
 * on fewer threads inside the open transaction). Deriving the same release again afterwards, from
 * the stored table, must give the same daily population and book-ins, row for row.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { refreshDerived } from '../../src/sources/ice/foia/derive/refresh.js';
import { LAYOUTS } from '../../src/sources/ice/foia/layouts.js';
import { DATASETS } from '../../src/sources/registry.js';
import { lesaCsvText, lesaStamp, random } from '../helpers/lesa.js';

const dir = mkdtempSync(join(tmpdir(), 'tracker-foia-derive-csv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('stints ingested from a CSV: the population and book-ins derived from the stage equal those derived from the table', async () => {
  const layout = LAYOUTS.find((l) => l.id === 'detentions-latest')!;
  const at = (header: string) => layout.columns.findIndex((c) => c.header === header);
  const r = random(7);
  const start = Date.UTC(2025, 2, 1);
  const lines: string[][] = [];
  // 2,000 stints of about 400 people over 60 days: overlapping, open, redacted and blank values
  for (let i = 0; i < 2000; i++) {
    const cells: string[] = layout.columns.map(() => '');
    const bookIn = start + Math.floor(r() * 60 * 24) * 3600_000;
    cells[at('Book In Date Time')] = lesaStamp(bookIn);
    if (r() < 0.5) cells[at('Stay Book In Date Time')] = lesaStamp(bookIn - Math.floor(r() * 3) * 86400_000);
    if (r() > 0.1) cells[at('Book Out Date Time')] = lesaStamp(bookIn + Math.floor(r() * 20 * 24) * 3600_000);
    cells[at('Detention Facility Code')] = r() < 0.03 ? '"(b)(6), (b)(7)(c)"' : r() < 0.03 ? '' : `FAC${Math.floor(r() * 9)}`;
    cells[at('Book In Criminality')] = ['1 Convicted Criminal', '2 Pending Criminal Charges', '3 Other Immigration Violator'][Math.floor(r() * 3)]!;
    cells[at('Book In AOR')] = `AOR ${Math.floor(r() * 4)}`;
    cells[at('Citizenship Country')] = r() < 0.05 ? '' : `COUNTRY ${Math.floor(r() * 12)}`;
    cells[at('Anonymized Identifier')] = r() < 0.02 ? '' : `P${Math.floor(r() * 400)}`;
    lines.push(cells);
  }
  const file = join(dir, 'Detentions test.csv');
  writeFileSync(file, lesaCsvText(layout, 'ICE detentions (test)', lines));

  const db = await Database.open(join(dir, 'tracker.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    const report = await ingestPaths([file], { db, archive: new Archive(join(dir, 'archive')), origin: 'file' });
    assert.equal(report.errors, 0, JSON.stringify(report.outcomes));
    const releaseId = (report.outcomes[0] as { release_id: string }).release_id;
    const dump = async () => ({
      population: await db.all(`SELECT strftime(day, '%Y-%m-%d') AS day, dimension, dim_value, count_kind, people FROM foia_daily_population ORDER BY ALL`),
      bookIns: await db.all(`SELECT strftime(month, '%Y-%m') AS month, stint_kind, dimension, dim_value, book_ins FROM foia_book_ins ORDER BY ALL`),
      coverage: await db.all(`SELECT strftime(first_day, '%Y-%m-%d') AS first, strftime(last_day, '%Y-%m-%d') AS last, rows_total, rows_without_person, units FROM foia_derived_coverage`),
    });
    const fromStage = await dump();
    assert.ok(fromStage.population.length > 1000, `${fromStage.population.length} daily rows`);
    assert.ok(fromStage.population.some((p) => p.dim_value === '(redacted)'), 'a redacted facility is labelled');
    const out = await db.transaction(() => refreshDerived(db, releaseId));
    assert.ok('sweep_walk' in out.detentions!.timings, 'derived again by the sweep');
    assert.deepEqual(await dump(), fromStage);
    assert.deepEqual(await db.all(`SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE 'foia_csv_stage%'`), []);
  } finally {
    db.close();
  }
});
