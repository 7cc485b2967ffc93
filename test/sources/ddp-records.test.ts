/**
 * The Deportation Data Project's processed record files (parquet), written here with
 * DuckDB in DDP's naming (snake case of the raw headers, sheet_original, row_original).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { ddpColumnName } from '../../src/sources/ddp/records/index.js';
import { DATASETS } from '../../src/sources/registry.js';

async function withDb(fn: (db: Database, dir: string) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-ddp-rec-'));
  const db = await Database.open(join(dir, 'db.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    await fn(db, dir);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('DDP column names are the raw headers in snake case', () => {
  assert.equal(ddpColumnName('Apprehension Date'), 'apprehension_date');
  assert.equal(ddpColumnName('Most Serious Conviction (MSC) Charge Code'), 'most_serious_conviction_charge_code');
  assert.equal(ddpColumnName('Stay Book In Date Time'), 'stay_book_in_date_time');
});

test("DDP's removals parquet loads into the canonical table with the raw sheet and row it came from", async () => {
  await withDb(async (db, dir) => {
    const path = join(dir, 'removals-latest.parquet');
    await db.exec(`COPY (SELECT * FROM (VALUES
        (DATE '2025-03-01', 'MEXICO', 'MEXICO', 'M', 1990, 'Removals', 8, 'u1', 'extra'),
        (DATE '2025-03-02', 'VENEZUELA', 'EL SALVADOR', 'M', 1985, 'Removals', 9, 'u2', 'extra'),
        (NULL, 'IRAN', NULL, 'F', NULL, 'Removals', 10, NULL, 'extra'))
        AS t(departed_date, citizenship_country, departure_country, gender, birth_year, sheet_original, row_original, unique_identifier, case_threat_level))
      TO '${path}' (FORMAT parquet, COMPRESSION zstd)`);
    const report = await ingestPaths([path], { db, archive: new Archive(join(dir, 'archive')), origin: 'file' });
    assert.equal(report.errors, 0, JSON.stringify(report.outcomes));
    assert.equal(report.outcomes[0]!.status === 'ingested' && report.outcomes[0]!.source, 'ddp.removals');
    const rows = await db.all(`SELECT sheet, row, strftime(departed_date, '%Y-%m-%d') AS d, citizenship_country AS c, departure_country AS dc, person_id AS p FROM foia_removals ORDER BY row`);
    assert.deepEqual(rows, [
      { sheet: 'Removals', row: 8, d: '2025-03-01', c: 'MEXICO', dc: 'MEXICO', p: 'u1' },
      { sheet: 'Removals', row: 9, d: '2025-03-02', c: 'VENEZUELA', dc: 'EL SALVADOR', p: 'u2' },
      { sheet: 'Removals', row: 10, d: null, c: 'IRAN', dc: null, p: null },
    ]);
    const notStored = await db.one(`SELECT detail FROM release_anomalies WHERE code = 'columns-not-stored'`);
    assert.match(String(notStored?.detail), /case_threat_level/);
  });
});

test('bad input: a cut parquet file and a parquet of another table are errors naming the file', async () => {
  await withDb(async (db, dir) => {
    const whole = join(dir, 'whole.parquet');
    await db.exec(`COPY (SELECT DATE '2025-01-01' AS apprehension_date, 'x' AS unique_identifier FROM range(1000)) TO '${whole}' (FORMAT parquet)`);
    const bytes = readFileSync(whole);
    const cut = join(dir, 'arrests-latest.parquet');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    const wrong = join(dir, 'detainers-latest.parquet');
    writeFileSync(wrong, bytes);
    const report = await ingestPaths([cut, wrong], { db, archive: new Archive(join(dir, 'archive')), origin: 'file' });
    const errors = report.outcomes.map((o) => (o.status === 'error' ? o.error : `not an error: ${o.status}`));
    assert.match(errors[0]!, /arrests-latest\.parquet: not a complete parquet file/);
    assert.match(errors[1]!, /detainers-latest\.parquet, column 'detainer_prepare_date': this does not look like DDP's detainers table/);
    assert.equal(Number((await db.one('SELECT count(*) AS n FROM releases'))!.n), 0);
  });
});
