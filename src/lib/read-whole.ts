import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { constants } from 'node:buffer';
import { TrackerError } from './errors.js';

/** The most node's readFileSync reads at once (2 GiB − 1). */
const READ_FILE_MAX = 2 ** 31 - 1;
const PIECE = 1 << 30;

/**
 * A file's whole content. node's readFileSync stops at 2 GiB, and a FOIA production of 10 million
 * detention stints as CSV is about 3.2 GB: a larger file is read piece by piece into one buffer,
 * up to the largest buffer node allows (4 GiB here); beyond that it is an error naming the file.
 * `limits` (what readFileSync takes at once, the size of a piece) are for tests.
 */
export function readWhole(path: string, limits: { single: number; piece: number } = { single: READ_FILE_MAX, piece: PIECE }): Buffer {
  const size = statSync(path).size;
  if (size <= limits.single) return readFileSync(path);
  if (size > constants.MAX_LENGTH) {
    throw new TrackerError(`${path}: ${size} bytes is more than this tracker reads at once (${constants.MAX_LENGTH} bytes); split the file`);
  }
  const buf = Buffer.allocUnsafe(size);
  const fd = openSync(path, 'r');
  try {
    let at = 0;
    while (at < size) {
      const n = readSync(fd, buf, at, Math.min(limits.piece, size - at), at);
      if (n === 0) throw new TrackerError(`${path}: the file shrank while it was read (${at} of ${size} bytes)`);
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}

/**
 * How many times `byte` occurs in `bytes`, counted a GiB at a time: node 20's Buffer.indexOf
 * returns a wrapped negative position beyond 2 GiB, which made a scan of a 3.2 GB file restart
 * from the beginning.
 */
export function countByte(bytes: Uint8Array, byte: number): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let at = 0; at < buf.length; at += PIECE) {
    const piece = buf.subarray(at, Math.min(buf.length, at + PIECE));
    for (let i = piece.indexOf(byte); i !== -1; i = piece.indexOf(byte, i + 1)) n++;
  }
  return n;
}
