/**
 * ICE's ERO-LESA FOIA records: the Seattle removals CSVs (banner rows, header on line 7,
 * redaction codes on every row) through the CLI and the API, with counts per fiscal year
 * and country computed here from the files' own lines; ERO-LESA workbooks (split sheets,
 * redactions, datetimes) built in the test; bad input.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { buildApp } from '../../src/server/app.js';
import { DATASETS } from '../../src/sources/registry.js';
import { tracker } from '../helpers/cli.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';
import { buildXlsx, cell, row } from '../helpers/xlsx-builder.js';
import { REDACTED, writeLesaXlsx } from '../../bench/generate/lesa-xlsx.js';
import { STREAM_THRESHOLD } from '../../src/sources/ice/foia/xlsx-load.js';
import { streamSheetRows } from '../../src/xlsx/stream-rows.js';
import { Workbook } from '../../src/xlsx/workbook.js';

const dir = mkdtempSync(join(tmpdir(), 'tracker-foia-'));
const dbPath = join(dir, 'tracker.duckdb');
const seattle = () => join(sharedDataDir()!, 'foia-ice-seattle-removals');
const EXPEDITED = 'SeattleAORExpeditedRemovals.csv';
const OTHER = 'SeattleAOROtherRemovals.csv';

before(() => {
  if (!sharedDataDir()) return;
  const r = tracker('ingest', seattle(), '--db', dbPath, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The data lines of a Seattle file as [departed M/D/YYYY, citizenship], split here on the test's own terms. */
function records(file: string): Array<{ fy: number; country: string; line: number; date: string }> {
  const lines = readFileSync(join(seattle(), file), 'utf8').split(/\r?\n/);
  assert.equal(lines[6], 'Departed Date,Date of Birth,Gender,Country of Citizenship,Event Number,Most Serious Conviction,Case Category');
  const out = [];
  for (let i = 7; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === '') continue;
    // quoted fields hold commas: the redacted date of birth "(b)(6),(b)(7)(c )", "CHINA, PEOPLES REPUBLIC OF"
    const fields = (l.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? []).map((f) => f.replace(/,$/, '').replace(/^"|"$/g, ''));
    const [m, d, y] = fields[0]!.split('/').map(Number) as [number, number, number];
    out.push({ fy: m >= 10 ? y + 1 : y, country: fields[3]!, line: i + 1, date: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` });
  }
  return out;
}

async function api(t: TestContext, url: string): Promise<Array<Record<string, string | number>> | undefined> {
  if (!requireSharedData(t)) return undefined;
  const db = await Database.open(dbPath, { readOnly: true });
  const app = await buildApp(db);
  try {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { rows: Array<Record<string, string | number>> }).rows;
  } finally {
    await app.close();
    db.close();
  }
}

test('F1: the Seattle removals files hold 20,384 and 6,529 records, each stored with its file line', (t) => {
  if (!requireSharedData(t)) return;
  const r = tracker('sql', '--db', dbPath, '--format', 'json',
    `SELECT f.file_name, count(*)::INT AS n, min(row)::INT AS first_line, max(row)::INT AS last_line FROM foia_removals JOIN release_files f USING (release_id) GROUP BY 1 ORDER BY 1`);
  assert.deepEqual(JSON.parse(r.stdout), [
    { file_name: EXPEDITED, n: 6529, first_line: 8, last_line: 8 + 6528 },
    { file_name: OTHER, n: 20384, first_line: 8, last_line: 8 + 20383 },
  ]);
  assert.equal(records(EXPEDITED).length, 6529);
  assert.equal(records(OTHER).length, 20384);
  // one row, traced to its line: line 8 of the expedited file is the first removal, to France, on 3 January 2012
  const first = tracker('sql', '--db', dbPath, '--format', 'json',
    `SELECT strftime(departed_date, '%Y-%m-%d') AS d, citizenship_country AS c, gender AS g, case_category AS k FROM foia_removals JOIN release_files f USING (release_id) WHERE f.file_name = '${EXPEDITED}' AND row = 8`);
  assert.deepEqual(JSON.parse(first.stdout), [{ d: '2012-01-03', c: 'FRANCE', g: 'Male', k: '[8F] Expedited Removal' }]);
});

test('removals per fiscal year and per country match sums computed from the files (both series added)', async (t) => {
  const rows = await api(t, '/api/v1/metrics/foia.removals?grain=fy&by=citizenship');
  if (!rows) return;
  const expected = new Map<string, number>();
  for (const r of [...records(EXPEDITED), ...records(OTHER)]) {
    const k = `FY${r.fy}|${r.country}`;
    expected.set(k, (expected.get(k) ?? 0) + 1);
  }
  const got = new Map(rows.map((r) => [`${r.period}|${r.citizenship}`, Number(r.value)]));
  assert.deepEqual(got, expected);
  assert.equal(got.get('FY2018|MEXICO'), expected.get('FY2018|MEXICO'));
  assert.ok(got.get('FY2018|MEXICO')! > 1000);
  const totals = await api(t, '/api/v1/metrics/foia.removals?grain=fy');
  const all = [...records(EXPEDITED), ...records(OTHER)];
  assert.equal(totals!.find((r) => r.period === 'FY2012')!.value, all.filter((r) => r.fy === 2012).length);
});

test('third-country removals are unknown where the production has no departure country, never guessed', async (t) => {
  const rows = await api(t, '/api/v1/metrics/foia.removals?grain=fy&by=third_country');
  if (!rows) return;
  assert.deepEqual([...new Set(rows.map((r) => r.third_country))], ['unknown']);
});

test('redaction codes are stored as missing values with the redacted column named, on every Seattle row', (t) => {
  if (!requireSharedData(t)) return;
  const r = tracker('sql', '--db', dbPath, '--format', 'json',
    `SELECT redacted::VARCHAR AS redacted, count(*)::INT AS n FROM foia_removals GROUP BY 1`);
  assert.deepEqual(JSON.parse(r.stdout), [{ redacted: '[Date of Birth, Event Number]', n: 26913 }]);
  const anomalies = tracker('sql', '--db', dbPath, '--format', 'json', `SELECT count(*)::INT AS n FROM release_anomalies WHERE code = 'redacted-values'`);
  assert.deepEqual(JSON.parse(anomalies.stdout), [{ n: 4 }]);
});

/* ------------------------------------------------------------ workbooks */

const BANNER = ['ERO-LESA Statistical Tracking Unit', 'For Official Use Only (FOUO)/Pre-decisional', '2025-ICLI-00019 2024-ICFO-39357', 'Please review the last tab for footnotes.', '', 'FY2024 - FY2025 ICE Administrative Arrests'];
const ARREST_HEADER = ['Apprehension Date', 'Apprehension State', 'Apprehension County', 'Apprehension AOR', 'Final Program', 'Final Program Group', 'Apprehension Method', 'Apprehension Criminality', 'Case Status', 'Case Category', 'Departed Date', 'Departure Country', 'Final Order Yes No', 'Final Order Date', 'Birth Date', 'Birth Year', 'Citizenship Country', 'Gender', 'Apprehension Site Landmark', 'Alien File Number', 'EID Case ID', 'EID Subject ID', 'Unique Identifier'];

function col(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

function sheetRows(header: string[], data: Array<Record<string, string | number>>): string[] {
  const out = BANNER.map((b, i) => row(i + 1, ...(b ? [cell.inline(`A${i + 1}`, b)] : [])));
  out.push(row(7, ...header.map((h, i) => cell.inline(`${col(i + 1)}7`, h))));
  data.forEach((d, k) => {
    const r = 8 + k;
    out.push(row(r, ...header.flatMap((h, i) => (d[h] === undefined ? [] : [typeof d[h] === 'number' ? cell.num(`${col(i + 1)}${r}`, d[h] as number) : cell.inline(`${col(i + 1)}${r}`, d[h] as string)]))));
  });
  return out;
}

const ARRESTS_A: Array<Record<string, string | number>> = [
  { 'Apprehension Date': '10/01/2024 08:15:00', 'Apprehension AOR': 'Seattle Area of Responsibility', 'Apprehension Method': 'CAP Local Incarceration', 'Citizenship Country': 'IRAN', 'Birth Year': 1990, 'Birth Date': '(b)(6), (b)(7)(c)', 'Unique Identifier': 'p1' },
  { 'Apprehension Date': '10/01/2024 09:00:00', 'Apprehension AOR': 'Seattle Area of Responsibility', 'Apprehension Method': 'ERO Reprocessed Arrest', 'Citizenship Country': 'IRAN', 'Birth Year': 1990, 'Unique Identifier': 'p1' },
];
const ARRESTS_B: Array<Record<string, string | number>> = [{ 'Apprehension Date': '(b)(7)(E)', 'Apprehension AOR': 'Miami Area of Responsibility', 'Citizenship Country': 'CUBA', 'Birth Year': '(b)(6)', 'Unique Identifier': 'p2' }];

async function ingestWorkbook(name: string, bytes: Uint8Array) {
  const work = mkdtempSync(join(tmpdir(), 'tracker-foia-x-'));
  const path = join(work, name);
  writeFileSync(path, bytes);
  const db = await Database.open(join(work, 'db.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  const report = await ingestPaths([path], { db, archive: new Archive(join(work, 'archive')), origin: 'file' });
  return { work, path, db, report, close: () => (db.close(), rmSync(work, { recursive: true, force: true })) };
}

const WB = '2025-ICLI-00019_2024-ICFO-39357_Admin Arrests_LESA-STU_FINAL Redacted.xlsx';

test('a workbook split over two sheets is stacked, keeping sheet and row; redactions become flagged missing values', async () => {
  const bytes = buildXlsx({
    sheets: [
      { name: 'Arrests FY25 part 1', rows: sheetRows(ARREST_HEADER, ARRESTS_A) },
      { name: 'Arrests FY25 part 2', rows: sheetRows(ARREST_HEADER, ARRESTS_B) },
      { name: 'Footnotes', rows: [row(1, cell.inline('A1', 'Footnotes')), row(2, cell.inline('A2', 'Data are as of 07/28/2025.'))] },
    ],
  });
  const x = await ingestWorkbook(WB, bytes);
  try {
    assert.equal(x.report.errors, 0, JSON.stringify(x.report.outcomes));
    assert.equal(x.report.outcomes[0]!.status === 'ingested' && x.report.outcomes[0]!.source, 'ice.foia-arrests');
    const rows = await x.db.all(
      `SELECT sheet, row, strftime(apprehension_at, '%Y-%m-%d %H:%M') AS at, apprehension_method AS m, citizenship_country AS c, birth_year AS y, person_id AS p, redacted::VARCHAR AS r FROM foia_arrests ORDER BY sheet, row`,
    );
    assert.deepEqual(rows, [
      { sheet: 'Arrests FY25 part 1', row: 8, at: '2024-10-01 08:15', m: 'CAP Local Incarceration', c: 'IRAN', y: 1990, p: 'p1', r: '[Birth Date]' },
      { sheet: 'Arrests FY25 part 1', row: 9, at: '2024-10-01 09:00', m: 'ERO Reprocessed Arrest', c: 'IRAN', y: 1990, p: 'p1', r: '[]' },
      // a redaction code in a date column: the row is kept, the date is missing and flagged
      { sheet: 'Arrests FY25 part 2', row: 8, at: null, m: null, c: 'CUBA', y: null, p: 'p2', r: '[apprehension_at, birth_year]' },
    ]);
    const notes = await x.db.all(`SELECT code, subject FROM release_anomalies WHERE code = 'footnotes-sheet'`);
    assert.deepEqual(notes, [{ code: 'footnotes-sheet', subject: 'Footnotes' }]);
    const files = await x.db.one(`SELECT kind, layout, title, series, rows FROM foia_files`);
    assert.deepEqual(files, { kind: 'arrests', layout: 'arrests-2025-07', title: 'FY2024 - FY2025 ICE Administrative Arrests', series: 'ICE Administrative Arrests', rows: 3 });
  } finally {
    x.close();
  }
});

test('a generated ERO-LESA workbook of 40,000 arrests on three sheets, loaded through a pipe by a worker thread: every record, its sheet, row and values', async () => {
  const work = mkdtempSync(join(tmpdir(), 'tracker-foia-gen-'));
  try {
    const path = join(work, WB.replace('Admin Arrests', 'Admin Arrests Generated'));
    const g = await writeLesaXlsx(path, 'arrests', 40_000, { rowsPerSheet: 15_000 });
    assert.ok(g.xmlBytes > STREAM_THRESHOLD, 'large enough to be streamed');
    const x = await ingestWorkbook(WB, readFileSync(path));
    try {
      assert.equal(x.report.errors, 0, JSON.stringify(x.report.outcomes));
      const sheets = await x.db.all(`SELECT sheet, count(*)::INT AS n, min(row)::INT AS first, max(row)::INT AS last, count(*) FILTER (WHERE redacted::VARCHAR = '[Birth Date]')::INT AS redacted FROM foia_arrests GROUP BY 1 ORDER BY 1`);
      assert.deepEqual(sheets, [
        { sheet: 'Admin Arrests 1', n: 15_000, first: 8, last: 15_007, redacted: 15_000 },
        { sheet: 'Admin Arrests 2', n: 15_000, first: 8, last: 15_007, redacted: 15_000 },
        { sheet: 'Admin Arrests 3', n: 10_000, first: 8, last: 10_007, redacted: 10_000 },
      ]);
      // rows read here with the streaming reader, against what was stored for them
      const wb = await Workbook.open(readFileSync(path), path);
      for (const info of wb.sheets.slice(0, 3)) {
        const picked = new Map<number, Array<unknown>>();
        for await (const batch of streamSheetRows(wb, info, { batchSize: 5_000 })) {
          for (const r of batch) if (r.row === 8 || r.row % 4_999 === 0 || r.row === 15_007) picked.set(r.row, [1, 3, 5, 14, 15, 25].map((c) => r.cells[c]));
        }
        assert.ok(picked.size >= 3, info.name);
        // columns A, C, E, N, O, Y: Apprehension Date, State, TOA Current Duty AOR, Birth Date, Birth Year, Anonymized Identifier
        for (const [r, [at, state, aor, birth, year, id]] of picked) {
          const stored = await x.db.one(`SELECT strftime(apprehension_at, '%Y-%m-%d %H:%M:%S') AS at, state, aor, birth_year AS y, person_id AS p FROM foia_arrests WHERE sheet = $1 AND row = $2`, [info.name, r]);
          const when = at instanceof Date ? at.toISOString().slice(0, 19).replace('T', ' ') : String(at).replace(/^(\d\d)\/(\d\d)\/(\d{4})/, '$3-$1-$2');
          assert.deepEqual(stored, { at: when, state, aor, y: year, p: id }, `sheet '${info.name}', row ${r}`);
          assert.equal(birth, REDACTED);
        }
      }
    } finally {
      x.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('bad input: a sheet whose header differs from its sibling is an error naming the sheet', async () => {
  const other = ARREST_HEADER.filter((h) => h !== 'Apprehension County');
  const bytes = buildXlsx({ sheets: [{ name: 'Part 1', rows: sheetRows(ARREST_HEADER, ARRESTS_A) }, { name: 'Part 2', rows: sheetRows(other, ARRESTS_B) }] });
  const x = await ingestWorkbook(WB, bytes);
  try {
    const o = x.report.outcomes[0]!;
    assert.equal(o.status, 'error');
    assert.match(o.status === 'error' ? o.error : '', /sheet 'Part 2', cell A7: the header matches no known layout of ICE arrests records; closest is arrests-2025-07 .*column 3 should be 'Apprehension County'/);
    assert.equal(Number((await x.db.one('SELECT count(*) AS n FROM foia_arrests'))!.n), 0);
  } finally {
    x.close();
  }
});

test('bad input: a header that matches no layout, an unreadable date, a workbook cut in the middle', async () => {
  const renamed = ARREST_HEADER.map((h) => (h === 'Apprehension Date' ? 'Arrest Date' : h));
  let x = await ingestWorkbook(WB, buildXlsx({ sheets: [{ name: 'Arrests', rows: sheetRows(renamed, ARRESTS_A) }] }));
  try {
    const o = x.report.outcomes[0]!;
    assert.match(o.status === 'error' ? o.error : '', /sheet 'Arrests', cell A7: the header matches no known layout.*column 1 should be 'Apprehension Date' but is 'Arrest Date'/);
  } finally {
    x.close();
  }
  x = await ingestWorkbook(WB, buildXlsx({ sheets: [{ name: 'Arrests', rows: sheetRows(ARREST_HEADER, [{ ...ARRESTS_A[0]!, 'Apprehension Date': '13/45/2024' }]) }] }));
  try {
    const o = x.report.outcomes[0]!;
    assert.match(o.status === 'error' ? o.error : '', /sheet 'Arrests', cell A8, column 'Apprehension Date': '13\/45\/2024' is not a calendar date/);
  } finally {
    x.close();
  }
  const whole = buildXlsx({ sheets: [{ name: 'Arrests', rows: sheetRows(ARREST_HEADER, ARRESTS_A) }] });
  x = await ingestWorkbook(WB, whole.subarray(0, Math.floor(whole.length / 2)));
  try {
    const o = x.report.outcomes[0]!;
    assert.equal(o.status, 'error');
    assert.ok((o.status === 'error' ? o.error : '').includes(WB));
  } finally {
    x.close();
  }
});

test('bad input (CSV): a renamed header names line 7; a value that is neither a date nor a redaction names its line', async (t) => {
  if (!requireSharedData(t)) return;
  const text = readFileSync(join(seattle(), EXPEDITED), 'utf8');
  const cases: Array<[string, string, RegExp]> = [
    ['renamed', text.replace('Country of Citizenship', 'Citizenship'), /, line 7: the header matches no known layout of ICE removals records; closest is removals-uwchr-2019 .*column 4 should be 'Country of Citizenship' but is 'Citizenship'/],
    ['bad date', text.replace('1/5/2012,', '1/5/20x2,'), /, line 9, column 'Departed Date': the value is neither a date nor a FOIA redaction code/],
  ];
  for (const [name, content, expect] of cases) {
    const x = await ingestWorkbook('SeattleAORExpeditedRemovals.csv', new TextEncoder().encode(content));
    try {
      const o = x.report.outcomes[0]!;
      assert.match(o.status === 'error' ? o.error : `not an error: ${JSON.stringify(o)}`, expect, name);
      assert.equal(Number((await x.db.one('SELECT count(*) AS n FROM foia_removals'))!.n), 0, name);
    } finally {
      x.close();
    }
  }
  // a redaction code in the date column keeps the row, flagged
  const redacted = await ingestWorkbook('SeattleAORExpeditedRemovals.csv', new TextEncoder().encode(text.replace('1/5/2012,', '(b)(6),')));
  try {
    assert.equal(redacted.report.errors, 0, JSON.stringify(redacted.report.outcomes));
    const r = await redacted.db.one(`SELECT departed_date, redacted::VARCHAR AS r FROM foia_removals WHERE row = 9`);
    assert.deepEqual(r, { departed_date: null, r: '[departed_date, Date of Birth, Event Number]' });
    assert.equal(Number((await redacted.db.one('SELECT count(*) AS n FROM foia_removals'))!.n), 6529);
  } finally {
    redacted.close();
  }
});
