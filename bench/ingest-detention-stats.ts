import { join } from 'node:path';
import { Database } from '../src/db/connection.js';
import { Archive } from '../src/ingest/archive.js';
import { ingestPaths } from '../src/ingest/pipeline.js';
import { DATASETS } from '../src/sources/registry.js';

// one measured run: fresh database in the folder given, all workbooks under the path given
const [input, dir] = process.argv.slice(2) as [string, string];
let peak = 0;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const db = await Database.open(join(dir, 'bench.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
const report = await ingestPaths([input], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
await db.checkpoint();
const wall = performance.now() - t0;
// this process's CPU time, DuckDB's and V8's threads included: steadier than wall time when other processes share the machine
const cpu = process.cpuUsage(cpu0);
const rows = Number((await db.one(`SELECT (SELECT count(*) FROM ice_detention_facts) + (SELECT count(*) FROM ice_facilities) + (SELECT count(*) FROM ice_footnotes) AS n`))!.n);
db.close();
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage().rss);
if (report.errors > 0) throw new Error(`${report.errors} files failed`);
console.log(JSON.stringify({ wall_ms: Math.round(wall), cpu_ms: Math.round((cpu.user + cpu.system) / 1000), ...report.timings, rows, releases: report.ingested, peak_rss_mb: Math.round(peak / 1e6) }));
