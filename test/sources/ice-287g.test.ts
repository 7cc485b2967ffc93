/**
 * ice.287g: file names, crosswalks and ICE's own errors on small synthetic workbooks, then
 * the real folder (MANIFEST §11) ingested end to end and checks G1–G8 read through the API.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { SourceFormatError } from '../../src/lib/errors.js';
import { G287_METRICS } from '../../src/metrics/g287.js';
import { METRICS } from '../../src/metrics/registry.js';
import { buildApp } from '../../src/server/app.js';
import { g287Page } from '../../src/server/pages/g287.js';
import { PAGES } from '../../src/server/pages/index.js';
import { agencyKey, modelOf, stateOf } from '../../src/sources/ice/g287/columns.js';
import { discoverG287, g287FileUrl, G287_PAGE, isG287FileName, nameDate, parseListFileName } from '../../src/sources/ice/g287/discover.js';
import { ice287g } from '../../src/sources/ice/g287/index.js';
import { cleanLink, parseG287, type AgreementRow } from '../../src/sources/ice/g287/parse.js';
import { DATASETS } from '../../src/sources/registry.js';
import type { Anomaly, Effects, ParsedRelease } from '../../src/sources/types.js';
import { openDb, tempStore, type TempStore } from '../helpers/ingest-fixtures.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';
import { buildXlsx, cell, row, STYLE } from '../helpers/xlsx-builder.js';

// the registries are edited by their owners: the dataset, metrics and page join them here when absent
if (!DATASETS.some((d) => d.id === ice287g.id)) DATASETS.push(ice287g);
for (const m of G287_METRICS) if (!METRICS.some((x) => x.id === m.id)) METRICS.push(m);
if (!PAGES.some((p) => p.path === g287Page.path)) PAGES.push(g287Page);

/* ------------------------------------------------------------------ synthetic workbooks */

const serial = (iso: string) => (Date.parse(`${iso}T00:00:00Z`) - Date.UTC(1899, 11, 30)) / 86_400_000;
const COLS = 'ABCDEFGHIJ';

type Value = string | { date: string } | { number: number };

function sheetRows(rows: Value[][]): string[] {
  return rows.map((cells, i) =>
    row(
      i + 1,
      ...cells.map((v, c) => {
        const ref = `${COLS[c]}${i + 1}`;
        if (typeof v === 'string') return v === '' ? '' : cell.inline(ref, v);
        if ('date' in v) return cell.num(ref, serial(v.date), STYLE.builtinDate);
        return cell.num(ref, v.number);
      }),
    ),
  );
}

function coreXml(modified: string | null): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    '<dc:creator>Someone At ICE</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2025-02-15T19:41:07Z</dcterms:created>' +
    (modified ? `<dcterms:modified xsi:type="dcterms:W3CDTF">${modified}</dcterms:modified>` : '') +
    '</cp:coreProperties>'
  );
}

const PARTICIPATING_HEADER = ['STATE', 'LAW ENFORCEMENT AGENCY', 'TYPE', 'COUNTY', 'SUPPORT TYPE', 'SIGNED', 'MOA', 'ADDENDUM'];
const PENDING_HEADER = ['STATE', 'LAW ENFORCEMENT AGENCY', 'TYPE', 'COUNTY', 'SUPPORT TYPE'];

function workbook(rows: Value[][], o: { modified?: string | null; sheetXml?: string; files?: Record<string, string> } = {}): Uint8Array {
  return buildXlsx({
    sheets: [o.sheetXml ? { name: 'Sheet1', xml: o.sheetXml } : { name: 'Sheet1', rows: sheetRows(rows) }],
    files: { 'docProps/core.xml': coreXml(o.modified === undefined ? '2026-01-08T20:13:31Z' : o.modified), ...(o.files ?? {}) },
  });
}

const parse = (fileName: string, bytes: Uint8Array) => parseG287({ path: `/in/${fileName}`, fileName, bytes, releaseId: 'g287test0001' });
const agreements = (p: ParsedRelease) => p.tables.ice_287g_agreements as AgreementRow[];
const anomaly = (p: ParsedRelease, code: string): Anomaly => {
  const found = p.anomalies.filter((a) => a.code === code);
  assert.equal(found.length, 1, `one ${code} anomaly, found ${JSON.stringify(p.anomalies.map((a) => a.code))}`);
  return found[0]!;
};

const TX: Value[] = ['TEXAS ', "Galveston County Sheriff's Office", 'County', 'Galveston', 'Jail Enforcement Model ', { date: '2025-02-26' }, 'link', ''];

describe('file names', () => {
  it("reads ICE's names, the archive's names and the later forms", () => {
    assert.deepEqual(parseListFileName('participatingAgencies05182026am.xlsx'), {
      kind: 'participating', origin: 'ice', date: '2026-05-18', dateText: '05182026', dateNote: null, time: 'am', capturedAt: null,
    });
    assert.equal(parseListFileName('pendingAgencies11062025pm.xlsx')?.kind, 'pending');
    assert.equal(parseListFileName('287gParticipatingAgencies091526pm.xlsx')?.date, '2026-09-15');
    assert.equal(parseListFileName('ParticipatingAgency091826am.xlsx')?.date, '2026-09-18');
    assert.deepEqual([parseListFileName('participatingAgencies09082026.xlsx')?.date, parseListFileName('participatingAgencies09082026.xlsx')?.time], ['2026-09-08', null]);
    const wayback = parseListFileName('pendingAgencies-20250221214937.xlsx')!;
    assert.deepEqual([wayback.kind, wayback.origin, wayback.date, wayback.capturedAt], ['pending', 'wayback', null, '2025-02-21T21:49:37Z']);
    const html = parseListFileName('ParticipatingEntities-20210113002027.xlsx')!;
    assert.deepEqual([html.kind, html.origin, html.capturedAt], ['participating', 'html-derived', '2021-01-13T00:20:27Z']);
    for (const other of ['FY26_detentionStats_04092026.xlsx', 'combined_result.xlsx', 'final_combined_result.xlsx', 'participatingAgencies.pdf']) {
      assert.equal(isG287FileName(other), false, other);
    }
  });

  it('reads the nine-digit date 090022025 only because one reading fits', () => {
    const d = nameDate('090022025');
    assert.equal(d.date, '2025-09-02');
    assert.match(d.note!, /nine digits/);
    // a year 3025 is a real day: the parser, not the name reader, refuses it
    assert.equal(nameDate('03113025').date, '3025-03-11');
    assert.equal(nameDate('13452025').date, null);
  });

  it('gives the URL on ice.gov for ICE names only, and the capture time as retrieval time', () => {
    assert.equal(g287FileUrl('participatingAgencies05182026am.xlsx'), 'https://www.ice.gov/doclib/about/offices/ero/287g/participatingAgencies05182026am.xlsx');
    assert.equal(g287FileUrl('participatingAgencies-20250221214937.xlsx'), null);
    assert.equal(ice287g.describeFile('participatingAgencies-20250221214937.xlsx').retrievedAt, '2025-02-21T21:49:37Z');
    assert.equal(ice287g.claims('pendingAgencies02272026am.xlsx', new Uint8Array()), true);
  });
});

describe('crosswalks', () => {
  it("reads ICE's spellings of states, models and agencies", () => {
    assert.deepEqual([stateOf('UTAh')?.state.code, stateOf('UTAh')?.variant], ['UT', false]);
    assert.deepEqual([stateOf('PENNSLYVANIA')?.value, stateOf('PENNSLYVANIA')?.variant], ['PENNSYLVANIA', true]);
    assert.equal(stateOf('WEST VIRIGINIA')?.state.fips, '54');
    assert.equal(stateOf('NORTHERN MARIANA ISLANDS')?.state.code, 'MP');
    assert.equal(stateOf('ATLANTIS'), undefined);
    assert.deepEqual(modelOf('Warrant Service Office '), { value: 'Warrant Service Officer', variant: true });
    assert.deepEqual(modelOf('Jail Enforcement Model '), { value: 'Jail Enforcement Model', variant: false });
    assert.equal(agencyKey("Calhoun County Sheriff's Office"), agencyKey('Calhoun County Sheriff’s Office '));
    assert.equal(agencyKey('St. Johns  County Sheriff’s Office'), 'ST JOHNS COUNTY SHERIFFS OFFICE');
  });

  it('unwraps MOA links from Outlook Safe Links and browser prefixes', () => {
    const safe =
      'https://gcc02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.ice.gov%2Fdoclib%2F287gMOA%2FYumaCoSheriffsOfficeAZ_WSO_MOA_06.03.25.pdf&data=05%7C02%7Csomeone%40ice.dhs.gov&sdata=x&reserved=0';
    assert.deepEqual(cleanLink(safe), { url: 'https://www.ice.gov/doclib/287gMOA/YumaCoSheriffsOfficeAZ_WSO_MOA_06.03.25.pdf', cleaned: true });
    assert.equal(cleanLink('chrome-extension://efaidnbmnnnibpcajpcglclefindmkaj/https:/www.ice.gov/doclib/287gMOA/a.pdf').url, 'https://www.ice.gov/doclib/287gMOA/a.pdf');
    assert.equal(cleanLink('https:/www.ice.gov/doclib/287gMOA/b.pdf').url, 'https://www.ice.gov/doclib/287gMOA/b.pdf');
    assert.deepEqual(cleanLink('https://www.ice.gov/doclib/287gMOA/c.pdf'), { url: 'https://www.ice.gov/doclib/287gMOA/c.pdf', cleaned: false });
  });
});

describe('discovery', () => {
  const fx = (html: string): Effects => ({
    http: { get: async (url) => ({ url, status: 200, headers: {}, body: new TextEncoder().encode(html), notModified: false }) },
    logger: { info: () => undefined, warn: () => undefined },
    now: () => new Date('2026-05-19T00:00:00Z'),
  });

  it('finds the participating and pending list links on the 287(g) page', async () => {
    const html = `<p><a href="/doclib/about/offices/ero/287g/participatingAgencies05182026am.xlsx">Participating agencies</a>
      <a href="https://www.ice.gov/doclib/about/offices/ero/287g/pendingAgencies02272026am.xlsx">Pending</a>
      <a href="/doclib/287gMOA/TyePoliceDeptTX_TFM_MOA_02172026.pdf">MOA</a></p>`;
    const files = await discoverG287(fx(html));
    assert.deepEqual(files, [
      { url: 'https://www.ice.gov/doclib/about/offices/ero/287g/participatingAgencies05182026am.xlsx', fileName: 'participatingAgencies05182026am.xlsx' },
      { url: 'https://www.ice.gov/doclib/about/offices/ero/287g/pendingAgencies02272026am.xlsx', fileName: 'pendingAgencies02272026am.xlsx' },
    ]);
  });

  it('is an error when the page links no list', async () => {
    await assert.rejects(discoverG287(fx('<p>redesigned</p>')), (e: unknown) => e instanceof SourceFormatError && e.message.includes(G287_PAGE));
  });
});

describe("ICE's errors, on synthetic lists", () => {
  it('a name whose year is wrong (G7): dated from the content, anomaly filename-date-mismatch', async () => {
    const bytes = workbook([PARTICIPATING_HEADER, TX, ['FLORIDA', 'Bay County Sheriff’s Office', 'County', 'Bay', 'Task Force Model', { date: '2026-01-08' }, 'link pending', '']]);
    const p = await parse('participatingAgencies01092025pm.xlsx', bytes);
    assert.equal(p.snapshotDate, '2026-01-09');
    assert.equal(p.fiscalYear, 2026);
    assert.equal(p.summary.date_basis, 'file-name-corrected');
    const a = anomaly(p, 'filename-date-mismatch');
    assert.equal(a.severity, 'warning');
    assert.match(a.detail, /2025-01-09.*latest signing is 2026-01-08/);
    // without a save date, the latest signing dates it
    const bare = await parse('participatingAgencies01092025pm.xlsx', workbook([PARTICIPATING_HEADER, TX, ['FLORIDA', 'Bay County', 'County', 'Bay', 'Task Force Model', { date: '2026-01-08' }, 'link', '']], { modified: null }));
    assert.deepEqual([bare.snapshotDate, bare.summary.date_basis], ['2026-01-08', 'latest-signed']);
  });

  it('a name whose month is wrong (08022025pm = 2025-09-02): the month comes from the save date', async () => {
    const p = await parse('participatingAgencies08022025pm.xlsx', workbook([PARTICIPATING_HEADER, ['TEXAS', 'A', 'County', 'A', 'Task Force Model', { date: '2025-08-28' }, 'link', '']], { modified: '2025-09-02T20:05:26Z' }));
    assert.equal(p.snapshotDate, '2025-09-02');
    assert.match(anomaly(p, 'filename-date-mismatch').detail, /month taken from the save date/);
  });

  it('a list posted again under a later name is dated by its content (stale-list)', async () => {
    const p = await parse('participatingAgencies04212025am.xlsx', workbook([PARTICIPATING_HEADER, ['TEXAS', 'A', 'County', 'A', 'Task Force Model', { date: '2025-03-05' }, 'link', '']], { modified: '2025-03-06T13:08:53Z' }));
    assert.equal(p.snapshotDate, '2025-03-06');
    assert.match(anomaly(p, 'stale-list').detail, /46 days earlier/);
  });

  it('the pending list under the participating name (G8) is stored as the pending list, and the reverse', async () => {
    const pending = await parse('participatingAgencies09222025pm.xlsx', workbook([PENDING_HEADER, ['TEXAS', 'Tye Police Department', 'Municipality', 'Taylor', 'Task Force Model']], { modified: '2025-09-22T16:17:25Z' }));
    assert.equal(pending.summary.list_kind, 'pending');
    assert.equal(pending.summary.named_kind, 'participating');
    assert.equal((pending.tables.ice_287g_lists![0] as Record<string, unknown>).list_kind, 'pending');
    assert.equal(agreements(pending)[0]!.list_kind, 'pending');
    const a = anomaly(pending, 'lists-swapped');
    assert.equal(a.subject, 'Sheet1!A1:E1');
    assert.match(a.detail, /no SIGNED column/);
    const participating = await parse('pendingAgencies09222025pm.xlsx', workbook([PARTICIPATING_HEADER, TX], { modified: '2025-09-18T15:42:42Z' }));
    assert.equal(participating.summary.list_kind, 'participating');
    assert.equal(participating.snapshotDate, '2025-09-22');
    assert.equal(anomaly(participating, 'lists-swapped').subject, 'Sheet1!A1:H1');
  });

  it('a signing in the year 5025: NULL, the published value kept, anomaly impossible-date naming the cell', async () => {
    const p = await parse(
      'participatingAgencies07182025pm.xlsx',
      workbook([PARTICIPATING_HEADER, TX, ['TENNESSEE', "Grundy County Sheriff's Office", 'County', 'Grundy', 'Warrant Service Officer', { date: '5025-07-07' }, 'link', '']], { modified: '2025-07-18T17:43:02Z' }),
    );
    const r = agreements(p)[1]!;
    assert.deepEqual([r.signed, r.signed_text, r.row], [null, '5025-07-07', 3]);
    const a = anomaly(p, 'impossible-date');
    assert.equal(a.subject, 'Sheet1!F3');
    assert.match(a.detail, /TENNESSEE, Grundy County Sheriff's Office/);
    // the impossible date does not date the list
    assert.equal(p.snapshotDate, '2025-07-18');
    assert.equal(p.summary.latest_signed, '2025-02-26');
  });

  it("text dates with a missing slash ('7/72025', '05/082025') are read, with an anomaly", async () => {
    const p = await parse(
      'participatingAgencies07182025pm.xlsx',
      workbook([PARTICIPATING_HEADER, ['UTAH', 'Tooele County Sheriff’s Office', 'County', 'Tooele', 'Task Force Model', '7/72025', 'link', ''], ['VIRGINIA', 'Campbell County', 'County', 'Campbell', 'Task Force Model', '05/082025', 'link', '']], { modified: '2025-07-18T17:43:02Z' }),
    );
    assert.deepEqual(agreements(p).map((r) => [r.signed, r.signed_text]), [['2025-07-07', '7/72025'], ['2025-05-08', '05/082025']]);
    assert.deepEqual(p.anomalies.filter((a) => a.code === 'invalid-date').map((a) => a.subject), ['Sheet1!F2', 'Sheet1!F3']);
  });

  it('misspellings are read as meant and reported; trailing spaces are trimmed and counted', async () => {
    const p = await parse(
      'participatingAgencies12312025am.xlsx',
      workbook([PARTICIPATING_HEADER, ['PENNSLYVANIA', 'Adams County', 'County', 'Adams', 'Warrant Service Office', { date: '2025-12-01' }, 'link ', ''], TX], { modified: '2025-12-30T12:04:30Z' }),
    );
    const [pa, tx] = agreements(p);
    assert.deepEqual([pa!.state, pa!.state_code, pa!.model, pa!.moa_text, pa!.moa_status], ['PENNSYLVANIA', 'PA', 'Warrant Service Officer', 'link ', 'link']);
    assert.deepEqual([tx!.state, tx!.model, tx!.agency_type], ['TEXAS', 'Jail Enforcement Model', 'County']);
    assert.deepEqual(p.anomalies.filter((a) => a.code === 'value-typo').map((a) => a.subject).sort(), ['Sheet1!A2', 'Sheet1!E2']);
    assert.match(anomaly(p, 'untrimmed-values').detail, /^3 cells/);
  });

  it('keeps the MOA hyperlink without its Outlook Safe Links wrapper', async () => {
    const rows = sheetRows([PARTICIPATING_HEADER, TX]);
    const sheetXml =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
      `<sheetData>${rows.join('')}</sheetData><hyperlinks><hyperlink ref="G2" r:id="rId1"/></hyperlinks></worksheet>`;
    const rels =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://gcc02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.ice.gov%2Fdoclib%2F287gMOA%2FGalvestonCoTX_JEM.pdf&amp;data=05%7C02%7Csomeone%40ice.dhs.gov&amp;reserved=0" TargetMode="External"/></Relationships>';
    const p = await parse('participatingAgencies05182026am.xlsx', workbook([], { sheetXml, modified: '2026-05-18T11:29:17Z', files: { 'xl/worksheets/_rels/sheet1.xml.rels': rels } }));
    assert.equal(agreements(p)[0]!.moa_url, 'https://www.ice.gov/doclib/287gMOA/GalvestonCoTX_JEM.pdf');
    assert.ok(!JSON.stringify(p).includes('someone'), 'the wrapper, which names a mail recipient, is not kept');
    assert.equal(anomaly(p, 'wrapped-link').subject, 'Sheet1!G2');
  });

  it('an unknown header is an error naming its cell; an HTML page saved as .xlsx is an error naming the file', async () => {
    const bytes = workbook([['STATE', 'LAW ENFORCEMENT AGENCY', 'SUPPORT TYPE', 'NOTES'], ['TEXAS', 'A', 'Task Force Model', 'x']]);
    await assert.rejects(parse('participatingAgencies05182026am.xlsx', bytes), (e: unknown) => e instanceof SourceFormatError && /cell D1/.test(e.message) && /NOTES/.test(e.message) && /columns\.ts/.test(e.message));
    const html = new TextEncoder().encode('<!doctype html><html><body>Access denied</body></html>');
    await assert.rejects(parse('participatingAgencies05182026am.xlsx', html), (e: unknown) => e instanceof SourceFormatError && /participatingAgencies05182026am\.xlsx/.test(e.message) && /HTML page/.test(e.message));
    const noList = workbook([['Total', '', 'JEM'], ['TEXAS', '', '3']]);
    await assert.rejects(parse('participatingAgencies05182026am.xlsx', noList), (e: unknown) => e instanceof SourceFormatError && /no sheet has a header row with STATE/.test(e.message));
  });

  it('a header-only pending list is an empty list, not an error', async () => {
    const p = await parse('pendingAgencies11062025pm.xlsx', workbook([PENDING_HEADER], { modified: '2025-11-06T18:51:51Z' }));
    assert.deepEqual([p.summary.list_kind, p.summary.agreements, p.snapshotDate], ['pending', 0, '2025-11-06']);
    assert.equal(anomaly(p, 'empty-list').severity, 'info');
  });
});

/* ------------------------------------------------------------------ the real folder */

const FOLDER = () => join(sharedDataDir()!, 'ice-287g');

describe('the real 287(g) folder, ingested and read through the API', () => {
  let store: TempStore | undefined;
  let db: Database | undefined;
  let app: FastifyInstance | undefined;
  let ready: Promise<boolean> | undefined;

  const setUp = async (t: TestContext): Promise<FastifyInstance | undefined> => {
    if (!requireSharedData(t)) return undefined;
    ready ??= (async () => {
      store = tempStore();
      const opened = await openDb(store);
      db = opened.db;
      const report = await ingestPaths([FOLDER()], { db, archive: opened.archive, origin: 'mirror' });
      assert.deepEqual(report.outcomes.filter((o) => o.status === 'error' || o.status === 'skipped'), []);
      // 39 files, 38 releases: participatingAgencies04212025am.xlsx has the bytes of …03062025am.xlsx
      assert.deepEqual([report.ingested, report.duplicates], [38, 1]);
      app = await buildApp(db);
      return true;
    })();
    await ready;
    return app;
  };

  after(async () => {
    await app?.close();
    db?.close();
    store?.remove();
  });

  const get = async (a: FastifyInstance, url: string) => {
    const res = await a.inject(url);
    assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body) as Record<string, unknown> & { rows: Array<Record<string, string | number>> };
  };
  const metric = async (a: FastifyInstance, id: string, query: string) => (await get(a, `/api/v1/metrics/${id}?${query}`)).rows;
  const releaseOf = async (a: FastifyInstance, fileName: string) => {
    const { releases } = (await get(a, '/api/v1/releases')) as unknown as { releases: Array<{ release_id: string; file_names: string[]; snapshot_date: string; anomalies: string[] }> };
    const r = releases.find((x) => x.file_names.includes(fileName));
    assert.ok(r, `a release named ${fileName}`);
    return r;
  };
  const releasePage = async (a: FastifyInstance, id: string) =>
    (await get(a, `/-/releases/${id}.json`)) as unknown as { release: { snapshot_date: string }; anomalies: Array<{ code: string; severity: string; subject: string; detail: string }> };

  it('G1: the list of 2026-05-18 has 1,843 agreements; 1,557 STATE+agency as written, 1,551 agencies once spellings are merged', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    assert.deepEqual(await metric(a, 'ice.287g_agreements', 'from=2026-05-18&to=2026-05-18'), [{ period: '2026-05-18', value: 1843 }]);
    assert.deepEqual(await metric(a, 'ice.287g_agencies', 'from=2026-05-18&to=2026-05-18'), [{ period: '2026-05-18', value: 1551 }]);
    const page = (await get(a, '/287g.json')) as unknown as { latest: { agreements: number; agencies: number; agency_spellings: number; release_id: string; file_names: string[] } };
    assert.deepEqual([page.latest.agreements, page.latest.agencies, page.latest.agency_spellings], [1843, 1551, 1557]);
    assert.deepEqual(page.latest.file_names, ['participatingAgencies05182026am.xlsx']);
    // the six agencies written two ways (curly and straight apostrophes) are reported
    const variants = (await releasePage(a, page.latest.release_id)).anomalies.find((x) => x.code === 'agency-spelling-variants');
    assert.match(variants!.detail, /6 agencies are written in more than one way.*1,551 agencies, 1,557 spellings/);
  });

  it('G2: by support type, Task Force Model 1,162 · Warrant Service Officer 499 · Jail Enforcement Model 182', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    const rows = await metric(a, 'ice.287g_agreements', 'by=model&from=2026-05-18&to=2026-05-18');
    assert.deepEqual(Object.fromEntries(rows.map((r) => [r.model, r.value])), { 'Jail Enforcement Model': 182, 'Task Force Model': 1162, 'Warrant Service Officer': 499 });
  });

  it('G3: Texas 387, Florida 348; 1,712 agreements signed on or after 2025-01-20', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    const rows = await metric(a, 'ice.287g_agreements', 'by=state&from=2026-05-18&to=2026-05-18');
    const byState = Object.fromEntries(rows.map((r) => [r.state, r.value]));
    assert.deepEqual([byState.TX, byState.FL], [387, 348]);
    assert.equal(rows.reduce((n, r) => n + Number(r.value), 0), 1843, 'every row has a state');
    assert.deepEqual(await metric(a, 'ice.287g_agreements', 'filter=state=TX&from=2026-05-18&to=2026-05-18'), [{ period: '2026-05-18', value: 387 }]);
    const page = (await get(a, '/287g.json')) as unknown as { latest: { signed_since_2025_01_20: number; signed_unknown: number } };
    assert.deepEqual([page.latest.signed_since_2025_01_20, page.latest.signed_unknown], [1712, 0]);
  });

  it("G4: MOA as published, link 1,679 · link pending 163 · 'link ' 1", async (t) => {
    const a = await setUp(t);
    if (!a) return;
    const page = (await get(a, '/287g.json')) as unknown as { latest: { moa: Record<string, number>; moa_as_published: Record<string, number> } };
    assert.deepEqual(page.latest.moa_as_published, { link: 1679, 'link pending': 163, 'link ': 1 });
    assert.deepEqual(page.latest.moa, { link: 1680, 'link pending': 163 });
  });

  it('G5: the first ICE xlsx list (Wayback copy of 2025-02-21) has 151 rows, JEM 60, TFM 11, WSO 80', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    const r = await releaseOf(a, 'participatingAgencies-20250221214937.xlsx');
    // dated by ICE's save (docProps modified 2025-02-21), not by the capture time in the archive's name
    assert.equal(r.snapshot_date, '2025-02-21');
    const rows = await metric(a, 'ice.287g_agreements', 'by=model&from=2025-02-21&to=2025-02-21');
    assert.deepEqual(Object.fromEntries(rows.map((x) => [x.model, x.value])), { 'Jail Enforcement Model': 60, 'Task Force Model': 11, 'Warrant Service Officer': 80 });
  });

  it('G6: the pre-2025 programme (HTML list of January 2021) has 150 agreements, JEM 74 and WSO 76', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    const rows = await metric(a, 'ice.287g_agreements', 'by=model&from=2021-01-13&to=2021-01-13');
    assert.deepEqual(Object.fromEntries(rows.map((x) => [x.model, x.value])), { 'Jail Enforcement Model': 74, 'Warrant Service Officer': 76 });
    const r = await releaseOf(a, 'ParticipatingEntities-20210113002027.xlsx');
    assert.ok(r.anomalies.includes('not-an-agency-file'), 'flagged as not an ICE file');
  });

  it('G7: participatingAgencies01092025pm.xlsx is read as the January 2026 list (1,317 rows, latest signing 2026-01-08)', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    const r = await releaseOf(a, 'participatingAgencies01092025pm.xlsx');
    assert.equal(r.snapshot_date, '2026-01-09');
    const detail = await releasePage(a, r.release_id);
    const mismatch = detail.anomalies.find((x) => x.code === 'filename-date-mismatch');
    assert.ok(mismatch, 'anomaly filename-date-mismatch');
    assert.equal(mismatch.subject, 'participatingAgencies01092025pm.xlsx');
    assert.match(mismatch.detail, /latest signing is 2026-01-08/);
    assert.deepEqual(await metric(a, 'ice.287g_agreements', 'from=2026-01-09&to=2026-01-09'), [{ period: '2026-01-09', value: 1317 }]);
    assert.deepEqual(await metric(a, 'ice.287g_agreements', 'from=2025-01-05&to=2025-01-31'), [], 'nothing is placed in January 2025');
    const page = (await get(a, '/287g.json')) as unknown as { lists: Array<{ release_id: string; latest_signed: string; date_basis: string }> };
    const list = page.lists.find((l) => l.release_id === r.release_id)!;
    assert.deepEqual([list.latest_signed, list.date_basis], ['2026-01-08', 'file-name-corrected']);
  });

  it('G8: the pair swapped on 2025-09-22 is stored as what each file holds, with the anomaly and the cells', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    const page = (await get(a, '/287g.json')) as unknown as { lists: Array<{ release_id: string; file_names: string[]; list_kind: string; named_kind: string; agreements: number }> };
    const named = (f: string) => page.lists.find((l) => l.file_names.includes(f))!;
    const p = named('participatingAgencies09222025pm.xlsx');
    const q = named('pendingAgencies09222025pm.xlsx');
    assert.deepEqual([p.named_kind, p.list_kind, p.agreements], ['participating', 'pending', 42]);
    assert.deepEqual([q.named_kind, q.list_kind, q.agreements], ['pending', 'participating', 1000]);
    const pa = (await releasePage(a, p.release_id)).anomalies.find((x) => x.code === 'lists-swapped')!;
    const qa = (await releasePage(a, q.release_id)).anomalies.find((x) => x.code === 'lists-swapped')!;
    // the header row's cells: 5 columns (A:E) in the pending list, 8 (A:H) in the participating one
    assert.equal(pa.subject, 'Sheet 1!A1:E1');
    assert.equal(qa.subject, 'Sheet1!A1:H1');
    assert.deepEqual(await metric(a, 'ice.287g_pending', 'from=2025-09-22&to=2025-09-22'), [{ period: '2025-09-22', value: 42 }]);
    assert.deepEqual(await metric(a, 'ice.287g_agreements', 'from=2025-09-22&to=2025-09-22'), [{ period: '2025-09-22', value: 1000 }]);
  });

  it('the year 5025 (07/18/2025 list, TENNESSEE, Grundy County, row 639) is NULL with the anomaly naming the cell; the row still counts', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    const r = await releaseOf(a, 'participatingAgencies07182025pm.xlsx');
    const found = (await releasePage(a, r.release_id)).anomalies.filter((x) => x.code === 'impossible-date');
    assert.deepEqual(found.map((x) => x.subject), ['Sheet1!F639']);
    assert.match(found[0]!.detail, /5025-07-07 \(TENNESSEE, Grundy County Sheriff's Office/);
    const texts = (await releasePage(a, r.release_id)).anomalies.filter((x) => x.code === 'invalid-date').map((x) => x.subject);
    assert.deepEqual(texts.sort(), ['Sheet1!F775', 'Sheet1!F785']);
    assert.deepEqual(await metric(a, 'ice.287g_agreements', 'from=2025-07-18&to=2025-07-18'), [{ period: '2025-07-18', value: 832 }]);
  });

  it('the stale re-post (04212025am = 03062025am) is one release with both names, dated 2025-03-06', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    const r = await releaseOf(a, 'participatingAgencies04212025am.xlsx');
    assert.deepEqual(r.file_names, ['participatingAgencies03062025am.xlsx', 'participatingAgencies04212025am.xlsx']);
    assert.equal(r.snapshot_date, '2025-03-06');
    assert.ok(r.anomalies.includes('duplicate-content'));
    // read under the later name alone, the list is dated by its content and flagged
    const file = join(FOLDER(), 'participating', 'participatingAgencies04212025am.xlsx');
    const p = await parse('participatingAgencies04212025am.xlsx', readFileSync(file));
    assert.equal(p.snapshotDate, '2025-03-06');
    assert.equal(anomaly(p, 'stale-list').severity, 'warning');
  });

  it('two lists of 2025-09-02 (am and a misnamed pm): the later stands for the date', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    assert.equal((await releaseOf(a, 'participatingAgencies08022025pm.xlsx')).snapshot_date, '2025-09-02');
    assert.equal((await releaseOf(a, 'participatingAgencies090022025am.xlsx')).snapshot_date, '2025-09-02');
    assert.deepEqual(await metric(a, 'ice.287g_agreements', 'from=2025-09-02&to=2025-09-02'), [{ period: '2025-09-02', value: 957 }]);
  });

  it('joined and left between consecutive lists add up to the change in the count', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    const page = (await get(a, '/287g.json')) as unknown as {
      change_counts: Array<{ from_agreements: number; to_agreements: number; joined: number; left: number; to_date: string }>;
      changes: { joined: Array<{ state: string; agency: string; model: string }>; left: unknown[] };
    };
    assert.ok(page.change_counts.length >= 25);
    for (const p of page.change_counts) assert.equal(p.joined - p.left, p.to_agreements - p.from_agreements, `${p.to_date}`);
    const last = page.change_counts.at(-1)!;
    assert.deepEqual([last.to_date, last.joined, last.left], ['2026-05-18', 85, 12]);
    assert.deepEqual([page.changes.joined.length, page.changes.left.length], [85, 12]);
  });

  it('every list is dated, every agreement has a state code and a model, and nothing is parsed twice on a second ingest', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    const loose = await db!.all(`SELECT count(*) FILTER (WHERE state_code IS NULL) AS no_state, count(*) FILTER (WHERE model NOT IN ('Task Force Model', 'Warrant Service Officer', 'Jail Enforcement Model')) AS odd_model FROM ice_287g_agreements`);
    assert.deepEqual(loose, [{ no_state: 0, odd_model: 0 }]);
    assert.deepEqual(await db!.all(`SELECT count(*) AS n FROM ice_287g_lists WHERE list_date IS NULL`), [{ n: 0 }]);
    const again = await ingestPaths([FOLDER()], { db: db!, archive: new Archive(store!.archiveDir), origin: 'mirror' });
    assert.deepEqual([again.ingested, again.errors], [0, 0]);
  });
});
