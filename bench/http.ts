import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, sharedDataDir } from '../test/helpers/shared-data.js';

/**
 * HTTP benchmark: every ICE detention-statistics workbook in a fresh database, served by
 * `tracker serve` in its own process on 127.0.0.1 (a free port), and autocannon in this
 * process with 50 connections for 10 s against the overview JSON and Stewart Detention
 * Center's history JSON. Prints requests per second and p50/p99 latency (target: p99 < 50 ms).
 *
 * Usage: tsx bench/http.ts [ICE-DETENTION-STATS-DIR]   (default: the shared data)
 * BENCH_HTTP_SECONDS and BENCH_HTTP_CONNECTIONS override the duration and connections.
 */
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const P99_TARGET_MS = 50;
// what a browser sends
const HEADERS = { 'accept-encoding': 'gzip, deflate, br' };

const input = process.argv[2] ?? (sharedDataDir() ? join(sharedDataDir()!, 'ice-detention-stats') : undefined);
if (!input) {
  console.error('bench/http: shared data not found (../shared/data or $TRACKER_SHARED_DATA)');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'tracker-bench-http-'));
const db = join(dir, 'bench.duckdb');
const cli = (...args: string[]) => ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), '--db', db, ...args];
const ingest = spawnSync(process.execPath, cli('ingest', input, '--quiet', '--format', 'table'), { cwd: repoRoot, encoding: 'utf8' });
if (ingest.status !== 0) throw new Error(`ingest failed: ${ingest.stderr}`);
const server = spawn(process.execPath, cli('serve', '--port', '0'), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
// never outlive the work
const watchdog = setTimeout(() => {
  server.kill('SIGKILL');
  console.error('bench/http: did not finish in time');
  process.exit(3);
}, (2 * SECONDS + 120) * 1000);

try {
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start')), 60_000);
    server.stdout!.on('data', (b: Buffer) => {
      const m = /serving on http:\/\/[^:]+:(\d+)\//.exec(b.toString());
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
  });
  const get = async (path: string) => {
    const res = await fetch(origin + path);
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    return res.json() as Promise<{ facilities?: Array<{ name: string; slug: string }> }>;
  };
  const stewart = (await get('/facilities.json')).facilities?.find((f) => f.name === 'STEWART DETENTION CENTER');
  if (!stewart) throw new Error('Stewart Detention Center is not in /facilities.json');
  const targets: Array<[string, string]> = [
    ['overview JSON', '/overview.json'],
    ['Stewart history JSON', `/facilities/${stewart.slug}.json`],
  ];
  console.log(`HTTP: ${CONNECTIONS} connections × ${SECONDS} s per URL against tracker serve (own process), accept-encoding "${HEADERS['accept-encoding']}", loopback:`);
  for (const [label, path] of targets) {
    // the first request renders (and caches) the response; time it, then a few more
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await get(path);
      times.push(performance.now() - t0);
    }
    const r = await autocannon({ url: origin + path, connections: CONNECTIONS, duration: SECONDS, headers: HEADERS });
    const bad = r.non2xx + r.errors + r.timeouts;
    console.log(`  ${label.padEnd(22)} ${path}   (first request ${Math.round(times[0]!)} ms, then ${Math.round(times[5]!)} ms)`);
    console.log(
      `    ${Math.round(r.requests.average)} req/s   latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms (target < ${P99_TARGET_MS} ms: ${r.latency.p99 < P99_TARGET_MS ? 'ok' : 'ABOVE TARGET'})` +
        (bad ? `   ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts` : ''),
    );
  }
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  clearTimeout(watchdog);
  rmSync(dir, { recursive: true, force: true });
}
