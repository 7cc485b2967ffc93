import { resolveCountry } from '../../../lib/countries.js';
import { SourceFormatError } from '../../../lib/errors.js';
import type { CellValue, Sheet } from '../../../xlsx/sheet.js';
import type { Anomaly, Row } from '../../types.js';
import { FISCAL_MONTHS, normaliseLabel, NOT_A_NUMBER, type Dim, type TableLayout } from './layouts.js';

export const FACTS_TABLE = 'ohss_monthly_facts';

/** One row of `ohss_monthly_facts`: one published number. */
export interface MonthlyFact extends Row {
  release_id: string;
  sheet: string;
  cell: string;
  row: number;
  table_id: string;
  measure: string;
  fiscal_year: number;
  month_start: string | null;
  ytd: boolean;
  component: string;
  region: string;
  encounter_type: string;
  arrest_agency: string;
  citizenship: string | null;
  citizenship_kind: string | null;
  iso3: string | null;
  value: number | null;
  flag: string | null;
}

/** The title cell of a table sheet: "<title>: Fiscal Years 2014 to 2024 YTD (August 2024)". */
export interface SheetTitle {
  /** The whole text, as written. */
  text: string;
  /** The part before the colon, whitespace collapsed. */
  head: string;
  cell: string;
  /** 'YYYY-MM' of the "(August 2024)" at the end, if any. */
  month: string | null;
}

export interface TableRead {
  layout: TableLayout;
  sheet: string;
  title: SheetTitle;
  headerRow: number;
  facts: MonthlyFact[];
  lastRow: number;
  /** The latest month (first day, YYYY-MM-DD) with a month row. */
  lastMonth: string | null;
  /** The fiscal year of the "YYYY YTD" row, if any. */
  ytdFiscalYear: number | null;
  /** Text rows under the body (footnotes, Notes, Source), in order. */
  notes: Array<{ row: number; text: string }>;
}

interface ColumnSpec {
  col: number;
  coords: Partial<Record<Dim, string>>;
  citizenship?: { label: string; kind: string; iso3: string | null };
}

const MONTH_NAMES = new Map<string, number>(FISCAL_MONTHS.map((m, i) => [m.toLowerCase(), i]));

/** Finds the title in A1:A3 (OHSS puts it in A2 under the "Return to Table of Contents." link). */
export function readTitle(sheet: Sheet): SheetTitle | undefined {
  for (let r = 1; r <= 3; r++) {
    const text = sheet.text(r, 1);
    const m = /^(.+?):\s*Fiscal Years?\b/i.exec(text);
    if (!m) continue;
    const month = /\(\s*([A-Za-z]+)\s+(\d{4})\s*\)\s*$/.exec(text);
    const index = month ? MONTH_NAMES.get(month[1]!.toLowerCase()) : undefined;
    const calendarMonth = index === undefined ? null : ((index + 9) % 12) + 1;
    return {
      text,
      head: m[1]!.replace(/\s+/g, ' ').trim(),
      cell: sheet.ref(r, 1),
      month: calendarMonth === null ? null : `${month![2]}-${String(calendarMonth).padStart(2, '0')}`,
    };
  }
  return undefined;
}

/** "2023" (a number) or "2024 YTD" → 2023 / 2024; undefined for anything else. */
function fiscalYearOf(v: CellValue | undefined): { fy: number; ytd: boolean } | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 1990 && v <= 2100 ? { fy: v, ytd: false } : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(?:FY\s*)?(\d{4})(\s+YTD)?\s*$/i.exec(v);
  if (!m) return undefined;
  const fy = Number(m[1]);
  return fy >= 1990 && fy <= 2100 ? { fy, ytd: m[2] !== undefined } : undefined;
}

/** First day of the calendar month of a fiscal-order month name: FY2024 "October" → 2023-10-01. */
export function monthStartOf(name: string, fiscalYear: number): string | undefined {
  const index = MONTH_NAMES.get(name.trim().toLowerCase());
  if (index === undefined) return undefined;
  const month = ((index + 9) % 12) + 1;
  const year = index < 3 ? fiscalYear - 1 : fiscalYear;
  return `${year}-${String(month).padStart(2, '0')}-01`;
}

const show = (v: CellValue | undefined) => (v === undefined ? 'an empty cell' : JSON.stringify(v instanceof Date ? v.toISOString().slice(0, 10) : String(v)));

/**
 * Reads one table sheet by its layout: the header row (the row whose A is "Fiscal Year"), the
 * group-header row above it if the layout has one, then every fiscal-year total row and the month
 * rows under it (hidden in Excel, read all the same), until the notes. Columns are found by their
 * header text, never by position: the named countries and their order change between releases.
 */
export function readTable(sheet: Sheet, layout: TableLayout, title: SheetTitle, file: string, releaseId: string, anomalies: Anomaly[]): TableRead {
  const at = (r: number, c: number) => ({ file, sheet: sheet.name, cell: sheet.ref(r, c) });
  let headerRow = 0;
  for (let r = 2; r <= 6 && headerRow === 0; r++) if (normaliseLabel(sheet.text(r, 1)) === 'fiscal year') headerRow = r;
  if (headerRow === 0) throw new SourceFormatError(at(3, 1), `no header row with "Fiscal Year" in column A under the title "${title.text}"`);
  if (normaliseLabel(sheet.text(headerRow, 2)) !== 'month') {
    throw new SourceFormatError(at(headerRow, 2), `expected the header "Month", found ${show(sheet.get(headerRow, 2))}`);
  }
  const columns = readColumns(sheet, layout, headerRow, file, anomalies);
  const width = sheet.rowWidth(headerRow);

  const facts: MonthlyFact[] = [];
  const notes: Array<{ row: number; text: string }> = [];
  let fy: { fy: number; ytd: boolean } | undefined;
  let lastMonth: string | null = null;
  let ytdFiscalYear: number | null = null;
  let lastRow = headerRow;
  const monthsSeen = new Set<string>();
  for (let r = headerRow + 1; r <= sheet.maxRow; r++) {
    const w = sheet.rowWidth(r);
    if (w === 0) continue;
    const a = sheet.get(r, 1);
    const year = fiscalYearOf(a);
    let monthStart: string | null = null;
    if (year !== undefined) {
      if (normaliseLabel(sheet.text(r, 2)) !== 'total') throw new SourceFormatError(at(r, 2), `expected "Total" beside fiscal year ${show(a)}, found ${show(sheet.get(r, 2))}`);
      fy = year;
      if (year.ytd) ytdFiscalYear = year.fy;
    } else if (sheet.text(r, 1) === '' && sheet.text(r, 2) !== '') {
      const name = sheet.text(r, 2);
      if (!fy) throw new SourceFormatError(at(r, 2), `month row ${show(name)} before any fiscal-year "Total" row`);
      const m = monthStartOf(name, fy.fy);
      if (m === undefined) throw new SourceFormatError(at(r, 2), `expected a month name ("October" … "September"), found ${show(sheet.get(r, 2))}`);
      if (monthsSeen.has(m)) throw new SourceFormatError(at(r, 2), `${name} FY${fy.fy} appears twice`);
      monthsSeen.add(m);
      monthStart = m;
      if (lastMonth === null || m > lastMonth) lastMonth = m;
    } else {
      // the body ends at the first text row: footnotes, "Notes: …", "Source: …"
      if (!fy) throw new SourceFormatError(at(r, 1), `expected a fiscal year (e.g. 2014 or "2024 YTD") in the first data row, found ${show(a)}`);
      for (let n = r; n <= sheet.maxRow; n++) if (sheet.text(n, 1) !== '') notes.push({ row: n, text: sheet.text(n, 1) });
      break;
    }
    if (w > width) throw new SourceFormatError(at(r, w), `value ${show(sheet.get(r, w))} in a column without a header`);
    lastRow = r;
    for (const spec of columns) {
      const v = sheet.get(r, spec.col);
      let value: number | null = null;
      let flag: string | null = null;
      if (typeof v === 'number') {
        if (!Number.isSafeInteger(v) || v < 0) throw new SourceFormatError(at(r, spec.col), `${show(v)} is not a whole number`);
        value = v;
      } else if (typeof v === 'string' && NOT_A_NUMBER[v.trim().toUpperCase()] !== undefined) {
        flag = v.trim().toUpperCase();
      } else {
        throw new SourceFormatError(at(r, spec.col), `${show(v)} is neither a whole number nor one of OHSS's codes (${Object.keys(NOT_A_NUMBER).join(', ')})`);
      }
      const coords = { component: 'all', region: 'all', encounter_type: 'all', arrest_agency: 'all', ...layout.fixed, ...spec.coords };
      facts.push({
        release_id: releaseId,
        sheet: sheet.name,
        cell: sheet.ref(r, spec.col),
        row: r,
        table_id: layout.id,
        measure: layout.measure,
        fiscal_year: fy.fy,
        month_start: monthStart,
        ytd: fy.ytd,
        component: coords.component,
        region: coords.region,
        encounter_type: coords.encounter_type,
        arrest_agency: coords.arrest_agency,
        citizenship: spec.citizenship?.label ?? null,
        citizenship_kind: spec.citizenship?.kind ?? null,
        iso3: spec.citizenship?.iso3 ?? null,
        value,
        flag,
      });
    }
  }
  if (!fy) throw new SourceFormatError(at(headerRow + 1, 1), 'the table has no data rows');
  return { layout, sheet: sheet.name, title, headerRow, facts, lastRow, lastMonth, ytdFiscalYear, notes };
}

/** The value columns of the header row (and the group row above it), checked against the layout. */
function readColumns(sheet: Sheet, layout: TableLayout, headerRow: number, file: string, anomalies: Anomaly[]): ColumnSpec[] {
  const at = (r: number, c: number) => ({ file, sheet: sheet.name, cell: sheet.ref(r, c) });
  const width = sheet.rowWidth(headerRow);
  if (width < 3) throw new SourceFormatError(at(headerRow, 3), 'the header row has no value columns after "Fiscal Year" and "Month"');
  const groupRow = headerRow - 1;
  const groupOf: Array<{ label: string; value: string }> = [];
  if (layout.groups) {
    if (groupRow < 3) throw new SourceFormatError(at(headerRow, 1), `expected a group-header row (${Object.keys(layout.groups.labels).join(', ')}) above the header row`);
    let current: { label: string; value: string } | undefined;
    for (let c = 3; c <= width; c++) {
      const text = sheet.text(groupRow, c);
      if (text !== '') {
        const value = layout.groups.labels[normaliseLabel(text)];
        if (value === undefined) {
          throw new SourceFormatError(at(groupRow, c), `unknown group header "${text}" (this table's groups are ${Object.keys(layout.groups.labels).join(', ')}); add it to src/sources/dhs/ohss-monthly/layouts.ts`);
        }
        current = { label: text, value };
      }
      if (!current) throw new SourceFormatError(at(groupRow, c), `column ${sheet.ref(headerRow, c)} has no group header above it`);
      groupOf[c] = current;
    }
  } else if (groupRow >= 3) {
    for (let c = 3; c <= sheet.rowWidth(groupRow); c++) {
      if (sheet.text(groupRow, c) !== '') throw new SourceFormatError(at(groupRow, c), `unexpected group header "${sheet.text(groupRow, c)}": this table is read with one header row`);
    }
  }

  const specs: ColumnSpec[] = [];
  // columns are checked group by group: each group has its own Total and its own labels
  const groups = new Map<string, number[]>();
  for (let c = 3; c <= width; c++) {
    const key = groupOf[c]?.value ?? '';
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  for (const [groupValue, cols] of groups) {
    const seen = new Map<string, number>();
    for (const c of cols) {
      const text = sheet.text(headerRow, c);
      if (text === '') throw new SourceFormatError(at(headerRow, c), 'empty header');
      const key = normaliseLabel(text);
      if (seen.has(key)) throw new SourceFormatError(at(headerRow, c), `header "${text}" appears twice (also ${sheet.ref(headerRow, seen.get(key)!)})`);
      seen.set(key, c);
      const coords: Partial<Record<Dim, string>> = {};
      if (layout.groups) coords[layout.groups.dim] = groupValue;
      if (layout.columns === 'citizenship') {
        if (c === cols[0] && key !== 'total') {
          throw new SourceFormatError(at(headerRow, c), `expected the "Total" column first, found "${text}": a table by citizenship starts with its total`);
        }
        specs.push({ col: c, coords, citizenship: citizenshipOf(text, key === 'total', sheet, headerRow, c, anomalies) });
      } else {
        const value = layout.labels?.[key];
        if (value === undefined) {
          throw new SourceFormatError(at(headerRow, c), `unknown header "${text}" (this table's columns are ${Object.keys(layout.labels ?? {}).join(', ')}); add it to src/sources/dhs/ohss-monthly/layouts.ts`);
        }
        coords[layout.columns] = value;
        specs.push({ col: c, coords });
      }
    }
    if (layout.columns !== 'citizenship') {
      for (const label of Object.keys(layout.labels ?? {})) {
        if (!seen.has(label)) {
          throw new SourceFormatError(
            { file, sheet: sheet.name, row: headerRow, column: label },
            `the header row${groupValue ? ` (group ${groupOf[cols[0]!]!.label})` : ''} has no "${label}" column (headers: ${cols.map((c) => JSON.stringify(sheet.text(headerRow, c))).join(', ')})`,
          );
        }
      }
    }
  }
  return specs;
}

function citizenshipOf(text: string, isTotal: boolean, sheet: Sheet, r: number, c: number, anomalies: Anomaly[]): ColumnSpec['citizenship'] {
  if (isTotal) return { label: text, kind: 'total', iso3: null };
  const resolved = resolveCountry(text);
  if (resolved === undefined) {
    anomalies.push({
      code: 'unrecognised-country',
      severity: 'warning',
      subject: `${sheet.name}!${sheet.ref(r, c)}`,
      detail: `citizenship "${text}" is in neither src/lib/country-crosswalk.csv nor the ISO country names; its numbers are kept under the name as written, without a country code`,
    });
    return { label: text, kind: 'unmapped', iso3: null };
  }
  if ('iso3' in resolved) return { label: text, kind: 'country', iso3: resolved.iso3 };
  if ('group' in resolved) return { label: text, kind: 'group', iso3: null };
  return { label: text, kind: 'historic', iso3: null };
}
