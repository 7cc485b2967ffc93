/**
 * The arrests de-duplication SQL against a plain reading of its rule, on arrests drawn at
 * random so that chains, exact 24-hour gaps, ties at the same minute and reprocessed copies
 * all occur: for each person (rows with an identifier and a time), in order of time, then
 * reprocessed last, then row, a row starts a new arrest unless the previous row is at most 24
 * hours before it; each arrest keeps its first row that is not reprocessed (else its first
 * row), and counts its rows, first and last time. Every other row is an arrest of its own.
 * The same draws, written as an ERO-LESA CSV and ingested, are de-duplicated from the CSV load's
 * stage rather than from foia_arrests: the stored arrests must be the same.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { dedupedArrestsSql, REPROCESSED_METHOD } from '../../src/sources/ice/foia/derive/arrests.js';
import { LAYOUTS } from '../../src/sources/ice/foia/layouts.js';
import { DATASETS } from '../../src/sources/registry.js';
import { lesaCsvText, lesaStamp, random } from '../helpers/lesa.js';

interface Row { row: number; person: string | null; at: number | null; method: string }

let db: Database;
const dir = mkdtempSync(join(tmpdir(), 'tracker-arrests-'));
before(async () => {
  db = await Database.open(':memory:', { schemas: DATASETS.map((d) => d.schemaSql) });
});
after(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const HOUR = 3600_000;
const START = Date.UTC(2025, 0, 1);

function draw(seed: number, n: number): Row[] {
  const r = random(seed);
  return Array.from({ length: n }, (_, i) => ({
    row: 8 + i,
    person: r() < 0.05 ? null : `P${Math.floor(r() * n / 6)}`,
    // whole hours over 20 days: the same person's rows often fall 0, 24 or 25 hours apart
    at: r() < 0.03 ? null : START + Math.floor(r() * 480) * HOUR,
    method: r() < 0.3 ? REPROCESSED_METHOD : 'Located',
  }));
}

/** The rule, read plainly: one entry per arrest, as "row cluster_rows first last". */
function expected(rows: Row[]): string[] {
  const out: string[] = [];
  const byPerson = new Map<string, Row[]>();
  for (const x of rows) {
    if (x.person === null || x.at === null) out.push(`${x.row} 1 ${x.at} ${x.at}`);
    else byPerson.set(x.person, [...(byPerson.get(x.person) ?? []), x]);
  }
  const rp = (x: Row) => (x.method === REPROCESSED_METHOD ? 1 : 0);
  for (const list of byPerson.values()) {
    list.sort((a, b) => a.at! - b.at! || rp(a) - rp(b) || a.row - b.row);
    let cluster: Row[] = [];
    const close = () => {
      const kept = [...cluster].sort((a, b) => rp(a) - rp(b) || a.at! - b.at! || a.row - b.row)[0]!;
      out.push(`${kept.row} ${cluster.length} ${cluster[0]!.at} ${cluster[cluster.length - 1]!.at}`);
    };
    for (const x of list) {
      if (cluster.length > 0 && x.at! - cluster[cluster.length - 1]!.at! > 24 * HOUR) {
        close();
        cluster = [];
      }
      cluster.push(x);
    }
    close();
  }
  return out.sort();
}

for (const seed of [1, 2, 3]) {
  test(`random arrests (seed ${seed}): the SQL keeps the rows the rule keeps, with the same counts and times`, async () => {
    const release = `r${seed}`;
    const rows = draw(seed, 3000);
    await db.append(
      'foia_arrests',
      rows.map((x) => ({
        release_id: release,
        row: x.row,
        person_id: x.person,
        apprehension_at: x.at === null ? null : new Date(x.at),
        apprehension_method: x.method,
      })),
    );
    const got = await db.all(
      `SELECT "row", cluster_rows, epoch_ms(cluster_first_at) AS first, epoch_ms(cluster_last_at) AS last FROM (${dedupedArrestsSql(`a.release_id = '${release}'`)})`,
    );
    const want = expected(rows);
    assert.ok(want.length < rows.length * 0.9 && want.length > rows.length * 0.3, `the draw merges some rows and not most: ${want.length} of ${rows.length}`);
    assert.deepEqual(got.map((g) => `${String(g.row)} ${String(g.cluster_rows)} ${String(g.first)} ${String(g.last)}`).sort(), want);
  });
}

/** `rows` as an ERO-LESA arrests CSV: six banner lines, the header, a line per row (row = line). */
function writeArrestsCsv(file: string, rows: Row[]): void {
  const layout = LAYOUTS.find((l) => l.id === 'arrests-latest')!;
  const at = (header: string) => layout.columns.findIndex((c) => c.header === header);
  const [date, method, person] = [at('Apprehension Date'), at('Apprehension Method'), at('Anonymized Identifier')];
  const lines = rows.map((x) => {
    const cells: string[] = layout.columns.map(() => '');
    cells[date] = x.at === null ? '' : lesaStamp(x.at);
    cells[method] = x.method;
    cells[person] = x.person ?? '';
    return cells;
  });
  writeFileSync(file, lesaCsvText(layout, 'ICE arrests (test)', lines));
}

test('the same draw as an ingested CSV: de-duplicated from the load stage, the stored arrests follow the rule', async () => {
  const rows = draw(4, 3000);
  const file = join(dir, 'Arrests test.csv');
  writeArrestsCsv(file, rows);
  const store = await Database.open(join(dir, 'tracker.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    const report = await ingestPaths([file], { db: store, archive: new Archive(join(dir, 'archive')), origin: 'file' });
    assert.equal(report.errors, 0, JSON.stringify(report.outcomes));
    const got = await store.all(`SELECT "row", cluster_rows, epoch_ms(cluster_first_at) AS first, epoch_ms(cluster_last_at) AS last FROM foia_arrests_deduped`);
    assert.deepEqual(got.map((g) => `${String(g.row)} ${String(g.cluster_rows)} ${String(g.first)} ${String(g.last)}`).sort(), expected(rows));
    assert.deepEqual(await store.all(`SELECT table_name FROM duckdb_tables() WHERE temporary`), [], 'the stage is dropped');
  } finally {
    store.close();
  }
});
