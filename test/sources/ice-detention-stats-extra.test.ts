/**
 * The two FY2025 Detention Statistics releases of `ice-detention-stats-extra/`
 * (FY25_detentionStats08292025.xlsx, snapshot 08/24/2025; FY25_detentionStats09112025.xlsx,
 * snapshot 09/07/2025), ingested with the main folder into one database by the existing
 * `ice.detention-stats` source: the headline figures X1–X4 of the MANIFEST through the
 * metrics API (and checked against the workbook cells the MANIFEST names), and their place
 * in the release ledger between the releases of 08/10/2025 and 09/21/2025.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Database } from '../../src/db/connection.js';
import { Archive, sha256Hex } from '../../src/ingest/archive.js';
import { ingestPaths, type IngestReport } from '../../src/ingest/pipeline.js';
import { buildApp } from '../../src/server/app.js';
import { DATASETS } from '../../src/sources/registry.js';
import { Workbook } from '../../src/xlsx/workbook.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

const EXTRA = 'ice-detention-stats-extra';

interface Expected {
  file: string;
  snapshot: string;
  detained: { total: number; ice: number; cbp: number };
  removals: number;
  bookIns: number;
  adp: number;
  atd: number;
}

/** MANIFEST X1–X4, each read there from the cell named in `CELLS`. */
const RELEASES: Expected[] = [
  {
    file: 'FY25_detentionStats08292025.xlsx',
    snapshot: '2025-08-24',
    detained: { total: 61_226, ice: 46_595, cbp: 14_631 },
    removals: 283_295,
    bookIns: 277_342,
    adp: 47_365.5902,
    atd: 182_584,
  },
  {
    file: 'FY25_detentionStats09112025.xlsx',
    snapshot: '2025-09-07',
    detained: { total: 58_766, ice: 44_844, cbp: 13_922 },
    removals: 302_192,
    bookIns: 292_315,
    adp: 47_907.0469,
    atd: 181_401,
  },
];

/** The releases of the main folder on either side (snapshot dates), by their ICE file names. */
const BEFORE = { file: 'FY25_detentionStats08142025.xlsx', snapshot: '2025-08-10' };
const AFTER = { file: 'FY25_detentionStats09252025.xlsx', snapshot: '2025-09-21' };

type Rows = Array<Record<string, string | number>>;

describe('ice-detention-stats-extra: two FY2025 releases join the ledger', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-extra-'));
  let db: Database | undefined;
  let app: FastifyInstance | undefined;
  let report: IngestReport | undefined;
  const ids = new Map<string, string>();

  before(async () => {
    const data = sharedDataDir();
    if (!data) return; // each test then skips, or fails under CI, through requireSharedData
    for (const r of RELEASES) ids.set(r.file, sha256Hex(readFileSync(join(data, EXTRA, r.file))).slice(0, 12));
    db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    report = await ingestPaths([join(data, 'ice-detention-stats'), join(data, EXTRA)], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
    app = await buildApp(db);
  });

  after(async () => {
    await app?.close();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function get(url: string): Promise<Record<string, unknown>> {
    const res = await app!.inject({ url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json() as Record<string, unknown>;
  }

  const rowsOf = async (url: string) => (await get(url)).rows as Rows;

  test('both files are ingested by ice.detention-stats, as new releases, without errors', (t: TestContext) => {
    const data = requireSharedData(t);
    if (!data) return;
    assert.equal(report!.errors, 0, JSON.stringify(report!.outcomes.filter((o) => o.status === 'error')));
    for (const r of RELEASES) {
      const o = report!.outcomes.find((x) => x.path.endsWith(join(EXTRA, r.file)));
      assert.ok(o, `${r.file} was walked`);
      assert.equal(o.status, 'ingested', JSON.stringify(o));
      if (o.status !== 'ingested') continue;
      assert.equal(o.source, 'ice.detention-stats');
      assert.equal(o.release_id, ids.get(r.file));
      assert.equal(o.snapshot_date, r.snapshot, `${r.file}: snapshot date from the Footnotes sheet`);
    }
  });

  test('the MANIFEST figures are the workbook cells it names (read here without the source parser)', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    for (const r of RELEASES) {
      const path = join(data, EXTRA, r.file);
      const wb = await Workbook.open(readFileSync(path), path);
      const sheet = async (name: string) => {
        const info = wb.sheets.find((s) => s.name.trim() === name);
        assert.ok(info, `${r.file}: sheet '${name}'`);
        return wb.sheet(info);
      };
      const det = await sheet('Detention FY25');
      const atd = await sheet('ATD FY25 YTD');
      const cell = (s: typeof det, ref: string) => {
        const m = /^([A-Z]+)(\d+)$/.exec(ref)!;
        const col = [...m[1]!].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
        return s.get(Number(m[2]), col);
      };
      assert.equal(cell(det, 'F20'), r.detained.total, `${r.file} F20`);
      assert.equal(cell(det, 'B20'), r.detained.ice, `${r.file} B20`);
      assert.equal(cell(det, 'D20'), r.detained.cbp, `${r.file} D20`);
      assert.equal(cell(det, 'P29'), r.removals, `${r.file} P29`);
      assert.equal(cell(det, 'E29'), r.bookIns, `${r.file} E29`);
      assert.equal(Math.round((cell(det, 'N100') as number) * 1e4) / 1e4, r.adp, `${r.file} N100`);
      assert.equal(cell(atd, 'B15'), r.atd, `${r.file} ATD B15`);
    }
  });

  test('X1/X3: detained on the snapshot date, total and by arresting agency (ice.detained, snapshot grain)', async (t) => {
    if (!requireSharedData(t)) return;
    for (const r of RELEASES) {
      const total = await rowsOf(`/api/v1/metrics/ice.detained?grain=snapshot&from=${r.snapshot}&to=${r.snapshot}`);
      assert.deepEqual(total, [{ period: r.snapshot, value: r.detained.total }], r.file);
      const byAgency = await rowsOf(`/api/v1/metrics/ice.detained?grain=snapshot&from=${r.snapshot}&to=${r.snapshot}&by=agency`);
      assert.deepEqual(
        Object.fromEntries(byAgency.map((x) => [x.agency, x.value])),
        { ICE: r.detained.ice, CBP: r.detained.cbp },
        r.file,
      );
    }
  });

  test('X2/X4: removals and ATD at the snapshot; book-ins and ADP for FY2025 as of the release (vintage = its id)', async (t) => {
    if (!requireSharedData(t)) return;
    for (const r of RELEASES) {
      const id = ids.get(r.file)!;
      const at = `grain=snapshot&from=${r.snapshot}&to=${r.snapshot}`;
      assert.deepEqual(await rowsOf(`/api/v1/metrics/ice.removals?${at}`), [{ period: r.snapshot, value: r.removals }], `${r.file} removals`);
      assert.deepEqual(await rowsOf(`/api/v1/metrics/ice.atd?${at}`), [{ period: r.snapshot, value: r.atd }], `${r.file} ATD`);
      // the fiscal-year figures of the latest release are the final ones: pin the release to get its year-to-date values
      const removals = await get(`/api/v1/metrics/ice.removals?grain=fy&from=FY2025&to=FY2025&vintage=${id}`);
      assert.deepEqual(removals.rows, [{ period: 'FY2025', value: r.removals }], `${r.file} removals FY2025 as of the release`);
      assert.deepEqual(removals.releases, [id]);
      const bookIns = await get(`/api/v1/metrics/ice.book_ins?grain=fy&from=FY2025&to=FY2025&vintage=${id}`);
      assert.deepEqual(bookIns.rows, [{ period: 'FY2025', value: r.bookIns }], `${r.file} book-ins`);
      assert.deepEqual(bookIns.releases, [id]);
      const adp = await get(`/api/v1/metrics/ice.adp?grain=fy&from=FY2025&to=FY2025&vintage=${id}`);
      const rows = adp.rows as Rows;
      assert.equal(rows.length, 1, JSON.stringify(rows));
      assert.equal(rows[0]!.period, 'FY2025');
      assert.equal(Math.round(Number(rows[0]!.value) * 1e4) / 1e4, r.adp, `${r.file} ADP`);
      assert.deepEqual(adp.releases, [id]);
    }
  });

  test('the snapshot series runs through both releases, between their neighbours of the main folder', async (t) => {
    if (!requireSharedData(t)) return;
    const rows = await rowsOf(`/api/v1/metrics/ice.detained?grain=snapshot&from=${BEFORE.snapshot}&to=${AFTER.snapshot}`);
    assert.deepEqual(
      rows.map((x) => x.period),
      [BEFORE.snapshot, ...RELEASES.map((r) => r.snapshot), AFTER.snapshot],
    );
    assert.deepEqual(rows.slice(1, 3).map((x) => x.value), RELEASES.map((r) => r.detained.total));
  });

  test(
    "ATD 'by AOR and Technology' table (title row 28) is recognised in both releases; ICE's FAMU note above it (A27) is kept as a note",
    async (t) => {
      if (!requireSharedData(t)) return;
      for (const r of RELEASES) {
        const rows = await db!.all(`SELECT table_id, cell, title FROM release_tables WHERE release_id = $1 AND sheet = 'ATD FY25 YTD' ORDER BY cell`, [ids.get(r.file)!]);
        assert.ok(rows.some((x) => x.table_id === 'atd_by_aor_technology'), `${r.file}: ${JSON.stringify(rows)}`);
        const notes = await db!.all(`SELECT detail FROM release_anomalies WHERE release_id = $1 AND code = 'sheet-note'`, [ids.get(r.file)!]);
        assert.equal(notes.length, 1);
        assert.match(String(notes[0]!.detail), /FAMU individuals were released from ICE custody/);
      }
    },
  );

  test('/api/v1/releases lists them in date order between the 08/10/2025 and 09/21/2025 releases, with their headline values', async (t) => {
    if (!requireSharedData(t)) return;
    const { releases } = (await get('/api/v1/releases')) as { releases: Array<Record<string, unknown>> };
    const ice = releases.filter((r) => r.source_id === 'ice.detention-stats');
    const dates = ice.map((r) => String(r.snapshot_date ?? ''));
    const dated = dates.filter((d) => d !== '');
    assert.deepEqual(dated, [...dated].sort(), 'the ledger is in snapshot-date order');
    const at = (file: string) => ice.findIndex((r) => (r.file_names as string[]).includes(file));
    const positions = [BEFORE.file, ...RELEASES.map((r) => r.file), AFTER.file].map(at);
    assert.ok(positions.every((p) => p >= 0), `all four files in the ledger: ${JSON.stringify(positions)}`);
    assert.deepEqual(positions, [positions[0]!, positions[0]! + 1, positions[0]! + 2, positions[0]! + 3], 'adjacent, in this order');
    assert.equal(ice[positions[0]!]!.snapshot_date, BEFORE.snapshot);
    assert.equal(ice[positions[3]!]!.snapshot_date, AFTER.snapshot);
    for (const r of RELEASES) {
      const rec = ice[at(r.file)]!;
      assert.equal(rec.release_id, ids.get(r.file));
      assert.equal(rec.snapshot_date, r.snapshot);
      assert.equal(rec.fiscal_year, 2025);
      assert.deepEqual(rec.urls, [`https://www.ice.gov/doclib/detention/${r.file}`]);
      assert.equal(rec.detained_total, r.detained.total);
      assert.equal(rec.detained_ice, r.detained.ice);
      assert.equal(rec.detained_cbp, r.detained.cbp);
      assert.equal(rec.removals_fytd, r.removals);
      assert.equal(rec.book_ins_fytd, r.bookIns);
      assert.equal(Math.round(Number(rec.adp_fy) * 1e4) / 1e4, r.adp);
      assert.equal(rec.atd_total, r.atd);
      assert.equal(rec.facility_rows, r === RELEASES[0] ? 186 : 187, `${r.file}: facility rows (MANIFEST §13)`);
      assert.equal(rec.date_suspect, false);
      // only ICE's FAMU note above the AOR-by-technology table, kept as a note; no date, agency or label anomaly
      assert.deepEqual(rec.anomalies, ['sheet-note'], r.file);
    }
  });
});
