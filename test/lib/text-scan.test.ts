import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { HEAD_BYTES, TextScanner, scanBytes, type TextScan } from '../../src/lib/text-scan.js';
import { random } from '../helpers/lesa.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** The scan of `bytes` pushed in pieces cut at `cuts` (offsets), through one reused buffer as the file reader does. */
function scanInPieces(bytes: Uint8Array, cuts: number[]): TextScan {
  const scanner = new TextScanner();
  const reused = new Uint8Array(bytes.length);
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    const piece = reused.subarray(0, to - from);
    piece.set(bytes.subarray(from, to));
    scanner.push(piece);
    // the reader overwrites its buffer with the next piece: nothing the scanner keeps may point into it
    piece.fill(0x21);
    from = to;
  }
  return scanner.finish();
}

test('a text scan: size, sha256, line feeds, last byte, ASCII and a head of the first 64 kB', () => {
  const text = utf8('ERO-LESA\nline 2\r\nline 3');
  const s = scanBytes(text);
  assert.equal(s.size, text.length);
  assert.equal(s.sha256, createHash('sha256').update(text).digest('hex'));
  assert.equal(s.newlines, 2);
  assert.equal(s.lastByte, '3'.charCodeAt(0));
  assert.equal(s.ascii, true);
  assert.equal(s.invalidUtf8, null);
  assert.deepEqual([...s.head], [...text]);

  const big = new Uint8Array(HEAD_BYTES + 1000).fill(0x61);
  big[HEAD_BYTES - 1] = 0x0a;
  const b = scanInPieces(big, [1000, 70_000]);
  assert.equal(b.head.length, HEAD_BYTES);
  assert.equal(b.head[HEAD_BYTES - 1], 0x0a);
  assert.equal(b.head[0], 0x61, 'the head is a copy, not a view of the reused buffer');
  assert.equal(b.newlines, 1);

  const empty = scanBytes(new Uint8Array(0));
  assert.deepEqual({ size: empty.size, newlines: empty.newlines, lastByte: empty.lastByte, ascii: empty.ascii, invalid: empty.invalidUtf8 }, { size: 0, newlines: 0, lastByte: undefined, ascii: true, invalid: null });
});

test('UTF-8 text cut into pieces at every offset (inside 2-, 3- and 4-byte characters) scans as valid, with the same hash and counts', () => {
  const text = utf8('a,CÔTE D\u2019IVOIRE\n\u00a0PERÚ,\u{1F600}\n\u3000x\n');
  const whole = scanBytes(text);
  assert.equal(whole.ascii, false);
  assert.equal(whole.invalidUtf8, null);
  for (let i = 1; i < text.length; i++) {
    for (const cuts of [[i], [i, Math.min(text.length, i + 1)], [i, Math.min(text.length, i + 2)]]) {
      const s = scanInPieces(text, cuts);
      assert.deepEqual({ ...s, head: [...s.head] }, { ...whole, head: [...whole.head] }, `cut at ${cuts.join(',')}`);
    }
  }
});

test('a byte that is not UTF-8 is found at its offset and line, wherever the pieces are cut', () => {
  const cases: Array<{ bytes: Uint8Array; offset: number; line: number; byte: number; what: string }> = [];
  const at = (prefix: string, bad: number[], suffix: string, what: string) => {
    const p = utf8(prefix);
    const bytes = new Uint8Array([...p, ...bad, ...utf8(suffix)]);
    cases.push({ bytes, offset: p.length, line: prefix.split('\n').length, byte: bad[0]!, what });
  };
  at('a\nbé\nc', [0xe9], 'd\n', 'a Latin-1 é (a lead byte followed by ASCII)');
  at('a\nb\n', [0x80], 'x', 'a lone continuation byte');
  at('ÉÉ\n', [0xc0, 0xaf], '\n', 'an overlong encoding');
  at('x\ny\nz', [0xe2, 0x80], '', 'a sequence cut by the end of the file');
  at('x\n', [0xf0, 0x9f, 0x98], 'A\n', 'a 4-byte sequence with its last byte missing');
  for (const c of cases) {
    for (let i = 0; i <= c.bytes.length; i++) {
      const cuts = i === 0 || i === c.bytes.length ? [] : [i];
      const s = scanInPieces(c.bytes, cuts);
      assert.deepEqual(s.invalidUtf8, { offset: c.offset, line: c.line, byte: c.byte }, `${c.what}, cut at ${i}`);
    }
  }
});

test('random text in random pieces: the scan matches the whole-buffer checks of node', () => {
  const next = random(7);
  const alphabet = ['a', ',', '\n', 'é', '\u00a0', '€', '\u{1F600}', ' '];
  for (let round = 0; round < 200; round++) {
    const chars = Array.from({ length: 1 + Math.floor(next() * 60) }, () => alphabet[Math.floor(next() * alphabet.length)]!);
    let bytes = utf8(chars.join(''));
    if (next() < 0.5) {
      bytes = new Uint8Array(bytes);
      bytes[Math.floor(next() * bytes.length)] = [0x80, 0xff, 0xc3, 0xe2][Math.floor(next() * 4)]!;
    }
    const cuts = [...new Set(Array.from({ length: Math.floor(next() * 5) }, () => Math.floor(next() * bytes.length)))].filter((c) => c > 0).sort((a, b) => a - b);
    const s = scanInPieces(bytes, cuts);
    assert.equal(s.invalidUtf8 === null, isValid(bytes), `round ${round}`);
    if (s.invalidUtf8) {
      const { offset, line } = s.invalidUtf8;
      assert.ok(isValid(bytes.subarray(0, offset)), `round ${round}: all before offset ${offset} is UTF-8`);
      assert.equal(line, bytes.subarray(0, offset).filter((b) => b === 0x0a).length + 1);
    }
    assert.equal(s.newlines, bytes.filter((b) => b === 0x0a).length);
    assert.equal(s.ascii, bytes.every((b) => b < 0x80));
  }
});

function isValid(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
