/**
 * CBP encounter CSVs: the headline checks C1–C10 of MANIFEST.md through the CLI, each
 * against a sum computed here from the file's own lines; the revision of January 2025
 * through the API; the quirks of MANIFEST §2; bad input.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const SBO = 'sbo-encounters-fy22-fy25-aug.csv';
const FY21 = 'nationwide-encounters-fy21-fy24-state.csv';
const FY22 = 'nationwide-encounters-fy22-fy25-state.csv';
const FY23 = 'nationwide-encounters-fy23-fy26-nov-state.csv';

const dir = mkdtempSync(join(tmpdir(), 'tracker-cbp-'));
const dbPath = join(dir, 'tracker.duckdb');
const cbpDir = () => join(sharedDataDir()!, 'cbp-encounters');
const releaseOf = (file: string) => createHash('sha256').update(readFileSync(join(cbpDir(), file))).digest('hex').slice(0, 12);

before(async () => {
  if (!sharedDataDir()) return;
  const db = await Database.open(dbPath, { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    const ohss = join(sharedDataDir()!, 'dhs-ohss', 'KHSM Encounters (USBP) fy25m11.xlsx');
    const report = await ingestPaths([cbpDir(), ohss], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
    assert.equal(report.errors, 0, JSON.stringify(report.outcomes));
    assert.equal(report.ingested, 5);
  } finally {
    db.close();
  }
});
after(async () => {
  await app?.close();
  appDb?.close();
  rmSync(dir, { recursive: true, force: true });
});

/* ------------------------------------------------------------ independent reading */

/** The file's lines as objects keyed by header, split here with a quote-aware splitter of the test's own. */
function lines(file: string): Array<Record<string, string>> {
  const text = readFileSync(join(cbpDir(), file), 'utf8');
  const [head, ...rest] = text.split(/\r?\n/).filter((l) => l !== '');
  const split = (l: string) => (l.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? []).slice(0, -1).map((f) => f.replace(/,$/, '').replace(/^"|"$/g, ''));
  const cols = split(head!);
  return rest.map((l) => Object.fromEntries(split(l).map((v, i) => [cols[i]!, v])));
}

function sum(file: string, where: Record<string, string>): number {
  return lines(file)
    .filter((r) => Object.entries(where).every(([k, v]) => r[k] === v))
    .reduce((s, r) => s + Number(r['Encounter Count']), 0);
}

let app: Awaited<ReturnType<typeof buildApp>> | undefined;
let appDb: Database | undefined;

/**
 * The metric's rows keyed "period|dim…", through the API in-process (the CLI is run by
 * the tests marked CLI; both read the same engine). Arguments are the CLI's flags.
 */
async function metric(t: TestContext, ...args: string[]): Promise<Map<string, number> | undefined> {
  if (!requireSharedData(t)) return undefined;
  if (!app) {
    appDb = await Database.open(dbPath, { readOnly: true });
    app = await buildApp(appDb);
  }
  const q = new URLSearchParams();
  for (let i = 0; i < args.length; i += 2) q.append(args[i]!.replace(/^--/, ''), args[i + 1]!);
  const res = await app.inject({ url: `/api/v1/metrics/cbp.encounters?${q.toString()}` });
  assert.equal(res.statusCode, 200, res.body);
  return keyed((res.json() as { rows: Array<Record<string, string | number>> }).rows);
}

function keyed(rows: Array<Record<string, string | number>>): Map<string, number> {
  return new Map(rows.map((x) => [Object.entries(x).filter(([k]) => k !== 'value').map(([, v]) => v).join('|'), Number(x.value)]));
}

/** The same through the CLI, as a user runs it. */
function cli(t: TestContext, ...args: string[]): Map<string, number> | undefined {
  if (!requireSharedData(t)) return undefined;
  const r = tracker('metric', 'cbp.encounters', '--db', dbPath, '--format', 'json', ...args);
  assert.equal(r.code, 0, r.stderr);
  return keyed(JSON.parse(r.stdout) as Array<Record<string, string | number>>);
}

const SW = 'region=Southwest Land Border';

/* ------------------------------------------------------------ C1–C10 */

test('C1/C2 (CLI): Southwest January 2025 in the August 2025 Southwest file: USBP 29,107, all 61,448', async (t) => {
  const m = cli(t, '--grain', 'month', '--from', '2025-01', '--to', '2025-01', '--filter', SW, '--by', 'component', '--vintage', releaseOf(SBO));
  if (!m) return;
  const usbp = sum(SBO, { 'Fiscal Year': '2025 (FYTD)', 'Month (abbv)': 'JAN', Component: 'U.S. Border Patrol' });
  assert.equal(usbp, 29107);
  assert.equal(m.get('2025-01|U.S. Border Patrol'), usbp);
  const all = (await metric(t, '--grain', 'month', '--from', '2025-01', '--to', '2025-01', '--filter', SW, '--vintage', releaseOf(SBO)))!;
  assert.equal(all.get('2025-01'), sum(SBO, { 'Fiscal Year': '2025 (FYTD)', 'Month (abbv)': 'JAN' }));
  assert.equal(all.get('2025-01'), 61448);
});

test('C3: the later state file revises Southwest January 2025 to 61,445, and that is the latest figure', async (t) => {
  const m = await metric(t, '--grain', 'month', '--from', '2025-01', '--to', '2025-01', '--filter', SW, '--vintage', releaseOf(FY22));
  if (!m) return;
  assert.equal(sum(FY22, { 'Fiscal Year': '2025', 'Month (abbv)': 'JAN', 'Land Border Region': 'Southwest Land Border' }), 61445);
  assert.equal(m.get('2025-01'), 61445);
  const latest = (await metric(t, '--grain', 'month', '--from', '2025-01', '--to', '2025-01', '--filter', SW))!;
  assert.equal(latest.get('2025-01'), sum(FY23, { 'Fiscal Year': '2025', 'Month (abbv)': 'JAN', 'Land Border Region': 'Southwest Land Border' }));
});

test('C4: Southwest FY2024 by component: USBP 1,530,523, OFO 604,482, total 2,135,005', async (t) => {
  const m = await metric(t, '--grain', 'fy', '--from', 'FY2024', '--to', 'FY2024', '--filter', SW, '--by', 'component', '--vintage', releaseOf(SBO));
  if (!m) return;
  assert.equal(m.get('FY2024|U.S. Border Patrol'), 1530523);
  assert.equal(m.get('FY2024|Office of Field Operations'), 604482);
  assert.equal(sum(SBO, { 'Fiscal Year': '2024' }), 2135005);
});

test('C5/C6: nationwide and Southwest by fiscal year as of the FY2025 final file', async (t) => {
  const nation = await metric(t, '--grain', 'fy', '--vintage', releaseOf(FY22));
  if (!nation) return;
  const sw = (await metric(t, '--grain', 'fy', '--filter', SW, '--vintage', releaseOf(FY22)))!;
  const expected: Array<[string, number, number]> = [
    ['2022', 2766582, 2378944],
    ['2023', 3201144, 2475669],
    ['2024', 2901142, 2135005],
    ['2025', 691906, 443671],
  ];
  for (const [fy, total, south] of expected) {
    assert.equal(sum(FY22, { 'Fiscal Year': fy }), total);
    assert.equal(nation.get(`FY${fy}`), total, `FY${fy}`);
    assert.equal(sw.get(`FY${fy}`), south, `FY${fy} SW`);
  }
});

test('C7: FY2021, only in the oldest file: 1,956,519 nationwide, 1,734,686 Southwest', async (t) => {
  const nation = await metric(t, '--grain', 'fy', '--from', 'FY2021', '--to', 'FY2021');
  if (!nation) return;
  const sw = (await metric(t, '--grain', 'fy', '--from', 'FY2021', '--to', 'FY2021', '--filter', SW))!;
  assert.equal(nation.get('FY2021'), sum(FY21, { 'Fiscal Year': '2021' }));
  assert.equal(nation.get('FY2021'), 1956519);
  assert.equal(sw.get('FY2021'), 1734686);
});

test('C8 (CLI): FY2026 to date (October–November 2025): 60,926 nationwide, 22,667 Southwest; the year is partial', async (t) => {
  if (!requireSharedData(t)) return;
  const r = tracker('metric', 'cbp.encounters', '--db', dbPath, '--format', 'json', '--grain', 'fy', '--from', 'FY2026');
  const rows = JSON.parse(r.stdout) as Array<{ period: string; value: number }>;
  assert.deepEqual(rows, [{ period: 'FY2026', value: 60926 }]);
  const months = (await metric(t, '--grain', 'month', '--from', '2025-10'))!;
  assert.equal(months.get('2025-10'), sum(FY23, { 'Fiscal Year': '2026 (FYTD)', 'Month (abbv)': 'OCT' }));
  assert.equal(months.get('2025-10'), 30551);
  assert.equal(months.get('2025-11'), 30375);
  assert.equal((await metric(t, '--grain', 'fy', '--from', 'FY2026', '--filter', SW))!.get('FY2026'), 22667);
});

test('C9: Title 42 expulsions FY2022 1,103,966 and FY2023 579,084; none after May 2023', async (t) => {
  const m = await metric(t, '--grain', 'fy', '--filter', 'title=Title 42');
  if (!m) return;
  assert.equal(m.get('FY2022'), 1103966);
  assert.equal(m.get('FY2023'), 579084);
  const months = [...(await metric(t, '--grain', 'month', '--filter', 'title=Title 42'))!.keys()].sort();
  assert.equal(months.at(-1), '2023-05');
});

test('C10: December 2023 (FY2024 DEC) is 370,883 nationwide and 301,981 Southwest in every state file', async (t) => {
  if (!requireSharedData(t)) return;
  for (const f of [FY21, FY22, FY23]) {
    assert.equal(sum(f, { 'Fiscal Year': '2024', 'Month (abbv)': 'DEC' }), 370883, f);
    const m = (await metric(t, '--grain', 'month', '--from', '2023-12', '--to', '2023-12', '--vintage', releaseOf(f)))!;
    assert.equal(m.get('2023-12'), 370883, f);
    const sw = (await metric(t, '--grain', 'month', '--from', '2023-12', '--to', '2023-12', '--filter', SW, '--vintage', releaseOf(f)))!;
    assert.equal(sw.get('2023-12'), 301981, f);
  }
});

/* ------------------------------------------------------------ O1–O3: the OHSS workbook, through the API */

async function ohss(t: TestContext, query: string): Promise<Map<string, number> | undefined> {
  if (!(await metric(t, '--grain', 'fy', '--from', 'FY2024', '--to', 'FY2024'))) return undefined;
  const res = await app!.inject({ url: `/api/v1/metrics/ohss.usbp_encounters?${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return keyed((res.json() as { rows: Array<Record<string, string | number>> }).rows);
}

test('O1: OHSS USBP encounters FY2024 = 1,557,320 (rounded to 10), beside CBP\'s own USBP Southwest 1,530,523', async (t) => {
  const m = await ohss(t, 'grain=fy&from=FY2024&to=FY2024');
  if (!m) return;
  assert.equal(m.get('FY2024'), 1557320);
});

test('O2: OHSS USBP Southwest FY2024 = 1,530,520 (CBP\'s unrounded figure: 1,530,523)', async (t) => {
  const m = await ohss(t, 'grain=fy&from=FY2024&to=FY2024&filter=region=Southwest Land Border');
  if (!m) return;
  assert.equal(m.get('FY2024'), 1530520);
});

test('O3: OHSS USBP October and November 2024: 58,130 and 47,540', async (t) => {
  const m = await ohss(t, 'grain=month&from=2024-10&to=2024-11');
  if (!m) return;
  assert.deepEqual([m.get('2024-10'), m.get('2024-11')], [58130, 47540]);
});

/* ------------------------------------------------------------ quirks */

test('fiscal months become calendar months, and calendar years are sums of them', async (t) => {
  const months = await metric(t, '--grain', 'month', '--from', '2023-01', '--to', '2023-12');
  if (!months) return;
  // OCT 2023 is FY2024's first month
  assert.equal(months.get('2023-10'), sum(FY23, { 'Fiscal Year': '2024', 'Month (abbv)': 'OCT' }));
  const cy = (await metric(t, '--grain', 'cy', '--from', 'CY2023', '--to', 'CY2023'))!;
  assert.equal(cy.get('CY2023'), [...months.values()].reduce((a, b) => a + b, 0));
});

test("'UC / Single Minors' (FY2021–FY2024 file) is stored as UAC, the name CBP uses from 2025", async (t) => {
  const m = await metric(t, '--grain', 'fy', '--from', 'FY2021', '--to', 'FY2021', '--by', 'demographic');
  if (!m) return;
  assert.equal(m.get('FY2021|UAC'), sum(FY21, { 'Fiscal Year': '2021', Demographic: 'UC / Single Minors' }));
  assert.ok(m.get('FY2021|UAC')! > 100000);
  assert.equal(m.has('FY2021|UC / Single Minors'), false);
});

test('citizenship names with commas are kept whole; OTHER is its own value', async (t) => {
  const m = await metric(t, '--grain', 'fy', '--from', 'FY2024', '--to', 'FY2024', '--by', 'citizenship');
  if (!m) return;
  assert.equal(m.get('FY2024|CHINA, PEOPLES REPUBLIC OF'), sum(FY23, { 'Fiscal Year': '2024', Citizenship: 'CHINA, PEOPLES REPUBLIC OF' }));
  assert.equal(m.size, 22);
  assert.ok(m.has('FY2024|OTHER'));
  // a filter value with a comma stays one value, next to another filter
  const china = (await metric(t, '--grain', 'fy', '--from', 'FY2024', '--to', 'FY2024', '--filter', 'citizenship=CHINA, PEOPLES REPUBLIC OF,title=Title 8'))!;
  assert.equal(china.get('FY2024'), sum(FY23, { 'Fiscal Year': '2024', Citizenship: 'CHINA, PEOPLES REPUBLIC OF', 'Title of Authority': 'Title 8' }));
});

test('CRLF and LF files both load every line; each release records its family and span', async (t) => {
  if (!requireSharedData(t)) return;
  const db = await Database.open(dbPath, { readOnly: true });
  try {
    const rows = await db.all(`SELECT release_id, family, rows, strftime(first_month, '%Y-%m') AS f, strftime(last_month, '%Y-%m') AS l FROM cbp_files ORDER BY first_month, family`);
    const byId = new Map(rows.map((r) => [r.release_id as string, r]));
    const expect: Array<[string, string, number, string, string]> = [
      [FY21, 'state', 46995, '2020-10', '2024-09'], // LF
      [FY22, 'state', 47100, '2021-10', '2025-09'], // CRLF
      [FY23, 'state', 37161, '2022-10', '2025-11'],
      [SBO, 'sbo', 1936, '2021-10', '2025-08'],
    ];
    for (const [file, family, n, first, last] of expect) {
      const r = byId.get(releaseOf(file))!;
      assert.deepEqual([r.family, Number(r.rows), r.f, r.l], [family, n, first, last], file);
      assert.equal(lines(file).length, n);
    }
    const snap = await db.one(`SELECT strftime(snapshot_date, '%Y-%m-%d') AS d, fiscal_year FROM releases WHERE release_id = $1`, [releaseOf(FY23)]);
    assert.deepEqual([snap!.d, snap!.fiscal_year], ['2025-11-30', 2026]);
  } finally {
    db.close();
  }
});

test('a query no file family can answer is a usage error that names the families', async (t) => {
  if (!requireSharedData(t)) return;
  const r = tracker('metric', 'cbp.encounters', '--db', dbPath, '--by', 'state,component');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no CBP file breaks out state \+ component/);
  assert.match(r.stderr, /Southwest file \(add filter region=Southwest Land Border\)/);
});

test('revisions: the API lists Southwest January 2025, 61,448 in the Southwest file, then 61,445', async (t) => {
  if (!requireSharedData(t)) return;
  const db = await Database.open(dbPath, { readOnly: true });
  const app = await buildApp(db);
  try {
    const res = await app.inject({ url: '/api/v1/revisions/cbp.encounters' });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { revisions: Array<Record<string, string | number>> };
    const jan = body.revisions.filter((r) => r.month === '2025-01');
    assert.deepEqual(jan, [
      {
        month: '2025-01',
        region: 'Southwest Land Border',
        from_release: releaseOf(SBO),
        from_file: SBO,
        from_value: 61448,
        to_release: releaseOf(FY22),
        to_file: FY22,
        to_value: 61445,
        change: -3,
      },
    ]);
    const csv = await app.inject({ url: `/api/v1/revisions/cbp.encounters.csv?release=${releaseOf(SBO)}` });
    assert.match(csv.body, /^month,region,from_release/);
    assert.match(csv.body, /2025-01,Southwest Land Border,[0-9a-f]{12},sbo-encounters-fy22-fy25-aug\.csv,61448,[0-9a-f]{12},nationwide-encounters-fy22-fy25-state\.csv,61445,-3/);
    assert.equal((await app.inject({ url: '/api/v1/revisions/nope' })).statusCode, 404);
  } finally {
    await app.close();
    db.close();
  }
});

/* ------------------------------------------------------------ bad input */

interface BadCase {
  name: string;
  edit: (text: string) => string | Buffer;
  expect: RegExp;
}

const GOOD_HEAD = 'Fiscal Year,Month Grouping,Month (abbv),Land Border Region,State,Demographic,Citizenship,Title of Authority,Encounter Count';
const BAD: BadCase[] = [
  { name: 'a renamed column', edit: (s) => s.replace('Month (abbv)', 'Month'), expect: /line 1, column 'Month \(abbv\)': the header matches no CBP encounter layout.*column 3 should be 'Month \(abbv\)' but is 'Month'/ },
  { name: 'a missing column', edit: (s) => s.replace(/^([^\n]*),State,/gm, '$1,').replace(/^(\d{4}[^,]*,[^,]*,[^,]*,[^,]*),[A-Z]{2},/gm, '$1,'), expect: /line 1, column 'State': .*column 5 should be 'State'/ },
  { name: 'a wrong delimiter', edit: (s) => s.replace(/,/g, ';'), expect: /line 1: the header is separated by ';', not commas/ },
  { name: 'non-UTF-8 bytes', edit: (s) => Buffer.concat([Buffer.from(s.slice(0, s.indexOf('\n', 300) + 1)), Buffer.from('2024,FYTD,JAN,Other,NY,Single Adults,C'), Buffer.from([0xd4]), Buffer.from('TE D\'IVOIRE,Title 8,3\n')]), expect: /line \d+, column 'field 7': byte 0xd4 at offset \d+ is not valid UTF-8/ },
  { name: 'a truncated last line', edit: (s) => s.slice(0, s.indexOf('\n', 500) + 1) + '2024,FYTD,JAN,Southwest Land Border,TX,Single', expect: /line \d+, column 'Demographic': the last line stops after 6 of 9 fields/ },
  { name: 'a count that is not a number', edit: (s) => s.replace(/,Title 8,1\n/, ',Title 8,1x\n'), expect: /line \d+, column 'Encounter Count': "1x" is not a whole number/ },
  { name: 'a line with a field too many', edit: (s) => s.replace(/,Title 8,1\n/, ',Title 8,1,9\n'), expect: /line 2, column 'field 10 \(no such column\)': the line has 10 fields where the header has 9/ },
  { name: 'a month CBP never used', edit: (s) => s.replace(/^2023,FYTD,NOV,/m, '2023,FYTD,NOVEMBER,'), expect: /line \d+, column 'Month \(abbv\)': value 'NOVEMBER' is not one CBP has used/ },
];

/** A bad file cut from the FY2023–FY2026 file: its first 200 kB, LF line ends, edited. */
function writeBad(work: string, c: BadCase): string {
  const text = readFileSync(join(cbpDir(), FY23), 'latin1').replace(/\r\n/g, '\n').slice(0, 200_000);
  assert.ok(text.startsWith(GOOD_HEAD));
  const bad = join(work, 'nationwide-encounters-fy24-fy27-jan-state.csv');
  writeFileSync(bad, c.edit(text.slice(0, text.lastIndexOf('\n') + 1)));
  return bad;
}

const totals = async (db: Database) =>
  JSON.stringify(await db.all(`SELECT (SELECT count(*) FROM releases WHERE source_id = 'cbp.encounters') AS releases, count(*) AS n, sum(encounters) AS s, (SELECT count(*) FROM cbp_month_totals) AS m, (SELECT count(*) FROM cbp_files) AS f FROM cbp_encounters`));

for (const c of BAD) {
  test(`bad input: ${c.name} is an error naming file, line and column; the database keeps what it had`, async (t) => {
    if (!requireSharedData(t)) return;
    const work = mkdtempSync(join(tmpdir(), 'tracker-cbp-bad-'));
    try {
      copyFileSync(dbPath, join(work, 'db.duckdb'));
      const db = await Database.open(join(work, 'db.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
      try {
        const before = await totals(db);
        const bad = writeBad(work, c);
        const report = await ingestPaths([bad], { db, archive: new Archive(join(work, 'archive')), origin: 'file' });
        assert.equal(report.errors, 1);
        const outcome = report.outcomes[0]!;
        assert.equal(outcome.status, 'error');
        const error = outcome.status === 'error' ? outcome.error : '';
        assert.ok(error.startsWith(`${bad}, line `), error);
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

test('bad input through the CLI: exit code 3, the error on stderr names file, line and column', (t) => {
  if (!requireSharedData(t)) return;
  const work = mkdtempSync(join(tmpdir(), 'tracker-cbp-bad-'));
  try {
    const db = join(work, 'db.duckdb');
    copyFileSync(dbPath, db);
    const bad = writeBad(work, BAD.find((b) => b.name === 'a count that is not a number')!);
    const r = tracker('ingest', bad, '--db', db, '--format', 'json');
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stderr, /nationwide-encounters-fy24-fy27-jan-state\.csv, line \d+, column 'Encounter Count': "1x" is not a whole number/);
    const releases = tracker('sql', '--db', db, '--format', 'json', "SELECT count(*)::INT AS n FROM releases WHERE source_id = 'cbp.encounters'");
    assert.deepEqual(JSON.parse(releases.stdout), [{ n: 4 }]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
