import { isUtf8 } from 'node:buffer';
import { SourceFormatError } from '../lib/errors.js';
import { countByte } from '../lib/read-whole.js';
import { firstInvalidUtf8 } from '../lib/text-scan.js';
import type { Anomaly } from './types.js';

/**
 * The checks a CSV gets in JavaScript before DuckDB's `read_csv` loads it: the ones
 * DuckDB would report badly or not at all (encoding, delimiter, header names, a cut
 * last line). They touch the header and the last line, plus one pass of `isUtf8` and
 * a newline count, so they cost little beside the load itself.
 */
export interface CsvShape {
  header: string[];
  /** Bytes to skip before the header (a UTF-8 byte-order mark). */
  bomBytes: number;
  newline: '\r\n' | '\n';
  /** Data lines, not counting the header or a final empty line. */
  dataLines: number;
  anomalies: Anomaly[];
}

const NL = 0x0a;

/** Splits one CSV line on commas, honouring double quotes ("" inside quotes is a quote). */
export function splitCsvLine(line: string, delimiter = ','): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

/** 1-based line and column (field) of a byte offset. */
function locate(bytes: Uint8Array, offset: number): { line: number; lineStart: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = bytes.indexOf(NL); i !== -1 && i < offset; i = bytes.indexOf(NL, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, lineStart };
}

/** Line ends from `from` on (countByte: a GiB at a time, since Buffer.indexOf wraps beyond 2 GiB). */
function countLines(bytes: Uint8Array, from: number): number {
  return countByte(bytes.subarray(from), NL);
}

export function inspectCsv(file: string, bytes: Uint8Array): CsvShape {
  if (bytes.length === 0) throw new SourceFormatError({ file }, 'the file is empty');
  const bomBytes = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (bytes[bomBytes] === 0x3c /* < */) {
    throw new SourceFormatError({ file, line: 1 }, 'this is not a CSV file: it starts with "<" (an HTML page, perhaps an error page saved in place of the file)');
  }
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    const { line, lineStart } = locate(bytes, at);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, at));
    const column = splitCsvLine(before).length;
    throw new SourceFormatError(
      { file, line: line, column: `field ${column}` },
      `byte 0x${bytes[at]!.toString(16).padStart(2, '0')} at offset ${at} is not valid UTF-8 (the file may be in Windows-1252 or Latin-1; CBP publishes UTF-8)`,
    );
  }
  const headerEnd = bytes.indexOf(NL, bomBytes);
  const rawHeader = new TextDecoder().decode(bytes.subarray(bomBytes, headerEnd === -1 ? bytes.length : headerEnd));
  const newline = rawHeader.endsWith('\r') ? '\r\n' : '\n';
  const headerLine = rawHeader.replace(/\r$/, '');
  const header = splitCsvLine(headerLine).map((h) => h.trim());
  if (header.length === 1) {
    const other = [';', '\t', '|'].find((d) => headerLine.includes(d));
    if (other) {
      throw new SourceFormatError(
        { file, line: 1 },
        `the header is separated by ${other === '\t' ? 'tabs' : `'${other}'`}, not commas: this is not the agency's comma-separated layout`,
      );
    }
  }
  const anomalies: Anomaly[] = [];
  let dataLines = headerEnd === -1 ? 0 : countLines(bytes, headerEnd + 1);
  const endsWithNewline = bytes[bytes.length - 1] === NL;
  if (!endsWithNewline && headerEnd !== -1) {
    dataLines++;
    // the last line has no line end: the download may have been cut, so its field count is checked
    // searched in the last GiB only: the last line is short, and lastIndexOf wraps beyond 2 GiB
    const tail = Math.max(0, bytes.length - (1 << 30));
    const lastStart = tail + bytes.subarray(tail).lastIndexOf(NL) + 1;
    const last = new TextDecoder().decode(bytes.subarray(lastStart));
    const fields = splitCsvLine(last);
    const lineNo = dataLines + 1;
    if (fields.length < header.length) {
      throw new SourceFormatError(
        { file, line: lineNo, column: header[fields.length - 1] ?? header[0] },
        `the last line stops after ${fields.length} of ${header.length} fields (the file looks truncated): "${last.slice(0, 120)}"`,
      );
    }
    anomalies.push({
      code: 'no-final-newline',
      severity: 'warning',
      subject: `line ${lineNo}`,
      detail: 'the file does not end with a line break; if the download was cut, the last number on its last line may be cut too',
    });
  }
  return { header, bomBytes, newline, dataLines, anomalies };
}

/**
 * Turns a DuckDB CSV error into one that names the file, line and column. DuckDB's
 * messages carry "CSV Error on Line: N" and, for a bad value, the column it was
 * converting; the original line is kept in the reason.
 */
export function explainCsvError(file: string, err: unknown, header: string[] = []): SourceFormatError | undefined {
  const msg = err instanceof Error ? err.message : String(err);
  const line = /CSV Error on Line:\s*(\d+)/i.exec(msg) ?? /Line:\s*(\d+)/.exec(msg);
  if (!line) return undefined;
  const original = /Original Line:\s*\n?(.*)/.exec(msg)?.[1]?.trim();
  const conversion = /Could not convert string "([^"]*)" to '(\w+)'/.exec(msg);
  const count = /Expected Number of Columns:\s*(\d+)\s*Found:\s*(\d+)/i.exec(msg);
  let column = /converting column "([^"]+)"/.exec(msg)?.[1] ?? /Column (.+?) is being converted/.exec(msg)?.[1];
  let what: string;
  if (conversion) what = `"${conversion[1]}" is not ${conversion[2] === 'BIGINT' || conversion[2] === 'INTEGER' ? 'a whole number' : `a ${conversion[2]}`}`;
  else if (count) {
    const [expected, found] = [Number(count[1]), Number(count[2])];
    what = `the line has ${found} fields where the header has ${expected}`;
    column ??= found > expected ? `field ${expected + 1} (no such column)` : (header[found] ?? `field ${found + 1}`);
  } else {
    const first = msg.split('\n').find((l) => l.trim() !== '' && !/CSV Error on Line|^Original Line/i.test(l)) ?? msg.split('\n')[0]!;
    what = first.replace(/^[A-Za-z ]+Error:\s*/, '').trim();
  }
  return new SourceFormatError(
    { file, line: Number(line[1]), ...(column ? { column } : {}) },
    `${what}${original ? ` (the line reads "${original.slice(0, 160)}")` : ''}`,
  );
}
