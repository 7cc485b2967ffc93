/**
 * The central directory of a zip held in memory. An .xlsx has fifty-odd entries, and a
 * general reader's per-entry events and validation cost about 1 ms a workbook (yauzl: 100–140 ms
 * over ICE's 139 detention workbooks); this reads the fixed-layout records directly.
 */

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  /** Bit 0: encrypted. */
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

// the upper half of code page 437, the names' encoding when the UTF-8 flag (bit 11) is not set
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

function entryName(buf: Buffer, start: number, length: number, utf8: boolean): string {
  const bytes = buf.subarray(start, start + length);
  if (utf8) return bytes.toString('utf8');
  let out = '';
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80]!;
  return out;
}

/** Where the end-of-central-directory record starts (it is followed by a comment of at most 64 KB). */
function findEocd(buf: Buffer): number {
  const last = buf.length - EOCD_SIZE;
  for (let at = last; at >= 0 && at >= last - MAX_COMMENT; at--) {
    if (buf.readUInt32LE(at) === EOCD && at + EOCD_SIZE + buf.readUInt16LE(at + 20) === buf.length) return at;
  }
  throw new Error('end of central directory record signature not found');
}

/** A 64-bit size or offset as a number, refused beyond what a Buffer can address. */
function readSize64(buf: Buffer, at: number): number {
  const n = Number(buf.readBigUInt64LE(at));
  if (!Number.isSafeInteger(n)) throw new Error(`zip64 value at offset ${at} is too large`);
  return n;
}

/** Every entry of the zip in `buf`, by name; throws an Error saying what is wrong with the directory. */
export function readZipDirectory(buf: Buffer): Map<string, ZipEntry> {
  if (buf.length < EOCD_SIZE) throw new Error(`${buf.length} bytes is too short for a zip`);
  const eocd = findEocd(buf);
  let count = buf.readUInt16LE(eocd + 10);
  let size = buf.readUInt32LE(eocd + 12);
  let offset = buf.readUInt32LE(eocd + 16);
  if (buf.readUInt16LE(eocd + 4) !== 0 || buf.readUInt16LE(eocd + 6) !== 0) throw new Error('multi-disk zip files are not supported');
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || buf.readUInt32LE(locator) !== EOCD64_LOCATOR) throw new Error('zip64 end of central directory locator not found');
    const at = readSize64(buf, locator + 8);
    if (at + 56 > buf.length || buf.readUInt32LE(at) !== EOCD64) throw new Error('zip64 end of central directory record not found');
    count = readSize64(buf, at + 32);
    size = readSize64(buf, at + 40);
    offset = readSize64(buf, at + 48);
  }
  if (offset + size > buf.length) throw new Error(`central directory (offset ${offset}, ${size} bytes) runs past the end of the file`);
  const entries = new Map<string, ZipEntry>();
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > offset + size || buf.readUInt32LE(at) !== CENTRAL) throw new Error(`invalid central directory file header signature at entry ${i + 1} of ${count}`);
    const flags = buf.readUInt16LE(at + 8);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const entry: ZipEntry = {
      name: entryName(buf, at + 46, nameLength, (flags & 0x800) !== 0),
      method: buf.readUInt16LE(at + 10),
      flags,
      compressedSize: buf.readUInt32LE(at + 20),
      uncompressedSize: buf.readUInt32LE(at + 24),
      localHeaderOffset: buf.readUInt32LE(at + 42),
    };
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > offset + size) throw new Error(`entry ${entry.name} runs past the central directory`);
    if (entry.compressedSize === 0xffffffff || entry.uncompressedSize === 0xffffffff || entry.localHeaderOffset === 0xffffffff) {
      readZip64Extra(buf, at + 46 + nameLength, extraLength, entry);
    }
    if (entry.flags & 1) throw new Error(`entry ${entry.name} is encrypted`);
    entries.set(entry.name, entry);
    at = next;
  }
  return entries;
}

/** The zip64 extra field holds, in this order, the 32-bit fields that are 0xFFFFFFFF. */
function readZip64Extra(buf: Buffer, start: number, length: number, entry: ZipEntry): void {
  for (let at = start; at + 4 <= start + length; ) {
    const id = buf.readUInt16LE(at);
    const size = buf.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let p = at + 4;
      const take = () => {
        if (p + 8 > at + 4 + size) throw new Error(`entry ${entry.name}: zip64 extra field is too short`);
        const v = readSize64(buf, p);
        p += 8;
        return v;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = take();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = take();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = take();
      return;
    }
    at += 4 + size;
  }
  throw new Error(`entry ${entry.name}: zip64 extra field not found`);
}

/**
 * Where an entry's stored bytes are in the zip held in `buf`: after its local header, whose name
 * and extra field may differ in length from the central directory's. Throws an Error saying what is wrong.
 */
export function storedRange(buf: Buffer, entry: ZipEntry): { start: number; end: number } {
  const at = entry.localHeaderOffset;
  if (at + 30 > buf.length || buf.readUInt32LE(at) !== 0x04034b50) throw new Error(`no local header for ${entry.name} at offset ${at}`);
  const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) throw new Error(`${entry.name} runs past the end of the file (truncated?)`);
  return { start, end };
}
