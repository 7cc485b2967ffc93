import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Database } from '../../src/db/connection.js';
import { type Archive, sha256Hex } from '../../src/ingest/archive.js';
import { ingestPaths, type Outcome } from '../../src/ingest/pipeline.js';
import { parseDetentionStats } from '../../src/sources/ice/detention-stats/parse.js';
import {
  count,
  editSharedStrings,
  incompleteReleases,
  openDb,
  snapshotReleases,
  tempStore,
  type TempStore,
} from '../helpers/ingest-fixtures.js';
import { requireSharedData } from '../helpers/shared-data.js';

const FY19 = 'raw/FY2019/2019-10-06_FY19-detentionstats.xlsx'; // 35b0eaf280d5, 50,922 detained
const FY20 = 'raw/FY2020/2020-09-01_FY20-detentionstats.xlsx'; // 344994aa5584, 21,007 detained
const FY21_JAN = 'raw/FY2021/2021-01-07_FY21-detentionstats.xlsx'; // c049a757da9a (= 2021-01-15)
const EOFY20 = 'carwilb/FY20-detentionstats.xlsx'; // 2c30cee5f1cd
const CARWILB_FY22 = 'carwilb/FY22-detentionStats.xlsx'; // b29a5d4a4822
const DETAINED_TITLE = 'ICE Currently Detained by Criminality and Arresting Agency';

interface Ctx {
  data: string;
  store: TempStore;
  db: Database;
  archive: Archive;
  real: (rel: string) => string;
  /** A folder inside the temp dir, created. */
  folder: (name: string) => string;
}

/** Runs `body` with a fresh database and archive in a temp dir, removed afterwards. */
async function withStore(t: TestContext, body: (c: Ctx) => Promise<void>): Promise<void> {
  const data = requireSharedData(t);
  if (!data) return;
  const store = tempStore();
  const { db, archive } = await openDb(store);
  try {
    await body({
      data,
      store,
      db,
      archive,
      real: (rel) => join(data, 'ice-detention-stats', rel),
      folder: (name) => {
        const dir = join(store.dir, name);
        mkdirSync(dir, { recursive: true });
        return dir;
      },
    });
  } finally {
    db.close();
    store.remove();
  }
}

function outcomeFor(outcomes: Outcome[], path: string): Outcome {
  const o = outcomes.find((x) => x.path === path);
  assert.ok(o, `no outcome for ${path}: ${JSON.stringify(outcomes)}`);
  return o;
}

function assertError(outcomes: Outcome[], path: string): Extract<Outcome, { status: 'error' }> {
  const o = outcomeFor(outcomes, path);
  assert.equal(o.status, 'error', `${path}: ${JSON.stringify(o)}`);
  assert.ok(o.error.includes(path), `the message names the file: ${o.error}`);
  return o;
}

const tableCounts = async (db: Database) => ({
  releases: await count(db, 'SELECT count(*) FROM releases'),
  facts: await count(db, 'SELECT count(*) FROM ice_detention_facts'),
  facilities: await count(db, 'SELECT count(*) FROM ice_facilities'),
  footnotes: await count(db, 'SELECT count(*) FROM ice_footnotes'),
  files: await count(db, 'SELECT count(*) FROM release_files'),
  anomalies: await count(db, 'SELECT count(*) FROM release_anomalies'),
});

test('ingesting one workbook twice: the second run is a duplicate and changes nothing', async (t) => {
  await withStore(t, async ({ db, archive, real }) => {
    const path = real(FY19);
    const first = await ingestPaths([path], { db, archive, origin: 'file' });
    assert.equal(first.ingested, 1, JSON.stringify(first.outcomes));
    const o = first.outcomes[0]!;
    assert.equal(o.status === 'ingested' && o.release_id, '35b0eaf280d5');
    const before = await tableCounts(db);
    assert.equal(before.releases, 1);
    assert.ok(before.facts > 0 && before.facilities === 213, JSON.stringify(before));

    const second = await ingestPaths([path], { db, archive, origin: 'file' });
    assert.deepEqual(
      second.outcomes.map((x) => x.status),
      ['duplicate'],
    );
    assert.equal(second.outcomes[0]!.status === 'duplicate' && second.outcomes[0]!.release_id, '35b0eaf280d5');
    assert.deepEqual(await tableCounts(db), before);
    assert.deepEqual(await incompleteReleases(db), []);
  });
});

test('byte-identical files under two names are one release with two names', async (t) => {
  await withStore(t, async ({ db, archive, store, real, folder }) => {
    const dir = folder('in');
    const a = join(dir, '2021-01-07_FY21-detentionstats.xlsx');
    const b = join(dir, 'FY21_detentionStats01152021.xlsx');
    copyFileSync(real(FY21_JAN), a);
    copyFileSync(real(FY21_JAN), b);
    const report = await ingestPaths([dir], { db, archive, origin: 'file' });
    assert.equal(report.ingested, 1, JSON.stringify(report.outcomes));
    assert.equal(report.duplicates, 1);
    assert.equal(report.errors, 0);
    const ids = new Set(report.outcomes.map((o) => ('release_id' in o ? o.release_id : undefined)));
    assert.deepEqual([...ids], ['c049a757da9a']);

    assert.equal(await count(db, 'SELECT count(*) FROM releases'), 1);
    const files = await db.all(`SELECT release_id, file_name, local_path FROM release_files ORDER BY file_name`);
    assert.deepEqual(
      files.map((f) => [f.release_id, f.file_name, f.local_path]),
      [
        ['c049a757da9a', 'FY21-detentionstats.xlsx', a],
        ['c049a757da9a', 'FY21_detentionStats01152021.xlsx', b],
      ],
    );
    const dup = await db.all(`SELECT release_id, subject FROM release_anomalies WHERE code = 'duplicate-content'`);
    assert.equal(dup.length, 1, JSON.stringify(dup));
    assert.equal(dup[0]!.release_id, 'c049a757da9a');
    assert.match(dup[0]!.subject as string, /FY21-detentionstats\.xlsx.*FY21_detentionStats01152021\.xlsx/);
    assert.equal(await count(db, `SELECT count(*) FROM ice_facilities`), 1882, 'facilities stored once');
    assert.equal(readdirSync(join(store.archiveDir, 'c0')).length, 1, 'archived once');

    // the folder again: nothing new
    const again = await ingestPaths([dir], { db, archive, origin: 'file' });
    assert.deepEqual(again.outcomes.map((o) => o.status), ['duplicate', 'duplicate']);
    assert.equal(await count(db, 'SELECT count(*) FROM release_files'), 2);
    assert.equal(await count(db, `SELECT count(*) FROM release_anomalies WHERE code = 'duplicate-content'`), 1);
  });
});

test('two byte-identical copies of a broken workbook in one batch are both errors', async (t) => {
  await withStore(t, async ({ db, archive, real, folder }) => {
    const dir = folder('in');
    const broken = editSharedStrings(readFileSync(real(FY19)), (x) => x.replaceAll(DETAINED_TITLE, 'ICE People Held by Criminality'));
    const a = join(dir, 'FY19_detentionStats_10062019.xlsx');
    const b = join(dir, 'FY19_detentionStats_10072019.xlsx');
    writeFileSync(a, broken);
    writeFileSync(b, broken);
    const report = await ingestPaths([dir], { db, archive, origin: 'file' });
    // fixed in 7f0af49: the second copy was a 'duplicate' of a release that never existed, with an orphan release_files row
    assertError(report.outcomes, a);
    assertError(report.outcomes, b);
    assert.equal(await count(db, 'SELECT count(*) FROM release_files'), 0);
    assert.equal(await count(db, 'SELECT count(*) FROM releases'), 0);
  });
});

/** The bad files of the brief, each written into `dir`; returns its path. */
const BAD_FILES: Array<{ name: string; write: (dir: string, real: (rel: string) => string) => string; expect: RegExp[] }> = [
  {
    name: 'a truncated xlsx (first half of a real file)',
    write: (dir, real) => {
      const bytes = readFileSync(real(FY19));
      const p = join(dir, 'FY19_detentionStats_10062019.xlsx');
      writeFileSync(p, bytes.subarray(0, bytes.length >> 1));
      return p;
    },
    expect: [/cannot be unzipped|truncated|corrupt/i],
  },
  {
    name: 'an HTML error page saved under an .xlsx name',
    write: (dir) => {
      const p = join(dir, 'FY26_detentionStats_01012026.xlsx');
      writeFileSync(p, '<!DOCTYPE html>\n<html><head><title>Access Denied</title></head><body>Reference #18.1f</body></html>\n');
      return p;
    },
    expect: [/HTML/],
  },
  {
    name: 'an empty file',
    write: (dir) => {
      const p = join(dir, 'FY26_detentionStats_01022026.xlsx');
      writeFileSync(p, '');
      return p;
    },
    expect: [/empty/i],
  },
  {
    name: 'a workbook whose currently-detained table was renamed',
    write: (dir, real) => {
      const p = join(dir, 'FY19_detentionStats_10062019.xlsx');
      writeFileSync(p, editSharedStrings(readFileSync(real(FY19)), (x) => x.replaceAll(DETAINED_TITLE, 'ICE People Held by Criminality')));
      return p;
    },
    expect: [/sheet 'Detention FY\d+/, new RegExp(DETAINED_TITLE)],
  },
];

for (const bad of BAD_FILES) {
  test(`bad input beside a good workbook: ${bad.name} is an error, the good one is ingested`, async (t) => {
    await withStore(t, async ({ db, archive, real, folder }) => {
      const dir = folder('in');
      const badPath = bad.write(dir, real);
      const good = join(dir, basename(FY20));
      copyFileSync(real(FY20), good);
      const report = await ingestPaths([dir], { db, archive, origin: 'file' });
      assert.equal(report.outcomes.length, 2);
      const err = assertError(report.outcomes, badPath);
      assert.equal(err.source, 'ice.detention-stats', 'claimed by name, so an error and not a skip');
      for (const re of bad.expect) assert.match(err.error, re);
      const ok = outcomeFor(report.outcomes, good);
      assert.equal(ok.status, 'ingested', JSON.stringify(ok));

      assert.deepEqual(await db.all('SELECT release_id FROM releases'), [{ release_id: '344994aa5584' }]);
      assert.equal(await count(db, `SELECT count(*) FROM ice_detention_facts WHERE release_id <> '344994aa5584'`), 0);
      assert.equal(await count(db, `SELECT count(*) FROM release_files WHERE release_id <> '344994aa5584'`), 0);
      assert.deepEqual(await incompleteReleases(db), []);
    });
  });
}

test('files no source claims are skipped in a folder walk and are errors when named', async (t) => {
  await withStore(t, async ({ db, archive, real, folder }) => {
    const dir = folder('in');
    const readme = join(dir, 'README.md');
    const parquet = join(dir, 'notes-from-a-research-group.parquet');
    writeFileSync(readme, '# ICE detention statistics\n\nDownloaded by hand.\n');
    writeFileSync(parquet, 'PAR1\u0015\u0004not really parquetPAR1');
    const good = join(dir, basename(FY20));
    copyFileSync(real(FY20), good);

    const walked = await ingestPaths([dir], { db, archive, origin: 'file' });
    assert.equal(walked.errors, 0, JSON.stringify(walked.outcomes));
    assert.equal(walked.skipped, 2);
    assert.equal(walked.ingested, 1);
    for (const p of [readme, parquet]) {
      const o = outcomeFor(walked.outcomes, p);
      assert.equal(o.status, 'skipped');
      assert.ok(o.status === 'skipped' && o.reason.length > 10, `a reason is given: ${JSON.stringify(o)}`);
    }

    const named = await ingestPaths([readme], { db, archive, origin: 'file' });
    assert.equal(named.outcomes.length, 1);
    const o = assertError(named.outcomes, readme);
    assert.match(o.error, /no source/i);
    assert.equal(await count(db, 'SELECT count(*) FROM releases'), 1);
  });
});

/** A real workbook whose footnote date does not exist (19/04/2019, day first). */
function impossibleSnapshotDate(real: (rel: string) => string): Uint8Array {
  return editSharedStrings(readFileSync(real(FY19)), (x) => x.replace('snapshot as of 10/04/2019', 'snapshot as of 19/04/2019'));
}

/** Makes every append of `releaseId`'s rows fail, as a full disk or a constraint would. */
function failStoring(db: Database, releaseId: string): void {
  const append = db.append.bind(db);
  db.append = async (table, rows) => {
    if (rows.some((r) => r.release_id === releaseId)) throw new Error(`simulated failure writing ${table}`);
    return append(table, rows);
  };
}

test('earlier releases are untouched when a later batch has bad files', async (t) => {
  await withStore(t, async ({ db, archive, real, folder }) => {
    const earlier = await ingestPaths([real(FY19), real(FY20)], { db, archive, origin: 'file' });
    assert.equal(earlier.ingested, 2, JSON.stringify(earlier.outcomes));
    const ids = ['35b0eaf280d5', '344994aa5584'];
    const before = await snapshotReleases(db, ids);

    const dir = folder('later');
    const truncated = join(dir, 'FY21_detentionStats01072021.xlsx');
    writeFileSync(truncated, readFileSync(real(FY21_JAN)).subarray(0, 100_000));
    const renamed = join(dir, 'FY19_detentionStats_10062019.xlsx');
    writeFileSync(renamed, editSharedStrings(readFileSync(real(FY19)), (x) => x.replaceAll(DETAINED_TITLE, 'ICE People Held by Criminality')));
    // parses, then fails while being stored: the batch transaction rolls back and each release is retried alone
    const failsOnLoad = join(dir, 'FY22-detentionStats.xlsx');
    copyFileSync(real(CARWILB_FY22), failsOnLoad);
    failStoring(db, 'b29a5d4a4822');
    const good = join(dir, 'FY20-detentionstats.xlsx');
    copyFileSync(real(EOFY20), good);
    const report = await ingestPaths([dir], { db, archive, origin: 'file' });

    assertError(report.outcomes, truncated);
    assertError(report.outcomes, renamed);
    const failed = assertError(report.outcomes, failsOnLoad);
    assert.match(failed.error, /simulated failure/);
    const ok = outcomeFor(report.outcomes, good);
    assert.equal(ok.status, 'ingested', JSON.stringify(ok));
    assert.equal(ok.status === 'ingested' && ok.release_id, '2c30cee5f1cd');

    assert.deepEqual(await snapshotReleases(db, ids), before);
    assert.deepEqual((await db.all('SELECT release_id FROM releases ORDER BY release_id')).map((r) => r.release_id), [
      '2c30cee5f1cd',
      '344994aa5584',
      '35b0eaf280d5',
    ]);
    assert.equal(await count(db, `SELECT count(*) FROM release_files WHERE release_id = 'b29a5d4a4822'`), 0);
    assert.deepEqual(await incompleteReleases(db), []);
  });
});

test('a footnote date that does not exist is not taken as the snapshot date', async (t) => {
  await withStore(t, async ({ db, archive, real, folder }) => {
    const bytes = impossibleSnapshotDate(real);
    const parsed = await parseDetentionStats({ path: 'x.xlsx', fileName: 'FY19-detentionstats.xlsx', bytes, releaseId: 'x' });
    // fixed in 7f0af49: this was the snapshot date '2019-19-04', which the releases.snapshot_date DATE column refused
    assert.equal(parsed.snapshotDate, null);
    assert.ok(parsed.anomalies.some((a) => a.code === 'missing-snapshot-date'), JSON.stringify(parsed.anomalies));
    const p = join(folder('in'), 'FY19_detentionStats_10082019.xlsx');
    writeFileSync(p, bytes);
    const report = await ingestPaths([p], { db, archive, origin: 'file' });
    assert.equal(report.outcomes[0]!.status, 'ingested', JSON.stringify(report.outcomes));
    assert.deepEqual(await db.all('SELECT snapshot_date FROM releases'), [{ snapshot_date: null }]);
  });
});

test('a file whose archive copy cannot be written is an error, and not stored; the other file of the batch is', async (t) => {
  await withStore(t, async ({ db, archive, real, folder }) => {
    const dir = folder('in');
    const failing = join(dir, basename(FY19));
    const good = join(dir, basename(FY20));
    copyFileSync(real(FY19), failing);
    copyFileSync(real(FY20), good);
    // the copy of one release fails only after its parse, when the run's copies are synced while the batch is loaded (a full disk, say)
    const failingSha = sha256Hex(readFileSync(failing));
    const settle = archive.settleTemp.bind(archive);
    archive.settleTemp = async (tmp, path) => {
      if (path.includes(failingSha)) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('ENOSPC: no space left on device');
      }
      return settle(tmp, path);
    };
    const report = await ingestPaths([dir], { db, archive, origin: 'file' });
    const err = assertError(report.outcomes, failing);
    assert.match(err.error, /ENOSPC/);
    assert.equal(outcomeFor(report.outcomes, good).status, 'ingested');
    assert.deepEqual(await db.all('SELECT release_id FROM releases'), [{ release_id: '344994aa5584' }]);
    assert.equal(await count(db, `SELECT count(*) FROM ice_detention_facts WHERE release_id <> '344994aa5584'`), 0);
    assert.deepEqual(await incompleteReleases(db), []);
    const [row] = await db.all(`SELECT archive_path FROM releases`);
    assert.ok(readFileSync(row!.archive_path as string).length > 0, 'the stored release points at its archive copy');
    // the failed copy's temp file is gone, and nothing is under its final name
    assert.equal(archive.has(failingSha), false);
    assert.deepEqual(readdirSync(join(archive.root, '.intake')), []);
  });
});
