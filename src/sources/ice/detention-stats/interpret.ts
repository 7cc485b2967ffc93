import type { Sheet } from '../../../xlsx/sheet.js';
import type { TitledTable } from '../../../xlsx/titled-tables.js';
import { agencyOf, criminalityOf, facilityTypeOf, MONTHS, type TableSpec } from './columns.js';

/** One number of a workbook table, with its dimensions and the cell it came from. */
export interface Fact {
  release_id: string;
  sheet: string;
  row: number;
  cell: string;
  table_id: string;
  table_title: string;
  row_label: string;
  col_label: string;
  measure: string | null;
  fiscal_year: number | null;
  /** First day of the calendar month; null for a fiscal-year-to-date or snapshot figure. */
  month: string | null;
  agency: string | null;
  criminality: string | null;
  facility_type: string | null;
  category: string | null;
  value: number;
}

export interface InterpretResult {
  facts: Fact[];
  /** Labels a known table carried that the crosswalk does not know. */
  unknownLabels: string[];
}

const ATD_TECHNOLOGIES = /^(GPS|SmartLINK|VoiceID|Ankle Monitor|Wristworn|Wrist ?worn|Dual Tech|Telephonic|Cell ?Phone|Smart ?watch)$/i;

/** Fiscal year named in a title or sheet name: "FY2026", "EOFY2020", "FY21 YTD". */
export function fiscalYearIn(text: string): number | undefined {
  const m = /(?:EO)?FY\s?(\d{4}|\d{2})(?!\d)/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n < 100 ? 2000 + n : n;
}

/** First day of the calendar month of fiscal month `label` ("Oct") in fiscal year `fy`. */
export function monthStart(label: string, fy: number): string | undefined {
  const m = MONTHS[label.trim().slice(0, 3).toLowerCase()];
  if (m === undefined || label.trim().length > 9) return undefined;
  const year = m >= 10 ? fy - 1 : fy;
  return `${year}-${String(m).padStart(2, '0')}-01`;
}

function isWholePeriod(header: string): boolean {
  return /^(fy overall|total|fytd|ytd)$/i.test(header.trim());
}

interface Dims {
  measure?: string | null;
  month?: string | null;
  agency?: string | null;
  criminality?: string | null;
  facility_type?: string | null;
  category?: string | null;
}

export function interpretTable(
  sheet: Sheet,
  table: TitledTable,
  spec: TableSpec | undefined,
  releaseId: string,
  releaseFy: number | null,
): InterpretResult {
  const facts: Fact[] = [];
  const unknown = new Set<string>();
  const fy = fiscalYearIn(table.title) ?? releaseFy;
  const shape = spec?.shape ?? 'generic';
  let group: string | null = null; // agency group or release reason, carried down the rows

  const note = (label: string): string => {
    unknown.add(label);
    return label;
  };
  const monthOf = (header: string): string | null | undefined => {
    if (isWholePeriod(header)) return null;
    return fy === null ? undefined : monthStart(header, fy);
  };

  for (const r of table.dataRows) {
    const labels = table.labelCols.map((c) => sheet.text(r, c).replace(/\s+/g, ' '));
    const first = labels[0] ?? '';
    const rowLabel = labels.filter((l) => l !== '').join(' / ');
    let rowDims: Dims = {};
    switch (shape) {
      case 'criminality-by-agency':
        rowDims = { criminality: criminalityOf(first) ?? note(first) };
        break;
      case 'agency-by-month':
        rowDims = { agency: agencyOf(first) ?? note(first) };
        break;
      case 'facility-by-criminality':
      case 'facility-by-month':
        rowDims = { facility_type: facilityTypeOf(first) ?? note(first) };
        break;
      case 'agency-criminality-by-month': {
        const g = /^(.*?)\s*average$/i.exec(first);
        if (g) {
          group = g[1] === '' ? 'all' : (agencyOf(g[1]!) ?? note(first));
          rowDims = { agency: group, criminality: 'all' };
        } else rowDims = { agency: group ?? 'all', criminality: criminalityOf(first) ?? note(first) };
        break;
      }
      case 'reason-criminality-by-month': {
        if (first !== '') group = /^total$/i.test(first) ? 'all' : first;
        const crim = labels[1] ?? '';
        rowDims = { category: group ?? 'all', criminality: crim === '' ? 'all' : (criminalityOf(crim) ?? note(crim)) };
        break;
      }
      case 'category-by-column':
        rowDims = { category: /^total$/i.test(first) ? 'all' : rowLabel };
        break;
      case 'category-by-measure':
        if (spec?.id === 'atd_by_aor_technology' && ATD_TECHNOLOGIES.test(first)) {
          rowDims = { category: `${group ?? 'all'} / ${first}` };
        } else {
          if (spec?.id === 'atd_by_aor_technology') group = /^total$/i.test(first) ? 'all' : first;
          rowDims = { category: /^total$/i.test(first) ? 'all' : first };
        }
        break;
      case 'generic':
        rowDims = { category: rowLabel };
        break;
    }

    for (const c of table.valueCols) {
      const value = sheet.get(r, c);
      if (typeof value !== 'number') continue;
      const header = table.headers.get(c) ?? '';
      const colDims = columnDims(shape, spec, header, monthOf, note);
      if (colDims === null) continue;
      const d: Dims = { ...rowDims, ...colDims };
      facts.push({
        release_id: releaseId,
        sheet: sheet.name,
        row: r,
        cell: sheet.ref(r, c),
        table_id: spec?.id ?? 'unrecognised',
        table_title: table.title,
        row_label: rowLabel,
        col_label: header,
        measure: d.measure !== undefined ? d.measure : (spec?.measure ?? null),
        fiscal_year: fy,
        month: d.month ?? null,
        agency: d.agency ?? spec?.fixed?.agency ?? 'all',
        criminality: d.criminality ?? 'all',
        facility_type: d.facility_type ?? spec?.fixed?.facility_type ?? 'all',
        category: d.category ?? 'all',
        value,
      });
    }
  }
  return { facts, unknownLabels: [...unknown] };
}

/** Dimensions a column header carries, or null for a column that is not a fact (a blank spacer). */
function columnDims(
  shape: string,
  spec: TableSpec | undefined,
  header: string,
  monthOf: (h: string) => string | null | undefined,
  note: (l: string) => string,
): Dims | null {
  const h = header.trim();
  switch (shape) {
    case 'criminality-by-agency': {
      const pct = /^percent\s+(ice|cbp)$/i.exec(h);
      if (pct) return { agency: pct[1]!.toUpperCase(), measure: `${spec?.measure ?? 'value'}_share` };
      return { agency: agencyOf(h) ?? note(h) };
    }
    case 'agency-by-month':
    case 'facility-by-month':
    case 'agency-criminality-by-month':
    case 'reason-criminality-by-month': {
      const m = monthOf(h);
      return m === undefined ? { month: null, category: note(h) } : { month: m };
    }
    case 'facility-by-criminality':
      return { criminality: criminalityOf(h) ?? note(h) };
    case 'category-by-column': {
      if (h === '' || isWholePeriod(h) || /^removals$/i.test(h)) return {};
      const ft = facilityTypeOf(h);
      if (ft) return { facility_type: ft };
      const cr = criminalityOf(h);
      if (cr) return { criminality: cr };
      return { category: note(h) };
    }
    case 'category-by-measure': {
      for (const [re, measure] of spec?.measures ?? []) if (re.test(h)) return { measure };
      return { measure: null };
    }
    default:
      return {};
  }
}
