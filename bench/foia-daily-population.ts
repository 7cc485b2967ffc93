import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '../src/db/connection.js';
import { refreshDerived, type DetentionDerived } from '../src/sources/ice/foia/derive/refresh.js';

/**
 * One measured run, in its own process: generates N synthetic detention stints (default
 * 10,000,000) straight into foia_detention_stints of a fresh database in DIR, then derives the
 * daily population, stays and book-ins (refreshDerived) three times and prints one JSON line with
 * the median: wall_ms, cpu_ms (this process, DuckDB's threads included: steadier than wall time
 * when other processes share the machine), rows (stints), rows_per_s, peak_rss_mb (during the
 * derivations), the steps of the median run, what was generated, and the machine's state: a fixed
 * JS loop's time (as bench/run.ts prints it) and the load average.
 *
 *   node --import tsx bench/foia-daily-population.ts [N] DIR
 *
 * The stints: stays starting uniformly from 2022-06-03 (so the population is steady from the first
 * day of coverage, 2022-10-01, as in ICE's extracts that hold everyone in custody during the period)
 * to the snapshot 2026-03-31; 1–120 days long; 1, 1, 2 or 3 stints (transfers 0–9 minutes apart)
 * over 250 facilities in 25 AORs; 60 citizenships; 3 criminality classes; 40-character person ids
 * with one stay in five belonging to the person of the stay before (so stays of a person can
 * overlap); 0.5% of stints without a person id and 1% without a stay start. A stint still open at
 * the snapshot has no book-out. Values are hash()-based, so every run generates the same rows.
 */
const args = process.argv.slice(2);
const dir = args.pop()!;
const n = Number(args[0] ?? 10_000_000);
const RELEASE = 'bench0f01a000';
const SNAPSHOT = '2026-03-31';
const RUNS = 3;

const here = dirname(fileURLToPath(import.meta.url));
const foia = join(here, '..', 'src', 'sources', 'ice', 'foia');
const db = await Database.open(join(dir, 'bench.duckdb'), {
  schemas: [readFileSync(join(foia, 'schema.sql'), 'utf8'), readFileSync(join(foia, 'derived.sql'), 'utf8')],
});

const g0 = performance.now();
await db.run(
  `INSERT INTO releases (release_id, source_id, sha256, bytes, snapshot_date, ingested_at)
   VALUES ($1, 'ice.foia-detentions', $1, 0, CAST($2 AS DATE), current_timestamp)`,
  [RELEASE, SNAPSHOT],
);
const SPAN_S = 1397 * 86400; // 2022-06-03 .. 2026-03-31
await db.run(`
INSERT INTO foia_detention_stints (release_id, sheet, "row", stay_book_in_at, book_in_at, book_out_at, stay_book_out_at,
                                   facility_code, facility, criminality, citizenship_country, aor, person_id)
WITH stays AS (
  SELECT st,
         TIMESTAMP '2022-06-03' + to_seconds(CAST(hash(st, 1) % ${SPAN_S} AS BIGINT)) AS start_at,
         1 + CAST(hash(st, 2) % 120 AS INTEGER) AS len_days,
         [1, 1, 2, 3][1 + CAST(hash(st, 3) % 4 AS INTEGER)] AS k,
         st - CASE WHEN hash(st, 8) % 5 = 0 THEN 1 ELSE 0 END AS person
    FROM range(${Math.ceil((n / 1.75) * 1.12)}) t(st)),
stints AS (
  SELECT st, j, k, start_at, len_days, person,
         start_at + to_seconds(CAST(len_days * 86400 * j / k AS BIGINT) + CASE WHEN j > 0 THEN 60 * CAST(hash(st, j, 4) % 10 AS BIGINT) ELSE 0 END) AS book_in_at,
         start_at + to_seconds(CAST(len_days * 86400 * (j + 1) / k AS BIGINT)) AS planned_out,
         CAST(hash(st, j, 5) % 250 AS INTEGER) AS fac
    FROM stays, unnest(range(k)) u(j))
SELECT '${RELEASE}', 'Detentions ' || CAST(1 + st // 1000000 AS VARCHAR), CAST(8 + (st % 1000000) * 3 + j AS INTEGER),
       CASE WHEN hash(st, 9) % 100 = 0 THEN NULL ELSE start_at END,
       book_in_at,
       CASE WHEN planned_out > TIMESTAMP '${SNAPSHOT} 12:00:00' THEN NULL ELSE planned_out END,
       CASE WHEN start_at + to_seconds(len_days * 86400) > TIMESTAMP '${SNAPSHOT} 12:00:00' THEN NULL ELSE start_at + to_seconds(len_days * 86400) END,
       'FAC' || lpad(CAST(fac AS VARCHAR), 4, '0'), 'FACILITY ' || CAST(fac AS VARCHAR),
       ['1 Convicted Criminal', '2 Pending Criminal Charges', '3 Other Immigration Violator'][1 + CAST(hash(st, 6) % 3 AS INTEGER)],
       'COUNTRY ' || CAST(hash(person, 7) % 60 AS VARCHAR),
       'AOR ' || CAST(fac % 25 AS VARCHAR),
       CASE WHEN hash(st, j, 10) % 200 = 0 THEN NULL ELSE md5(CAST(person AS VARCHAR)) || lpad(CAST(person % 100000000 AS VARCHAR), 8, '0') END
  FROM stints
 WHERE book_in_at <= TIMESTAMP '${SNAPSHOT} 12:00:00' AND coalesce(planned_out, book_in_at) >= TIMESTAMP '2022-10-01'
 LIMIT ${n}`);
await db.checkpoint();
const generated = await db.one(
  `SELECT count(*) AS stints, count(*) FILTER (WHERE book_out_at IS NULL) AS open, count(DISTINCT person_id) AS people,
          count(DISTINCT facility_code) AS facilities, count(*) FILTER (WHERE person_id IS NULL) AS without_person
     FROM foia_detention_stints`,
);
const generateMs = Math.round(performance.now() - g0);

let peak = 0;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const runs: Array<{ ms: number; cpu: number; result: DetentionDerived }> = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  const c = process.cpuUsage();
  const out = await db.transaction(() => refreshDerived(db, RELEASE));
  const cpu = process.cpuUsage(c);
  runs.push({ ms: Math.round(performance.now() - t), cpu: Math.round((cpu.user + cpu.system) / 1000), result: out.detentions! });
}
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage().rss);
const national = await db.one(
  `SELECT max(people) FILTER (WHERE count_kind = 'any') AS peak_any, max(people) FILTER (WHERE count_kind = 'midnight') AS peak_midnight
     FROM foia_daily_population WHERE dimension = 'all'`,
);
db.close();

const sorted = [...runs].sort((a, b) => a.ms - b.ms);
const median = sorted[Math.floor(sorted.length / 2)]!;
const rows = Number(generated!.stints);
const l0 = performance.now();
let x = 0;
for (let i = 0; i < 3e8; i++) x += i % 7;
const loopMs = Math.round(performance.now() - l0);
console.log(
  JSON.stringify({
    wall_ms: median.ms,
    cpu_ms: median.cpu,
    rows,
    rows_per_s: Math.round(rows / (median.ms / 1000)),
    peak_rss_mb: Math.round(peak / 1e6),
    runs_ms: runs.map((r) => r.ms),
    runs_cpu_ms: runs.map((r) => r.cpu),
    steps_ms: median.result.timings,
    sweep_times: median.result.sweepTimes ?? null,
    population_rows: median.result.populationRows,
    book_in_rows: median.result.bookInRows,
    coverage: [median.result.firstDay, median.result.lastDay],
    stays: median.result.stays,
    people_recomputed: median.result.peopleRecomputed,
    generated: { ...generated, generate_ms: generateMs },
    national_peak: national,
    machine: { loop_3e8_ms: x > 0 ? loopMs : 0, loadavg_1m: Math.round(loadavg()[0]! * 10) / 10 },
  }),
);
