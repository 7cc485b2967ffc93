import { closeSync, openSync, readSync } from 'node:fs';
import { TextScanner, type TextScan } from '../lib/text-scan.js';

/** The one read buffer of the scans: allocated once, since fresh memory costs more here than the reading (a page fault per 4 KB). */
let buffer: Buffer | undefined;
const PIECE = 8 << 20;

/** Reads a local file once, through one 8 MB buffer, into its TextScan (hash, head, line count, encoding): it is never held whole. */
export function scanLocalFile(path: string): TextScan {
  buffer ??= Buffer.allocUnsafeSlow(PIECE);
  const scanner = new TextScanner();
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, PIECE, null);
      if (n === 0) break;
      scanner.push(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return scanner.finish();
}

/** A file's first bytes (all of a smaller file), for telling which source it belongs to. */
export function readHead(path: string, bytes: number): Uint8Array {
  const head = Buffer.allocUnsafe(bytes);
  const fd = openSync(path, 'r');
  try {
    let at = 0;
    for (let n; at < bytes && (n = readSync(fd, head, at, bytes - at, at)) > 0; ) at += n;
    return head.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}
