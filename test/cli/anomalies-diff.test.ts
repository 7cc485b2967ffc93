/**
 * `tracker anomalies` and `tracker diff`, called as command functions on a database of
 * four FY2025 ICE releases around the 02/23/2025 swap and two CBP files, with their output
 * captured from the CLI's one print path.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { anomaliesCommand } from '../../src/cli/commands/anomalies.js';
import { diffCommand } from '../../src/cli/commands/diff.js';
import { makeContext } from '../../src/cli/context.js';
import { Printer } from '../../src/cli/output.js';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { CliError } from '../../src/lib/errors.js';
import { DATASETS } from '../../src/sources/registry.js';
import { cbpRevisions } from '../../src/sources/cbp/encounters/revisions.js';
import type { ReleaseDiff } from '../../src/releases/diff.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

const ICE_FILES = [
  'raw/FY2025/2025-02-15_FY25_detentionStats02142025.xlsx', // 48cb922b19a3, 02/09/2025
  'raw/FY2025/2025-02-28_FY25_detentionStats02272025.xlsx', // acc2bb0b2770, 02/23/2025
  'raw/FY2025/2025-03-06_FY25_detentionStats03052025.xlsx', // cc8e500e93d7, 02/23/2025
  'raw/FY2025/2025-03-15_FY25_detentionStats03142025.xlsx', // c1813f69e1b5, 03/09/2025
];
const CBP_FILES = ['sbo-encounters-fy22-fy25-aug.csv', 'nationwide-encounters-fy22-fy25-state.csv']; // 644a70518bea, ec734beafafc

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _e, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('tracker anomalies and tracker diff', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-anomalies-cli-'));
  const dbPath = join(dir, 'tracker.duckdb');

  before(async () => {
    const data = sharedDataDir();
    if (!data) return;
    // copies under the mirror's dated names, so retrieval dates are known
    const input = join(dir, 'in');
    mkdirSync(input);
    for (const f of ICE_FILES) copyFileSync(join(data, 'ice-detention-stats', f), join(input, f.split('/').pop()!));
    for (const f of CBP_FILES) copyFileSync(join(data, 'cbp-encounters', f), join(input, f));
    const db = await Database.open(dbPath, { schemas: DATASETS.map((d) => d.schemaSql) });
    try {
      const report = await ingestPaths([input], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
      assert.equal(report.ingested, 6, JSON.stringify(report.outcomes));
    } finally {
      db.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function run(fn: (ctx: ReturnType<typeof makeContext>) => Promise<number>, format: string): Promise<{ code: number; out: string; err: string }> {
    const out = collector();
    const err = collector();
    const code = await fn(makeContext({ db: dbPath, format }, new Printer(out.stream, err.stream)));
    return { code, out: out.text(), err: err.text() };
  }

  test('anomalies --format json: {release_id, code, severity, subject, detail}, newest release first', async (t) => {
    if (!requireSharedData(t)) return;
    const r = await run((ctx) => anomaliesCommand(ctx, { severity: 'warning' }), 'json');
    assert.equal(r.code, 0);
    const rows = JSON.parse(r.out) as Array<Record<string, string>>;
    assert.ok(rows.length >= 2);
    for (const row of rows) assert.deepEqual(Object.keys(row), ['release_id', 'code', 'severity', 'subject', 'detail']);
    const swaps = rows.filter((x) => x.code === 'agency-columns-swapped');
    // both releases of 02/23/2025, the later-retrieved one first
    assert.deepEqual(swaps.map((x) => x.release_id), ['cc8e500e93d7', 'acc2bb0b2770']);
    assert.match(String(swaps[1]!.detail), /ICE 21137 \/ CBP 22622 \(Detention FY25!B20 \/ D20\)/);
    assert.ok(rows.every((x) => x.severity !== 'info'), '--severity warning lists warnings and errors');
  });

  test('anomalies --source, --release and --severity filter; bad values are usage errors', async (t) => {
    if (!requireSharedData(t)) return;
    const one = JSON.parse((await run((ctx) => anomaliesCommand(ctx, { release: 'acc2bb0b2770', severity: 'error' }), 'json')).out) as Array<Record<string, string>>;
    assert.deepEqual(one.map((x) => [x.release_id, x.code]), [['acc2bb0b2770', 'agency-columns-swapped']]);
    const cbp = JSON.parse((await run((ctx) => anomaliesCommand(ctx, { source: 'cbp.encounters', severity: 'warning' }), 'json')).out) as unknown[];
    assert.deepEqual(cbp, [], 'CBP revisions are not anomalies');
    const table = await run((ctx) => anomaliesCommand(ctx, { source: 'ice.detention-stats' }), 'table');
    assert.match(table.out, /^release_id\s+snapshot_date\s+severity\s+code\s+subject\s+detail\n/);
    assert.match(table.out, /\nagency-columns-swapped \(2\): ICE and CBP columns exchanged\n/);
    for (const [opts, message] of [
      [{ source: 'ice.nothing' }, /^unknown source 'ice\.nothing'; the sources are ice\.detention-stats/],
      [{ release: 'acc2bb0b27' }, /^--release: 'acc2bb0b27' is not a release id/],
      [{ release: '000000000000' }, /^no release 000000000000 in /],
      [{ severity: 'fatal' }, /^--severity: 'fatal' is not info, warning or error/],
    ] as const) {
      await assert.rejects(
        run((ctx) => anomaliesCommand(ctx, opts), 'json'),
        (e: unknown) => e instanceof CliError && e.exitCode === 2 && message.test(e.message),
      );
    }
  });

  test('diff A B (ICE): headline values, months revised and completed, facilities, each with its cells', async (t) => {
    if (!requireSharedData(t)) return;
    const r = await run((ctx) => diffCommand(ctx, ['48cb922b19a3', 'acc2bb0b2770']), 'json');
    assert.equal(r.code, 0);
    const d = JSON.parse(r.out) as ReleaseDiff;
    assert.equal(d.source_id, 'ice.detention-stats');
    assert.deepEqual([d.from.snapshot_date, d.to.snapshot_date], ['2025-02-09', '2025-02-23']);
    const h = (field: string) => d.headline.find((x) => x.field === field)!;
    assert.deepEqual(h('detained_total'), { field: 'detained_total', label: 'Detained (snapshot)', before: 41169, after: 43759, change: 2590, cell_before: 'Detention FY25!F20', cell_after: 'Detention FY25!F20' });
    assert.deepEqual([h('removals_fytd').before, h('removals_fytd').after, h('removals_fytd').cell_after], [95474, 103868, 'Detention FY25!P29']);
    assert.deepEqual([h('atd_total').cell_before, h('atd_total').cell_after], ['ATD FY25 YTD!B15', 'ATD FY25 YTD!B15']);
    // January 2025 book-ins revised from 21,959 to 21,953; February completed (5,790 to 16,157)
    const m = (measure: string, month: string) => d.months.find((x) => x.measure === measure && x.month === month)!;
    assert.deepEqual(m('book_ins', '2025-01'), { measure: 'book_ins', month: '2025-01', kind: 'revised', before: 21959, after: 21953, change: -6, cell_before: 'Detention FY25!M20', cell_after: 'Detention FY25!M20' });
    assert.equal(m('book_ins', '2025-02').kind, 'completed');
    assert.equal(m('adp', '2024-10').kind, 'revised');
    assert.equal(m('adp', '2024-10').cell_after, 'Detention FY25!B99');
    const fac = (change: string) => d.facilities.filter((x) => x.change === change).map((x) => x.name);
    assert.ok(fac('appeared').includes('MIAMI FEDERAL DETENTION'), JSON.stringify(fac('appeared')));
    assert.ok(fac('disappeared').includes('NORTHWEST STATE CORRECTIONAL CENTER'), JSON.stringify(fac('disappeared')));
    assert.equal(d.facilities.find((x) => x.name === 'MIAMI FEDERAL DETENTION')!.cell.split('!')[0], 'Facilities FY25');
    assert.deepEqual(d.anomalies.map((a) => a.code), ['agency-columns-swapped']);
  });

  test('diff of the swapped pair: only ICE and CBP move, by the same 1,485 people; nothing else differs', async (t) => {
    if (!requireSharedData(t)) return;
    const d = JSON.parse((await run((ctx) => diffCommand(ctx, ['acc2bb0b2770', 'cc8e500e93d7']), 'json')).out) as ReleaseDiff;
    assert.deepEqual(d.headline.map((x) => [x.field, x.before, x.after, x.change]), [
      ['detained_ice', 21137, 22622, 1485],
      ['detained_cbp', 22622, 21137, -1485],
    ]);
    assert.deepEqual(d.facilities, []);
    // one id: against the release before it
    const csv = await run((ctx) => diffCommand(ctx, ['cc8e500e93d7']), 'csv');
    assert.match(csv.out, /^kind,what,before,after,change,cell_before,cell_after\nheadline,ICE-arrested,21137,22622,1485,Detention FY25!B20,Detention FY25!B20\n/);
    const table = await run((ctx) => diffCommand(ctx, ['acc2bb0b2770', 'cc8e500e93d7']), 'table');
    assert.match(table.out, /^ice\.detention-stats: acc2bb0b2770 \(FY25_detentionStats02272025\.xlsx, snapshot 2025-02-23\) → cc8e500e93d7 /);
    assert.match(table.out, /headline\s+CBP-arrested\s+22,622\s+21,137\s+-1,485/);
    assert.match(table.out, /\nAnomalies of cc8e500e93d7:\n {2}error agency-columns-swapped: detained ICE\/CBP vs release acc2bb0b2770\n/);
  });

  test('diff A B (CBP): the months CBP revised, the same as cbpRevisions between the two files', async (t) => {
    if (!requireSharedData(t)) return;
    const d = JSON.parse((await run((ctx) => diffCommand(ctx, ['644a70518bea', 'ec734beafafc']), 'json')).out) as ReleaseDiff;
    // Southwest January 2025: 61,448 in sbo-encounters-fy22-fy25-aug.csv, 61,445 in nationwide-encounters-fy22-fy25-state.csv
    const jan = d.cbp_revisions.find((c) => c.month === '2025-01')!;
    assert.deepEqual(jan, {
      month: '2025-01',
      region: 'Southwest Land Border',
      before: 61448,
      after: 61445,
      change: -3,
      cell_before: 'sbo-encounters-fy22-fy25-aug.csv: 2025-01, Southwest Land Border',
      cell_after: 'nationwide-encounters-fy22-fy25-state.csv: 2025-01, Southwest Land Border',
    });
    const db = await Database.open(dbPath, { readOnly: true });
    try {
      const chained = await cbpRevisions(db, { release: 'ec734beafafc' });
      assert.deepEqual(
        d.cbp_revisions.map((c) => [c.month, c.region, c.before, c.after]),
        chained.map((c) => [c.month, c.region, c.from_value, c.to_value]),
      );
      assert.equal(chained.length, 11);
    } finally {
      db.close();
    }
  });

  test('diff errors: usage, bad ids, unknown releases, two sources', async (t) => {
    if (!requireSharedData(t)) return;
    for (const [args, message] of [
      [[], /^usage: tracker diff/],
      [['a', 'b', 'c'], /^usage: tracker diff/],
      [['acc2bb0b277'], /^'acc2bb0b277' is not a release id/],
      [['000000000000', 'acc2bb0b2770'], /^no release 000000000000 or acc2bb0b2770 in /],
      [['48cb922b19a3'], /^release 48cb922b19a3 has no earlier release of its source/],
      [['acc2bb0b2770', 'ec734beafafc'], /^to: releases acc2bb0b2770 \(ice\.detention-stats\) and ec734beafafc \(cbp\.encounters\) are of different sources/],
    ] as const) {
      await assert.rejects(
        run((ctx) => diffCommand(ctx, [...args]), 'json'),
        (e: unknown) => e instanceof CliError && e.exitCode === 2 && message.test(e.message),
        JSON.stringify(args),
      );
    }
  });
});
