/**
 * Files beyond readFileSync's 2 GiB (a FOIA production of 10 million detention stints as CSV is
 * 3.2 GB) are read piece by piece into one buffer and hashed a piece at a time. The limits are
 * made small here so the piecewise paths run on a small file; their results must equal the
 * one-piece ones byte for byte.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sha256Hex } from '../../src/ingest/archive.js';
import { countByte, readWhole } from '../../src/lib/read-whole.js';

const dir = mkdtempSync(join(tmpdir(), 'tracker-read-whole-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a file larger than one read comes back whole, in pieces that do not divide it evenly', () => {
  const path = join(dir, 'big.csv');
  const content = randomBytes(10_007);
  writeFileSync(path, content);
  const read = readWhole(path, { single: 1000, piece: 333 });
  assert.equal(read.length, 10_007);
  assert.ok(read.equals(content));
  // under the limit, the plain read
  assert.ok(readWhole(path, { single: 20_000, piece: 333 }).equals(readFileSync(path)));
});

test('sha256 fed in pieces equals the hash of the whole, for an empty input too', () => {
  const bytes = randomBytes(5_001);
  const whole = createHash('sha256').update(bytes).digest('hex');
  assert.equal(sha256Hex(bytes, 7), whole);
  assert.equal(sha256Hex(bytes), whole);
  assert.equal(sha256Hex(new Uint8Array(0), 7), createHash('sha256').update(new Uint8Array(0)).digest('hex'));
});

test('counting a byte: every occurrence, at the ends too', () => {
  const text = Buffer.from('\nab\ncd\n\nef\n');
  assert.equal(countByte(text, 0x0a), 5);
  assert.equal(countByte(text.subarray(1, 3), 0x0a), 0);
  assert.equal(countByte(new Uint8Array(0), 0x0a), 0);
});
