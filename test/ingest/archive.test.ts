import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Archive, ArchiveWrites, sha256Hex } from '../../src/ingest/archive.js';

let root = '';

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tracker-archive-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

const content = new TextEncoder().encode('PK\u0003\u0004 pretend workbook');
const expectedSha = createHash('sha256').update(content).digest('hex');

describe('sha256Hex', () => {
  it('matches node:crypto', () => {
    assert.equal(sha256Hex(content), expectedSha);
    assert.equal(sha256Hex(new Uint8Array(0)), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('Archive', () => {
  it('stores content once under ROOT/<2 hex>/<sha256><ext>', async () => {
    const archive = new Archive(root);
    const first = await archive.put(content, 'FY24_detentionStats.XLSX');
    assert.equal(first.sha256, expectedSha);
    assert.equal(first.path, join(root, expectedSha.slice(0, 2), `${expectedSha}.xlsx`));
    assert.equal(first.bytes, content.byteLength);
    assert.equal(first.existed, false);
    const mtime = (await stat(first.path)).mtimeMs;

    const second = await archive.put(content, 'FY24_detentionStats_copy.xlsx');
    assert.deepEqual(second, { ...first, existed: true });
    assert.equal((await stat(first.path)).mtimeMs, mtime, 'an identical file is not rewritten');

    assert.deepEqual(await readdir(join(root, expectedSha.slice(0, 2))), [`${expectedSha}.xlsx`], 'no temp file left');
    assert.deepEqual(new Uint8Array(await readFile(first.path)), content);
  });

  it('answers has() and read() by hash', async () => {
    const archive = new Archive(root);
    const { sha256 } = await archive.put(content, 'a.xlsx');
    assert.equal(archive.has(sha256), true);
    assert.deepEqual(await archive.read(sha256), content);
    const other = sha256Hex(new TextEncoder().encode('never stored'));
    assert.equal(archive.has(other), false);
    await assert.rejects(archive.read(other), /no file with sha256/);
  });

  it('ignores a temp file left by a killed process', async () => {
    const archive = new Archive(root);
    const bytes = new TextEncoder().encode('half-written');
    const sha = sha256Hex(bytes);
    const shard = join(root, sha.slice(0, 2));
    await mkdir(shard, { recursive: true });
    await writeFile(join(shard, `.${sha}.999.deadbeef.tmp`), bytes.slice(0, 4));
    assert.equal(archive.has(sha), false);
    const put = await archive.put(bytes, 'late.xlsx');
    assert.equal(put.existed, false);
    assert.equal(archive.has(sha), true);
  });

  it('stores a name without extension without one', async () => {
    const archive = new Archive(root);
    const bytes = new TextEncoder().encode('no extension');
    const put = await archive.put(bytes, 'README');
    assert.equal(put.path, archive.pathFor(put.sha256, ''));
    assert.ok(put.path.endsWith(put.sha256));
  });
});

describe('Archive.intake (a local file copied before its hash is known)', () => {
  it('publishes the copy under its hash, keeps an existing copy, and leaves no temp file; a copy not yet published is invisible', async () => {
    const archive = new Archive(join(root, 'intake'));
    const source = join(root, 'Removals big.csv');
    const bytes = new TextEncoder().encode('ERO-LESA,,\nline\n');
    await writeFile(source, bytes);
    const sha = sha256Hex(bytes);

    const first = archive.intake(source);
    assert.deepEqual(new Uint8Array(await readFile(first.tmpPath)), bytes);
    assert.equal(first.size, bytes.length);
    assert.equal(archive.has(sha), false, 'a temp copy is not in the archive');
    const put = await first.publish(sha, 'Removals big.csv');
    assert.deepEqual(put, { sha256: sha, path: join(archive.root, sha.slice(0, 2), `${sha}.csv`), bytes: bytes.length, existed: false });
    assert.deepEqual(new Uint8Array(await archive.read(sha)), bytes);

    const again = await archive.intake(source).publish(sha, 'Removals big.csv');
    assert.equal(again.existed, true);
    const dropped = archive.intake(source);
    await dropped.discard();
    assert.deepEqual(await readdir(join(archive.root, '.intake')), []);
    assert.deepEqual(await readdir(join(archive.root, sha.slice(0, 2))), [`${sha}.csv`]);
  });

  it('removes the temp copies of processes that are gone, and keeps those of live ones', async () => {
    const archive = new Archive(join(root, 'intake-orphans'));
    await mkdir(join(archive.root, '.intake'), { recursive: true });
    // pid 2^22 + 1 is beyond Linux's largest pid, so no process has it
    const orphan = `${2 ** 22 + 1}.0a0b0c.tmp`;
    const live = `${process.pid}.0d0e0f.tmp`;
    await writeFile(join(archive.root, '.intake', orphan), 'left by a killed ingest');
    await writeFile(join(archive.root, '.intake', live), 'being written by this process');
    const source = join(root, 'small.csv');
    await writeFile(source, 'x\n');
    const intake = archive.intake(source);
    const names = await readdir(join(archive.root, '.intake'));
    assert.deepEqual(names.sort(), [live, intake.tmpPath.split('/').at(-1)!].sort());
    await intake.discard();
  });

  it('a source that cannot be read is an error, and leaves no temp file', async () => {
    const archive = new Archive(join(root, 'intake-missing'));
    assert.throws(() => archive.intake(join(root, 'no such file.csv')), /ENOENT/);
    assert.deepEqual(await readdir(join(archive.root, '.intake')), []);
  });
});

describe('ArchiveWrites', () => {
  it('writes each copy at once under a temp name and names it only once synced, when the run settles', async () => {
    const dir = await mkdtemp(join(root, 'writes-'));
    const archive = new Archive(dir);
    const writes = new ArchiveWrites(archive);
    const bytes = [1, 2, 3].map((i) => new TextEncoder().encode(`workbook ${i}`));
    const shas = bytes.map((b) => sha256Hex(b));
    let settled = 0;
    const puts = bytes.map((b, i) => writes.put(b, `FY2${i}_detentionStats.xlsx`, shas[i]!).finally(() => settled++));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(settled, 0, 'no copy is published before the run settles');
    for (const sha of shas) assert.equal(archive.has(sha), false);
    const temps = await readdir(join(dir, '.intake'));
    assert.equal(temps.length, 3);
    for (const t of temps) assert.match(t, new RegExp(`^${process.pid}\\.[0-9a-f]{12}\\.tmp$`), 'written under a temp name in the intake folder');
    await writes.settle();
    assert.deepEqual(await readdir(join(dir, '.intake')), [], 'every temp file named');
    const results = await Promise.all(puts);
    results.forEach((r, i) => {
      assert.deepEqual(r, { sha256: shas[i], path: join(dir, shas[i]!.slice(0, 2), `${shas[i]}.xlsx`), bytes: bytes[i]!.byteLength, existed: false });
      assert.equal(archive.has(shas[i]!), true);
    });
    for (const [i, sha] of shas.entries()) {
      assert.deepEqual(await readdir(join(dir, sha.slice(0, 2))), [`${sha}.xlsx`], 'no temp file left');
      assert.deepEqual(new Uint8Array(await readFile(results[i]!.path)), bytes[i]);
    }
  });

  it('writes nothing for content already archived, and writes and syncs a large file, or any once the run has settled, at once', async () => {
    const dir = await mkdtemp(join(root, 'writes-'));
    const archive = new Archive(dir);
    const first = await archive.put(content, 'FY24_detentionStats.xlsx');
    const mtime = (await stat(first.path)).mtimeMs;
    const writes = new ArchiveWrites(archive);
    assert.deepEqual(await writes.put(content, 'FY24_detentionStats_copy.xlsx', expectedSha), { ...first, existed: true });
    assert.equal((await stat(first.path)).mtimeMs, mtime, 'an identical file is not rewritten');
    // a large file is written and synced at once, without waiting for the run to settle
    const large = new Uint8Array(ArchiveWrites.AT_ONCE_BELOW).fill(7);
    const bigPut = await writes.put(large, 'removals-latest.parquet', sha256Hex(large));
    assert.equal(bigPut.existed, false);
    assert.equal((await stat(bigPut.path)).size, large.byteLength);
    await writes.settle();
    const late = new TextEncoder().encode('a file read after the parse');
    const put = await writes.put(late, 'late.xlsx', sha256Hex(late));
    assert.equal(put.existed, false);
    assert.deepEqual(new Uint8Array(await readFile(put.path)), late);
  });

  it('rejects the put whose copy cannot be synced, removes its temp file, and publishes the others', async () => {
    const dir = await mkdtemp(join(root, 'writes-'));
    const archive = new Archive(dir);
    const bad = new TextEncoder().encode('bad');
    const good = new TextEncoder().encode('good');
    const badSha = sha256Hex(bad);
    const settle = archive.settleTemp.bind(archive);
    archive.settleTemp = async (tmp, path) => {
      if (path.includes(badSha)) throw new Error('EIO: i/o error, fsync');
      return settle(tmp, path);
    };
    const writes = new ArchiveWrites(archive);
    const failing = assert.rejects(writes.put(bad, 'bad.xlsx', badSha), /EIO/);
    const ok = writes.put(good, 'good.xlsx', sha256Hex(good));
    await writes.settle();
    await failing;
    assert.equal((await ok).existed, false);
    assert.deepEqual(await readdir(join(dir, '.intake')), [], 'the temp file is removed');
    assert.equal(archive.has(badSha), false);
  });
});
