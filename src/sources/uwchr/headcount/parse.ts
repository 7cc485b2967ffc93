import { isUtf8 } from 'node:buffer';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { SourceFormatError } from '../../../lib/errors.js';
import type { Anomaly, ParsedRelease, SourceFile } from '../../types.js';
import { loadUwchrHeadcount, UWCHR_COLUMNS } from './load.js';

const inflate = promisify(gunzip);
const NL = 0x0a;

/** What the JavaScript checks learned: the header (in file order) and the number of data lines. */
export interface HeadcountShape {
  header: string[];
  dataLines: number;
  anomalies: Anomaly[];
}

/**
 * Decompresses the whole file once, off the main thread. DuckDB's read_csv reads a gzip
 * stream cut short without an error (it loaded 473,301 of 928,231 rows from the first
 * half of the file, measured with DuckDB 1.5), so the stream's own length and CRC are
 * checked here; so are the encoding, the header, the line count and a cut last line.
 */
export async function inspectHeadcount(file: string, bytes: Uint8Array): Promise<HeadcountShape> {
  if (bytes.length === 0) throw new SourceFormatError({ file }, 'the file is empty');
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    const what = bytes[0] === 0x3c ? 'it starts with "<" (an HTML page, perhaps an error page saved in place of the file)' : 'it does not start with the gzip magic bytes 1f 8b';
    throw new SourceFormatError({ file }, `this is not a gzip file: ${what}`);
  }
  let raw: Buffer;
  try {
    raw = await inflate(bytes);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new SourceFormatError({ file }, `the gzip stream is damaged or cut short (${msg}): the download may be incomplete`);
  }
  if (raw.length === 0) throw new SourceFormatError({ file, line: 1 }, 'the decompressed file is empty');
  if (!isUtf8(raw)) {
    let line = 1;
    for (let start = 0; start < raw.length; line++) {
      let end = raw.indexOf(NL, start);
      if (end === -1) end = raw.length;
      if (!isUtf8(raw.subarray(start, end))) break;
      start = end + 1;
    }
    throw new SourceFormatError({ file, line }, 'the line has bytes that are not valid UTF-8');
  }
  const headerEnd = raw.indexOf(NL);
  const headerLine = raw.subarray(0, headerEnd === -1 ? raw.length : headerEnd).toString('utf8').replace(/\r$/, '');
  if (!headerLine.includes('|')) {
    const other = [',', ';', '\t'].find((d) => headerLine.includes(d));
    if (other) {
      throw new SourceFormatError({ file, line: 1 }, `the header is separated by ${other === '\t' ? 'tabs' : `'${other}'`}, not '|': this is not UWCHR's pipe-delimited layout (${headerLine.slice(0, 80)})`);
    }
  }
  const header = headerLine.split('|').map((h) => h.trim());
  const missing = UWCHR_COLUMNS.filter(([c]) => !header.includes(c)).map(([c]) => c);
  if (missing.length > 0) {
    const extra = header.filter((h) => !UWCHR_COLUMNS.some(([c]) => c === h));
    throw new SourceFormatError(
      { file, line: 1, column: missing[0] },
      `column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing from the header${extra.length ? ` (it has ${extra.map((c) => `'${c}'`).join(', ')} instead)` : ''}; UWCHR's layout is ${UWCHR_COLUMNS.map(([c]) => c).join('|')}`,
    );
  }
  if (new Set(header).size !== header.length) throw new SourceFormatError({ file, line: 1 }, `the header names a column twice: ${headerLine}`);
  const anomalies: Anomaly[] = [];
  const extra = header.filter((h) => !UWCHR_COLUMNS.some(([c]) => c === h));
  if (extra.length) anomalies.push({ code: 'unrecognised-column', severity: 'info', subject: extra.join(', '), detail: 'columns not in UWCHR\'s known layout, not loaded' });
  let dataLines = 0;
  if (headerEnd !== -1) for (let i = raw.indexOf(NL, headerEnd + 1); i !== -1; i = raw.indexOf(NL, i + 1)) dataLines++;
  if (headerEnd !== -1 && raw[raw.length - 1] !== NL) {
    dataLines++;
    const last = raw.subarray(raw.lastIndexOf(NL) + 1).toString('utf8');
    const fields = last.split('|');
    if (fields.length < header.length) {
      throw new SourceFormatError(
        { file, line: dataLines + 1, column: header[fields.length - 1] ?? header[0] },
        `the last line stops after ${fields.length} of ${header.length} fields (the file looks truncated): "${last.slice(0, 120)}"`,
      );
    }
    anomalies.push({ code: 'no-final-newline', severity: 'warning', subject: `line ${dataLines + 1}`, detail: 'the file does not end with a line break; if it was cut, the last number on its last line may be cut too' });
  }
  if (dataLines === 0) throw new SourceFormatError({ file, line: 2 }, 'the file has a header but no data lines');
  return { header, dataLines, anomalies };
}

/**
 * UWCHR's daily headcount: checked in JavaScript (inspectHeadcount), then read by DuckDB's
 * read_csv straight from the gzip file inside the release's transaction (load.ts).
 */
export async function parseUwchrHeadcount(file: SourceFile): Promise<ParsedRelease> {
  const shape = await inspectHeadcount(file.path, file.bytes);
  return {
    snapshotDate: null,
    fiscalYear: null,
    summary: {},
    tables: {},
    anomalies: shape.anomalies,
    directLoads: [{ run: (db, path) => loadUwchrHeadcount(db, { file: file.path, path, releaseId: file.releaseId, header: shape.header, dataLines: shape.dataLines }) }],
  };
}
