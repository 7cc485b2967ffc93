import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { sharedDataDir } from '../test/helpers/shared-data.js';
import { writeCbpAorCsv } from './generate/cbp-aor.js';

/**
 * Benchmarks, each run in a fresh child process so peak RSS is the job's own, with the
 * median of several runs. `npm run bench -- NAME…` runs only the named ones
 * (detention, cbp, cbp-5m, http).
 */
const data = sharedDataDir();
if (!data) {
  console.error('bench: shared data not found (../shared/data or $TRACKER_SHARED_DATA)');
  process.exit(2);
}
const runs = Number(process.env.BENCH_RUNS ?? 5);
const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Measured {
  wall_ms: number;
  rows: number;
  peak_rss_mb: number;
  parse_ms?: number;
  load_ms?: number;
  releases?: number;
}

function measure(script: string, args: string[]): Measured {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-bench-'));
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, script), ...args, dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
    return JSON.parse(out.trim().split('\n').pop()!) as Measured;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// this machine's speed varies over the day (seen here: the same loop took 560 to 960 ms), so print a reference with the results
const t0 = performance.now();
let x = 0;
for (let i = 0; i < 3e8; i++) x += i % 7;
console.log(`machine speed reference: a fixed 3e8-step loop took ${Math.round(performance.now() - t0)} ms (${x > 0 ? 'done' : ''}; 560–640 ms when this machine ran at full speed)`);

if (wanted('detention')) {
  const results: Measured[] = [];
  for (let i = 0; i < runs; i++) results.push(measure('ingest-detention-stats.ts', [join(data, 'ice-detention-stats')]));
  console.log(`\ningest of all ICE detention-statistics workbooks into a fresh database (${runs} runs, median):`);
  console.log(`  wall time  ${median(results.map((r) => r.wall_ms))} ms   (target < 3000 ms; runs: ${results.map((r) => r.wall_ms).join(', ')})`);
  console.log(`  of which  ${median(results.map((r) => r.parse_ms!))} ms reading and parsing, ${median(results.map((r) => r.load_ms!))} ms loading into DuckDB`);
  console.log(`  rows       ${results[0]!.rows} rows in ${results[0]!.releases} releases`);
  console.log(`  peak RSS   ${median(results.map((r) => r.peak_rss_mb))} MB   (target < 500 MB)`);
}

/** Ours against DuckDB's read_csv on the same files, interleaved so a slow spell of the machine hits both. */
function csvAgainstDuckdb(label: string, input: string, n: number) {
  const ours: Measured[] = [];
  const ref: Measured[] = [];
  for (let i = 0; i < n; i++) {
    ref.push(measure('ingest-cbp.ts', ['duckdb', input]));
    ours.push(measure('ingest-cbp.ts', ['ours', input]));
  }
  const o = median(ours.map((r) => r.wall_ms));
  const d = median(ref.map((r) => r.wall_ms));
  console.log(`\n${label} (${n} runs each, interleaved, median):`);
  console.log(`  tracker ingest   ${o} ms   (runs: ${ours.map((r) => r.wall_ms).join(', ')}; peak RSS ${median(ours.map((r) => r.peak_rss_mb))} MB)`);
  console.log(`  DuckDB read_csv  ${d} ms   (runs: ${ref.map((r) => r.wall_ms).join(', ')})`);
  console.log(`  ratio            ${(o / d).toFixed(2)}×   (target ≤ 1.5×); ${ours[0]!.rows} rows`);
}

if (wanted('cbp')) csvAgainstDuckdb('load of the four CBP encounter CSVs of the shared data', join(data, 'cbp-encounters'), runs);

if (wanted('cbp-5m')) {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-bench-aor-'));
  try {
    const file = join(dir, 'nationwide-encounters-fy23-fy26-nov-aor.csv');
    const g = await writeCbpAorCsv(file, 5_000_000);
    mkdirSync(join(dir, 'in'));
    symlinkSync(file, join(dir, 'in', 'nationwide-encounters-fy23-fy26-nov-aor.csv'));
    csvAgainstDuckdb(`load of a generated 5,000,000-row CSV in CBP's area-of-responsibility layout (${Math.round(g.bytes / 1e6)} MB)`, join(dir, 'in'), Math.min(runs, 3));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// HTTP: the app over all of those workbooks, under load (its own process, bounded in time)
if (wanted('http')) {
  console.log('');
  execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'http.ts'), join(data, 'ice-detention-stats')], { stdio: 'inherit', timeout: 300_000 });
}
