/**
 * dhs.ohss-encounters: the real fy25m11 workbook against MANIFEST §3 and checks O1–O3,
 * end to end through the metric engine, then bad input on small synthetic workbooks.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, test, type TestContext } from 'node:test';
import type { Database } from '../../src/db/connection.js';
import { Database as Db } from '../../src/db/connection.js';
import { SourceFormatError } from '../../src/lib/errors.js';
import { OHSS_ENCOUNTER_METRICS } from '../../src/metrics/ohss-encounters.js';
import { ParamError } from '../../src/metrics/params.js';
import { runMetric } from '../../src/metrics/query.js';
import type { MetricQuery } from '../../src/metrics/types.js';
import { SHEETS, type Column } from '../../src/sources/dhs/ohss-encounters/columns.js';
import { discoverOhssEncounters, isOhssEncountersFileName, OHSS_ENCOUNTERS_PAGE } from '../../src/sources/dhs/ohss-encounters/discover.js';
import { dhsOhssEncounters } from '../../src/sources/dhs/ohss-encounters/index.js';
import { monthStart, parseOhssEncounters, type EncounterRow } from '../../src/sources/dhs/ohss-encounters/parse.js';
import type { Effects, ParsedRelease } from '../../src/sources/types.js';
import { Workbook } from '../../src/xlsx/workbook.js';
import { ZipArchive } from '../../src/xlsx/zip.js';
import { tempStore, type TempStore } from '../helpers/ingest-fixtures.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';
import { buildXlsx, cell, row, type SheetSpec as XlsxSheet } from '../helpers/xlsx-builder.js';

const FILE_NAME = 'KHSM Encounters (USBP) fy25m11.xlsx';
const RELEASE = 'ohss0000test';
const realPath = () => join(sharedDataDir()!, 'dhs-ohss', FILE_NAME);

let parsedOnce: Promise<ParsedRelease> | undefined;
async function real(t: TestContext): Promise<ParsedRelease | undefined> {
  if (!requireSharedData(t)) return undefined;
  parsedOnce ??= parseOhssEncounters({ path: realPath(), fileName: FILE_NAME, bytes: readFileSync(realPath()), releaseId: RELEASE });
  return parsedOnce;
}

const encounters = (p: ParsedRelease) => p.tables.ohss_usbp_encounters as EncounterRow[];
function one(p: ParsedRelease, where: Partial<EncounterRow>): EncounterRow {
  const found = encounters(p).filter((r) => Object.entries(where).every(([k, v]) => r[k] === v));
  assert.equal(found.length, 1, `one row for ${JSON.stringify(where)}, found ${found.length}`);
  return found[0]!;
}

describe('the real fy25m11 workbook', () => {
  it('O1: Annual Count FY2024 = 1,557,320, from Annual Count row 26', async (t) => {
    const p = await real(t);
    if (!p) return;
    const r = one(p, { sheet: 'Annual Count', fiscal_year: 2024 });
    assert.equal(r.quantity, 1_557_320);
    // provenance: MANIFEST O1 reads it at Annual Count!B26
    assert.equal(r.row, 26);
    assert.equal(r.release_id, RELEASE);
    assert.deepEqual([r.grain, r.breakdown, r.month_start, r.region], ['fy', 'total', null, null]);
  });

  it('O2: Annual Region FY2024 Southwest Land Border = 1,530,520, from row 76', async (t) => {
    const p = await real(t);
    if (!p) return;
    const r = one(p, { sheet: 'Annual Region', fiscal_year: 2024, region: 'Southwest Land Border' });
    assert.equal(r.quantity, 1_530_520);
    assert.equal(r.row, 76);
  });

  it('O3: Monthly Count Oct 2024 = 58,130 and Nov 2024 = 47,540 (rows 302, 303)', async (t) => {
    const p = await real(t);
    if (!p) return;
    const oct = one(p, { sheet: 'Monthly Count', month_start: '2024-10-01' });
    const nov = one(p, { sheet: 'Monthly Count', month_start: '2024-11-01' });
    assert.deepEqual([oct.quantity, oct.row, oct.fiscal_year], [58_130, 302, 2025]);
    assert.deepEqual([nov.quantity, nov.row, nov.fiscal_year], [47_540, 303, 2025]);
  });

  it('the snapshot is the last day of the latest month in the content (November 2024, FY2025)', async (t) => {
    const p = await real(t);
    if (!p) return;
    assert.equal(p.snapshotDate, '2024-11-30');
    assert.equal(p.fiscalYear, 2025);
    assert.equal(p.summary.latest_month, '2024-11');
    assert.equal(p.summary.latest_month_encounters, 47_540);
    assert.equal(p.summary.fytd_encounters, 105_660);
    assert.equal(p.summary.previous_fy_encounters, 1_557_320);
    // the file is clean: no anomaly, not even the annual/monthly rounding check (FY2025 105,660 vs 105,670)
    assert.deepEqual(p.anomalies, []);
  });

  it('every quantity is a whole multiple of 10', async (t) => {
    const p = await real(t);
    if (!p) return;
    const rows = encounters(p);
    assert.ok(rows.length > 40_000);
    assert.deepEqual(rows.filter((r) => r.quantity % 10 !== 0 || r.quantity <= 0), []);
  });

  it('reads every data row of each of the 16 sheets (counted from the sheet XML dimension)', async (t) => {
    if (!(await real(t))) return;
    const p = (await parsedOnce)!;
    const bytes = readFileSync(realPath());
    const wb = await Workbook.open(bytes, FILE_NAME);
    const zip = await ZipArchive.open(bytes, FILE_NAME);
    assert.equal(wb.sheets.length, 16);
    const perSheet = new Map<string, number>();
    for (const r of encounters(p)) perSheet.set(r.sheet, (perSheet.get(r.sheet) ?? 0) + 1);
    for (const info of wb.sheets) {
      const xml = (await zip.read(info.part))!.toString('utf8');
      const dim = /<dimension ref="A1:[A-Z]+(\d+)"/.exec(xml);
      assert.ok(dim, `${info.name} has a dimension`);
      const expected = Number(dim[1]) - 1; // minus the header row
      assert.equal((await wb.sheet(info)).maxRow - 1, expected, `${info.name}: the reader agrees with the dimension`);
      assert.equal(perSheet.get(info.name), expected, info.name);
    }
    // MANIFEST §3: Annual Count 26 rows, Monthly Count 302, the largest sheet 14,889
    assert.equal(perSheet.get('Annual Count'), 26);
    assert.equal(perSheet.get('Monthly Count'), 302);
    assert.equal(perSheet.get('Monthly Rgn and Citp'), 14_889);
  });

  it('reads the "Fiscal\\r\\nYear" header with its line break', async (t) => {
    if (!requireSharedData(t)) return;
    const wb = await Workbook.open(readFileSync(realPath()), FILE_NAME);
    const sheet = await wb.sheet(wb.sheets[0]!);
    assert.match(String(sheet.get(1, 1)), /^Fiscal\s*[\r\n]+\s*Year$/);
  });

  it('maps fiscal-order month labels to calendar months', async (t) => {
    assert.equal(monthStart('01 October', 2025), '2024-10-01');
    assert.equal(monthStart('03 December', 2025), '2024-12-01');
    assert.equal(monthStart('04 January', 2025), '2025-01-01');
    assert.equal(monthStart('12 September', 2025), '2025-09-01');
    assert.equal(monthStart('October', 2025), '2024-10-01');
    assert.equal(monthStart('02 October', 2025), undefined, 'a prefix that disagrees with the name');
    assert.equal(monthStart('13 Smarch', 2025), undefined);
    const p = await real(t);
    if (!p) return;
    const jan = one(p, { sheet: 'Monthly Count', fiscal_year: 2024, month_start: '2024-01-01' });
    assert.equal(jan.row, 302 - 9, 'FY2024 "04 January" is nine rows above FY2025 "01 October"');
  });
});

/** Loads a parsed release as pipeline.ts does: a releases row, a file row, then the source's tables. */
async function load(db: Database, p: ParsedRelease, releaseId: string): Promise<void> {
  await db.append('releases', [{
    release_id: releaseId, source_id: dhsOhssEncounters.id, sha256: releaseId.padEnd(64, '0'), bytes: 1,
    snapshot_date: p.snapshotDate, fiscal_year: p.fiscalYear, summary: JSON.stringify(p.summary), ingested_at: new Date(), archive_path: null,
  }]);
  await db.append('release_files', [{ release_id: releaseId, file_name: FILE_NAME, url: null, origin: 'file', local_path: null, retrieved_at: null, added_at: new Date() }]);
  await db.append('release_anomalies', p.anomalies.map((a) => ({ release_id: releaseId, ...a, cross_release: false })));
  for (const [table, rows] of Object.entries(p.tables)) await db.append(table, rows);
}

describe('ohss.usbp_encounters through the metric engine', () => {
  const def = OHSS_ENCOUNTER_METRICS.find((m) => m.id === 'ohss.usbp_encounters')!;
  const q = (over: Partial<MetricQuery>): MetricQuery => ({ grain: 'fy', by: [], filter: {}, vintage: 'latest', ...over });
  let store: TempStore | undefined;
  let db: Database | undefined;

  before(async () => {
    if (!sharedDataDir()) return;
    store = tempStore();
    // the registry does not list this source yet, so its schema is passed explicitly (twice: it must be idempotent)
    db = await Db.open(store.dbPath, { schemas: [dhsOhssEncounters.schemaSql, dhsOhssEncounters.schemaSql] });
    const p = await parseOhssEncounters({ path: realPath(), fileName: FILE_NAME, bytes: readFileSync(realPath()), releaseId: RELEASE });
    await db.transaction(() => load(db!, p, RELEASE));
  });
  after(() => {
    db?.close();
    store?.remove();
  });

  const value = (rows: Array<Record<string, unknown>>, period: string) => rows.find((r) => r.period === period)?.value;

  test('fy, no breakdown: FY2024 = 1,557,320 (O1); FY2025 is partial', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await runMetric(db!, def, q({}));
    assert.equal(value(res.rows, 'FY2024'), 1_557_320);
    assert.equal(value(res.rows, 'FY2000'), 1_590_310);
    assert.equal(res.rows.length, 26);
    assert.deepEqual(res.partialPeriods, ['FY2025']);
    assert.deepEqual(res.releases, [RELEASE]);
  });

  test('fy, filtered to the Southwest region: FY2024 = 1,530,520 (O2), read from Annual Region', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await runMetric(db!, def, q({ by: ['region'], filter: { region: 'Southwest Land Border' } }));
    assert.deepEqual(res.rows.find((r) => r.period === 'FY2024'), { period: 'FY2024', region: 'Southwest Land Border', value: 1_530_520 });
    // without `by`, the filter alone still picks the region sheet
    const filtered = await runMetric(db!, def, q({ filter: { region: 'Southwest Land Border' } }));
    assert.equal(value(filtered.rows, 'FY2024'), 1_530_520);
  });

  test('month grain: Oct 2024 = 58,130, Nov 2024 = 47,540 (O3)', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await runMetric(db!, def, q({ grain: 'month', from: '2024-10', to: '2024-11' }));
    assert.deepEqual(res.rows, [
      { period: '2024-10', value: 58_130 },
      { period: '2024-11', value: 47_540 },
    ]);
    assert.deepEqual(res.partialPeriods, []);
  });

  test('each breakdown reads its own sheet: one result row per sheet row', async (t) => {
    if (!requireSharedData(t)) return;
    const rows = await db!.all(`SELECT sheet, count(*) AS n FROM ohss_usbp_encounters GROUP BY sheet`);
    const bySheet = new Map(rows.map((r) => [r.sheet as string, r.n as number]));
    for (const spec of SHEETS) {
      const res = await runMetric(db!, def, q({ grain: spec.grain, by: spec.dims }));
      assert.equal(res.rows.length, bySheet.get(spec.name), spec.name);
    }
    // the official total is not the sum of the rounded regions (FY2001: 10 apart)
    const regions = await runMetric(db!, def, q({ by: ['region'], from: 'FY2001', to: 'FY2001' }));
    assert.equal(regions.rows.reduce((s, r) => s + (r.value as number), 0), 1_255_910);
    assert.equal(value((await runMetric(db!, def, q({ from: 'FY2001', to: 'FY2001' }))).rows, 'FY2001'), 1_255_920);
  });

  test('a combination OHSS does not publish is a ParamError naming those that exist', async (t) => {
    if (!requireSharedData(t)) return;
    await assert.rejects(runMetric(db!, def, q({ by: ['citizenship', 'sector'] })), (err: unknown) => {
      assert.ok(err instanceof ParamError);
      assert.equal(err.param, 'by');
      assert.match(err.message, /no breakdown of USBP encounters by citizenship and sector/);
      assert.match(err.message, /none, citizenship, region, family_status, sector, region\+citizenship, region\+family_status, region\+sector/);
      return true;
    });
    await assert.rejects(runMetric(db!, def, q({ grain: 'month', by: ['citizenship'], filter: { family_status: 'Single Adults' } })), (err: unknown) => {
      assert.ok(err instanceof ParamError);
      assert.equal(err.param, 'filter');
      return true;
    });
  });

  test('filter values are bound, never pasted into the SQL', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await runMetric(db!, def, q({ filter: { region: "x' OR 1=1 --" } }));
    assert.deepEqual(res.rows, []);
  });
});

// ---- synthetic workbooks -------------------------------------------------------------

const HEADER_TEXT: Record<Column, string> = {
  fiscal_year: 'Fiscal\r\nYear', month: 'Month', region: 'Region', citizenship: 'Citizenship',
  family_status: 'Family Status', sector: 'Sector', quantity: 'Quantity',
};
const LABEL: Record<string, string> = { region: 'Southwest Land Border', citizenship: 'Mexico', family_status: 'Single Adults', sector: 'Tucson, AZ' };
type Cells = Array<Array<string | number>>;

/** The 16 sheets with data for FY2024–FY2025 (Annual) or Sep, Oct, Nov 2024 (Monthly); `edit` may change a sheet's cells, `omit` drop one. */
function workbook(o: { edit?: (sheet: string, cells: Cells) => unknown; extra?: XlsxSheet[]; omit?: string } = {}): Uint8Array {
  const sheets: XlsxSheet[] = SHEETS.filter((spec) => spec.name !== o.omit).map((spec) => {
    const cells: Cells = [spec.columns.map((c) => HEADER_TEXT[c])];
    const periods = spec.grain === 'fy' ? [[2024, null, 1000], [2025, null, 150]] as const : [[2024, '12 September', 1000], [2025, '01 October', 100], [2025, '02 November', 50]] as const;
    for (const [fy, month, n] of periods) {
      cells.push(spec.columns.map((c) => (c === 'fiscal_year' ? fy : c === 'month' ? month! : c === 'quantity' ? n : LABEL[c]!)));
    }
    o.edit?.(spec.name, cells);
    const rows = cells.map((values, i) =>
      row(i + 1, ...values.map((v, j) => {
        const ref = String.fromCharCode(65 + j) + (i + 1);
        return typeof v === 'number' ? cell.num(ref, v) : cell.inline(ref, v);
      })),
    );
    return { name: spec.name, rows };
  });
  return buildXlsx({ sheets: [...sheets, ...(o.extra ?? [])] });
}

const parseBytes = (bytes: Uint8Array, fileName = 'KHSM Encounters (USBP) fy25m11.xlsx') =>
  parseOhssEncounters({ path: `/in/${fileName}`, fileName, bytes, releaseId: 'synthetic' });

function rejectsAt(sheet: string, cellRef: string | undefined, reason: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof SourceFormatError, String(err));
    assert.equal(err.location.file, `/in/${FILE_NAME}`);
    assert.equal(err.location.sheet, sheet);
    assert.equal(err.location.cell, cellRef);
    assert.match(err.message, reason);
    return true;
  };
}

describe('synthetic workbooks', () => {
  it('a well-formed workbook parses, without anomalies', async () => {
    const p = await parseBytes(workbook());
    assert.equal(encounters(p).length, 8 * 2 + 8 * 3);
    assert.equal(p.snapshotDate, '2024-11-30');
    assert.deepEqual(p.anomalies, []);
    assert.deepEqual(one(p, { sheet: 'Monthly Rgn and Sector', month_start: '2024-11-01' }).sector, 'Tucson, AZ');
  });

  it('a renamed header is an error naming the sheet and the cell', async () => {
    const bytes = workbook({ edit: (sheet, cells) => sheet === 'Monthly Region' && (cells[0]![2] = 'Border Region') });
    await assert.rejects(parseBytes(bytes), rejectsAt('Monthly Region', 'C1', /unknown header "Border Region".*columns\.ts/));
  });

  it('a header of another sheet (Sector on a Region sheet) is an error too', async () => {
    const bytes = workbook({ edit: (sheet, cells) => sheet === 'Annual Region' && (cells[0]![1] = 'Sector') });
    await assert.rejects(parseBytes(bytes), rejectsAt('Annual Region', 'B1', /unknown header "Sector"/));
  });

  it('a text quantity is an error naming the cell', async () => {
    const bytes = workbook({ edit: (sheet, cells) => sheet === 'Monthly Rgn and Citp' && (cells[2]![4] = 'n/a') });
    await assert.rejects(parseBytes(bytes), rejectsAt('Monthly Rgn and Citp', 'E3', /quantity is "n\/a"/));
  });

  it('a month whose number disagrees with its name is an error naming the cell', async () => {
    const bytes = workbook({ edit: (sheet, cells) => sheet === 'Monthly Count' && (cells[1]![1] = '02 October') });
    await assert.rejects(parseBytes(bytes), rejectsAt('Monthly Count', 'B2', /month is "02 October"/));
  });

  it('a missing sheet is an error naming it', async () => {
    const bytes = workbook({ omit: 'Annual Sector' });
    await assert.rejects(parseBytes(bytes), rejectsAt('Annual Sector', undefined, /sheet not found .*'Annual Count'/));
  });

  it('an empty sheet is an error naming the missing column', async () => {
    const bytes = workbook({ edit: (sheet, cells) => sheet === 'Annual Sector' && cells.splice(0) });
    await assert.rejects(parseBytes(bytes), rejectsAt('Annual Sector', undefined, /no fiscal_year column \(headers: none\)/));
  });

  it('an extra sheet is an anomaly, not silently ignored; a note row too', async () => {
    const notes = { name: 'Notes', rows: [row(1, cell.inline('A1', 'Rounded to the nearest 10.'))] };
    const p = await parseBytes(workbook({ edit: (sheet, cells) => sheet === 'Annual Count' && cells.push([], ['Source: OHSS']), extra: [notes] }));
    assert.deepEqual(p.anomalies.map((a) => [a.code, a.subject]), [['unrecognised-sheet', 'Notes'], ['note-row', 'Annual Count!A5']]);
    const sheets = p.tables.release_sheets!;
    assert.deepEqual(sheets.find((s) => s.sheet === 'Notes'), { release_id: 'synthetic', sheet: 'Notes', position: 16, hidden: false, status: 'not-parsed' });
  });

  it('checks the content against itself and against the file name', async () => {
    const bytes = workbook({
      edit: (sheet, cells) => {
        if (sheet === 'Annual Count') cells[2]![1] = 990; // its months add up to 150
        if (sheet === 'Monthly Sector') cells.pop(); // ends in October
        if (sheet === 'Annual Region') cells[1]![2] = 1001;
        if (sheet === 'Monthly Citizenship') cells.push([...cells[1]!]);
      },
    });
    const p = await parseBytes(bytes, 'KHSM Encounters (USBP) fy25m12.xlsx');
    assert.deepEqual(p.anomalies.map((a) => `${a.code} ${a.subject}`).sort(), [
      'annual-monthly-mismatch FY2025',
      'duplicate-row Monthly Citizenship!row 5',
      'filename-period-mismatch KHSM Encounters (USBP) fy25m12.xlsx',
      'sheet-period-mismatch Monthly Sector',
      'unrounded-quantity Annual Region!row 2',
    ]);
  });

  it('an HTML page saved under the name is claimed, then an error', async () => {
    const html = new TextEncoder().encode('<!DOCTYPE html><html><body>Access denied</body></html>');
    assert.equal(dhsOhssEncounters.claims(FILE_NAME, html.subarray(0, 8)), true);
    await assert.rejects(parseBytes(html), (err: unknown) => err instanceof SourceFormatError && /HTML page/.test(err.message));
  });
});

describe('file names and discovery', () => {
  for (const name of [FILE_NAME, 'KHSM Encounters (USBP) fy24m09.xlsx', 'KHSM_Encounters_USBP_fy25m11.xlsx', 'khsm encounters (usbp).XLSX']) {
    it(`claims ${name}`, () => assert.equal(isOhssEncountersFileName(name), true));
  }
  for (const name of ['KHSM Encounters (OFO) fy25m11.xlsx', 'KHSM Encounters (USBP) fy25m11.csv', 'FY25_detentionStats.xlsx', 'nationwide-encounters-fy22-fy25-state.csv', 'KHSM Encounters (USBPX).xlsx']) {
    it(`does not claim ${name}`, () => assert.equal(isOhssEncountersFileName(name), false));
  }

  it('describes a mirror file by its own name, with no URL or date to claim', () => {
    assert.deepEqual(dhsOhssEncounters.describeFile(FILE_NAME), { fileName: FILE_NAME, url: null, retrievedAt: null });
  });

  const fx = (html: string): Effects => ({
    http: { get: async (url) => ({ url, status: 200, headers: {}, body: new TextEncoder().encode(html), notModified: false }) },
    logger: { info: () => undefined, warn: () => undefined },
    now: () => new Date('2024-12-15T00:00:00Z'),
  });

  it('finds the USBP workbook links on the OHSS page, URL-encoded or not', async () => {
    const page = `<html><body>
      <a href="/sites/default/files/2024-12/KHSM%20Encounters%20%28USBP%29%20fy25m11.xlsx">USBP encounters</a>
      <a href="/sites/default/files/2024-12/KHSM%20Encounters%20%28OFO%29%20fy25m11.xlsx">OFO encounters</a>
      <a href="https://ohss.dhs.gov/sites/default/files/2024-11/KHSM Encounters (USBP) fy25m10.xlsx">previous</a>
      <a href="/khsm/cbp-encounters#table">anchor</a></body></html>`;
    const files = await discoverOhssEncounters(fx(page));
    assert.deepEqual(files, [
      { url: 'https://ohss.dhs.gov/sites/default/files/2024-12/KHSM%20Encounters%20%28USBP%29%20fy25m11.xlsx', fileName: 'KHSM Encounters (USBP) fy25m11.xlsx' },
      { url: 'https://ohss.dhs.gov/sites/default/files/2024-11/KHSM%20Encounters%20(USBP)%20fy25m10.xlsx', fileName: 'KHSM Encounters (USBP) fy25m10.xlsx' },
    ]);
  });

  it('a page without a USBP workbook link is an error naming the page', async () => {
    await assert.rejects(discoverOhssEncounters(fx('<html><a href="/x.pdf">x</a></html>')), (err: unknown) => {
      assert.ok(err instanceof SourceFormatError);
      assert.equal(err.location.file, OHSS_ENCOUNTERS_PAGE);
      return true;
    });
  });
});
