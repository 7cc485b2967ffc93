/**
 * Deaths in ICE custody (`ice.detainee-deaths`, metric `ice.deaths`): the two CSVs of
 * `ice-detainee-deaths/` (extracted by a research repository from ICE's PDFs) through the
 * ingest and the metrics API, with every count recomputed here from the files' own lines
 * (MANIFEST K1–K2); then bad input, built in the test: renamed columns, bad values, a
 * wrong delimiter, bytes that are not UTF-8, a cut file, an unknown country.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths, type IngestReport } from '../../src/ingest/pipeline.js';
import { SourceFormatError } from '../../src/lib/errors.js';
import { DEATH_METRICS } from '../../src/metrics/deaths.js';
import { METRICS } from '../../src/metrics/registry.js';
import { buildApp } from '../../src/server/app.js';
import { iceDetaineeDeaths } from '../../src/sources/ice/deaths/index.js';
import { parseDeaths } from '../../src/sources/ice/deaths/parse.js';
import { DATASETS } from '../../src/sources/registry.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

// registered here until the registries list them (a no-op once they do)
if (!DATASETS.some((d) => d.id === iceDetaineeDeaths.id)) DATASETS.push(iceDetaineeDeaths);
for (const m of DEATH_METRICS) if (!METRICS.some((x) => x.id === m.id)) METRICS.push(m);

const FOIA = '_extracted_foia_2003_2017.csv';
const INDEX = 'detailed_death_data.csv';
const FOIA_HEADER = 'index,name,sex,dob,country,date_of_death,location_of_death,location_last_detention,ihsc,facility_type,cause,age';
const INDEX_HEADER = 'Subject,Sex,Age,Country of Citizenship,Cause of Death,Facility Name,Facility Location,Facility Type,PDF URL,Error';

type Rows = Array<Record<string, string | number>>;

/* ---------------------------------------------------------------- the files, read here on the test's own terms */

function csvRows(path: string): string[][] {
  const text = readFileSync(path, 'utf8');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const fyOf = (y: number, m: number) => (m >= 10 ? y + 1 : y);

/** The FOIA list's deaths: fiscal year and country (upper case, no-break spaces as spaces). */
function foiaDeaths(data: string) {
  const [head, ...rows] = csvRows(join(data, 'ice-detainee-deaths', FOIA));
  assert.equal(head!.join(','), FOIA_HEADER);
  const at = (c: string) => head!.indexOf(c);
  return rows.map((r) => {
    const [m, , y] = r[at('date_of_death')]!.split('/').map(Number) as [number, number, number];
    return { fy: fyOf(y, m), country: r[at('country')]!.replace(/\s+/g, ' ').trim() };
  });
}

/** The index's deaths: the date and the fiscal year the Subject states. */
function indexDeaths(data: string) {
  const [head, ...rows] = csvRows(join(data, 'ice-detainee-deaths', INDEX));
  assert.equal(head!.join(','), INDEX_HEADER);
  return rows.map((r) => {
    const [, date, stated] = r[0]!.split('|');
    const [y, m] = date!.split('-').map(Number) as [number, number];
    return { date: date!, fy: fyOf(y, m), cy: y, stated: Number(stated), iceReport: r[8]!.startsWith('https://www.ice.gov/') };
  });
}

const countBy = <T,>(xs: T[], key: (x: T) => string | number) => {
  const out: Record<string, number> = {};
  for (const x of xs) out[String(key(x))] = (out[String(key(x))] ?? 0) + 1;
  return out;
};

/* ---------------------------------------------------------------- the real files */

describe('the death lists of ice-detainee-deaths/ through the ingest and the API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-deaths-'));
  let db: Database | undefined;
  let app: FastifyInstance | undefined;
  let report: IngestReport | undefined;

  before(async () => {
    const data = sharedDataDir();
    if (!data) return;
    db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    report = await ingestPaths([join(data, 'ice-detainee-deaths')], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
    app = await buildApp(db);
  });

  after(async () => {
    await app?.close();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function rows(t: TestContext, url: string): Promise<Rows | undefined> {
    if (!requireSharedData(t)) return undefined;
    const res = await app!.inject({ url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return (res.json() as { rows: Rows }).rows;
  }

  const idOf = (file: string) => {
    const o = report!.outcomes.find((x) => x.path.endsWith(file));
    assert.ok(o && o.status === 'ingested', JSON.stringify(o));
    return o.release_id;
  };

  test('both files are claimed by ice.detainee-deaths and ingested, dated by their last death', (t) => {
    if (!requireSharedData(t)) return;
    assert.equal(report!.errors, 0, JSON.stringify(report!.outcomes));
    assert.equal(report!.ingested, 2);
    assert.deepEqual(
      Object.fromEntries(report!.outcomes.map((o) => [o.path.split('/').pop(), o.status === 'ingested' ? [o.source, o.snapshot_date, o.rows] : o.status])),
      { [FOIA]: ['ice.detainee-deaths', '2017-05-31', 171], [INDEX]: ['ice.detainee-deaths', '2026-01-24', 102] },
    );
  });

  test('K1: the FOIA list holds 171 deaths, FY2004–FY2017; Mexico 35, Cuba 32 (API, by country)', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    const file = foiaDeaths(data);
    assert.equal(file.length, 171);
    const years = await rows(t, '/api/v1/metrics/ice.deaths?grain=fy&filter=source=ice-foia-list');
    assert.deepEqual(
      Object.fromEntries(years!.map((r) => [r.period, r.value])),
      Object.fromEntries(Object.entries(countBy(file, (d) => `FY${d.fy}`)).sort()),
    );
    assert.equal(years!.reduce((n, r) => n + Number(r.value), 0), 171);
    assert.equal(years![0]!.period, 'FY2004');
    assert.equal(years!.at(-1)!.period, 'FY2017');
    const byCountry = await rows(t, '/api/v1/metrics/ice.deaths?grain=fy&by=country&filter=source=ice-foia-list');
    const sums = countBy(byCountry!.flatMap((r) => Array<string>(Number(r.value)).fill(String(r.country))), (c) => c);
    assert.equal(sums.Mexico, 35);
    assert.equal(sums.Cuba, 32);
    // every spelling of the list resolved (EL\u00a0SALVADOR, MOZAMBIQU E, AFGHANISTA N, KOREA …)
    const fileCountries = countBy(file, (d) => d.country);
    assert.equal(fileCountries.MEXICO, 35);
    assert.equal(fileCountries.CUBA, 32);
    assert.equal(sums['El Salvador'], fileCountries['EL SALVADOR']);
    assert.equal(Object.keys(sums).length, Object.keys(fileCountries).length, 'one display name per spelling of the list');
  });

  test("K2: the index labels 35 deaths FY2025; by ICE's fiscal year of the date 23 are in FY2025 and 12 in FY2026 (API)", async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    const file = indexDeaths(data);
    assert.equal(file.length, 102);
    assert.equal(file.filter((d) => d.stated === 2025).length, 35, 'MANIFEST K2: third part of Subject = 2025');
    const fy2025 = file.filter((d) => d.fy === 2025).length;
    const relabelled = file.filter((d) => d.stated === 2025 && d.fy === 2026);
    assert.equal(fy2025, 23);
    assert.equal(relabelled.length, 12);
    assert.ok(relabelled.every((d) => d.date >= '2025-10-01' && d.date <= '2025-12-31'), 'the twelve are October–December 2025');
    assert.equal(fy2025 + relabelled.length, 35);
    const api = await rows(t, '/api/v1/metrics/ice.deaths?grain=fy&from=FY2018');
    assert.deepEqual(
      Object.fromEntries(api!.map((r) => [r.period, r.value])),
      Object.fromEntries(Object.entries(countBy(file, (d) => `FY${d.fy}`)).sort()),
    );
    assert.equal(api!.find((r) => r.period === 'FY2025')!.value, 23);
    assert.equal(api!.find((r) => r.period === 'FY2026')!.value, 20);
    // by calendar year the file's own 2025 label and the API's CY2025 differ only by the three deaths of October–December 2024
    const cy = await rows(t, '/api/v1/metrics/ice.deaths?grain=cy&from=2025&to=2025');
    assert.deepEqual(cy, [{ period: 'CY2025', value: file.filter((d) => d.cy === 2025).length }]);
    assert.equal(cy![0]!.value, 32);
    // the twelve are recorded, each with its line
    const mismatch = await db!.all(`SELECT subject FROM release_anomalies WHERE release_id = $1 AND code = 'fiscal-year-mismatch' ORDER BY subject`, [idOf(INDEX)]);
    assert.equal(mismatch.length, 12);
    assert.ok(mismatch.every((m) => /^line \d+, column 'Subject'$/.test(String(m.subject))));
  });

  test('rows citing a source other than an ICE report are kept, counted and marked (77 ICE reports, 25 other)', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    const file = indexDeaths(data);
    const bySource = await rows(t, '/api/v1/metrics/ice.deaths?grain=cy&by=source&from=2018');
    const sums = countBy(bySource!.flatMap((r) => Array<string>(Number(r.value)).fill(String(r.source))), (s) => s);
    assert.deepEqual(sums, { 'ice-death-report': file.filter((d) => d.iceReport).length, 'other-source': file.filter((d) => !d.iceReport).length });
    assert.deepEqual(sums, { 'ice-death-report': 77, 'other-source': 25 });
    const n = await db!.one(`SELECT count(*)::INT AS n FROM release_anomalies WHERE release_id = $1 AND code = 'not-an-ice-report'`, [idOf(INDEX)]);
    assert.equal(n!.n, 25);
  });

  test('each row keeps its file line; names and places as written, without the PDF extraction noise', async (t) => {
    if (!requireSharedData(t)) return;
    const first = await db!.all(
      `SELECT line, series, record_source, record_no, name, sex, age, strftime(date_of_birth, '%Y-%m-%d') AS dob, strftime(date_of_death, '%Y-%m-%d') AS died,
              fiscal_year, country, country_iso3, country_name, facility, facility_reported, city, state, place_of_death, ihsc, url
         FROM ice_deaths WHERE line = 2 ORDER BY series`,
    );
    assert.deepEqual(first, [
      {
        line: 2, series: 'foia-list', record_source: 'ice-foia-list', record_no: 1, name: 'CACERES-Maradiaga, Vicente', sex: 'male', age: 46, dob: '1970-10-27', died: '2017-05-31',
        fiscal_year: 2017, country: 'HONDURAS', country_iso3: 'HND', country_name: 'Honduras', facility: 'Adelanto Correctional Facility',
        facility_reported: 'Adelanto Correctional Facility, CA', city: null, state: 'CA', place_of_death: 'Victor Valley Community Hospital, Victorville, CA', ihsc: false, url: null,
      },
      {
        line: 2, series: 'report-index', record_source: 'ice-death-report', record_no: null, name: 'Mirimanian, Gourgen', sex: 'male', age: 54, dob: null, died: '2018-04-10',
        fiscal_year: 2018, country: 'Armenia', country_iso3: 'ARM', country_name: 'Armenia', facility: 'Prairieland Detention Center',
        facility_reported: 'Prairieland Detention Center', city: 'Alvarado', state: 'TX', place_of_death: null, ihsc: null, url: 'https://www.ice.gov/doclib/foia/reports/ddrMirimanianGourgen.pdf',
      },
    ]);
    const noise = await db!.one(
      `SELECT count(*)::INT AS n FROM ice_deaths WHERE regexp_matches(concat_ws('|', name, country, facility, place_of_death, cause), '[\u00a0\u2010]|  ')`,
    );
    assert.equal(noise!.n, 0, 'no no-break space, U+2010 hyphen or double space left');
    const states = await db!.one(`SELECT count(*)::INT AS n FROM ice_deaths WHERE state IS NULL AND facility IS NOT NULL`);
    assert.equal(states!.n, 0, 'every facility has a state');
  });

  test("anomalies: the FOIA PDF's entry 165 missing from the extraction; every country resolved", async (t) => {
    if (!requireSharedData(t)) return;
    const foia = await db!.all(`SELECT code, detail FROM release_anomalies WHERE release_id = $1 ORDER BY code`, [idOf(FOIA)]);
    assert.deepEqual(foia.map((a) => a.code), ['missing-record']);
    assert.match(String(foia[0]!.detail), /1 to 172 but has no entry 165/);
    const codes = await db!.all(`SELECT DISTINCT code FROM release_anomalies WHERE release_id = $1 ORDER BY code`, [idOf(INDEX)]);
    assert.deepEqual(codes.map((c) => c.code), ['fiscal-year-mismatch', 'not-an-ice-report']);
    const unresolved = await db!.one(`SELECT count(*)::INT AS n FROM ice_deaths WHERE country IS NOT NULL AND country_iso3 IS NULL AND country <> 'Not stated'`);
    assert.equal(unresolved!.n, 0);
  });

  test('the ledger lists both releases; ingesting the folder again adds nothing', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    const res = await app!.inject({ url: '/api/v1/releases' });
    const mine = (res.json() as { releases: Array<Record<string, unknown>> }).releases.filter((r) => r.source_id === 'ice.detainee-deaths');
    assert.deepEqual(mine.map((r) => [r.file_names, r.snapshot_date]), [[[FOIA], '2017-05-31'], [[INDEX], '2026-01-24']]);
    const again = await ingestPaths([join(data, 'ice-detainee-deaths')], { db: db!, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
    assert.equal(again.ingested, 0);
    assert.equal(again.duplicates, 2);
    assert.equal((await db!.one(`SELECT count(*)::INT AS n FROM ice_deaths`))!.n, 273);
  });

  test('the metric refuses what it does not have (400 with the reason)', async (t) => {
    if (!requireSharedData(t)) return;
    for (const [url, re] of [
      ['/api/v1/metrics/ice.deaths?grain=snapshot', /no 'snapshot' grain/],
      ['/api/v1/metrics/ice.deaths?by=detloc', /no dimension 'detloc'/],
    ] as const) {
      const res = await app!.inject({ url });
      assert.equal(res.statusCode, 400, res.body);
      assert.match((res.json() as { error: string }).error, re);
    }
  });
});

/* ---------------------------------------------------------------- bad input, built here */

describe('bad input: an error naming file, line and column; nothing of the file stored', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-deaths-bad-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const FOIA_ROW = '1,"PATEL, Atulkumar  Babubhai",M,12/31/1958,INDIA,5/16/2017,"Grady Memorial  Hospital, Atlanta,  GA","Atlanta City  Detention Center,  GA",No,USMS IGA,Pending,58';
  const INDEX_ROW = '"Tran, Huy Chi|2018-06-12|2018|Trump 1",Male,47.0,Vietnam,Coronary artery disease,Eloy Detention Center (EDC),"Eloy, Arizona",Contract,https://www.ice.gov/doclib/foia/reports/ddrTranHuyChi.pdf,';

  const parse = (fileName: string, content: string | Uint8Array) =>
    parseDeaths({ path: `/data/${fileName}`, fileName, bytes: typeof content === 'string' ? new TextEncoder().encode(content) : content, releaseId: 'abcdef012345' });

  async function rejects(fileName: string, content: string | Uint8Array, where: { line?: number; column?: string }, reason: RegExp) {
    await assert.rejects(parse(fileName, content), (err: unknown) => {
      assert.ok(err instanceof SourceFormatError, String(err));
      assert.equal(err.location.file, `/data/${fileName}`);
      if (where.line !== undefined) assert.equal(err.location.line, where.line, err.message);
      if (where.column !== undefined) assert.equal(err.location.column, where.column, err.message);
      assert.match(err.reason, reason);
      return true;
    });
  }

  test('a good row of each layout parses', async () => {
    const a = await parse(FOIA, `${FOIA_HEADER}\n${FOIA_ROW}\n`);
    assert.equal(a.tables.ice_deaths!.length, 1);
    assert.equal(a.tables.ice_deaths![0]!.facility, 'Atlanta City Detention Center');
    const b = await parse(INDEX, `${INDEX_HEADER}\r\n${INDEX_ROW}\r\n`);
    assert.equal(b.tables.ice_deaths![0]!.age, 47);
    assert.equal(b.tables.ice_deaths![0]!.state, 'AZ');
  });

  test('a renamed column is named, at line 1, in both layouts', async () => {
    await rejects(FOIA, `${FOIA_HEADER.replace('country', 'citizenship')}\n${FOIA_ROW}\n`, { line: 1, column: 'country' }, /'country' missing from the header \(found instead: 'citizenship'; renamed\?\)/);
    await rejects(INDEX, `${INDEX_HEADER.replace('PDF URL', 'Report URL')}\n${INDEX_ROW}\n`, { line: 1, column: 'PDF URL' }, /'PDF URL' missing/);
  });

  test('a renamed column through the ingest: exit-3 error with file, line and column; nothing stored; the other file ingested', async () => {
    const bad = join(dir, FOIA);
    writeFileSync(bad, `${FOIA_HEADER.replace('date_of_death', 'death_date')}\n${FOIA_ROW}\n`);
    const good = join(dir, INDEX);
    writeFileSync(good, `${INDEX_HEADER}\n${INDEX_ROW}\n`);
    const db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    try {
      const report = await ingestPaths([bad, good], { db, archive: new Archive(join(dir, 'archive')), origin: 'file' });
      assert.equal(report.errors, 1);
      assert.equal(report.ingested, 1);
      const err = report.outcomes.find((o) => o.status === 'error');
      assert.ok(err && err.status === 'error');
      assert.equal(err.error, `${bad}, line 1, column 'date_of_death': column 'date_of_death' missing from the header (found instead: 'death_date'; renamed?); the layout of ICE's FOIA list of detainee deaths (PDF), as extracted is ${FOIA_HEADER}`);
      assert.deepEqual(await db.all(`SELECT series, count(*)::INT AS n FROM ice_deaths GROUP BY series`), [{ series: 'report-index', n: 1 }]);
      assert.equal((await db.one(`SELECT count(*)::INT AS n FROM releases`))!.n, 1);
    } finally {
      db.close();
    }
  });

  test('values that are not what the column holds: line and column', async () => {
    await rejects(FOIA, `${FOIA_HEADER}\n${FOIA_ROW}\n${FOIA_ROW.replace('5/16/2017', '5/32/2017')}\n`, { line: 3, column: 'date_of_death' }, /"5\/32\/2017" is not a date/);
    await rejects(FOIA, `${FOIA_HEADER}\n${FOIA_ROW.replace(/,58$/, ',fifty')}\n`, { line: 2, column: 'age' }, /"fifty" is not an age/);
    await rejects(FOIA, `${FOIA_HEADER}\n${FOIA_ROW.replace('5/16/2017', '')}\n`, { line: 2, column: 'date_of_death' }, /the date is empty/);
    await rejects(INDEX, `${INDEX_HEADER}\n${INDEX_ROW.replace('2018-06-12', '12 June 2018')}\n`, { line: 2, column: 'Subject' }, /"12 June 2018" is not a date/);
    await rejects(INDEX, `${INDEX_HEADER}\n${INDEX_ROW.replace('"Tran, Huy Chi|2018-06-12|2018|Trump 1"', '"Tran, Huy Chi"')}\n`, { line: 2, column: 'Subject' }, /not Name\|YYYY-MM-DD/);
    await rejects(INDEX, `${INDEX_HEADER}\n${INDEX_ROW.replace('47.0', '47.5')}\n`, { line: 2, column: 'Age' }, /"47.5" is not an age in whole years/);
  });

  test('a line with too few or too many fields, a quoted field cut at the end of the file', async () => {
    await rejects(FOIA, `${FOIA_HEADER}\n${FOIA_ROW}\n${FOIA_ROW.replace(/,58$/, '')}\n`, { line: 3, column: 'age' }, /11 fields where the header has 12/);
    await rejects(FOIA, `${FOIA_HEADER}\n${FOIA_ROW},extra\n`, { line: 2, column: 'field 13 (no such column)' }, /13 fields/);
    await rejects(INDEX, `${INDEX_HEADER}\n${INDEX_ROW}\n"Ba, Ousmane|2024-02-23|2024|Biden",Male,33.0,Senegal,"Pending`, { line: 3 }, /quoted field is not closed/);
  });

  test('not a CSV of this layout: empty, an HTML page, a semicolon header, bytes that are not UTF-8', async () => {
    await rejects(INDEX, '', {}, /the file is empty/);
    await rejects(INDEX, '<!DOCTYPE html><html><body>Not found</body></html>', { line: 1 }, /starts with "<"/);
    await rejects(INDEX, `${INDEX_HEADER.replace(/,/g, ';')}\n`, { line: 1 }, /separated by ';', not commas/);
    const latin1 = Uint8Array.from([...new TextEncoder().encode(`${FOIA_HEADER}\n${FOIA_ROW}\n`), ...[0x32, 0x2c, 0x22, 0x50, 0xc9, 0x52, 0x45, 0x5a, 0x22, 0x0a]]);
    await rejects(FOIA, latin1, { line: 3 }, /not valid UTF-8/);
    await rejects(FOIA, `${FOIA_HEADER}\n`, { line: 2 }, /no data lines/);
  });

  test('an unknown country is kept as written with an anomaly; an unknown column is an anomaly, not an error', async () => {
    const r = await parse(FOIA, `${FOIA_HEADER},notes\n${FOIA_ROW.replace('INDIA', 'ATLANTIS')},x\n`);
    const row = r.tables.ice_deaths![0]!;
    assert.deepEqual([row.country, row.country_iso3, row.country_name], ['ATLANTIS', null, 'ATLANTIS']);
    assert.deepEqual(r.anomalies.map((a) => [a.code, a.subject]).sort(), [
      ['unrecognised-column', 'notes'],
      ['unrecognised-country', 'line 2'],
    ]);
  });

  test('a stated fiscal year that is not the date\'s, a gap in the FOIA numbering, a repeated death: anomalies, rows kept', async () => {
    const idx = await parse(INDEX, `${INDEX_HEADER}\n${INDEX_ROW.replace('2018-06-12|2018', '2018-10-12|2018')}\n${INDEX_ROW.replace('2018-06-12|2018', '2018-10-12|2018').replace('https://www.ice.gov/doclib/foia/reports/ddrTranHuyChi.pdf', 'https://example.org/news')}\n`);
    assert.equal(idx.tables.ice_deaths!.length, 2);
    assert.deepEqual(idx.tables.ice_deaths!.map((r) => [r.fiscal_year, r.fiscal_year_stated, r.record_source]), [[2019, 2018, 'ice-death-report'], [2019, 2018, 'other-source']]);
    assert.deepEqual(idx.anomalies.map((a) => a.code).sort(), ['duplicate-key', 'fiscal-year-mismatch', 'fiscal-year-mismatch', 'not-an-ice-report']);
    const foia = await parse(FOIA, `${FOIA_HEADER}\n${FOIA_ROW}\n${FOIA_ROW.replace(/^1,/, '3,').replace('PATEL', 'SINGH')}\n`);
    assert.deepEqual(foia.anomalies.map((a) => [a.code, a.detail]), [['missing-record', "the list numbers its entries 1 to 3 but has no entry 2: a death of ICE's PDF is missing from the extraction"]]);
  });
});
