import { resolveCountry } from '../../../lib/countries.js';
import { SourceFormatError } from '../../../lib/errors.js';
import { inspectCsv, splitCsvLine } from '../../csv-file.js';
import type { Anomaly, ParsedRelease, Row, SourceFile } from '../../types.js';
import {
  CODES,
  GEOGRAPHY_HEADERS,
  layoutOf,
  MEASURE_HEADERS,
  normaliseHeader,
  parseYearbookFileName,
  PART_STATUS,
  STATUS_HEADERS,
  type CriminalStatus,
  type TableLayout,
  type YearbookFileName,
} from './layouts.js';

export const YEARBOOK_TABLE = 'dhs_yearbook_facts';

/** One row of `dhs_yearbook_facts`: one published cell. */
export interface YearbookFact extends Row {
  release_id: string;
  file: string;
  line: number;
  column: string;
  yearbook: number;
  table_number: number;
  table_kind: string;
  part: string;
  measure: string;
  geography: string;
  label: string | null;
  citizenship: string | null;
  citizenship_kind: string | null;
  iso3: string | null;
  criminal_status: CriminalStatus;
  fiscal_year: number;
  value: number | null;
  flag: string | null;
  withheld: boolean;
}

/** What a value column holds: a fiscal year, a criminal status (single-year parts) or a measure (by-year tables). */
interface ColumnMeaning {
  index: number;
  header: string;
  fiscalYear?: number;
  status?: CriminalStatus;
  measure?: string;
}

interface Line {
  n: number;
  fields: string[];
}

/** The data lines of a small CSV, split on commas outside quotes; every line must have the header's field count. */
function readLines(file: SourceFile): { header: string[]; lines: Line[]; anomalies: Anomaly[] } {
  const shape = inspectCsv(file.path, file.bytes);
  const text = new TextDecoder('utf-8').decode(file.bytes.subarray(shape.bomBytes));
  const raw = text.split(/\r?\n/);
  const lines: Line[] = [];
  for (let i = 1; i < raw.length; i++) {
    const s = raw[i]!;
    if (s === '' && i === raw.length - 1) continue;
    if (s.trim() === '') throw new SourceFormatError({ file: file.path, line: i + 1 }, 'empty line inside the table');
    if ((s.match(/"/g)?.length ?? 0) % 2 !== 0) throw new SourceFormatError({ file: file.path, line: i + 1 }, `unbalanced quote: "${s.slice(0, 120)}"`);
    const fields = splitCsvLine(s);
    if (fields.length !== shape.header.length) {
      const column = fields.length > shape.header.length ? `field ${shape.header.length + 1} (no such column)` : shape.header[fields.length] ?? `field ${fields.length + 1}`;
      throw new SourceFormatError({ file: file.path, line: i + 1, column }, `the line has ${fields.length} fields where the header has ${shape.header.length}: "${s.slice(0, 120)}"`);
    }
    lines.push({ n: i + 1, fields });
  }
  return { header: shape.header, lines, anomalies: shape.anomalies };
}

/** A cell's number: digits (pandas writes "89719.0" for a column with blanks), or one of OHSS's codes. */
export function cellValue(raw: string, where: { file: string; line: number; column: string }): { value: number | null; flag: string | null; withheld: boolean } {
  const s = raw.trim();
  const m = /^(\d+)(?:\.0+)?$/.exec(s);
  if (m) {
    const value = Number(m[1]);
    if (!Number.isSafeInteger(value)) throw new SourceFormatError(where, `"${raw}" is too large`);
    return { value, flag: null, withheld: false };
  }
  const code = CODES[s.toUpperCase()];
  if (code) return { value: code.value, flag: s.toUpperCase(), withheld: code.withheld };
  throw new SourceFormatError(where, `"${raw}" is neither a whole number nor one of OHSS's codes (D withheld, - zero, X not applicable)`);
}

function columnsOf(header: string[], layout: TableLayout, name: YearbookFileName, status: CriminalStatus | 'columns', file: string): ColumnMeaning[] {
  const out: ColumnMeaning[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < header.length; i++) {
    const h = header[i]!;
    const key = normaliseHeader(h);
    const where = { file, line: 1, column: h };
    if (seen.has(key)) throw new SourceFormatError(where, `the header "${h}" appears twice`);
    seen.add(key);
    if (layout.shape === 'year') {
      const measure = MEASURE_HEADERS[layout.kind]?.[key];
      if (!measure) throw new SourceFormatError(where, `unknown column "${h}" (this table's columns are ${Object.keys(MEASURE_HEADERS[layout.kind] ?? {}).join(', ')}); add it to src/sources/dhs/yearbook/layouts.ts`);
      out.push({ index: i, header: h, measure });
    } else if (status === 'columns') {
      const st = STATUS_HEADERS[key];
      if (!st) throw new SourceFormatError(where, `unknown column "${h}": a single-year part of Yearbook ${name.yearbook} has the columns Total, Criminal, Non-Criminal`);
      out.push({ index: i, header: h, fiscalYear: name.yearbook, status: st });
    } else {
      if (!/^\d{4}$/.test(key)) throw new SourceFormatError(where, `expected a fiscal year (e.g. "2022" or "2022 [8]"), found "${h}"`);
      out.push({ index: i, header: h, fiscalYear: Number(key) });
    }
  }
  if (out.length === 0) throw new SourceFormatError({ file, line: 1 }, 'the header has no value columns');
  return out;
}

function citizenshipOf(label: string, file: SourceFile, line: number, column: string, anomalies: Anomaly[]) {
  const citizenship = label.replace(/\s*\[\d{1,2}\]\s*$/, '').trim();
  if (normaliseHeader(citizenship) === 'total') return { citizenship, kind: 'total', iso3: null };
  const r = resolveCountry(citizenship);
  if (r === undefined) {
    anomalies.push({
      code: 'unrecognised-country',
      severity: 'warning',
      subject: `${file.fileName}, line ${line}, column '${column}'`,
      detail: `"${label}" is in neither src/lib/country-crosswalk.csv nor the ISO country names; its numbers are kept under the name as written, without a country code`,
    });
    return { citizenship, kind: 'unmapped', iso3: null };
  }
  if ('iso3' in r) return { citizenship, kind: 'country', iso3: r.iso3 };
  return { citizenship, kind: 'group' in r ? 'group' : 'historic', iso3: null };
}

/** Parses one yearbook table part (a CSV export of one HTML table of an OHSS yearbook page). */
export async function parseYearbook(file: SourceFile): Promise<ParsedRelease> {
  const name = parseYearbookFileName(file.fileName);
  if (!name) throw new SourceFormatError({ file: file.path }, 'the name is not Yearbook<year>_Table<N><Title>_<part>.csv');
  const layout = layoutOf(name.title);
  if (!layout) {
    throw new SourceFormatError({ file: file.path, table: name.title }, `unrecognised yearbook table title (Table ${name.tableNumber} of Yearbook ${name.yearbook}); add its title to src/sources/dhs/yearbook/layouts.ts`);
  }
  const { header, lines, anomalies } = readLines(file);
  let geography: 'region' | 'country' | 'national' = 'national';
  let status: CriminalStatus | 'columns' = 'all';
  if (layout.shape === 'nationality') {
    const g = GEOGRAPHY_HEADERS[normaliseHeader(header[0]!)];
    if (!g) throw new SourceFormatError({ file: file.path, line: 1, column: header[0]! }, `expected "Region of nationality" or "Country of nationality" as the first header, found "${header[0]}"`);
    geography = g;
    if (layout.byCriminalStatus) {
      const s = PART_STATUS[name.yearbook]?.[name.part];
      if (!s) {
        throw new SourceFormatError(
          { file: file.path, table: name.title },
          `the criminal status of part ${name.part} of Yearbook ${name.yearbook} is not known: the part letters changed order between yearbooks, so add this yearbook's parts to PART_STATUS in src/sources/dhs/yearbook/layouts.ts`,
        );
      }
      if (s.geography !== g) {
        throw new SourceFormatError(
          { file: file.path, line: 1, column: header[0]! },
          `part ${name.part} of Yearbook ${name.yearbook}'s removals table should be by ${s.geography} (PART_STATUS in src/sources/dhs/yearbook/layouts.ts), but its first header is "${header[0]}": the parts are in another order`,
        );
      }
      status = s.status;
    }
  } else if (normaliseHeader(header[0]!) !== 'year') {
    throw new SourceFormatError({ file: file.path, line: 1, column: header[0]! }, `expected "Year" as the first header, found "${header[0]}"`);
  }
  const columns = columnsOf(header, layout, name, status, file.path);

  const facts: YearbookFact[] = [];
  const labels = new Map<string, number>();
  for (const { n, fields } of lines) {
    const first = fields[0]!.trim();
    if (first === '') throw new SourceFormatError({ file: file.path, line: n, column: header[0]! }, 'empty label');
    let who: { label: string | null; citizenship: string | null; kind: string | null; iso3: string | null } = { label: null, citizenship: null, kind: null, iso3: null };
    let rowYear: number | undefined;
    if (layout.shape === 'year') {
      const y = normaliseHeader(first);
      if (!/^\d{4}$/.test(y)) throw new SourceFormatError({ file: file.path, line: n, column: header[0]! }, `expected a fiscal year, found "${first}"`);
      rowYear = Number(y);
    } else {
      const c = citizenshipOf(first, file, n, header[0]!, anomalies);
      who = { label: first, citizenship: c.citizenship, kind: c.kind, iso3: c.iso3 };
    }
    const key = normaliseHeader(first);
    if (labels.has(key)) {
      anomalies.push({ code: 'duplicate-row', severity: 'warning', subject: `line ${n}`, detail: `"${first}" also on line ${labels.get(key)}; both are kept` });
    } else labels.set(key, n);
    for (const col of columns) {
      const where = { file: file.path, line: n, column: col.header };
      const v = cellValue(fields[col.index]!, where);
      facts.push({
        release_id: file.releaseId,
        file: file.fileName,
        line: n,
        column: col.header,
        yearbook: name.yearbook,
        table_number: name.tableNumber,
        table_kind: layout.kind,
        part: name.part,
        measure: col.measure ?? layout.measure!,
        geography,
        label: who.label,
        citizenship: who.citizenship,
        citizenship_kind: who.kind,
        iso3: who.iso3,
        criminal_status: col.status ?? (status === 'columns' ? 'all' : status),
        fiscal_year: rowYear ?? col.fiscalYear!,
        ...v,
      });
    }
  }
  if (facts.length === 0) throw new SourceFormatError({ file: file.path, line: 2 }, 'the table has no data lines');
  if (layout.shape === 'nationality' && !labels.has('total')) {
    throw new SourceFormatError({ file: file.path, line: 2, column: header[0]! }, 'no "Total" line: the table\'s total is read from it, never summed from the countries');
  }
  const fiscalYear = facts.reduce((m, f) => Math.max(m, f.fiscal_year), 0);
  if (fiscalYear !== name.yearbook) {
    anomalies.push({ code: 'filename-fy-mismatch', severity: 'warning', subject: file.fileName, detail: `the name says Yearbook ${name.yearbook}, the latest fiscal year in the table is ${fiscalYear}` });
  }
  const latestTotals = facts.filter((f) => f.fiscal_year === fiscalYear && (f.citizenship_kind === 'total' || f.geography === 'national'));
  const summary: Record<string, number | string | null> = {
    yearbook: name.yearbook,
    table_number: name.tableNumber,
    table_kind: layout.kind,
    part: name.part,
    geography,
    criminal_status: status,
    first_fiscal_year: facts.reduce((m, f) => Math.min(m, f.fiscal_year), 9999),
    last_fiscal_year: fiscalYear,
    ...Object.fromEntries(latestTotals.map((f) => [`${f.measure}${f.criminal_status === 'all' ? '' : `_${f.criminal_status}`}_fy${f.fiscal_year}`, f.value])),
    lines: lines.length,
    withheld_cells: facts.filter((f) => f.withheld).length,
  };
  return {
    snapshotDate: `${fiscalYear}-09-30`,
    fiscalYear,
    summary,
    anomalies,
    tables: {
      [YEARBOOK_TABLE]: facts,
      release_tables: [
        {
          release_id: file.releaseId,
          sheet: file.fileName,
          title: `Yearbook ${name.yearbook} Table ${name.tableNumber} part ${name.part}: ${name.title.replace(/([a-z0-9])([A-Z])/g, '$1 $2')}`,
          table_id: layout.kind,
          cell: 'A1',
          first_row: 2,
          last_row: lines.at(-1)?.n ?? 1,
          facts: facts.length,
        },
      ],
    },
  };
}
