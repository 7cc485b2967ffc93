import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Database } from '../src/db/connection.js';
import { Archive } from '../src/ingest/archive.js';
import { ingestPaths } from '../src/ingest/pipeline.js';
import { splitCsvLine } from '../src/sources/csv-file.js';
import { readFileSync } from 'node:fs';
import { matchLayout } from '../src/sources/cbp/encounters/layouts.js';
import { DATASETS } from '../src/sources/registry.js';

/**
 * One measured run, in its own process: `ours` ingests the CSVs under PATH through the
 * tracker's pipeline (hash, archive, checks, typed load, summaries) into a fresh
 * database; `duckdb` is the reference: DuckDB's own read_csv of each file into a table
 * (column types given, as auto-detection fails on CBP's "2026 (FYTD)" years), nothing else.
 */
const [mode, input, dir] = process.argv.slice(2) as ['ours' | 'duckdb', string, string];
const files = statSync(input).isDirectory() ? readdirSync(input).filter((f) => f.endsWith('.csv')).map((f) => join(input, f)) : [input];
let peak = 0;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const t0 = performance.now();
let rows = 0;
if (mode === 'ours') {
  const db = await Database.open(join(dir, 'bench.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  const report = await ingestPaths(files, { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
  await db.checkpoint();
  if (report.errors > 0) throw new Error(JSON.stringify(report.outcomes));
  rows = Number((await db.one('SELECT count(*) AS n FROM cbp_encounters'))!.n);
  db.close();
} else {
  const instance = await DuckDBInstance.create(join(dir, 'ref.duckdb'));
  const conn = await instance.connect();
  for (const [i, f] of files.entries()) {
    // the header is read only to name the columns and their types
    const head = readFileSync(f).subarray(0, 4096).toString('utf8');
    const header = splitCsvLine(head.slice(0, head.indexOf('\n')).replace(/\r$/, ''));
    const layout = matchLayout(header);
    if (!('layout' in layout)) throw new Error(`${f}: unknown layout`);
    const columns = header.map((h) => `'${h}': '${h === 'Encounter Count' ? 'BIGINT' : 'VARCHAR'}'`).join(', ');
    await conn.run(`CREATE TABLE t${i} AS SELECT * FROM read_csv('${f}', header = true, columns = {${columns}})`);
    rows += Number((await conn.runAndReadAll(`SELECT count(*)::BIGINT FROM t${i}`)).getRows()[0]![0]);
  }
  await conn.run('CHECKPOINT');
  conn.closeSync();
  instance.closeSync();
}
const wall = performance.now() - t0;
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage().rss);
console.log(JSON.stringify({ wall_ms: Math.round(wall), rows, peak_rss_mb: Math.round(peak / 1e6) }));
