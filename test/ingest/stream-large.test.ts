/**
 * A large local text file that its source parses from a scan (a FOIA CSV) is copied into the
 * archive and streamed through its hash and checks, never held whole. `streamFromBytes: 1` sends
 * the small files here down that path; each is compared with the same file read whole.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths, type IngestOptions } from '../../src/ingest/pipeline.js';
import { LAYOUTS } from '../../src/sources/ice/foia/layouts.js';
import { DATASETS } from '../../src/sources/registry.js';
import { lesaCsvText } from '../helpers/lesa.js';
import { writeLesaXlsx } from '../../bench/generate/lesa-xlsx.js';

const dir = mkdtempSync(join(tmpdir(), 'tracker-stream-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const layout = LAYOUTS.find((l) => l.id === 'removals-2025-07')!;

function removalsCsv(name: string, rows: Array<[string, string]>): string {
  const at = (header: string) => layout.columns.findIndex((c) => c.header === header);
  const placed = [at('Departed Date'), at('Departure Country')];
  const file = join(dir, name);
  writeFileSync(file, lesaCsvText(layout, 'ICE removals (test)', rows.map((r) => layout.columns.map((_, i) => (placed.includes(i) ? `"${r[placed.indexOf(i)]!}"` : '')))));
  return file;
}

async function withDb<T>(name: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.open(join(dir, `${name}.duckdb`), { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

const stored = (db: Database) =>
  db.all(`SELECT r.release_id, r.sha256, r.bytes, r.snapshot_date::VARCHAR AS snapshot, r.summary, r.archive_path IS NOT NULL AS archived FROM releases r`);
const rows = (db: Database) => db.all(`SELECT "row", departed_date::VARCHAR AS departed, departure_country FROM foia_removals ORDER BY "row"`);

test('a FOIA CSV streamed into the archive is the same release, with the same rows, as the file read whole; the copy is published under its hash', async () => {
  const file = removalsCsv('Removals streamed.csv', [['03/04/2025', 'CÔTE D\u2019IVOIRE'], ['03/05/2025', 'PERÚ'], ['10/01/2025', 'MEXICO']]);
  const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
  const run = (name: string, extra: Partial<IngestOptions>) =>
    withDb(name, async (db) => {
      const archive = new Archive(join(dir, `archive-${name}`));
      const report = await ingestPaths([file], { db, archive, origin: 'file', ...extra });
      assert.equal(report.ingested, 1, JSON.stringify(report.outcomes));
      return { releases: await stored(db), rows: await rows(db), archive };
    });
  const whole = await run('whole', {});
  const streamed = await run('streamed', { streamFromBytes: 1 });
  assert.deepEqual(streamed.releases, whole.releases);
  assert.deepEqual(streamed.rows, whole.rows);
  assert.deepEqual(streamed.rows.map((r) => r.departure_country), ['CÔTE D\u2019IVOIRE', 'PERÚ', 'MEXICO']);
  assert.equal(streamed.releases[0]!.sha256, sha);
  assert.equal(streamed.releases[0]!.snapshot, '2025-10-01');
  const copy = streamed.archive.pathOf(sha, 'Removals streamed.csv');
  assert.deepEqual(readFileSync(copy), readFileSync(file), 'the archived copy holds the bytes hashed');
  assert.deepEqual(readdirSync(join(streamed.archive.root, '.intake')), [], 'no temp copy left behind');

  // the same file again: a duplicate, found by hashing the file where it is, without a copy
  await withDb('streamed', async (db) => {
    let copies = 0;
    const intake = streamed.archive.intake.bind(streamed.archive);
    streamed.archive.intake = (source) => (copies++, intake(source));
    const report = await ingestPaths([file], { db, archive: streamed.archive, origin: 'file', streamFromBytes: 1 });
    assert.equal(report.duplicates, 1, JSON.stringify(report.outcomes));
    assert.equal(copies, 0, 'no copy made of a file already stored');
    assert.deepEqual(readdirSync(join(streamed.archive.root, '.intake')), []);
    assert.deepEqual(readdirSync(join(streamed.archive.root, sha.slice(0, 2))), [`${sha}.csv`]);
    // another file of the same size is hashed where it is, then copied and hashed again from the copy, and ingested
    const other = join(dir, 'Removals same size.csv');
    writeFileSync(other, readFileSync(file).toString('utf8').replace('MEXICO', 'BELIZE'));
    assert.equal(readFileSync(other).length, readFileSync(file).length);
    const again = await ingestPaths([other], { db, archive: streamed.archive, origin: 'file', streamFromBytes: 1 });
    assert.equal(again.ingested, 1, JSON.stringify(again.outcomes));
    assert.equal(copies, 1);
    assert.deepEqual((await rows(db)).map((r) => r.departure_country).sort(), ['BELIZE', 'CÔTE D\u2019IVOIRE', 'CÔTE D\u2019IVOIRE', 'MEXICO', 'PERÚ', 'PERÚ']);
  });
});

test('a streamed FOIA CSV with a byte that is not UTF-8 is an error naming the file, its line, column and offset; nothing is stored or archived', async () => {
  const file = removalsCsv('Removals latin1.csv', [['03/04/2025', 'MEXICO'], ['03/05/2025', 'PERU']]);
  const text = readFileSync(file);
  const line9 = text.indexOf('PERU');
  text[line9 + 2] = 0xda; // Latin-1 'Ú' in place of 'R', followed by ASCII
  writeFileSync(file, text);
  await withDb('latin1', async (db) => {
    const archive = new Archive(join(dir, 'archive-latin1'));
    const report = await ingestPaths([file], { db, archive, origin: 'file', streamFromBytes: 1 });
    assert.equal(report.errors, 1);
    const outcome = report.outcomes[0] as { error: string };
    assert.match(outcome.error, /Removals latin1\.csv/);
    assert.match(outcome.error, /line 9, column 'Departure Country': byte 0xda at offset \d+ is not valid UTF-8/);
    assert.match(outcome.error, new RegExp(`byte 0xda at offset ${line9 + 2} is not valid UTF-8`));
    assert.deepEqual(await db.all(`SELECT release_id FROM releases`), []);
    assert.deepEqual(readdirSync(join(archive.root, '.intake')), [], 'the temp copy is removed');
    assert.deepEqual(readdirSync(archive.root).filter((n) => n !== '.intake'), [], 'nothing archived');
    // read whole, the same error
    const whole = await ingestPaths([file], { db, archive, origin: 'file' });
    assert.match((whole.outcomes[0] as { error: string }).error, new RegExp(`line 9, column 'Departure Country': byte 0xda at offset ${line9 + 2} is not valid UTF-8`));
  });
});

test('a byte that is not UTF-8 above the header (in the banner) is named by its line and field number', async () => {
  const file = removalsCsv('Removals banner latin1.csv', [['03/04/2025', 'MEXICO']]);
  const text = readFileSync(file);
  const at = text.indexOf('(test)');
  text[at + 1] = 0xe9; // Latin-1 'é' in the banner's title
  writeFileSync(file, text);
  const line = text.subarray(0, at).filter((b) => b === 0x0a).length + 1;
  await withDb('banner-latin1', async (db) => {
    const report = await ingestPaths([file], { db, archive: new Archive(join(dir, 'archive-banner')), origin: 'file', streamFromBytes: 1 });
    assert.match((report.outcomes[0] as { error: string }).error, new RegExp(`Removals banner latin1\\.csv, line ${line}, column 'field 1': byte 0xe9 at offset ${at + 1} is not valid UTF-8`));
  });
});

test('above the streaming size, a FOIA workbook is still read whole and parsed, and a file no source claims is skipped; no temp copy is made for either', async () => {
  const folder = join(dir, 'mixed');
  mkdirSync(folder);
  const workbook = join(folder, '2025-ICLI-00019_2024-ICFO-39357_ICE Arrests_LESA-STU_FINAL Redacted.xlsx');
  const g = await writeLesaXlsx(workbook, 'arrests', 120, { rowsPerSheet: 50 });
  writeFileSync(join(folder, 'README.txt'), 'notes about the files\n');
  await withDb('mixed', async (db) => {
    const archive = new Archive(join(dir, 'archive-mixed'));
    const report = await ingestPaths([folder], { db, archive, origin: 'mirror', streamFromBytes: 1 });
    assert.deepEqual(
      report.outcomes.map((o) => [o.path, o.status]),
      [
        [workbook, 'ingested'],
        [join(folder, 'README.txt'), 'skipped'],
      ],
    );
    assert.equal(Number((await db.one(`SELECT count(*) AS n FROM foia_arrests`))!.n), g.rows);
    const intake = join(archive.root, '.intake');
    assert.deepEqual(existsSync(intake) ? readdirSync(intake) : [], [], 'no temp copy left');
  });
});
