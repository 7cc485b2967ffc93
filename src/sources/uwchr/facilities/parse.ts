import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { refreshRegistryLoad } from '../../../facilities/registry.js';
import { SourceFormatError } from '../../../lib/errors.js';
import { splitCsvLine } from '../../csv-file.js';
import type { Anomaly, ParsedRelease, Row, SourceFile } from '../../types.js';
import { uwchrFacilityFile } from './discover.js';
import { FACILITY_COLUMNS, loadUwchrFacilities } from './load.js';

const inflate = promisify(gunzip);

/** The columns of the two crosswalks, and which must not be empty. */
const CROSSWALKS: Record<string, { columns: string[]; key: string; numbers?: string[] }> = {
  uwchr_county_aor: { columns: ['geoid', 'geoid_state', 'geoid_county', 'name', 'aor'], key: 'geoid' },
  uwchr_aor_field_offices: { columns: ['aor', 'field_office_addr', 'lat', 'long'], key: 'aor', numbers: ['lat', 'long'] },
};

function decodeUtf8(file: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SourceFormatError({ file }, 'the file has bytes that are not valid UTF-8');
  }
}

function lines(text: string): string[] {
  const out = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''));
  if (out.at(-1) === '') out.pop();
  return out;
}

/** Header names checked against the expected set: a missing column is an error naming it. */
function checkHeader(file: string, header: string[], expected: readonly string[], delimiter: string): Anomaly[] {
  if (header.length === 1 && expected.length > 1) {
    throw new SourceFormatError({ file, line: 1 }, `the header is not separated by '${delimiter}': "${header[0]!.slice(0, 80)}"`);
  }
  const missing = expected.filter((c) => !header.includes(c));
  if (missing.length) {
    throw new SourceFormatError({ file, line: 1, column: missing[0] }, `column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')} missing from the header; UWCHR's layout is ${expected.join(delimiter)}`);
  }
  if (new Set(header).size !== header.length) throw new SourceFormatError({ file, line: 1 }, `the header names a column twice: ${header.join(delimiter)}`);
  const extra = header.filter((h) => !expected.includes(h));
  return extra.length ? [{ code: 'unrecognised-column', severity: 'info', subject: extra.join(', '), detail: "columns not in UWCHR's known layout, not loaded" }] : [];
}

/** county_aor.csv and aor_ero_field_office.csv: small comma-separated files, read here. */
function parseCrosswalk(file: SourceFile, table: string): ParsedRelease {
  const spec = CROSSWALKS[table]!;
  const all = lines(decodeUtf8(file.path, file.bytes));
  if (all.length === 0) throw new SourceFormatError({ file: file.path }, 'the file is empty');
  const header = splitCsvLine(all[0]!).map((h) => h.trim());
  const anomalies = checkHeader(file.path, header, spec.columns, ',');
  const rows: Row[] = [];
  const seen = new Map<string, number>();
  for (let i = 1; i < all.length; i++) {
    const line = i + 1;
    if (all[i]!.trim() === '') continue;
    const fields = splitCsvLine(all[i]!);
    if (fields.length !== header.length) {
      throw new SourceFormatError({ file: file.path, line, column: header[Math.min(fields.length, header.length - 1)] }, `the line has ${fields.length} fields where the header has ${header.length}`);
    }
    const row: Row = { release_id: file.releaseId, line };
    for (const c of spec.columns) {
      const v = fields[header.indexOf(c)]!.trim();
      if (spec.numbers?.includes(c)) {
        if (v !== '' && !Number.isFinite(Number(v))) throw new SourceFormatError({ file: file.path, line, column: c }, `"${v}" is not a number`);
        row[c] = v === '' || v === 'NA' ? null : Number(v);
      } else row[c] = v === '' || v === 'NA' ? null : v;
    }
    const key = row[spec.key];
    if (key === null) throw new SourceFormatError({ file: file.path, line, column: spec.key }, 'the value is empty; every line needs one');
    const first = seen.get(String(key));
    if (first !== undefined) anomalies.push({ code: 'duplicate-key', severity: 'warning', subject: `line ${line}`, detail: `${spec.key} ${String(key)} repeats line ${first}` });
    else seen.set(String(key), line);
    rows.push(row);
  }
  if (rows.length === 0) throw new SourceFormatError({ file: file.path, line: 2 }, 'the file has a header but no data lines');
  return { snapshotDate: null, fiscalYear: null, summary: { rows: rows.length }, tables: { [table]: rows }, anomalies };
}

/**
 * facilities.csv.gz: decompressed here (64 KB) to check the encoding, the pipe-delimited
 * header and the line count, then read by DuckDB's read_csv from the archived gzip.
 */
async function parseFacilities(file: SourceFile): Promise<ParsedRelease> {
  if (file.bytes[0] !== 0x1f || file.bytes[1] !== 0x8b) {
    const what = file.bytes[0] === 0x3c ? 'it starts with "<" (an HTML page, perhaps an error page saved in place of the file)' : 'it does not start with the gzip magic bytes 1f 8b';
    throw new SourceFormatError({ file: file.path }, `this is not a gzip file: ${what}`);
  }
  let raw: Buffer;
  try {
    raw = await inflate(file.bytes);
  } catch (err) {
    throw new SourceFormatError({ file: file.path }, `the gzip stream is damaged or cut short (${err instanceof Error ? err.message : String(err)})`);
  }
  const all = lines(decodeUtf8(file.path, raw));
  if (all.length === 0) throw new SourceFormatError({ file: file.path, line: 1 }, 'the decompressed file is empty');
  const header = all[0]!.split('|').map((h) => h.trim());
  const anomalies = checkHeader(file.path, header, FACILITY_COLUMNS, '|');
  const dataLines = all.length - 1;
  if (dataLines === 0) throw new SourceFormatError({ file: file.path, line: 2 }, 'the file has a header but no data lines');
  const last = all.at(-1)!;
  if (!raw.subarray(-1).equals(Buffer.from('\n')) && splitCsvLine(last, '|').length < header.length) {
    throw new SourceFormatError({ file: file.path, line: all.length, column: header[splitCsvLine(last, '|').length - 1] }, `the last line stops after ${splitCsvLine(last, '|').length} of ${header.length} fields (the file looks truncated)`);
  }
  return {
    snapshotDate: null,
    fiscalYear: null,
    summary: {},
    tables: {},
    anomalies,
    // then the facility registry (src/facilities) is rebuilt with UWCHR's codes and names
    directLoads: [{ run: (db, path) => loadUwchrFacilities(db, { file: file.path, path, releaseId: file.releaseId, header, dataLines }) }, refreshRegistryLoad],
  };
}

/** One of UWCHR's facility files, by its name. */
export async function parseUwchrFacilities(file: SourceFile): Promise<ParsedRelease> {
  const known = uwchrFacilityFile(file.fileName);
  if (!known) throw new SourceFormatError({ file: file.path }, 'not one of UWCHR\'s facility files (facilities.csv.gz, county_aor.csv, aor_ero_field_office.csv)');
  if (known.table === 'uwchr_facilities') return parseFacilities(file);
  return parseCrosswalk(file, known.table);
}
