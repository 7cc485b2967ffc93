import { cellRef } from '../../../xlsx/cell-ref.js';
import type { Sheet } from '../../../xlsx/sheet.js';
import type { TitledTable } from '../../../xlsx/titled-tables.js';
import { agencyOf, criminalityOf, facilityTypeOf, MONTHS, type TableSpec } from './columns.js';

/**
 * A table is stored normalised: the dimensions belong to its rows and columns, so
 * they are written once per row and column, not once per number; the view
 * `ice_detention_facts` joins them back into one row per number.
 */
export interface TableRecord {
  release_id: string;
  table_no: number;
  sheet: string;
  table_id: string;
  table_cell: string;
  measure: string | null;
  fiscal_year: number | null;
  fixed_agency: string | null;
  fixed_facility_type: string | null;
}

export interface RowRecord {
  release_id: string;
  table_no: number;
  row: number;
  row_label: string;
  agency: string | null;
  criminality: string | null;
  facility_type: string | null;
  category: string | null;
}

export interface ColRecord {
  release_id: string;
  table_no: number;
  col: number;
  col_label: string;
  /** Whether the column names its own measure (true even when that measure is unknown: null). */
  measure_set: boolean;
  measure: string | null;
  month: string | null;
  agency: string | null;
  criminality: string | null;
  facility_type: string | null;
  category: string | null;
}

export interface CellRecord {
  release_id: string;
  table_no: number;
  row: number;
  col: number;
  value: number;
}

/** One number with all its dimensions: a row of the view `ice_detention_facts`. */
export interface Fact {
  release_id: string;
  sheet: string;
  row: number;
  cell: string;
  table_id: string;
  table_cell: string;
  row_label: string;
  col_label: string;
  measure: string | null;
  fiscal_year: number | null;
  /** First day of the calendar month; null for a fiscal-year-to-date or snapshot figure. */
  month: string | null;
  agency: string;
  criminality: string;
  facility_type: string;
  category: string;
  value: number;
}

/** Where a release's rows, columns and cells are collected, table after table. */
export interface TableParts {
  rows: RowRecord[];
  cols: ColRecord[];
  cells: CellRecord[];
}

export interface InterpretResult {
  table: TableRecord;
  /** Numbers the table added to the cells. */
  facts: number;
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
  tableNo: number,
  out: TableParts,
): InterpretResult {
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

  // added straight to the release's lists: per-table lists, empty or not, reached the caller with different maps
  const { cols, rows, cells } = out;
  const cellsBefore = cells.length;
  for (const c of table.valueCols) {
    const header = table.headers.get(c) ?? '';
    const d = columnDims(shape, spec, header, monthOf, note);
    cols.push({
      release_id: releaseId,
      table_no: tableNo,
      col: c,
      col_label: header,
      measure_set: d.measure !== undefined,
      measure: d.measure ?? null,
      month: d.month ?? null,
      agency: d.agency ?? null,
      criminality: d.criminality ?? null,
      facility_type: d.facility_type ?? null,
      category: d.category ?? null,
    });
  }

  for (const r of table.dataRows) {
    // the first two labels and their join, without an array per row: arrays of no labels and of some have
    // different maps in V8, and each change of map made it compile this function again
    let first = '';
    let second = '';
    let rowLabel = '';
    for (let k = 0; k < table.labelCols.length; k++) {
      const label = sheet.text(r, table.labelCols[k]!).replace(/\s+/g, ' ');
      if (k === 0) first = label;
      else if (k === 1) second = label;
      if (label !== '') rowLabel = rowLabel === '' ? label : `${rowLabel} / ${label}`;
    }
    // plain variables rather than an object per shape: objects of six shapes made V8 compile this function again
    // each time a new one came by
    let agency: string | null = null;
    let criminality: string | null = null;
    let facilityType: string | null = null;
    let category: string | null = null;
    switch (shape) {
      case 'criminality-by-agency':
        criminality = criminalityOf(first) ?? note(first);
        break;
      case 'agency-by-month':
        agency = agencyOf(first) ?? note(first);
        break;
      case 'facility-by-criminality':
      case 'facility-by-month':
        facilityType = facilityTypeOf(first) ?? note(first);
        break;
      case 'agency-criminality-by-month': {
        const g = /^(.*?)\s*average$/i.exec(first);
        if (g) {
          group = g[1] === '' ? 'all' : (agencyOf(g[1]!) ?? note(first));
          agency = group;
          criminality = 'all';
        } else {
          agency = group ?? 'all';
          criminality = criminalityOf(first) ?? note(first);
        }
        break;
      }
      case 'reason-criminality-by-month': {
        if (first !== '') group = /^total$/i.test(first) ? 'all' : first;
        category = group ?? 'all';
        criminality = second === '' ? 'all' : (criminalityOf(second) ?? note(second));
        break;
      }
      case 'category-by-column':
        category = /^total$/i.test(first) ? 'all' : rowLabel;
        break;
      case 'category-by-measure':
        if (spec?.id === 'atd_by_aor_technology' && ATD_TECHNOLOGIES.test(first)) {
          category = `${group ?? 'all'} / ${first}`;
        } else {
          if (spec?.id === 'atd_by_aor_technology') group = /^total$/i.test(first) ? 'all' : first;
          category = /^total$/i.test(first) ? 'all' : first;
        }
        break;
      case 'generic':
        category = rowLabel;
        break;
    }
    let any = false;
    const values = sheet.rows[r]!;
    for (const c of table.valueCols) {
      const value = values[c];
      if (typeof value !== 'number') continue;
      cells.push({ release_id: releaseId, table_no: tableNo, row: r, col: c, value });
      any = true;
    }
    if (!any) continue;
    rows.push({
      release_id: releaseId,
      table_no: tableNo,
      row: r,
      row_label: rowLabel,
      agency,
      criminality,
      facility_type: facilityType,
      category,
    });
  }
  return {
    table: {
      release_id: releaseId,
      table_no: tableNo,
      sheet: sheet.name,
      table_id: spec?.id ?? 'unrecognised',
      table_cell: sheet.ref(table.titleRow, table.titleCol),
      measure: spec?.measure ?? null,
      fiscal_year: fy,
      fixed_agency: spec?.fixed?.agency ?? null,
      fixed_facility_type: spec?.fixed?.facility_type ?? null,
    },
    facts: cells.length - cellsBefore,
    unknownLabels: [...unknown],
  };
}

/**
 * Joins a release's tables, rows, columns and cells into facts, exactly as the view
 * `ice_detention_facts` does in SQL: a column's dimension wins over its row's, then
 * the table's fixed value, then 'all'.
 */
export function materialiseFacts(
  parts: {
    tables: TableRecord[];
    rows: RowRecord[];
    cols: ColRecord[];
    cells: CellRecord[];
  },
  onlyTables?: ReadonlySet<string>,
): Fact[] {
  const k = (t: number, n: number) => t * 1_000_000 + n;
  const tables = new Map(parts.tables.filter((t) => !onlyTables || onlyTables.has(t.table_id)).map((t) => [t.table_no, t]));
  const rows = new Map(parts.rows.map((r) => [k(r.table_no, r.row), r]));
  const cols = new Map(parts.cols.map((c) => [k(c.table_no, c.col), c]));
  const cells = onlyTables ? parts.cells.filter((c) => tables.has(c.table_no)) : parts.cells;
  return cells.map((cell) => {
    const t = tables.get(cell.table_no)!;
    const r = rows.get(k(cell.table_no, cell.row))!;
    const c = cols.get(k(cell.table_no, cell.col))!;
    return {
      release_id: cell.release_id,
      sheet: t.sheet,
      row: cell.row,
      cell: cellRef(cell.row, cell.col),
      table_id: t.table_id,
      table_cell: t.table_cell,
      row_label: r.row_label,
      col_label: c.col_label,
      measure: c.measure_set ? c.measure : t.measure,
      fiscal_year: t.fiscal_year,
      month: c.month,
      agency: c.agency ?? r.agency ?? t.fixed_agency ?? 'all',
      criminality: c.criminality ?? r.criminality ?? 'all',
      facility_type: c.facility_type ?? r.facility_type ?? t.fixed_facility_type ?? 'all',
      category: c.category ?? r.category ?? 'all',
      value: cell.value,
    };
  });
}

/** Dimensions a column header carries. */
function columnDims(
  shape: string,
  spec: TableSpec | undefined,
  header: string,
  monthOf: (h: string) => string | null | undefined,
  note: (l: string) => string,
): Dims {
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
