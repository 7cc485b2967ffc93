import { resolveCountry } from '../../../lib/countries.js';
import { SourceFormatError } from '../../../lib/errors.js';
import { inspectCsv, splitCsvLine } from '../../csv-file.js';
import type { Anomaly, ParsedRelease, Row, SourceFile } from '../../types.js';
import { COUNTRY_HEADERS, fiscalYearOfHeader, normaliseHeader } from './columns.js';

export const ICE_REMOVALS_TABLE = 'ice_removals_by_citizenship';

export interface IceRemovalRow extends Row {
  release_id: string;
  file: string;
  line: number;
  column: string;
  citizenship: string;
  citizenship_kind: string;
  iso3: string | null;
  fiscal_year: number;
  value: number;
}

/**
 * Parses the CSV transcription of ICE's "FY2017 and FY2018 ICE Removals by Country of
 * Citizenship". Its numbers carry a leading space (`MEXICO, 128765, 141045`): fields are trimmed
 * before they are read, and anything else than digits is an error naming the line and column.
 */
export async function parseIceRemovalsByCitizenship(file: SourceFile): Promise<ParsedRelease> {
  const shape = inspectCsv(file.path, file.bytes);
  const anomalies: Anomaly[] = [...shape.anomalies];
  const header = shape.header;
  if (!COUNTRY_HEADERS.includes(normaliseHeader(header[0] ?? ''))) {
    throw new SourceFormatError({ file: file.path, line: 1, column: header[0] ?? '' }, `expected "CountryOfCitizenship" as the first header, found "${header[0]}"`);
  }
  const years: Array<{ index: number; header: string; fy: number }> = [];
  for (let i = 1; i < header.length; i++) {
    const fy = fiscalYearOfHeader(header[i]!);
    if (fy === undefined) throw new SourceFormatError({ file: file.path, line: 1, column: header[i]! }, `expected a fiscal year (e.g. "2018"), found "${header[i]}"`);
    if (years.some((y) => y.fy === fy)) throw new SourceFormatError({ file: file.path, line: 1, column: header[i]! }, `fiscal year ${fy} appears twice`);
    years.push({ index: i, header: header[i]!, fy });
  }
  if (years.length === 0) throw new SourceFormatError({ file: file.path, line: 1 }, 'the header has no fiscal-year columns');

  const text = new TextDecoder('utf-8').decode(file.bytes.subarray(shape.bomBytes));
  const raw = text.split(/\r?\n/);
  const rows: IceRemovalRow[] = [];
  const seen = new Map<string, number>();
  for (let i = 1; i < raw.length; i++) {
    const line = i + 1;
    const s = raw[i]!;
    if (s === '' && i === raw.length - 1) continue;
    const fields = splitCsvLine(s);
    if (fields.length !== header.length) {
      throw new SourceFormatError({ file: file.path, line, column: header[Math.min(fields.length, header.length - 1)]! }, `the line has ${fields.length} fields where the header has ${header.length}: "${s.slice(0, 120)}"`);
    }
    const name = fields[0]!.trim();
    if (name === '') throw new SourceFormatError({ file: file.path, line, column: header[0]! }, 'empty country name');
    const resolved = resolveCountry(name);
    let kind = 'unmapped';
    let iso3: string | null = null;
    if (resolved === undefined) {
      anomalies.push({
        code: 'unrecognised-country',
        severity: 'warning',
        subject: `${file.fileName}, line ${line}, column '${header[0]}'`,
        detail: `"${name}" is in neither src/lib/country-crosswalk.csv nor the ISO country names; its numbers are kept under the name as written, without a country code`,
      });
    } else if ('iso3' in resolved) {
      kind = 'country';
      iso3 = resolved.iso3;
    } else kind = 'group' in resolved ? 'group' : 'historic';
    const key = name.toUpperCase();
    if (seen.has(key)) anomalies.push({ code: 'duplicate-row', severity: 'warning', subject: `line ${line}`, detail: `"${name}" also on line ${seen.get(key)}; both are kept, so totals count it twice` });
    else seen.set(key, line);
    for (const y of years) {
      const cell = fields[y.index]!.trim();
      if (!/^\d+$/.test(cell)) {
        throw new SourceFormatError({ file: file.path, line, column: y.header }, `"${fields[y.index]}" is not a whole number of removals`);
      }
      rows.push({ release_id: file.releaseId, file: file.fileName, line, column: y.header, citizenship: name, citizenship_kind: kind, iso3, fiscal_year: y.fy, value: Number(cell) });
    }
  }
  if (rows.length === 0) throw new SourceFormatError({ file: file.path, line: 2 }, 'the table has no data lines');
  const fiscalYear = Math.max(...years.map((y) => y.fy));
  const summary: Record<string, number | string | null> = { countries: seen.size };
  // the table has no total line; ICE's published totals are the column sums (FY2017 226,119, FY2018 256,085)
  for (const y of years) summary[`removals_fy${y.fy}`] = rows.filter((r) => r.fiscal_year === y.fy).reduce((n, r) => n + r.value, 0);
  return {
    snapshotDate: `${fiscalYear}-09-30`,
    fiscalYear,
    summary,
    anomalies,
    tables: {
      [ICE_REMOVALS_TABLE]: rows,
      release_tables: [{ release_id: file.releaseId, sheet: file.fileName, title: 'FY2017 and FY2018 ICE Removals by Country of Citizenship', table_id: 'removals-by-citizenship', cell: 'A1', first_row: 2, last_row: rows.at(-1)!.line, facts: rows.length }],
    },
  };
}
