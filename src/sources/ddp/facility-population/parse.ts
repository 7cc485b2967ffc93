import { SourceFormatError } from '../../../lib/errors.js';
import type { ParsedRelease, SourceFile } from '../../types.js';
import { loadDdpParquet } from './load.js';

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // 'PAR1'

const startsWith = (bytes: Uint8Array, at: number) => MAGIC.every((b, i) => bytes[at + i] === b);

/**
 * The checks that cost nothing: a parquet file starts and ends with 'PAR1', and the
 * four bytes before the last magic give the length of the footer, which must fit in
 * the file. A download cut short loses the footer, so this finds a truncated file
 * before DuckDB is asked to read it.
 */
export function checkParquetBytes(file: string, bytes: Uint8Array): void {
  if (bytes.length === 0) throw new SourceFormatError({ file }, 'the file is empty');
  if (!startsWith(bytes, 0)) {
    const what = bytes[0] === 0x3c ? ' it starts with "<" (an HTML page, perhaps an error page saved in place of the file)' : ` it starts with bytes ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`;
    throw new SourceFormatError({ file }, `this is not a parquet file: it does not start with the magic 'PAR1';${what}`);
  }
  if (bytes.length < 12 || !startsWith(bytes, bytes.length - 4)) {
    throw new SourceFormatError({ file }, `the file does not end with the parquet magic 'PAR1' (${bytes.length} bytes): it looks truncated, the footer that describes its columns is missing`);
  }
  const footer = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 8, true);
  if (footer === 0 || footer > bytes.length - 12) {
    throw new SourceFormatError({ file }, `the parquet footer length (${footer} bytes) does not fit in the file (${bytes.length} bytes): the file is damaged`);
  }
}

/**
 * DDP's daily facility population parquet: checked here for its magic bytes, then read
 * by DuckDB's own read_parquet inside the release's transaction (load.ts), which checks
 * the columns, stores the rows and checks them.
 */
export async function parseDdpFacilityPopulation(file: SourceFile): Promise<ParsedRelease> {
  checkParquetBytes(file.path, file.bytes);
  return {
    snapshotDate: null,
    fiscalYear: null,
    summary: {},
    tables: {},
    anomalies: [],
    directLoads: [{ run: (db, path) => loadDdpParquet(db, { file: file.path, path, releaseId: file.releaseId }) }],
  };
}
