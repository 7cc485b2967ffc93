import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import yauzl from 'yauzl';
import { SourceFormatError } from '../lib/errors.js';

const inflateRawAsync = promisify(inflateRaw);
const fromBuffer = promisify(yauzl.fromBuffer) as (b: Buffer, o: yauzl.Options) => Promise<yauzl.ZipFile>;

/**
 * The entries of a zip held in memory. yauzl reads the central directory and local
 * headers; inflation uses node's zlib on the libuv thread pool, so parts of several
 * workbooks inflate in parallel on a multi-core machine.
 */
export class ZipArchive {
  private constructor(
    readonly file: string,
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
  ) {}

  static async open(bytes: Uint8Array, file: string): Promise<ZipArchive> {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let zip: yauzl.ZipFile;
    try {
      zip = await fromBuffer(buf, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true });
    } catch (err) {
      throw corrupt(file, err);
    }
    const entries = new Map<string, yauzl.Entry>();
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        entries.set(e.fileName, e);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (err: unknown) => reject(corrupt(file, err)));
      zip.readEntry();
    });
    return new ZipArchive(file, zip, entries);
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
      const raw = await this.rawBytes(entry);
      if (entry.compressionMethod === 0) return raw;
      if (entry.compressionMethod !== 8) {
        throw new Error(`unsupported compression method ${entry.compressionMethod} for ${name}`);
      }
      const out = await inflateRawAsync(raw);
      if (out.length !== entry.uncompressedSize) {
        throw new Error(`${name} inflated to ${out.length} bytes, the directory says ${entry.uncompressedSize}`);
      }
      return out;
    } catch (err) {
      throw corrupt(this.file, err);
    }
  }

  private rawBytes(entry: yauzl.Entry): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.zip.openReadStream(entry, { decodeFileData: false }, (err, stream) => {
        if (err || !stream) return reject(err ?? new Error('no stream'));
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
      });
    });
  }
}

function corrupt(file: string, err: unknown): SourceFormatError {
  if (err instanceof SourceFormatError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new SourceFormatError({ file }, `the xlsx cannot be unzipped (truncated or corrupt download?): ${why}`);
}
