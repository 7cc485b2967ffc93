import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../src/db/connection.js';
import { Archive } from '../src/ingest/archive.js';
import { ingestPaths } from '../src/ingest/pipeline.js';
import { buildApp } from '../src/server/app.js';
import { PAGES } from '../src/server/pages/index.js';
import { DATASETS } from '../src/sources/registry.js';
import { sharedDataDir } from '../test/helpers/shared-data.js';

/**
 * HTTP benchmark: every ICE detention-statistics workbook in a fresh database, the app
 * on 127.0.0.1 (a free port), and autocannon with 50 connections for 10 s against the
 * overview JSON and against Stewart Detention Center's history. Prints requests per
 * second and p50/p99 latency; the target is p99 < 50 ms.
 *
 * Usage: tsx bench/http.ts [ICE-DETENTION-STATS-DIR]   (default: the shared data)
 * BENCH_HTTP_SECONDS and BENCH_HTTP_CONNECTIONS override the duration and connections.
 */
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const P99_TARGET_MS = 50;
// what a browser sends; @fastify/compress then compresses as it would for a visitor
const HEADERS = { 'accept-encoding': 'gzip, deflate, br' };

const input = process.argv[2] ?? (sharedDataDir() ? join(sharedDataDir()!, 'ice-detention-stats') : undefined);
if (!input) {
  console.error('bench/http: shared data not found (../shared/data or $TRACKER_SHARED_DATA)');
  process.exit(2);
}

// never outlive the work: ingest, two runs and the closes, with a wide margin
const watchdog = setTimeout(
  () => {
    console.error('bench/http: did not finish in time; exiting');
    process.exit(3);
  },
  (2 * SECONDS + 360) * 1000,
);
watchdog.unref();

const dir = mkdtempSync(join(tmpdir(), 'tracker-bench-http-'));
let db: Database | undefined;
let running = 0;
let app: Awaited<ReturnType<typeof buildApp>> | undefined;
try {
  db = await Database.open(join(dir, 'bench.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  const report = await ingestPaths([input], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
  if (report.errors > 0) throw new Error(`${report.errors} files failed to ingest`);
  await db.checkpoint();
  // queries still running: autocannon drops its connections at the end of a run, but the
  // handlers of the requests it dropped go on querying, and DuckDB must not be closed under them
  const query = { all: db.all.bind(db), exec: db.exec.bind(db) };
  db.all = async (...a) => {
    running++;
    try {
      return await query.all(...a);
    } finally {
      running--;
    }
  };
  db.exec = async (...a) => {
    running++;
    try {
      return await query.exec(...a);
    } finally {
      running--;
    }
  };
  app = await buildApp(db);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('the app is not listening on a TCP port');
  const origin = `http://127.0.0.1:${address.port}`;
  // requests still being answered: a run's stragglers must not overlap the next run
  let inFlight = 0;
  app.server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => inFlight--);
  });

  const get = async (path: string) => {
    const res = await fetch(origin + path);
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return res.json() as Promise<unknown>;
  };

  // Stewart's history: its facility page as JSON when the site has one, else the metric API
  let facility = `/api/v1/metrics/ice.facility_adp?by=facility&filter=${encodeURIComponent('facility=STEWART DETENTION CENTER')}`;
  if (PAGES.some((p) => p.path === '/facilities/:slug')) {
    const slug = findStewart(await get('/facilities.json'));
    if (slug) facility = `/facilities/${slug}.json`;
    else console.log('  (no slug for Stewart in /facilities.json: using the metric API)');
  }
  const targets: Array<[string, string]> = [
    ['overview JSON', '/overview.json'],
    ['Stewart history JSON', facility],
  ];

  console.log(`HTTP: ${report.ingested} releases loaded; autocannon, ${CONNECTIONS} connections × ${SECONDS} s per URL, accept-encoding "${HEADERS['accept-encoding']}", loopback:`);
  for (const [label, path] of targets) {
    // warm up (first queries, JIT), timing one request at a time for comparison
    const serial: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await get(path);
      serial.push(performance.now() - t0);
    }
    serial.sort((a, b) => a - b);
    const r = await autocannon({ url: origin + path, connections: CONNECTIONS, duration: SECONDS, headers: HEADERS });
    if (!(await drained(() => inFlight === 0, 60_000))) console.log(`    (${inFlight} requests, ${running} queries still running 60 s after the run)`);
    const bad = r.non2xx + r.errors + r.timeouts;
    const verdict = r.latency.p99 < P99_TARGET_MS ? 'ok' : 'ABOVE TARGET';
    console.log(`  ${label.padEnd(22)} ${path}   (one request at a time: median ${Math.round(serial[10]!)} ms)`);
    console.log(
      `    ${Math.round(r.requests.average)} req/s (${r.requests.total} requests)   latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms (target < ${P99_TARGET_MS} ms: ${verdict})   ${Math.round(r.throughput.average / 1024)} KiB/s` +
        (bad ? `   ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts` : ''),
    );
  }
} finally {
  const closed = app ? await Promise.race([app.close().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30_000))]) : true;
  if (closed && (await drained(() => true, 60_000))) {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
    clearTimeout(watchdog);
  } else {
    // closing DuckDB under a running query hangs or crashes the process: end it instead
    console.error(`bench/http: ${closed ? `${running} queries still running` : 'the server did not close'}; ending the process`);
    rmSync(dir, { recursive: true, force: true });
    process.kill(process.pid, 'SIGKILL');
  }
}

/** Waits until `idle()` holds and no query has run for a second (a handler runs several in a row); false after `ms`. */
async function drained(idle: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  let quietSince = Date.now();
  while (Date.now() < end) {
    if (running > 0 || !idle()) quietSince = Date.now();
    else if (Date.now() - quietSince >= 1000) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** The slug of Stewart Detention Center among the objects of the facilities JSON. */
function findStewart(data: unknown): string | undefined {
  let found: string | undefined;
  const visit = (v: unknown): void => {
    if (found) return;
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.slug === 'string' && /STEWART DETENTION/i.test(JSON.stringify(o))) found = o.slug;
      else Object.values(o).forEach(visit);
    }
  };
  visit(data);
  return found;
}
