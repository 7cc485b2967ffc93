import { inflateRawSync } from 'node:zlib';
import { SourceFormatError } from '../lib/errors.js';
import { readZipDirectory, storedRange, type ZipEntry } from './zip-directory.js';

/** The largest output buffer asked for at once: a directory that claims more is not trusted to size one. */
const MAX_CHUNK = 64 << 20;

/**
 * The entries of a zip held in memory: the central directory is read by zip-directory.ts, each
 * part's local header when it is asked for, and node's zlib inflates it.
 */
export class ZipArchive {
  private constructor(
    readonly file: string,
    private readonly buf: Buffer,
    private readonly entries: Map<string, ZipEntry>,
  ) {}

  static async open(bytes: Uint8Array, file: string): Promise<ZipArchive> {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    try {
      return new ZipArchive(file, buf, readZipDirectory(buf));
    } catch (err) {
      throw corrupt(file, err);
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  async read(name: string): Promise<Buffer | undefined> {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    try {
      const raw = this.rawBytes(entry);
      if (entry.method === 0) {
        if (raw.length !== entry.uncompressedSize) throw new Error(`${name} is stored with ${raw.length} bytes, the directory says ${entry.uncompressedSize}`);
        return raw;
      }
      if (entry.method !== 8) {
        throw new Error(`unsupported compression method ${entry.method} for ${name}`);
      }
      // synchronous: on the thread pool, even with the next parts inflated ahead, the parse took as long (measured
      // interleaved), as the pool's thread competes for the second core with V8's compiler and collector. Into one
      // buffer of the stated size (no 16 KB pieces to concatenate), and never past it: a zip bomb stops there
      const out = inflateRawSync(raw, { chunkSize: Math.min(Math.max(entry.uncompressedSize, 1024), MAX_CHUNK), maxOutputLength: Math.max(entry.uncompressedSize, 1) });
      if (out.length !== entry.uncompressedSize) {
        throw new Error(`${name} inflated to ${out.length} bytes, the directory says ${entry.uncompressedSize}`);
      }
      return out;
    } catch (err) {
      throw corrupt(this.file, err);
    }
  }

  /**
   * The stored bytes of an entry, sliced from the buffer through its local header
   * (sliced rather than streamed: the parts are small and already in memory).
   */
  private rawBytes(entry: ZipEntry): Buffer {
    const { start, end } = storedRange(this.buf, entry);
    return this.buf.subarray(start, end);
  }
}

function corrupt(file: string, err: unknown): SourceFormatError {
  if (err instanceof SourceFormatError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new SourceFormatError({ file }, `the xlsx cannot be unzipped (truncated or corrupt download?): ${why}`);
}
