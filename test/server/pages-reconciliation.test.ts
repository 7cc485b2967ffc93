/**
 * The reconciliation page on the real files: every ICE detention-statistics workbook, DDP's
 * daily facility population and UWCHR's headcount. ICE's figure is read here from the
 * workbook's cell (exceljs), DDP's and UWCHR's from their files (DuckDB's read_parquet in a
 * separate instance; the csv.gz in JavaScript), and the page must show both and their
 * difference; ICE's footnotes are quoted with their release.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { FACILITY_POPULATION_METRICS } from '../../src/metrics/facility-population.js';
import { METRICS } from '../../src/metrics/registry.js';
import { buildApp } from '../../src/server/app.js';
import { PAGES } from '../../src/server/pages/index.js';
import { reconciliationPage } from '../../src/server/pages/reconciliation.js';
import { ddpFacilityPopulation } from '../../src/sources/ddp/facility-population/index.js';
import { DATASETS } from '../../src/sources/registry.js';
import { uwchrHeadcount } from '../../src/sources/uwchr/headcount/index.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

const SNAPSHOT = '2025-06-01';
const WORKBOOK = join('ice-detention-stats', 'raw', 'FY2025', '2025-06-06_FY25_detentionStats06052025.xlsx');
const PARQUET = join('ddp-derived', 'facilities-daily-population-latest.parquet');
const HEADCOUNT = join('uwchr', 'inc_headcount_fy12-24ytd.csv.gz');

type Row = Record<string, string | number | boolean | null>;
interface PageData {
  releases: string[];
  snapshots: { rows: Row[]; summary: Record<string, { dates: number; median_pct: number }> };
  months: { rows: Row[] };
  fiscal_years: { rows: Row[]; same_days: Row[] };
  footnotes: Array<{ id: string; release_id: string; sheet: string; row: number; note: string }>;
}

/** Adds the new datasets, metrics and page for this process; no-op for what a registry already holds. */
function register(): () => void {
  const datasets = [ddpFacilityPopulation, uwchrHeadcount].filter((d) => !DATASETS.some((x) => x.id === d.id));
  const metrics = FACILITY_POPULATION_METRICS.filter((m) => !METRICS.some((x) => x.id === m.id));
  const pages = PAGES.some((p) => p.path === reconciliationPage.path) ? [] : [reconciliationPage];
  DATASETS.push(...datasets);
  METRICS.push(...metrics);
  PAGES.push(...pages);
  return () => {
    for (const d of datasets) DATASETS.splice(DATASETS.indexOf(d), 1);
    for (const m of metrics) METRICS.splice(METRICS.indexOf(m), 1);
    for (const p of pages) PAGES.splice(PAGES.indexOf(p), 1);
  };
}

/** One figure straight from the parquet, in a DuckDB instance of its own. */
async function fromParquet(data: string, sql: string): Promise<Record<string, number>> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const row = (await conn.runAndReadAll(sql.replaceAll('$PARQUET', `'${join(data, PARQUET)}'`))).getRowObjectsJS()[0]!;
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/** A cell's value, or the cached result of its formula (ICE's totals are formulas). */
const cached = (v: ExcelJS.CellValue) => (v !== null && typeof v === 'object' && 'result' in v ? v.result : v);

const releaseOf = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12);

describe('the reconciliation page on ICE, DDP and UWCHR files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-recon-'));
  let unregister: () => void = () => undefined;
  let db: Database | undefined;
  let app: FastifyInstance | undefined;
  let data: PageData | undefined;
  let html = '';

  before(async () => {
    unregister = register();
    const shared = sharedDataDir();
    if (!shared) return;
    db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    const report = await ingestPaths([join(shared, 'ice-detention-stats'), join(shared, PARQUET), join(shared, HEADCOUNT), join(shared, 'foia-ice-seattle-removals')], {
      db,
      archive: new Archive(join(dir, 'a')),
      origin: 'mirror',
    });
    assert.equal(report.errors, 0, JSON.stringify(report.outcomes.filter((o) => o.status === 'error')));
    app = await buildApp(db);
    const res = await app.inject({ url: '/reconciliation.json' });
    assert.equal(res.statusCode, 200, res.body);
    data = res.json() as PageData;
    html = (await app.inject({ url: '/reconciliation' })).body;
  });

  after(async () => {
    await app?.close();
    db?.close();
    unregister();
    rmSync(dir, { recursive: true, force: true });
  });

  test('removals: the Seattle FOIA records per fiscal year beside ICE\'s national figure, the coverage said', async (t) => {
    const shared = requireSharedData(t);
    if (!shared) return;
    // FY2019 from the two Seattle files, counted here from their lines (departed M/D/YYYY in column 1, data from line 8)
    let fy2019 = 0;
    for (const f of ['SeattleAORExpeditedRemovals.csv', 'SeattleAOROtherRemovals.csv']) {
      for (const line of readFileSync(join(shared, 'foia-ice-seattle-removals', f), 'utf8').split(/\r?\n/).slice(7)) {
        const m = /^(\d+)\/\d+\/(\d{4}),/.exec(line);
        if (m && Number(m[2]) + (Number(m[1]) >= 10 ? 1 : 0) === 2019) fy2019++;
      }
    }
    const rem = (data as unknown as { removals: { rows: Array<Record<string, number | string | null>>; coverage: Array<{ title: string }> } }).removals;
    const row = rem.rows.find((r) => r.period === 'FY2019')!;
    assert.equal(row.foia, fy2019);
    assert.equal(row.ice, 267258); // ICE's FY2019 removals, from the FY2019 workbooks (see test/cli/metric.test.ts)
    assert.equal(row.foia_diff, fy2019 - 267258);
    assert.equal(rem.coverage.length, 2);
    assert.match(html, /These records cover one area of responsibility, not the country/);
  });

  test(`ICE's snapshot of ${SNAPSHOT} (51,302, read from the workbook's cell) beside DDP's counts of that day, with the differences`, async (t) => {
    const shared = requireSharedData(t);
    if (!shared) return;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(shared, WORKBOOK));
    const ice = Number(cached(wb.getWorksheet('Detention FY25')!.getCell('F20').value));
    const footnote = wb.getWorksheet('Footnotes')!.getCell('B71').text;
    assert.equal(ice, 51302);
    assert.match(footnote, /snapshot as of 06\/01\/2025 \(IIDS Run Date 06\/02\/2025/);
    const ddp = await fromParquet(shared, `SELECT sum(n_detained) AS any, sum(n_detained_at_midnight) AS midnight FROM read_parquet($PARQUET) WHERE date = DATE '${SNAPSHOT}'`);

    const row = data!.snapshots.rows.find((r) => r.period === SNAPSHOT);
    assert.ok(row, `the page has a row for ${SNAPSHOT}`);
    assert.deepEqual(row, {
      period: SNAPSHOT,
      ice,
      ice_release: releaseOf(join(shared, WORKBOOK)),
      ice_run_date: '2025-06-02',
      ddp_any: ddp.any,
      ddp_any_diff: ddp.any! - ice,
      ddp_any_pct: Math.round((10000 * (ddp.any! - ice)) / ice) / 100,
      ddp_midnight: ddp.midnight,
      ddp_midnight_diff: ddp.midnight! - ice,
      ddp_midnight_pct: Math.round((10000 * (ddp.midnight! - ice)) / ice) / 100,
      uwchr: null,
      uwchr_diff: null,
      uwchr_pct: null,
    });
    assert.deepEqual([ddp.any, ddp.midnight, row.ddp_any_diff, row.ddp_midnight_diff, row.ddp_any_pct], [52963, 51403, 1661, 101, 3.24]);

    const tr = html.match(new RegExp(`<tr><td>${SNAPSHOT}</td>.*?</tr>`))?.[0] ?? '';
    for (const shown of ['51,302', '52,963', '+1,661', '+3.24%', '51,403', '+101', '+0.2%', 'run 2025-06-02']) assert.ok(tr.includes(shown), `the row shows ${shown}: ${tr}`);
    const csv = (await app!.inject({ url: '/reconciliation.csv' })).body;
    assert.match(csv, /^period,ice,ice_release,ice_run_date,ddp_any,ddp_any_diff,ddp_any_pct,ddp_midnight,ddp_midnight_diff,ddp_midnight_pct,uwchr,uwchr_diff,uwchr_pct\r?\n/);
    assert.ok(csv.includes(`${SNAPSHOT},51302,${row.ice_release},2025-06-02,52963,1661,3.24,51403,101,0.2,,,`), 'the CSV row');
  });

  test("UWCHR's headcount beside ICE's snapshot where they overlap (2023-12-31, summed here from the csv.gz)", async (t) => {
    const shared = requireSharedData(t);
    if (!shared) return;
    const text = gunzipSync(readFileSync(join(shared, HEADCOUNT))).toString('utf8');
    const day = '2023-12-31';
    const uw = [...text.matchAll(new RegExp(`^[^|\\n]+\\|(\\d+)\\|${day}$`, 'gm'))].reduce((s, m) => s + Number(m[1]), 0);
    const row = data!.snapshots.rows.find((r) => r.period === day)!;
    assert.equal(row.uwchr, uw);
    assert.equal(row.uwchr_diff, uw - (row.ice as number));
    assert.ok(data!.snapshots.rows.every((r) => r.period! <= '2026-03-10'), 'no row after the last FOIA-derived day');
    assert.ok(data!.snapshots.summary.ddp_midnight!.dates >= 60);
  });

  test("FY2025: ICE's ADP 48,404.48 through 2025-09-20 beside DDP's mean 50,011.33 over the year and its mean over ICE's days", async (t) => {
    const shared = requireSharedData(t);
    if (!shared) return;
    const fy = data!.fiscal_years.rows.find((r) => r.period === 'FY2025')!;
    assert.equal(fy.ice, 48404.48);
    assert.equal(fy.ddp_any, 50011.33);
    assert.equal(fy.ice_through, '2025-09-20');
    const same = data!.fiscal_years.same_days.find((r) => r.period === 'FY2025')!;
    const mean = await fromParquet(
      shared,
      `SELECT avg(a) AS any, avg(m) AS midnight FROM (SELECT date, sum(n_detained) AS a, sum(n_detained_at_midnight) AS m FROM read_parquet($PARQUET)
        WHERE date BETWEEN DATE '2024-10-01' AND DATE '2025-09-20' GROUP BY date)`,
    );
    assert.deepEqual([same.from, same.to], ['2024-10-01', '2025-09-20']);
    assert.equal(same.ddp_any, Math.round(mean.any! * 100) / 100);
    assert.equal(same.ddp_midnight, Math.round(mean.midnight! * 100) / 100);
    for (const shown of ['48,404.48', '50,011.33', '2025-09-20']) assert.ok(html.includes(shown), shown);
  });

  test("ICE's footnotes are quoted with release, sheet and row, as stored", async (t) => {
    if (!requireSharedData(t)) return;
    const ids = data!.footnotes.map((f) => f.id);
    for (const id of ['snapshot', 'adp-midnight', 'exclusions']) assert.ok(ids.includes(id), id);
    for (const f of data!.footnotes) {
      const stored = await db!.one(`SELECT note FROM ice_footnotes WHERE release_id = $1 AND sheet = $2 AND "row" = $3`, [f.release_id, f.sheet, f.row]);
      assert.equal(stored?.note, f.note);
      assert.ok(html.includes(`/-/releases/${f.release_id}`));
    }
    assert.match(html, /A MANDAY is based on whether a SUBJECT is in an ERO detention facility for the midnight count/);
    assert.match(html, /ICE Detention data excludes? ORR transfers\/facilities/);
    assert.match(html, /Why the numbers differ/);
    // the footer names the publishers of the FOIA-derived files too
    assert.match(html, /Deportation Data Project/);
  });

  test('a vintage before the DDP file leaves DDP out; a bad vintage is a 400', async (t) => {
    const shared = requireSharedData(t);
    if (!shared) return;
    const pin = releaseOf(join(shared, WORKBOOK));
    const res = await app!.inject({ url: `/reconciliation.json?vintage=${pin}` });
    assert.equal(res.statusCode, 200, res.body);
    const pinned = res.json() as PageData;
    assert.ok(pinned.snapshots.rows.length > 0);
    assert.ok(pinned.snapshots.rows.every((r) => r.ddp_any === null && r.period! <= SNAPSHOT));
    const bad = await app!.inject({ url: '/reconciliation?vintage=nope' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().ok, false);
  });

  test('an empty database gives a page that says so', async () => {
    const empty = await Database.open(':memory:', { schemas: DATASETS.map((d) => d.schemaSql) });
    try {
      const page = await reconciliationPage.render({ db: empty, vintage: 'latest', params: {}, query: {} });
      assert.ok(page);
      assert.match(page.body, /No ICE detention-statistics release and no FOIA-derived daily population/);
      assert.deepEqual(page.csv.rows, []);
    } finally {
      empty.close();
    }
  });
});
