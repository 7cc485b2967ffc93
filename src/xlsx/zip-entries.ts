/**
 * Where each entry's stored bytes are in a zip held in memory, so that another thread can
 * read and inflate an entry from the file with positioned reads (sheet-csv-file.ts) without
 * reading the zip's directory again.
 */
import yauzl from 'yauzl';
import { SourceFormatError } from '../lib/errors.js';

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
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.fromBuffer(buf, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z))),
    );
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        const at = e.relativeOffsetOfLocalHeader;
        if (at + 30 > buf.length || buf.readUInt32LE(at) !== 0x04034b50) {
          reject(new Error(`no local header for ${e.fileName} at offset ${at}`));
          return;
        }
        const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
        out.set(e.fileName, { name: e.fileName, start, compressedSize: e.compressedSize, uncompressedSize: e.uncompressedSize, method: e.compressionMethod });
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    });
  } catch (err) {
    throw new SourceFormatError({ file }, `the xlsx cannot be unzipped (truncated or corrupt download?): ${message(err)}`);
  }
  return out;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
