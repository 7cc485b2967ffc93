import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { sharedDataDir } from '../test/helpers/shared-data.js';

/**
 * Benchmarks, each run in a fresh child process so peak RSS is the job's own.
 * Prints the median of several runs.
 */
const data = sharedDataDir();
if (!data) {
  console.error('bench: shared data not found (../shared/data or $TRACKER_SHARED_DATA)');
  process.exit(2);
}
const runs = Number(process.env.BENCH_RUNS ?? 5);

// this machine's speed varies over the day (seen here: the same loop took 560 to 960 ms), so print a reference with the results
const t0 = performance.now();
let x = 0;
for (let i = 0; i < 3e8; i++) x += i % 7;
console.log(`machine speed reference: a fixed 3e8-step loop took ${Math.round(performance.now() - t0)} ms (${x > 0 ? 'done' : ''}; 560–640 ms when this machine ran at full speed)`);
const results: Array<{ wall_ms: number; parse_ms: number; load_ms: number; rows: number; releases: number; peak_rss_mb: number }> = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-bench-'));
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'ingest-detention-stats.ts'), join(data, 'ice-detention-stats'), dir], {
      encoding: 'utf8',
    });
    results.push(JSON.parse(out.trim().split('\n').pop()!));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`ingest of all ICE detention-statistics workbooks into a fresh database (${runs} runs, median):`);
console.log(`  wall time  ${median(results.map((r) => r.wall_ms))} ms   (target < 3000 ms; runs: ${results.map((r) => r.wall_ms).join(', ')})`);
console.log(`  of which  ${median(results.map((r) => r.parse_ms))} ms reading and parsing, ${median(results.map((r) => r.load_ms))} ms loading into DuckDB`);
console.log(`  rows       ${results[0]!.rows} rows in ${results[0]!.releases} releases`);
console.log(`  peak RSS   ${median(results.map((r) => r.peak_rss_mb))} MB   (target < 500 MB)`);

// HTTP: the app over all of those workbooks, under load (its own process, bounded in time)
console.log('');
execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'http.ts'), join(data, 'ice-detention-stats')], { stdio: 'inherit', timeout: 300_000 });
