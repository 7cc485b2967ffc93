/**
 * Where each entry's stored bytes are in a zip held in memory, so that another thread can
 * read and inflate an entry from the file with positioned reads (sheet-csv-file.ts) without
 * reading the zip's directory again.
 */
import { SourceFormatError } from '../lib/errors.js';
import { readZipDirectory, storedRange } from './zip-directory.js';

/** Where a zip entry's stored bytes are. */
export interface ZipEntryLocation {
  name: string;
  /** Offset of the stored (compressed) bytes, after the local header. */
  start: number;
  compressedSize: number;
  uncompressedSize: number;
  /** 0 stored, 8 deflate. */
  method: number;
}

/** The location of every entry of a zip held in memory (the central directory and local headers). */
export async function zipEntryLocations(bytes: Uint8Array, file: string): Promise<Map<string, ZipEntryLocation>> {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, ZipEntryLocation>();
  try {
    for (const e of readZipDirectory(buf).values()) {
      out.set(e.name, { name: e.name, start: storedRange(buf, e).start, compressedSize: e.compressedSize, uncompressedSize: e.uncompressedSize, method: e.method });
    }
  } catch (err) {
    throw new SourceFormatError({ file }, `the xlsx cannot be unzipped (truncated or corrupt download?): ${err instanceof Error ? err.message : String(err)}`);
  }
  return out;
}
