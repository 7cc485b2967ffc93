/**
 * The two FOIA-derived daily population sources loaded by DuckDB straight from their files:
 * DDP's facility population parquet and UWCHR's headcount csv.gz. Headline checks D1–D5,
 * U1–U2 of MANIFEST.md through the API, each against a figure computed here from the file
 * itself (DuckDB's read_parquet in a separate instance; the csv.gz decompressed and summed
 * in JavaScript); provenance of stored rows; the metrics' count dimension; discovery;
 * bad input.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { SourceFormatError } from '../../src/lib/errors.js';
import { FACILITY_POPULATION_METRICS } from '../../src/metrics/facility-population.js';
import { parseQuery } from '../../src/metrics/params.js';
import { runMetric } from '../../src/metrics/query.js';
import { METRICS } from '../../src/metrics/registry.js';
import { buildApp } from '../../src/server/app.js';
import { ddpFacilityPopulation } from '../../src/sources/ddp/facility-population/index.js';
import { DATASETS } from '../../src/sources/registry.js';
import type { Effects, HttpResponse } from '../../src/sources/types.js';
import { uwchrHeadcount } from '../../src/sources/uwchr/headcount/index.js';
import { tracker } from '../helpers/cli.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

const PARQUET = 'facilities-daily-population-latest.parquet';
const HEADCOUNT = 'inc_headcount_fy12-24ytd.csv.gz';
const parquetPath = () => join(sharedDataDir()!, 'ddp-derived', PARQUET);
const headcountPath = () => join(sharedDataDir()!, 'uwchr', HEADCOUNT);

const dir = mkdtempSync(join(tmpdir(), 'tracker-ddp-'));
const dbPath = join(dir, 'tracker.duckdb');

/** Registers the two datasets and their metrics for this process (no-op once they are in the registries). */
function register(): () => void {
  const datasets = [ddpFacilityPopulation, uwchrHeadcount].filter((d) => !DATASETS.some((x) => x.id === d.id));
  const metrics = FACILITY_POPULATION_METRICS.filter((m) => !METRICS.some((x) => x.id === m.id));
  DATASETS.push(...datasets);
  METRICS.push(...metrics);
  return () => {
    for (const d of datasets) DATASETS.splice(DATASETS.indexOf(d), 1);
    for (const m of metrics) METRICS.splice(METRICS.indexOf(m), 1);
  };
}

let unregister: () => void = () => undefined;
let app: Awaited<ReturnType<typeof buildApp>> | undefined;
let appDb: Database | undefined;
const loadMs: Record<string, number> = {};

before(async () => {
  unregister = register();
  if (!sharedDataDir()) return;
  const db = await Database.open(dbPath, { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    for (const f of [parquetPath(), headcountPath()]) {
      const t = performance.now();
      const report = await ingestPaths([f], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
      loadMs[f] = performance.now() - t;
      assert.equal(report.errors, 0, JSON.stringify(report.outcomes));
      assert.equal(report.ingested, 1);
    }
  } finally {
    db.close();
  }
});

after(async () => {
  await app?.close();
  appDb?.close();
  unregister();
  rmSync(dir, { recursive: true, force: true });
});

/* ------------------------------------------------------------ independent readings */

/** A query straight on the shared files, in a DuckDB instance of its own that knows nothing of the tracker. */
async function direct(sql: string): Promise<Array<Record<string, unknown>>> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const rows = (await conn.runAndReadAll(sql.replaceAll('$PARQUET', `'${parquetPath()}'`))).getRowObjectsJS();
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString().slice(0, 10) : v])));
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/** UWCHR's lines, decompressed and split here: [code, n, date] per data line (line i + 2 of the file). */
let headcountLines: string[][] | undefined;
function headcount(): string[][] {
  headcountLines ??= gunzipSync(readFileSync(headcountPath()))
    .toString('utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => l.split('|'));
  return headcountLines;
}
const headcountOn = (date: string) => headcount().reduce((s, [, n, d]) => (d === date ? s + Number(n) : s), 0);

/* ------------------------------------------------------------ the API */

async function api(t: TestContext, metric: string, query: string): Promise<{ rows: Array<Record<string, string | number>>; partial_periods: string[]; query: { filter: Record<string, string> } } | undefined> {
  if (!requireSharedData(t)) return undefined;
  if (!app) {
    appDb = await Database.open(dbPath, { readOnly: true });
    app = await buildApp(appDb);
  }
  const res = await app.inject({ url: `/api/v1/metrics/${metric}?${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

const keyed = (rows: Array<Record<string, string | number>>) =>
  new Map(rows.map((x) => [Object.entries(x).filter(([k]) => k !== 'value').map(([, v]) => v).join('|'), Number(x.value)]));

/* ------------------------------------------------------------ DuckDB alone, offline */

test('DuckDB reads the ZSTD parquet with its built-in reader: no extension is installed or loaded', async (t) => {
  if (!requireSharedData(t)) return;
  const inst = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const conn = await inst.connect();
  try {
    const codecs = (await conn.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${parquetPath()}')`)).getRowObjectsJS();
    assert.deepEqual(codecs.map((r) => r.compression), ['ZSTD']);
    const n = (await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n, sum(n_detained)::BIGINT AS s FROM read_parquet('${parquetPath()}')`)).getRowObjectsJS()[0]!;
    assert.equal(n.n, 888699);
    const parquet = (await conn.runAndReadAll(`SELECT install_mode FROM duckdb_extensions() WHERE extension_name = 'parquet'`)).getRowObjectsJS()[0]!;
    assert.equal(parquet.install_mode, 'STATICALLY_LINKED');
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
});

/* ------------------------------------------------------------ D1–D5 */

test('D1: 888,699 rows, 2022-10-01 to 2026-03-10, 707 facility codes; stored, and read back from the file', async (t) => {
  if (!requireSharedData(t)) return;
  const [file] = await direct(`SELECT count(*) AS n, min(date) AS first, max(date) AS last, count(DISTINCT detention_facility_code) AS codes FROM read_parquet($PARQUET)`);
  assert.deepEqual(file, { n: 888699, first: '2022-10-01', last: '2026-03-10', codes: 707 });
  const db = await Database.open(dbPath, { readOnly: true });
  try {
    const stored = await db.one(
      `SELECT count(*) AS n, strftime(min(date), '%Y-%m-%d') AS first, strftime(max(date), '%Y-%m-%d') AS last, count(DISTINCT detention_facility_code) AS codes FROM ddp_facility_population`,
    );
    assert.deepEqual(stored, file);
    const rel = await db.one(`SELECT strftime(snapshot_date, '%Y-%m-%d') AS d, fiscal_year, summary::VARCHAR AS s FROM releases WHERE source_id = 'ddp.facility-population'`);
    assert.equal(rel!.d, '2026-03-10');
    assert.equal(rel!.fiscal_year, 2026);
    assert.deepEqual(JSON.parse(rel!.s as string), {
      rows: 888699,
      first_date: '2022-10-01',
      last_date: '2026-03-10',
      days: 1257,
      facilities: 707,
      detained_last_day: 65379,
      detained_midnight_last_day: 61623,
    });
  } finally {
    db.close();
  }
  const m = (await api(t, 'ddp.facility_population', 'grain=day'))!;
  assert.equal(m.rows.length, 1257);
});

test('D2: national detained on 2025-06-01 is 52,963 at any time of the day (the default), 51,403 at midnight', async (t) => {
  const m = await api(t, 'ddp.facility_population', 'from=2025-06-01&to=2025-06-01');
  if (!m) return;
  const [file] = await direct(`SELECT sum(n_detained) AS any, sum(n_detained_at_midnight) AS midnight FROM read_parquet($PARQUET) WHERE date = DATE '2025-06-01'`);
  assert.deepEqual(file, { any: 52963, midnight: 51403 });
  assert.deepEqual(m.rows, [{ period: '2025-06-01', value: file!.any }]);
  assert.deepEqual(m.query.filter, { count: 'any' }, 'the default filter is named in the answer');
  const mid = (await api(t, 'ddp.facility_population', 'from=2025-06-01&to=2025-06-01&filter=count=midnight'))!;
  assert.deepEqual(mid.rows, [{ period: '2025-06-01', value: 51403 }]);
  const both = keyed((await api(t, 'ddp.facility_population', 'from=2025-06-01&to=2025-06-01&by=count'))!.rows);
  assert.deepEqual([...both], [['2025-06-01|any', 52963], ['2025-06-01|midnight', 51403]]);
});

test('D3: on the last day, 2026-03-10: 65,379 at any time, 61,623 at midnight', async (t) => {
  const m = await api(t, 'ddp.facility_population', 'from=2026-03-10&by=count');
  if (!m) return;
  const [file] = await direct(`SELECT sum(n_detained) AS any, sum(n_detained_at_midnight) AS midnight FROM read_parquet($PARQUET) WHERE date = (SELECT max(date) FROM read_parquet($PARQUET))`);
  assert.deepEqual(file, { any: 65379, midnight: 61623 });
  assert.deepEqual(keyed(m.rows), new Map([['2026-03-10|any', 65379], ['2026-03-10|midnight', 61623]]));
});

test("D4: FY2025 mean daily population 50,011.33 at any time (ICE's own FY2025 ADP is 48,404.48); FY2026 is partial", async (t) => {
  const m = await api(t, 'ddp.facility_population', 'grain=fy&by=count');
  if (!m) return;
  const [file] = await direct(
    `SELECT avg(a) AS any, avg(m) AS midnight, count(*) AS days FROM (
       SELECT date, sum(n_detained) AS a, sum(n_detained_at_midnight) AS m FROM read_parquet($PARQUET)
        WHERE date BETWEEN DATE '2024-10-01' AND DATE '2025-09-30' GROUP BY date)`,
  );
  assert.equal(file!.days, 365);
  const rows = keyed(m.rows);
  assert.equal(Math.round(rows.get('FY2025|any')! * 100) / 100, 50011.33);
  assert.ok(Math.abs(rows.get('FY2025|any')! - (file!.any as number)) < 1e-6);
  assert.ok(Math.abs(rows.get('FY2025|midnight')! - (file!.midnight as number)) < 1e-6);
  assert.ok(m.partial_periods.includes('FY2026'));
  assert.ok(!m.partial_periods.includes('FY2025'));
  // a month is the mean of its days: June 2025 from the day grain
  const days = (await api(t, 'ddp.facility_population', 'grain=day&from=2025-06&to=2025-06'))!.rows;
  const month = (await api(t, 'ddp.facility_population', 'grain=month&from=2025-06&to=2025-06'))!.rows;
  assert.equal(days.length, 30);
  assert.ok(Math.abs(Number(month[0]!.value) - days.reduce((s, r) => s + Number(r.value), 0) / 30) < 1e-6);
});

test('D5 (CLI): Stewart (STWRTGA) on 2025-06-01: 2,199 at any time, 2,181 at midnight, 1,968 male, 228 female, 843 convicted; the stored row cites its file row', async (t) => {
  if (!requireSharedData(t)) return;
  const r = tracker(
    'sql',
    '--db',
    dbPath,
    '--format',
    'json',
    `SELECT "row", n_detained, n_detained_at_midnight, n_detained_male, n_detained_female, n_detained_convicted_criminal, detention_facility
       FROM ddp_facility_population WHERE detention_facility_code = 'STWRTGA' AND date = DATE '2025-06-01'`,
  );
  assert.equal(r.code, 0, r.stderr);
  const [row] = JSON.parse(r.stdout) as Array<Record<string, number | string>>;
  assert.deepEqual(row, {
    row: 777801,
    n_detained: 2199,
    n_detained_at_midnight: 2181,
    n_detained_male: 1968,
    n_detained_female: 228,
    n_detained_convicted_criminal: 843,
    detention_facility: 'STEWART DETENTION CENTER',
  });
  const [file] = await direct(
    `SELECT detention_facility_code AS code, date, n_detained, n_detained_at_midnight, n_detained_male, n_detained_female, n_detained_convicted_criminal
       FROM read_parquet($PARQUET, file_row_number = true) WHERE file_row_number = ${Number(row!.row) - 1}`,
  );
  assert.deepEqual(file, { code: 'STWRTGA', date: '2025-06-01', n_detained: 2199, n_detained_at_midnight: 2181, n_detained_male: 1968, n_detained_female: 228, n_detained_convicted_criminal: 843 });
  const m = (await api(t, 'ddp.facility_population', 'from=2025-06-01&to=2025-06-01&filter=facility=STWRTGA&by=count,facility_name'))!;
  assert.deepEqual(keyed(m.rows), new Map([['2025-06-01|any|STEWART DETENTION CENTER', 2199], ['2025-06-01|midnight|STEWART DETENTION CENTER', 2181]]));
});

test('every stored DDP row is the file row it names (counted from 1)', async (t) => {
  if (!requireSharedData(t)) return;
  const db = await Database.open(dbPath, { readOnly: true });
  try {
    const mismatches = await db.one(
      `SELECT count(*) AS n FROM ddp_facility_population p
         JOIN read_parquet('${parquetPath()}', file_row_number = true) f ON f.file_row_number + 1 = p."row"
        WHERE f.detention_facility_code IS DISTINCT FROM p.detention_facility_code OR f.date IS DISTINCT FROM p.date
           OR f.n_detained IS DISTINCT FROM p.n_detained OR f.n_detained_possibly_under_18 IS DISTINCT FROM p.n_detained_possibly_under_18`,
    );
    assert.equal(mismatches!.n, 0);
  } finally {
    db.close();
  }
});

/* ------------------------------------------------------------ U1–U2 */

test('U1/U2: UWCHR headcount 37,217 on 2024-01-01, 54,583 on 2019-08-01, 18,871 on 2020-10-01', async (t) => {
  const m = await api(t, 'uwchr.headcount', 'grain=day&from=2019-08-01&to=2024-01-01');
  if (!m) return;
  const days = keyed(m.rows);
  for (const [date, expected] of [
    ['2024-01-01', 37217],
    ['2019-08-01', 54583],
    ['2020-10-01', 18871],
  ] as const) {
    assert.equal(headcountOn(date), expected, `file, ${date}`);
    assert.equal(days.get(date), expected, `API, ${date}`);
  }
});

test('UWCHR: every line is stored with its line number; dates before FY2012 stay out of the metric; FY2024 is partial', async (t) => {
  if (!requireSharedData(t)) return;
  const lines = headcount();
  assert.equal(lines.length, 928231);
  // a checksum over every line: line number × count, × day number and × code length
  let byN = 0n;
  let byDay = 0n;
  let byCode = 0n;
  lines.forEach(([code, n, date], i) => {
    const line = BigInt(i + 2);
    byN += line * BigInt(n!);
    byDay += line * BigInt(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
    byCode += line * BigInt(code!.length);
  });
  const db = await Database.open(dbPath, { readOnly: true });
  try {
    const s = (await db.one(
      `SELECT count(*) AS rows, min(line) AS first, max(line) AS last,
              sum(line::HUGEINT * n)::VARCHAR AS by_n, sum(line::HUGEINT * (date - DATE '1970-01-01'))::VARCHAR AS by_day,
              sum(line::HUGEINT * length(detention_facility_code))::VARCHAR AS by_code
         FROM uwchr_headcount`,
    ))!;
    assert.deepEqual(s, { rows: 928231, first: 2, last: 928232, by_n: byN.toString(), by_day: byDay.toString(), by_code: byCode.toString() });
    const rel = await db.one(`SELECT strftime(snapshot_date, '%Y-%m-%d') AS d, fiscal_year FROM releases WHERE source_id = 'uwchr.headcount'`);
    assert.deepEqual(rel, { d: '2024-01-04', fiscal_year: 2024 });
  } finally {
    db.close();
  }
  const fy = (await api(t, 'uwchr.headcount', 'grain=fy'))!;
  assert.equal(fy.rows[0]!.period, 'FY2012');
  assert.deepEqual(fy.partial_periods, ['FY2024']);
});

/* ------------------------------------------------------------ the metrics' SQL */

describe('metric SQL', () => {
  test('every grain runs, per facility and nationally, and facilities add up to the nation', async (t) => {
    if (!requireSharedData(t)) return;
    const db = await Database.open(dbPath, { readOnly: true });
    try {
      for (const def of FACILITY_POPULATION_METRICS) {
        for (const grain of def.grains) {
          const from = grain === 'fy' ? 'FY2023' : '2023-01';
          const to = grain === 'fy' ? 'FY2023' : '2023-01';
          const nation = await runMetric(db, def, parseQuery(def, { grain, from, to }));
          const facilities = await runMetric(db, def, parseQuery(def, { grain, from, to, by: 'facility' }));
          assert.ok(nation.rows.length > 0, `${def.id} ${grain}`);
          const byPeriod = new Map<string, number>();
          for (const r of facilities.rows) byPeriod.set(String(r.period), (byPeriod.get(String(r.period)) ?? 0) + Number(r.value));
          for (const r of nation.rows) assert.ok(Math.abs(byPeriod.get(String(r.period))! - Number(r.value)) < 1e-6, `${def.id} ${grain} ${String(r.period)}`);
        }
      }
    } finally {
      db.close();
    }
  });

  test('by=count never adds the two counts; an unknown count value gives no rows', async (t) => {
    const both = await api(t, 'ddp.facility_population', 'grain=month&from=2025-01&to=2025-01&by=count');
    if (!both) return;
    assert.equal(both.rows.length, 2);
    const none = (await api(t, 'ddp.facility_population', 'grain=month&from=2025-01&to=2025-01&filter=count=both'))!;
    assert.deepEqual(none.rows, []);
  });
});

/* ------------------------------------------------------------ discovery */

function fakeHttp(pages: Record<string, string>): Effects {
  return {
    http: {
      async get(url: string): Promise<HttpResponse> {
        const body = pages[url];
        if (body === undefined) throw new Error(`unexpected request ${url}`);
        return { url, status: 200, headers: {}, body: new TextEncoder().encode(body), notModified: false };
      },
    },
    logger: { info: () => undefined, warn: () => undefined },
    now: () => new Date('2026-04-12T00:00:00Z'),
  };
}

test("DDP discovery: the daily population parquet link of DDP's ICE page, resolved; none is a SourceFormatError", async () => {
  const page = 'https://deportationdata.org/data/ice.html';
  const html = `<html><body>
    <a href="/data/ice/facilities-daily-population-latest.csv">CSV</a>
    <a href="/data/ice/facilities-daily-population-latest.parquet">Parquet</a>
    <a href='https://deportationdata.org/data/ice/detention-stints-latest.parquet'>stints</a>
    <!-- <a href="/old/facilities-daily-population-2024.parquet">old</a> -->
  </body></html>`;
  const files = await ddpFacilityPopulation.discover(fakeHttp({ [page]: html }));
  assert.deepEqual(files, [{ url: 'https://deportationdata.org/data/ice/facilities-daily-population-latest.parquet', fileName: PARQUET }]);
  await assert.rejects(ddpFacilityPopulation.discover(fakeHttp({ [page]: '<html><a href="x.csv">x</a></html>' })), (err: unknown) => {
    assert.ok(err instanceof SourceFormatError);
    assert.match(err.message, /deportationdata\.org\/data\/ice\.html: no facilities-daily-population….parquet link/);
    return true;
  });
  assert.ok(ddpFacilityPopulation.claims(PARQUET, new Uint8Array()));
  assert.ok(!ddpFacilityPopulation.claims('detention-stints-latest.parquet', new Uint8Array()));
});

test("UWCHR discovery: the headcount file of the repository's headcount/frozen folder, through GitHub's contents API", async () => {
  const listing = 'https://api.github.com/repos/UWCHR/ice-detain/contents/headcount/frozen';
  const json = JSON.stringify([
    { name: HEADCOUNT, type: 'file', download_url: `https://raw.githubusercontent.com/UWCHR/ice-detain/main/headcount/frozen/${HEADCOUNT}` },
    { name: 'README.md', type: 'file', download_url: 'https://raw.githubusercontent.com/UWCHR/ice-detain/main/headcount/frozen/README.md' },
  ]);
  const files = await uwchrHeadcount.discover(fakeHttp({ [listing]: json }));
  assert.deepEqual(files, [{ url: `https://raw.githubusercontent.com/UWCHR/ice-detain/main/headcount/frozen/${HEADCOUNT}`, fileName: HEADCOUNT }]);
  await assert.rejects(uwchrHeadcount.discover(fakeHttp({ [listing]: '[]' })), /no inc_headcount_fy…csv\.gz file is listed/);
  await assert.rejects(uwchrHeadcount.discover(fakeHttp({ [listing]: '<html>rate limited</html>' })), /not JSON/);
});

/* ------------------------------------------------------------ bad input */

interface BadCase {
  name: string;
  file: string;
  /** Writes the bad file into `work` and returns its path. */
  write: (work: string) => Promise<string> | string;
  expect: RegExp;
}

async function writeParquet(work: string, select: string): Promise<string> {
  const out = join(work, PARQUET);
  await direct(`COPY (${select}) TO '${out}' (FORMAT parquet, COMPRESSION zstd)`);
  return out;
}

function writeHeadcount(work: string, edit: (text: string) => string | Buffer): string {
  const text = gunzipSync(readFileSync(headcountPath())).toString('utf8');
  const cut = text.slice(0, text.indexOf('\n', 200_000) + 1);
  const out = join(work, HEADCOUNT);
  const edited = edit(cut);
  writeFileSync(out, typeof edited === 'string' ? gzipSync(edited) : edited);
  return out;
}

/** The text with its line `line` (1-based, the header is line 1) rewritten from its fields. */
function editLine(text: string, line: number, edit: (fields: string[]) => string): string {
  const lines = text.split('\n');
  assert.ok(lines.length > line, `the cut file has a line ${line}`);
  lines[line - 1] = edit(lines[line - 1]!.split('|'));
  return lines.join('\n');
}

const FIRST_ROWS = `SELECT * FROM read_parquet($PARQUET) ORDER BY date DESC, detention_facility_code LIMIT 2000`;
const BAD: BadCase[] = [
  {
    name: 'a parquet with a renamed column',
    file: PARQUET,
    write: (w) => writeParquet(w, `SELECT * RENAME (n_detained_at_midnight AS n_midnight) FROM (${FIRST_ROWS})`),
    expect: /, column 'n_detained_at_midnight': column 'n_detained_at_midnight' is missing; the file has 'n_midnight' instead \(renamed\?\)/,
  },
  {
    name: 'a truncated parquet',
    file: PARQUET,
    write: (w) => {
      const out = join(w, PARQUET);
      const bytes = readFileSync(parquetPath());
      writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      return out;
    },
    expect: /: the file does not end with the parquet magic 'PAR1' \(\d+ bytes\): it looks truncated/,
  },
  {
    name: 'a parquet whose counts are not whole numbers',
    file: PARQUET,
    write: (w) => writeParquet(w, `SELECT * REPLACE (n_detained::DOUBLE AS n_detained) FROM (${FIRST_ROWS})`),
    expect: /, column 'n_detained': the column is DOUBLE, expected a whole-number type/,
  },
  {
    name: 'a parquet with a negative count',
    file: PARQUET,
    write: (w) => writeParquet(w, `SELECT * REPLACE (CASE WHEN detention_facility_code = 'STWRTGA' THEN -5 ELSE n_detained_female END AS n_detained_female) FROM (${FIRST_ROWS})`),
    expect: /, row \d+, column 'n_detained_female': value -5 is negative/,
  },
  {
    name: 'an HTML page saved as the parquet',
    file: PARQUET,
    write: (w) => {
      const out = join(w, PARQUET);
      writeFileSync(out, '<!doctype html><title>Not found</title>');
      return out;
    },
    expect: /this is not a parquet file: .*starts with "<"/,
  },
  {
    name: 'a csv.gz separated by commas',
    file: HEADCOUNT,
    write: (w) => writeHeadcount(w, (s) => s.replace(/\|/g, ',')),
    expect: /, line 1: the header is separated by ',', not '\|'/,
  },
  {
    name: 'a csv.gz without the count column',
    file: HEADCOUNT,
    write: (w) => writeHeadcount(w, (s) => s.replace(/\|\d+\|/g, '|').replace('|n|', '|')),
    expect: /, line 1, column 'n': column 'n' is missing from the header/,
  },
  {
    name: 'a csv.gz line with a field missing',
    file: HEADCOUNT,
    write: (w) => writeHeadcount(w, (s) => editLine(s, 5000, ([code, , date]) => `${code}|${date}`)),
    expect: /, line 5000, column 'date': the line has 2 fields where the header has 3/,
  },
  {
    name: 'a csv.gz count that is not a number',
    file: HEADCOUNT,
    write: (w) => writeHeadcount(w, (s) => editLine(s, 6000, ([code, n, date]) => `${code}|${n}x|${date}`)),
    expect: /, line 6000, column 'n': "\d+x" is not a whole number/,
  },
  {
    name: 'a csv.gz line without a date',
    file: HEADCOUNT,
    write: (w) => writeHeadcount(w, (s) => editLine(s, 7000, ([code, n]) => `${code}|${n}|`)),
    expect: /, line 7000, column 'date': the value is empty/,
  },
  {
    name: 'a cut gzip stream',
    file: HEADCOUNT,
    write: (w) => {
      const out = join(w, HEADCOUNT);
      const bytes = readFileSync(headcountPath());
      writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length / 2)));
      return out;
    },
    expect: /: the gzip stream is damaged or cut short \(unexpected end of file\)/,
  },
];

const totals = async (db: Database) =>
  JSON.stringify(
    await db.all(
      `SELECT (SELECT count(*) FROM releases) AS releases, (SELECT count(*) FROM release_files) AS files,
              (SELECT count(*) FROM ddp_facility_population) AS ddp, (SELECT sum(n_detained) FROM ddp_facility_population) AS ddp_sum,
              (SELECT count(*) FROM uwchr_headcount) AS uwchr, (SELECT sum(n) FROM uwchr_headcount) AS uwchr_sum`,
    ),
  );

for (const c of BAD) {
  test(`bad input: ${c.name} is an error naming the file; nothing is stored and earlier releases stay`, async (t) => {
    if (!requireSharedData(t)) return;
    const work = mkdtempSync(join(tmpdir(), 'tracker-ddp-bad-'));
    try {
      copyFileSync(dbPath, join(work, 'db.duckdb'));
      const db = await Database.open(join(work, 'db.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
      try {
        const before = await totals(db);
        const bad = await c.write(work);
        const report = await ingestPaths([bad], { db, archive: new Archive(join(work, 'archive')), origin: 'file' });
        assert.equal(report.errors, 1, JSON.stringify(report.outcomes));
        const outcome = report.outcomes[0]!;
        const error = outcome.status === 'error' ? outcome.error : '';
        assert.ok(error.startsWith(bad), error);
        assert.match(error, c.expect);
        assert.equal(await totals(db), before);
      } finally {
        db.close();
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

test('a parquet with an extra column and a repeated facility-day is loaded, with both reported as anomalies', async (t) => {
  if (!requireSharedData(t)) return;
  const work = mkdtempSync(join(tmpdir(), 'tracker-ddp-odd-'));
  try {
    copyFileSync(dbPath, join(work, 'db.duckdb'));
    const db = await Database.open(join(work, 'db.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    try {
      const odd = await writeParquet(work, `SELECT *, 'GA' AS state FROM (SELECT * FROM (${FIRST_ROWS}) UNION ALL SELECT * FROM (SELECT * FROM (${FIRST_ROWS}) LIMIT 1))`);
      const report = await ingestPaths([odd], { db, archive: new Archive(join(work, 'archive')), origin: 'file' });
      assert.equal(report.ingested, 1, JSON.stringify(report.outcomes));
      const id = report.outcomes[0]!.status === 'ingested' ? report.outcomes[0]!.release_id : '';
      const codes = await db.all(`SELECT code, subject FROM release_anomalies WHERE release_id = $1 ORDER BY code`, [id]);
      assert.deepEqual(codes, [
        { code: 'duplicate-key', subject: 'ddp_facility_population' },
        { code: 'unrecognised-column', subject: 'state' },
      ]);
      assert.equal((await db.one(`SELECT count(*) AS n FROM ddp_facility_population WHERE release_id = $1`, [id]))!.n, 2001);
    } finally {
      db.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('the same files again add nothing; load times are printed', async (t) => {
  if (!requireSharedData(t)) return;
  const work = mkdtempSync(join(tmpdir(), 'tracker-ddp-again-'));
  try {
    copyFileSync(dbPath, join(work, 'db.duckdb'));
    const db = await Database.open(join(work, 'db.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    try {
      const before = await totals(db);
      const report = await ingestPaths([parquetPath(), headcountPath()], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
      assert.equal(report.ingested, 0);
      assert.equal(report.duplicates, 2);
      assert.equal(await totals(db), before);
    } finally {
      db.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  t.diagnostic(Object.entries(loadMs).map(([f, ms]) => `${f.split('/').pop()}: ${Math.round(ms)} ms`).join('; '));
});
