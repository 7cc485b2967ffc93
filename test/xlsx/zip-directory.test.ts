import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import { readZipDirectory } from '../../src/xlsx/zip-directory.js';
import { inflateInto, ZipArchive } from '../../src/xlsx/zip.js';
import { SourceFormatError } from '../../src/lib/errors.js';

const SHEET = '<worksheet>' + '<row><c t="n"><v>1</v></c></row>'.repeat(400) + '</worksheet>';

function sample(): Buffer {
  return Buffer.from(zipSync({ 'xl/workbook.xml': strToU8('<workbook/>'), 'xl/worksheets/sheet1.xml': [strToU8(SHEET), { level: 6 }], 'empty.txt': [new Uint8Array(0), { level: 0 }] }));
}

const EOCD = 0x06054b50;
const eocdAt = (b: Buffer) => b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));

/**
 * One stored entry written by hand, so that the test sets what fflate does not write:
 * flag bits, a name in code page 437, zip64 fields.
 */
function handMade(name: Buffer, data: Buffer, opts: { flags?: number; zip64?: boolean; comment?: string } = {}): Buffer {
  const flags = opts.flags ?? 0;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(flags, 6);
  local.writeUInt16LE(0, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const body = Buffer.concat([local, name, data]);
  const extra = opts.zip64 ? Buffer.alloc(4 + 24) : Buffer.alloc(0);
  if (opts.zip64) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(24, 2);
    extra.writeBigUInt64LE(BigInt(data.length), 4); // uncompressed
    extra.writeBigUInt64LE(BigInt(data.length), 12); // compressed
    extra.writeBigUInt64LE(0n, 20); // local header offset
  }
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(flags, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt32LE(opts.zip64 ? 0xffffffff : data.length, 20);
  central.writeUInt32LE(opts.zip64 ? 0xffffffff : data.length, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt16LE(extra.length, 30);
  central.writeUInt32LE(opts.zip64 ? 0xffffffff : 0, 42);
  const directory = Buffer.concat([central, name, extra]);
  const comment = Buffer.from(opts.comment ?? '', 'latin1');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(EOCD, 0);
  end.writeUInt16LE(opts.zip64 ? 0xffff : 1, 8);
  end.writeUInt16LE(opts.zip64 ? 0xffff : 1, 10);
  end.writeUInt32LE(opts.zip64 ? 0xffffffff : directory.length, 12);
  end.writeUInt32LE(opts.zip64 ? 0xffffffff : body.length, 16);
  end.writeUInt16LE(comment.length, 20);
  if (!opts.zip64) return Buffer.concat([body, directory, end, comment]);
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeBigUInt64LE(1n, 24);
  record.writeBigUInt64LE(1n, 32);
  record.writeBigUInt64LE(BigInt(directory.length), 40);
  record.writeBigUInt64LE(BigInt(body.length), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(body.length + directory.length), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([body, directory, record, locator, end, comment]);
}

describe('zip central directory', () => {
  test('names, methods and sizes of a zip written by another library', () => {
    const entries = readZipDirectory(sample());
    assert.deepEqual([...entries.keys()].sort(), ['empty.txt', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']);
    const sheet = entries.get('xl/worksheets/sheet1.xml')!;
    assert.equal(sheet.method, 8);
    assert.equal(sheet.uncompressedSize, SHEET.length);
    assert.ok(sheet.compressedSize < SHEET.length / 10, `${sheet.compressedSize} bytes compressed`);
    assert.equal(entries.get('empty.txt')!.method, 0);
    assert.equal(entries.get('empty.txt')!.uncompressedSize, 0);
  });

  test('the parts read back through ZipArchive, inflated and stored', async () => {
    const zip = await ZipArchive.open(sample(), 'sample.xlsx');
    assert.equal((await zip.read('xl/worksheets/sheet1.xml'))!.toString('latin1'), SHEET);
    assert.equal((await zip.read('xl/workbook.xml'))!.toString('latin1'), '<workbook/>');
    assert.equal((await zip.read('empty.txt'))!.length, 0);
    assert.equal(await zip.read('xl/styles.xml'), undefined);
  });

  test('an archive comment after the end record, even one that contains the end signature', () => {
    const comment = 'PK\u0005\u0006 not the end record';
    const entries = readZipDirectory(handMade(Buffer.from('a.txt'), Buffer.from('hello'), { comment }));
    assert.deepEqual([...entries.keys()], ['a.txt']);
  });

  test('names in code page 437 unless the UTF-8 flag is set', () => {
    // 0x81 is ü in code page 437; with bit 11 the bytes are UTF-8
    assert.deepEqual([...readZipDirectory(handMade(Buffer.from([0x6d, 0x81, 0x6e]), Buffer.from('x'))).keys()], ['mün']);
    assert.deepEqual([...readZipDirectory(handMade(Buffer.from('mün', 'utf8'), Buffer.from('x'), { flags: 0x800 })).keys()], ['mün']);
  });

  test('zip64 sizes and offsets', async () => {
    const bytes = handMade(Buffer.from('big.xml'), Buffer.from('<x/>'), { zip64: true });
    const entry = readZipDirectory(bytes).get('big.xml')!;
    assert.deepEqual([entry.compressedSize, entry.uncompressedSize, entry.localHeaderOffset], [4, 4, 0]);
    assert.equal((await (await ZipArchive.open(bytes, 'big.xlsx')).read('big.xml'))!.toString(), '<x/>');
  });

  test('a zip cut before its end record, or inside its directory', () => {
    const bytes = sample();
    assert.throws(() => readZipDirectory(bytes.subarray(0, bytes.length - 30)), /end of central directory record signature not found/);
    const cut = Buffer.from(bytes);
    cut.writeUInt32LE(cut.readUInt32LE(eocdAt(cut) + 16) + 4, eocdAt(cut) + 16); // the directory offset moved past its start
    assert.throws(() => readZipDirectory(cut), /central directory (file header signature|\(offset)/);
    assert.throws(() => readZipDirectory(Buffer.alloc(10)), /too short for a zip/);
  });

  test('an encrypted entry is refused by name', () => {
    assert.throws(() => readZipDirectory(handMade(Buffer.from('secret.xml'), Buffer.from('x'), { flags: 1 })), /entry secret\.xml is encrypted/);
  });

  test('a part that inflates to more than the directory states is an error, not a larger buffer', async () => {
    const data = Buffer.from('<sheetData>' + 'a'.repeat(5000) + '</sheetData>');
    const bytes = Buffer.from(zipSync({ 's.xml': [strToU8(data.toString()), { level: 6 }] }));
    // the directory now claims 100 bytes; the local header is not consulted for sizes
    const at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bytes.writeUInt32LE(100, at + 24);
    const zip = await ZipArchive.open(bytes, 'bomb.xlsx');
    await assert.rejects(zip.read('s.xml'), (err: unknown) => err instanceof SourceFormatError && /bomb\.xlsx: the xlsx cannot be unzipped/.test(err.message));
    assert.ok(deflateRawSync(data).length < 100, 'the compressed part is smaller than the stated size');
  });

  test('withPart gives the bytes read gives, in memory reused from part to part; a nested call gets memory of its own', async () => {
    const zip = await ZipArchive.open(sample(), 'sample.xlsx');
    const expected = await zip.read('xl/worksheets/sheet1.xml');
    assert.equal(expected?.toString(), SHEET);
    const seen: ArrayBufferLike[] = [];
    for (let k = 0; k < 2; k++) {
      const text = zip.withPart('xl/worksheets/sheet1.xml', (bytes) => {
        seen.push(bytes.buffer);
        // inside the callback, another part does not overwrite these bytes
        const inner = zip.withPart('xl/worksheets/sheet1.xml', (b) => b.buffer);
        assert.notEqual(inner, bytes.buffer);
        // and after a nested call, the next one still leaves these bytes alone
        const again = zip.withPart('xl/workbook.xml', (b) => b.buffer);
        assert.notEqual(again, bytes.buffer);
        return bytes.toString();
      });
      assert.equal(text, SHEET);
    }
    assert.equal(seen[0], seen[1], 'the second read reuses the memory of the first');
    assert.equal(zip.withPart('xl/workbook.xml', (b) => b.toString()), '<workbook/>');
    assert.equal(zip.withPart('missing.xml', () => 'called'), undefined);
  });

  test('inflateInto: into the buffer given, or joined in fresh memory when it is too small; more than the stated size fails', () => {
    const data = Buffer.from('<row><c><v>7</v></c></row>'.repeat(300));
    const raw = deflateRawSync(data);
    const out = Buffer.alloc(data.length + 1);
    const big = inflateInto(raw, data.length, out)!;
    assert.ok(big.equals(data));
    assert.equal(big.buffer, out.buffer);
    const small = inflateInto(raw, data.length, Buffer.alloc(100))!;
    assert.ok(small.equals(data));
    assert.throws(() => inflateInto(raw, data.length - 1, Buffer.alloc(data.length + 1)), /Cannot create a Buffer larger than|too large|maxOutputLength/i);
  });

  test('withPart refuses a part that inflates to more than the directory states, as read does', async () => {
    const data = '<sheetData>' + 'a'.repeat(5000) + '</sheetData>';
    const bytes = Buffer.from(zipSync({ 's.xml': [strToU8(data), { level: 6 }] }));
    bytes.writeUInt32LE(100, bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24);
    const zip = await ZipArchive.open(bytes, 'bomb.xlsx');
    assert.throws(() => zip.withPart('s.xml', () => 'read'), (err: unknown) => err instanceof SourceFormatError && /bomb\.xlsx: the xlsx cannot be unzipped/.test(err.message));
  });
});
