import { constants, InflateRaw, inflateRawSync } from 'node:zlib';
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
    return this.inflate(name, false);
  }

  /**
   * Calls `use` with a part's bytes, which are valid during that call only: a part of up to
   * 16 MB is inflated into memory this thread reuses from part to part. On this project's
   * machine fresh memory is dear (first touched, 100 MB took 300 ms, ten times the copy), and
   * the detention workbooks' sheets are 73 MB of XML. Undefined when the zip lacks the part.
   */
  withPart<T>(name: string, use: (bytes: Buffer) => T): T | undefined {
    const outer = scratchInUse;
    const bytes = this.inflate(name, !outer);
    if (bytes === undefined) return undefined;
    scratchInUse = true;
    try {
      return use(bytes);
    } finally {
      // a nested call leaves the memory marked as in use by the call around it
      scratchInUse = outer;
    }
  }

  private inflate(name: string, intoScratch: boolean): Buffer | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    try {
      const raw = this.rawBytes(entry);
      const size = entry.uncompressedSize;
      if (entry.method === 0) {
        if (raw.length !== size) throw new Error(`${name} is stored with ${raw.length} bytes, the directory says ${size}`);
        return raw;
      }
      if (entry.method !== 8) {
        throw new Error(`unsupported compression method ${entry.method} for ${name}`);
      }
      // synchronous: on the thread pool, even with the next parts inflated ahead, the parse took as long (measured
      // interleaved), as the pool's thread competes for the second core with V8's compiler and collector. Into one
      // buffer of the stated size (no 16 KB pieces to concatenate), and never past it: a zip bomb stops there
      const out =
        (intoScratch && size <= SCRATCH_MAX ? inflateInto(raw, size, scratchFor(size)) : undefined) ??
        inflateRawSync(raw, { chunkSize: Math.min(Math.max(size, 1024), MAX_CHUNK), maxOutputLength: Math.max(size, 1) });
      if (out.length !== size) {
        throw new Error(`${name} inflated to ${out.length} bytes, the directory says ${size}`);
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

/** The largest part inflated into reused memory, which grows to it and is kept while the thread lives. */
const SCRATCH_MAX = 16 << 20;
let scratch: Buffer | undefined;
/** Set while a `withPart` callback runs: a nested call gets memory of its own. */
let scratchInUse = false;

/** Reused memory for a part of `size` bytes, with a byte to spare (a full output buffer would make zlib allocate another). */
function scratchFor(size: number): Buffer {
  if (!scratch || scratch.length <= size) scratch = Buffer.allocUnsafe(Math.max(1 << 20, 2 ** Math.ceil(Math.log2(size + 1))));
  return scratch;
}

/** What inflateInto uses of node's zlib objects, which inflateRawSync uses the same way but cannot be given an output buffer. */
interface ZlibInternals {
  _outBuffer: unknown;
  _outOffset: number;
  _chunkSize: number;
  _processChunk(chunk: Buffer, flush: number): Buffer;
}

/**
 * Inflates `raw` into `out` through node's zlib, which writes into the output buffer of its
 * stream object: set to `out`, the result is a view of it. Undefined when node's zlib is not
 * built that way (then the caller inflates into fresh memory); output past `size` fails as
 * inflateRawSync's maxOutputLength does.
 */
export function inflateInto(raw: Buffer, size: number, out: Buffer): Buffer | undefined {
  const z = new InflateRaw({ chunkSize: 64, maxOutputLength: Math.max(size, 1) }) as unknown as Partial<ZlibInternals>;
  if (typeof z._processChunk !== 'function' || !Buffer.isBuffer(z._outBuffer) || typeof z._outOffset !== 'number' || typeof z._chunkSize !== 'number') return undefined;
  z._outBuffer = out;
  z._outOffset = 0;
  z._chunkSize = out.length;
  // a view of `out`; were the output larger than `out`, zlib would join its pieces in fresh memory
  return z._processChunk(raw, constants.Z_FINISH);
}

function corrupt(file: string, err: unknown): SourceFormatError {
  if (err instanceof SourceFormatError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new SourceFormatError({ file }, `the xlsx cannot be unzipped (truncated or corrupt download?): ${why}`);
}
