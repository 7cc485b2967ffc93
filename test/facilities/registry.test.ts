/**
 * The facility registry on the real files: ICE's facility lists, UWCHR's facility list and
 * crosswalks, and every ICE detention-statistics workbook. Each figure asserted is read here
 * from the file itself (exceljs for the workbooks, gunzip for UWCHR's list), not from the
 * parsers under test. Then the matching rules on small made-up names, and bad input.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { Database } from '../../src/db/connection.js';
import { matchNames, type CodedName } from '../../src/facilities/match.js';
import { normaliseName } from '../../src/facilities/normalise.js';
import { readCrosswalk, refreshFacilityRegistry } from '../../src/facilities/registry.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { buildApp } from '../../src/server/app.js';
import { iceFacilityLists } from '../../src/sources/ice/facility-lists/index.js';
import { parseFacilityList } from '../../src/sources/ice/facility-lists/parse.js';
import { DATASETS } from '../../src/sources/registry.js';
import { tracker } from '../helpers/cli.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

const LISTS = 'ice-facility-lists';
const LIST_2017 = join(LISTS, 'ICE_Facility_List_11-06-2017-web.xlsx');
const LIST_2015 = join(LISTS, '2015IceDetentionFacilityListing.xlsx');
const OVER72 = join(LISTS, 'Over72HourFacilities.xlsx');
const XLS = join(LISTS, '09foia5638detentionfacilitylist.xls');
const NEWEST = join('ice-detention-stats', 'carwilb', 'FY26_detentionStats_04092026.xlsx');
const UWCHR = ['facilities.csv.gz', 'county_aor.csv', 'aor_ero_field_office.csv'].map((f) => join('uwchr', f));
/** Measured: 181 of the 203 facility names of the 04/09/2026 release (89.2%) without DDP's records loaded. */
const NEWEST_MATCH_FLOOR = 0.88;

const dir = mkdtempSync(join(tmpdir(), 'tracker-facilities-'));
const dbPath = join(dir, 'tracker.duckdb');
const shared = (p: string) => join(sharedDataDir()!, p);
const releaseOf = (p: string) => createHash('sha256').update(readFileSync(shared(p))).digest('hex').slice(0, 12);

let db: Database | undefined;
let app: FastifyInstance | undefined;

before(async () => {
  if (!sharedDataDir()) return;
  const w = await Database.open(dbPath, { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    const paths = [shared('ice-detention-stats'), shared(LISTS), ...UWCHR.map(shared)];
    const report = await ingestPaths(paths, { db: w, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
    assert.equal(report.errors, 0, JSON.stringify(report.outcomes.filter((o) => o.status === 'error')));
  } finally {
    w.close();
  }
  db = await Database.open(dbPath, { readOnly: true });
  app = await buildApp(db);
});

after(async () => {
  await app?.close();
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/* ------------------------------------------------------------ independent reading */

const text = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((r) => r.text).join('').trim();
  if (typeof v === 'object' && 'result' in v) return String(v.result ?? '').trim();
  return String(v).trim();
};

/** A sheet's rows as arrays of trimmed text (1-based columns, as exceljs gives them). */
async function sheetRows(file: string, sheet: string): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(shared(file)) as unknown as ArrayBuffer);
  const ws = wb.getWorksheet(sheet);
  assert.ok(ws, `${file} has a sheet ${sheet}`);
  const rows: string[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, n) => (rows[n - 1] = Array.from(row.values as ExcelJS.CellValue[], (v) => text(v))));
  return Array.from(rows, (r) => r ?? []);
}

/** The rows under the header row that `isHeader` finds, as objects keyed by header. */
function table(rows: string[][], isHeader: (r: string[]) => boolean): Array<Record<string, string>> {
  const at = rows.findIndex(isHeader);
  assert.ok(at >= 0, 'header row found');
  const header = rows[at]!;
  return rows.slice(at + 1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

async function json(url: string): Promise<Record<string, unknown> & { rows: Array<Record<string, unknown>> }> {
  const res = await app!.inject({ url });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/* ------------------------------------------------------------ the real files */

describe('official lists and UWCHR', () => {
  test('the 2017 list: 1,685 facilities as its title says, 207 of them redacted, read into the database', async (t) => {
    if (!requireSharedData(t)) return;
    const rows = await sheetRows(LIST_2017, 'Facility List - Main');
    assert.match(rows.flat().find((c) => /Facilities, Source:/.test(c)) ?? '', /^1685 Facilities, Source: ICE Integrated Decision Support \(IIDS\), 11\/06\/2017$/);
    const facilities = table(rows, (r) => r[1] === 'DETLOC').filter((r) => r.DETLOC !== '');
    assert.equal(facilities.length, 1685);
    const redacted = facilities.filter((r) => r.DETLOC === 'Redacted').length;
    const id = releaseOf(LIST_2017);
    const stored = (await db!.one(`SELECT count(*) AS n, count(*) FILTER (WHERE redacted) AS redacted, count(DISTINCT detloc) AS codes FROM ice_facility_list_rows WHERE release_id = $1`, [id]))!;
    assert.deepEqual(stored, { n: 1685, redacted, codes: 1685 - redacted });
    const list = (await db!.one(`SELECT strftime(as_of, '%Y-%m-%d') AS as_of, declared_facilities, status FROM ice_facility_lists WHERE release_id = $1`, [id]))!;
    assert.deepEqual(list, { as_of: '2017-11-06', declared_facilities: 1685, status: 'read' });
    const stewart = facilities.find((r) => r.DETLOC === 'STWRTGA')!;
    assert.deepEqual([stewart.Name, stewart.City, stewart.State, stewart.AOR], ['STEWART DETENTION CENTER', 'LUMPKIN', 'GA', 'ATL']);
  });

  test('the 2015 DMCP list and the over-72-hour list: every facility row, AOR blocks with their AOR', async (t) => {
    if (!requireSharedData(t)) return;
    const dmcp = table(await sheetRows(LIST_2015, 'Facility List - Main'), (r) => r[1] === 'DETLOC').filter((r) => r.DETLOC !== '');
    const over72Rows = await sheetRows(OVER72, 'By AOR');
    let aor = '';
    const over72: Array<{ name: string; aor: string }> = [];
    for (const r of over72Rows) {
      if (/ AOR$/.test(r[1] ?? '') && !r[2]) aor = r[1]!;
      else if (r[1] && r[1] !== 'Facility Name' && r[2] && r[3] && aor && /^[A-Z]{2}$/.test(r[3])) over72.push({ name: r[1], aor });
    }
    const counts = await db!.all(`SELECT release_id, count(*) AS n FROM ice_facility_list_rows GROUP BY 1`);
    const n = (p: string) => counts.find((c) => c.release_id === releaseOf(p))?.n;
    assert.equal(n(LIST_2015), dmcp.length);
    assert.equal(n(OVER72), over72.length);
    const stewart = await db!.one(`SELECT aor, aor_title FROM ice_facility_list_rows WHERE release_id = $1 AND name = 'STEWART DETENTION CENTER'`, [releaseOf(OVER72)]);
    assert.deepEqual(stewart, { aor: 'ATL', aor_title: over72.find((f) => f.name === 'STEWART DETENTION CENTER')!.aor });
  });

  test('UWCHR: every line of facilities.csv.gz, NA as NULL, and the two crosswalks', async (t) => {
    if (!requireSharedData(t)) return;
    const lines = gunzipSync(readFileSync(shared(UWCHR[0]!))).toString('utf8').trim().split('\n');
    const header = lines[0]!.split('|');
    const stewart = Object.fromEntries(lines.find((l) => l.startsWith('STWRTGA|'))!.split('|').map((v, i) => [header[i]!, v]));
    assert.equal(lines.length - 1, 1532);
    const row = (await db!.one(`SELECT count(*) OVER () AS n, name, city, capacity, guaranteed_minimum, strftime(date_of_first_use, '%-m/%-d/%Y') AS first FROM uwchr_facilities WHERE detloc = 'STWRTGA'`))!;
    assert.deepEqual(row, { n: 1, name: stewart.name, city: stewart.city, capacity: Number(stewart.capacity), guaranteed_minimum: Number(stewart.guaranteed_minimum), first: stewart.date_of_first_use });
    assert.equal(Number((await db!.one(`SELECT count(*) AS n FROM uwchr_facilities`))!.n), 1532);
    const na = lines.slice(1).filter((l) => l.split('|')[13] === 'NA').length;
    assert.equal(Number((await db!.one(`SELECT count(*) AS n FROM uwchr_facilities WHERE capacity IS NULL`))!.n), na);
    const countyLines = readFileSync(shared(UWCHR[1]!), 'utf8').trim().split('\n').length - 1;
    const aorLines = readFileSync(shared(UWCHR[2]!), 'utf8').trim().split('\n').length - 1;
    assert.equal(Number((await db!.one(`SELECT count(*) AS n FROM uwchr_county_aor`))!.n), countyLines);
    assert.deepEqual(await db!.one(`SELECT count(*) AS n, any_value(field_office_addr) FILTER (WHERE aor = 'ATL') AS atl FROM uwchr_aor_field_offices`), {
      n: aorLines,
      atl: '180 Ted Turner Dr. SW, Suite 522, Atlanta, GA 30303',
    });
  });

  test('the 2009 .xls is claimed and recorded as unsupported, with the reason, never skipped', async (t) => {
    if (!requireSharedData(t)) return;
    const bytes = readFileSync(shared(XLS));
    assert.deepEqual([...bytes.subarray(0, 8)], [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'an OLE2 compound file');
    const id = releaseOf(XLS);
    const anomaly = (await db!.one(`SELECT severity, detail FROM release_anomalies WHERE release_id = $1 AND code = 'unsupported-format'`, [id]))!;
    assert.equal(anomaly.severity, 'error');
    assert.match(String(anomaly.detail), /^legacy \.xls \(BIFF8\) is not supported: no maintained reader without open security advisories/);
    assert.match(String(anomaly.detail), /GHSA-4r6h-8v6p-xvw6/);
    assert.deepEqual(await db!.one(`SELECT status, facilities FROM ice_facility_lists WHERE release_id = $1`, [id]), { status: 'unsupported', facilities: 0 });
    const body = await json('/api/v1/facilities/registry?detloc=STWRTGA');
    assert.deepEqual((body.not_read as Array<Record<string, unknown>>).map((r) => [r.file_names, r.status]), [['09foia5638detentionfacilitylist.xls', 'unsupported']]);
  });
});

describe('the registry', () => {
  test('STWRTGA: Stewart Detention Center, Lumpkin GA, known to the lists, UWCHR and the detention statistics', async (t) => {
    if (!requireSharedData(t)) return;
    const newest = table(await sheetRows(NEWEST, 'Facilities FY26'), (r) => r.includes('Name') && r.includes('AOR'));
    const inNewest = newest.find((r) => r.Name === 'STEWART DETENTION CENTER')!;
    assert.deepEqual([inNewest.City, inNewest.State, inNewest.AOR], ['LUMPKIN', 'GA', 'ATL']);
    const [row] = (await json('/api/v1/facilities/registry?detloc=stwrtga')).rows;
    assert.equal(row!.name, 'STEWART DETENTION CENTER');
    assert.deepEqual([row!.city, row!.state, row!.aor, row!.type_detailed], ['LUMPKIN', 'GA', 'ATL', 'DIGSA']);
    assert.deepEqual(row!.sources, ['ice.detention-stats', 'ice.facility-lists', 'uwchr.facilities']);
    // first use in UWCHR's list (9/1/2000); last seen in the newest release (data of 04/04/2026)
    assert.deepEqual([row!.first_seen, row!.last_seen], ['2000-09-01', '2026-04-04']);
  });

  test(`the names of the newest release: at least ${NEWEST_MATCH_FLOOR * 100}% matched, every other one listed as unmatched`, async (t) => {
    if (!requireSharedData(t)) return;
    const names = table(await sheetRows(NEWEST, 'Facilities FY26'), (r) => r.includes('Name') && r.includes('AOR')).filter((r) => r.Name && r.City);
    assert.equal(names.length, 203);
    const body = await json('/api/v1/facilities/unmatched?source=ice.detention-stats');
    const coverage = body.newest_detention_stats_release as Record<string, number | string>;
    assert.deepEqual([coverage.snapshot_date, coverage.names], ['2026-04-04', 203]);
    assert.ok(Number(coverage.matched) / 203 >= NEWEST_MATCH_FLOOR, `matched ${coverage.matched} of 203`);
    const unmatched = new Set(body.rows.filter((r) => r.last_release_id === coverage.release_id).map((r) => `${String(r.name)}|${String(r.city)}`));
    const matched = new Set(
      (await db!.all(`SELECT name, city FROM facility_name_matches WHERE source = 'ice.detention-stats' AND detloc IS NOT NULL`)).map((r) => `${String(r.name)}|${String(r.city)}`),
    );
    for (const n of names) {
      const k = `${n.Name}|${n.City}`;
      assert.ok(matched.has(k) !== unmatched.has(k), `${k} is either matched or listed as unmatched`);
    }
    assert.equal(unmatched.size, 203 - Number(coverage.matched));
    assert.ok(body.rows.every((r) => r.method !== 'not-yet-matched'));
  });

  test('reviewed crosswalk entries are used, and ICE\'s cut names matched within their city', async (t) => {
    if (!requireSharedData(t)) return;
    const by = async (name: string) => db!.one(`SELECT detloc, method FROM facility_name_matches WHERE source = 'ice.detention-stats' AND name = $1 LIMIT 1`, [name]);
    assert.deepEqual(await by('MONTGOMERY ICE PROCESSING CENTER'), { detloc: 'MTGPCTX', method: 'crosswalk' });
    assert.deepEqual(await by('ROBERT A DEYTON DETENTION'), { detloc: 'RADDFGA', method: 'prefix' });
    assert.deepEqual(await by('SCOTT COUNTY DET. FACILITY'), { detloc: 'SCOTTIA', method: 'crosswalk' });
    assert.equal(readCrosswalk().length, 14);
  });

  test('the CLI reads the registry view', async (t) => {
    if (!requireSharedData(t)) return;
    const r = tracker('sql', "SELECT detloc, name, city, state FROM facility_registry WHERE detloc='STWRTGA'", '--db', dbPath, '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [{ detloc: 'STWRTGA', name: 'STEWART DETENTION CENTER', city: 'LUMPKIN', state: 'GA' }]);
  });

  test('API: CSV forms, filters, and 400/404 with the one error body', async (t) => {
    if (!requireSharedData(t)) return;
    const csv = await app!.inject({ url: '/api/v1/facilities/registry.csv?state=GA' });
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /^text\/csv/);
    const lines = csv.body.trim().split('\n');
    assert.equal(lines[0], 'detloc,name,city,state,aor,type,type_detailed,first_seen,last_seen,sources,name_source,names');
    assert.ok(lines.some((l) => l.startsWith('STWRTGA,STEWART DETENTION CENTER,LUMPKIN,GA,ATL,')));
    const unmatched = await app!.inject({ url: '/api/v1/facilities/unmatched.csv' });
    assert.match(unmatched.body.split('\n')[0]!, /^source,name,city,state,method,candidates,releases,/);
    for (const [url, status] of [
      ['/api/v1/facilities/registry?colour=red', 400],
      ['/api/v1/facilities/registry?state=Georgia', 400],
      ['/api/v1/facilities/nothing', 404],
    ] as const) {
      const res = await app!.inject({ url });
      assert.equal(res.statusCode, status, url);
      assert.deepEqual(Object.keys(res.json()).sort(), ['error', 'ok', 'status']);
    }
  });
});

/* ------------------------------------------------------------ rules and bad input */

describe('matching rules', () => {
  test('normalisation: case, punctuation, abbreviations, acronyms, state tags, footnote marks', () => {
    const same: Array<[string, string, string]> = [
      ['SCOTT COUNTY DET. FACILITY', 'Scott County Detention Facility', 'IA'],
      ['SOUTH LOUISIANA ICE PROC CTR', 'SOUTH LOUISIANA ICE PROCESSING CENTER', 'LA'],
      ['CORR. CTR OF NORTHWEST OHIO', 'CORRECTIONS CENTER OF NW OHIO', 'OH'],
      ['ORANGE COUNTY JAIL (FL)', 'ORANGE COUNTY JAIL', 'FL'],
      ['CASCADE COUNTY JAIL, MT', 'CASCADE COUNTY JAIL (MONTANA)', 'MT'],
      ['BAKER C. I.', 'BAKER CORRECTIONAL INSTITUTION', 'FL'],
      ['BUFFALO (BATAVIA) SPC', 'BUFFALO (BATAVIA) SERVICE PROCESSING CENTER', 'NY'],
      ['SOUTH TEXAS FAMILY RESIDENTIAL CENTER1', 'SOUTH TEXAS FAMILY RESIDENTIAL CENTER', 'TX'],
      ["BAKER COUNTY SHERIFF'S OFFICE", 'BAKER CO SHERIFFS OFFICE', 'FL'],
      ['ST. CLAIR COUNTY JAIL', 'SAINT CLAIR COUNTY JAIL', 'MI'],
      ['HANCOCK CO PUB SFTY CPLX', 'HANCOCK COUNTY PUBLIC SAFETY COMPLEX', 'MS'],
    ];
    for (const [a, b, st] of same) assert.equal(normaliseName(a, st), normaliseName(b, st), `${a} = ${b}`);
    assert.notEqual(normaliseName('ADAMS COUNTY JAIL', 'MS'), normaliseName('ADAMS COUNTY DETENTION CENTER', 'MS'));
  });

  const coded: CodedName[] = [
    { detloc: 'DEYTNGA', source: 'list', name: 'ROBERT A DEYTON DETENTION FACILITY', city: 'LOVEJOY', state: 'GA' },
    { detloc: 'EDENDTX', source: 'list', name: 'EDEN DETENTION CENTER', city: 'EDEN', state: 'TX', last_seen: '2017-11-06' },
    { detloc: 'EDNDCTX', source: 'list', name: 'EDEN DETENTION CTR', city: 'EDEN', state: 'TX', last_seen: '2026-03-10' },
    { detloc: 'MADCOAL', source: 'list', name: 'MADISON COUNTY JAIL', city: 'HUNTSVILLE', state: 'AL' },
    { detloc: 'GLDSACA', source: 'records', name: 'GOLDEN STATE ANNEX', city: null, state: null },
    { detloc: 'WRONGTX', source: 'records', name: 'SAUK COUNTY SHERIFF', city: null, state: null },
  ];
  const match = (name: string, city: string, state: string) => matchNames([{ source: 's', name, city, state }], coded)[0]!;

  test('exact, cut short at an ICE cut length, newest of two codes, place-less names, and what stays unmatched', () => {
    assert.equal(match('ROBERT A. DEYTON DET. FAC.', 'LOVEJOY', 'GA').method, 'exact');
    assert.deepEqual([match('ROBERT A DEYTON DETENTION', 'LOVEJOY', 'GA').detloc, match('ROBERT A DEYTON DETENTION', 'LOVEJOY', 'GA').method], ['DEYTNGA', 'prefix']);
    // 17 characters is no cut: a shorter name that starts another is not taken for it
    assert.equal(match('ROBERT A DEYTON D', 'LOVEJOY', 'GA').method, 'unmatched');
    const eden = match('EDEN DETENTION CENTER', 'EDEN', 'TX');
    assert.deepEqual([eden.detloc, eden.candidates], ['EDNDCTX', 'also EDENDTX (last seen earlier)']);
    assert.deepEqual([match('GOLDEN STATE ANNEX', 'MCFARLAND', 'CA').detloc, match('GOLDEN STATE ANNEX', 'MCFARLAND', 'CA').method], ['GLDSACA', 'name-only']);
    // the same name in another state is another facility; a code ending in another state is refused
    assert.equal(match('MADISON COUNTY JAIL', 'CANTON', 'MS').method, 'unmatched');
    assert.equal(match('SAUK COUNTY SHERIFF', 'BARABOO', 'WI').method, 'unmatched');
  });

  test('a reviewed crosswalk entry wins, by name, city and state in any case', () => {
    const [m] = matchNames([{ source: 's', name: 'Madison County Jail', city: 'Canton', state: 'MS' }], coded, [
      { name: 'MADISON COUNTY JAIL', city: 'CANTON', state: 'MS', detloc: 'MADISMS', note: 'checked' },
    ]);
    assert.deepEqual([m!.detloc, m!.method, m!.score], ['MADISMS', 'crosswalk', 1]);
  });
});

describe('refresh', () => {
  test('a name published after the last matching is listed as not yet matched, then matched by the next refresh', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Facility List - Main');
    ws.addRow(['Authorized DMCP Facilities']);
    ws.addRow(['FY2016 data: IIDS as of 12/08/2015; EID data through 12/05/2015']);
    ws.addRow(['DETLOC', 'Name', 'Address', 'City', 'County', 'State', 'Zip', 'Type', 'Type Detailed']);
    ws.addRow(['STWRTGA', 'STEWART DETENTION CENTER', '146 CCA ROAD', 'LUMPKIN', 'STEWART', 'GA', '31815', 'IGSA', 'DIGSA']);
    const tmp = mkdtempSync(join(tmpdir(), 'tracker-refresh-'));
    const w = await Database.open(join(tmp, 'db.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    try {
      const list = join(tmp, '2015IceDetentionFacilityListing.xlsx');
      writeFileSync(list, new Uint8Array(await wb.xlsx.writeBuffer()));
      const report = await ingestPaths([list], { db: w, archive: new Archive(join(tmp, 'archive')), origin: 'file' });
      assert.equal(report.ingested, 1, JSON.stringify(report.outcomes));
      await w.exec(`INSERT INTO ice_facilities (release_id, sheet, "row", name, city, state) VALUES ('aaaaaaaaaaaa', 'Facilities FY26', 11, 'Stewart Det. Ctr.', 'Lumpkin', 'GA')`);
      assert.deepEqual(await w.all(`SELECT name, method FROM facility_names_unmatched`), [{ name: 'Stewart Det. Ctr.', method: 'not-yet-matched' }]);
      const r = await refreshFacilityRegistry(w);
      assert.deepEqual([r.names, r.matched], [1, 1]);
      assert.deepEqual(await w.all(`SELECT detloc, method FROM facility_name_matches`), [{ detloc: 'STWRTGA', method: 'exact' }]);
      assert.equal((await w.all(`SELECT * FROM facility_names_unmatched`)).length, 0);
    } finally {
      w.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('bad input', () => {
  const file = (name: string, bytes: Uint8Array) => ({ path: `/in/${name}`, fileName: name, bytes, releaseId: 'x' });

  test('an unknown column header in a facility list names the file, sheet and cell', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Facility List - Main');
    ws.addRow(['ERO Custody Management Division']);
    ws.addRow(['FY2018 data: IIDS as of 11/06/2017']);
    ws.addRow(['DETLOC', 'Name', 'City', 'State', 'Favourite Colour']);
    ws.addRow(['STWRTGA', 'STEWART DETENTION CENTER', 'LUMPKIN', 'GA', 'blue']);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    await assert.rejects(parseFacilityList(file('ICE_Facility_List_11-06-2017-web.xlsx', bytes)), (err: Error) => {
      assert.equal(err.name, 'SourceFormatError');
      assert.match(err.message, /^\/in\/ICE_Facility_List_11-06-2017-web\.xlsx, sheet 'Facility List - Main', cell E3: column header "Favourite Colour"/);
      return true;
    });
  });

  test('an HTML page saved under a list\'s name is an error, not a skip', async () => {
    const bytes = new TextEncoder().encode('<!doctype html><html><body>Not found</body></html>');
    assert.ok(iceFacilityLists.claims('Over72HourFacilities.xlsx', bytes.subarray(0, 8)));
    await assert.rejects(parseFacilityList(file('Over72HourFacilities.xlsx', bytes)), /HTML page/);
  });

  test('UWCHR: a value that is not a date names its line and column; a missing column is named', async () => {
    const head = 'detloc|name|address|city|county|state|zip|circuit|aor|docket|type|type_detailed|authorizing_authority|capacity|guaranteed_minimum|date_of_last_use|date_of_first_use|over_72|dmcp_auth';
    const good = 'STWRTGA|STEWART DETENTION CENTER|146 CCA ROAD|LUMPKIN|STEWART|GA|31815|11|ATL|ATL|IGSA|DIGSA|DMCP|1966|1600|11/4/2017|9/1/2000|TRUE|TRUE';
    const tmp = mkdtempSync(join(tmpdir(), 'tracker-uwchr-'));
    const w = await Database.open(join(tmp, 'db.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    try {
      const put = (sub: string, lines: string[]) => {
        mkdirSync(join(tmp, sub), { recursive: true });
        const p = join(tmp, sub, 'facilities.csv.gz');
        writeFileSync(p, gzipSync(lines.join('\n') + '\n'));
        return p;
      };
      const bad = put('bad-date', [head, good, good.replace('STWRTGA', 'OTHERGA').replace('9/1/2000', '2000-09-01')]);
      const missing = put('missing', [head.replace('|dmcp_auth', ''), good.replace(/\|TRUE$/, '')]);
      const report = await ingestPaths([bad, missing], { db: w, archive: new Archive(join(tmp, 'archive')), origin: 'file' });
      const errors = report.outcomes.map((o) => (o.status === 'error' ? o.error : o.status));
      assert.match(errors[0]!, /facilities\.csv\.gz, line 3, column 'date_of_first_use': "2000-09-01" is not a date \(M\/D\/YYYY\)/);
      assert.match(errors[1]!, /line 1, column 'dmcp_auth': column 'dmcp_auth' missing from the header/);
      assert.equal(Number((await w.one(`SELECT count(*) AS n FROM uwchr_facilities`))!.n), 0);
    } finally {
      w.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
