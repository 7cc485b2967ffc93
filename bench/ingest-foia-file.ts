import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Database } from '../src/db/connection.js';
import { Archive } from '../src/ingest/archive.js';
import { ingestPaths } from '../src/ingest/pipeline.js';
import { DATASETS } from '../src/sources/registry.js';

/**
 * One measured run, in its own process: `ours` ingests a FOIA table (an ERO-LESA CSV, or
 * DDP's processed parquet) through the pipeline (hash, archive, banner and header checks,
 * typed load with redaction flags and source rows, derived facts) into a fresh database;
 * the time the ingest spent deriving facts is printed apart (derive_ms);
 * `duckdb` is DuckDB's own read_csv (banner skipped, every column as text) or read_parquet
 * of the same file into a table, nothing else.
 */
const [mode, file, table, dir] = process.argv.slice(2) as ['ours' | 'duckdb', string, string, string];
let peak = 0;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const t0 = performance.now();
let rows = 0;
let deriveMs: number | undefined;
if (mode === 'ours') {
  const db = await Database.open(join(dir, 'bench.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  const report = await ingestPaths([file], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
  await db.checkpoint();
  if (report.errors > 0) throw new Error(JSON.stringify(report.outcomes));
  rows = Number((await db.one(`SELECT count(*) AS n FROM ${table}`))!.n);
  // the facts derived at ingest (de-duplicated arrests; stays, daily population and book-ins), timed by the ingest itself
  deriveMs = Number((await db.one(`SELECT coalesce(sum(derive_ms), 0) AS ms FROM foia_derived_coverage`))!.ms);
  db.close();
} else {
  const instance = await DuckDBInstance.create(join(dir, 'ref.duckdb'));
  const conn = await instance.connect();
  const read = file.endsWith('.parquet') ? `read_parquet('${file}')` : `read_csv('${file}', skip = 6, header = true, all_varchar = true)`;
  await conn.run(`CREATE TABLE t AS SELECT * FROM ${read}`);
  rows = Number((await conn.runAndReadAll('SELECT count(*)::BIGINT FROM t')).getRows()[0]![0]);
  await conn.run('CHECKPOINT');
  conn.closeSync();
  instance.closeSync();
}
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage().rss);
console.log(JSON.stringify({ wall_ms: Math.round(performance.now() - t0), rows, peak_rss_mb: Math.round(peak / 1e6), derive_ms: deriveMs }));
