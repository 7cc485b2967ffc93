import { SourceFormatError } from '../../../lib/errors.js';
import type { CellValue, Sheet } from '../../../xlsx/sheet.js';
import { Workbook, type SheetInfo } from '../../../xlsx/workbook.js';
import type { Anomaly, ParsedRelease, Row, SourceFile } from '../../types.js';
import { FISCAL_MONTHS, HEADER_VARIANTS, normaliseHeader, SHEETS, type Column, type SheetSpec } from './columns.js';

export const TABLE = 'ohss_usbp_encounters';

/** One row of `ohss_usbp_encounters`. */
export interface EncounterRow extends Row {
  release_id: string;
  sheet: string;
  row: number;
  grain: 'fy' | 'month';
  breakdown: string;
  fiscal_year: number;
  /** First day of the calendar month (YYYY-MM-DD); null on annual sheets. */
  month_start: string | null;
  region: string | null;
  citizenship: string | null;
  family_status: string | null;
  sector: string | null;
  quantity: number;
}

/**
 * The calendar month of a fiscal-order label: "01 October" of FY2025 → 2024-10-01,
 * "04 January" → 2025-01-01. The number prefix, when present, must agree with the name.
 */
export function monthStart(label: string, fiscalYear: number): string | undefined {
  const m = /^(?:(\d{1,2})\s+)?([A-Za-z]{3,})\.?$/.exec(label.trim());
  if (!m) return undefined;
  const name = m[2]!.toLowerCase();
  const index = FISCAL_MONTHS.findIndex((n) => n.toLowerCase().startsWith(name));
  if (index < 0 || (name.length > 3 && FISCAL_MONTHS[index]!.toLowerCase() !== name)) return undefined;
  if (m[1] !== undefined && Number(m[1]) !== index + 1) return undefined;
  const month = ((index + 9) % 12) + 1;
  const year = index < 3 ? fiscalYear - 1 : fiscalYear;
  return `${year}-${String(month).padStart(2, '0')}-01`;
}

function fiscalYearOf(v: CellValue | undefined): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(/^\s*(?:FY\s*)?(\d{4})\s*$/i.exec(v)?.[1] ?? NaN) : NaN;
  return Number.isInteger(n) && n >= 1990 && n <= 2100 ? n : undefined;
}

const show = (v: CellValue | undefined) => (v === undefined ? 'an empty cell' : JSON.stringify(v instanceof Date ? v.toISOString().slice(0, 10) : String(v)));

/** Column positions of a sheet's header row (row 1), checked against the crosswalk. */
function readHeader(sheet: Sheet, spec: SheetSpec, file: string): Map<Column, number> {
  const cols = new Map<Column, number>();
  const width = sheet.rowWidth(1);
  for (let c = 1; c <= width; c++) {
    const text = sheet.text(1, c);
    const column = HEADER_VARIANTS[normaliseHeader(text)];
    const cell = sheet.ref(1, c);
    if (column === undefined || !spec.columns.includes(column)) {
      const expected = spec.columns.join(', ');
      throw new SourceFormatError(
        { file, sheet: sheet.name, cell },
        `${text === '' ? 'empty header' : `unknown header ${JSON.stringify(text)}`} (this sheet has the columns ${expected}); add a new header text to src/sources/dhs/ohss-encounters/columns.ts`,
      );
    }
    if (cols.has(column)) throw new SourceFormatError({ file, sheet: sheet.name, cell }, `column ${column} appears twice in the header row`);
    cols.set(column, c);
  }
  for (const column of spec.columns) {
    if (!cols.has(column)) {
      throw new SourceFormatError({ file, sheet: sheet.name, row: 1, column }, `the header row has no ${column} column (headers: ${describeHeader(sheet)})`);
    }
  }
  return cols;
}

function describeHeader(sheet: Sheet): string {
  const texts: string[] = [];
  for (let c = 1; c <= sheet.rowWidth(1); c++) texts.push(JSON.stringify(sheet.text(1, c)));
  return texts.join(', ') || 'none';
}

/** Reads every data row of one sheet; rows that are not data are errors or anomalies, never dropped silently. */
function readSheet(sheet: Sheet, spec: SheetSpec, file: SourceFile, anomalies: Anomaly[]): EncounterRow[] {
  const cols = readHeader(sheet, spec, file.path);
  const width = sheet.rowWidth(1);
  const out: EncounterRow[] = [];
  const fail = (r: number, c: number, column: string, reason: string) =>
    new SourceFormatError({ file: file.path, sheet: sheet.name, cell: sheet.ref(r, c), column }, reason);
  for (let r = 2; r <= sheet.maxRow; r++) {
    const w = sheet.rowWidth(r);
    if (w === 0) continue;
    const first = sheet.get(r, 1);
    if (w === 1 && typeof first === 'string' && fiscalYearOf(first) === undefined) {
      // a source or footnote line under the table (none in fy25m11): shown to the reader, not read as data
      anomalies.push({ code: 'note-row', severity: 'info', subject: `${sheet.name}!A${r}`, detail: `text row not read as data: ${first.trim()}` });
      continue;
    }
    if (w > width) throw fail(r, w, '(none)', `value ${show(sheet.get(r, w))} in a column without a header`);
    const fyCol = cols.get('fiscal_year')!;
    const fiscalYear = fiscalYearOf(sheet.get(r, fyCol));
    if (fiscalYear === undefined) throw fail(r, fyCol, 'fiscal_year', `fiscal year is ${show(sheet.get(r, fyCol))}, not a year`);
    let month: string | null = null;
    const monthCol = cols.get('month');
    if (monthCol !== undefined) {
      month = monthStart(sheet.text(r, monthCol), fiscalYear) ?? null;
      if (month === null) throw fail(r, monthCol, 'month', `month is ${show(sheet.get(r, monthCol))}; expected a label like "01 October" … "12 September"`);
    }
    const dims: Record<string, string | null> = { region: null, citizenship: null, family_status: null, sector: null };
    for (const d of spec.dims) {
      const c = cols.get(d)!;
      const v = sheet.get(r, c);
      if (typeof v !== 'string' || v.trim() === '') throw fail(r, c, d, `${d} is ${show(v)}; expected a label`);
      dims[d] = v.trim();
    }
    const qCol = cols.get('quantity')!;
    const q = sheet.get(r, qCol);
    if (typeof q !== 'number' || !Number.isSafeInteger(q) || q < 0) {
      throw fail(r, qCol, 'quantity', `quantity is ${show(q)}; expected a whole number of encounters`);
    }
    out.push({
      release_id: file.releaseId,
      sheet: sheet.name,
      row: r,
      grain: spec.grain,
      breakdown: spec.breakdown,
      fiscal_year: fiscalYear,
      month_start: month,
      region: dims.region ?? null,
      citizenship: dims.citizenship ?? null,
      family_status: dims.family_status ?? null,
      sector: dims.sector ?? null,
      quantity: q,
    });
  }
  return out;
}

function matchSheets(wb: Workbook, file: string, anomalies: Anomaly[]): Array<{ spec: SheetSpec; info: SheetInfo }> {
  const byName = new Map(wb.sheets.map((s) => [normaliseHeader(s.name), s]));
  const used = new Set<SheetInfo>();
  const out = SHEETS.map((spec) => {
    const info = spec.names.map((n) => byName.get(normaliseHeader(n))).find((s) => s !== undefined);
    if (!info) {
      const present = wb.sheets.map((s) => `'${s.name}'`).join(', ') || 'none';
      throw new SourceFormatError({ file, sheet: spec.name }, `sheet not found (renamed or removed?); the workbook has ${present}`);
    }
    used.add(info);
    return { spec, info };
  });
  for (const s of wb.sheets) {
    if (used.has(s)) continue;
    anomalies.push({
      code: 'unrecognised-sheet',
      severity: 'warning',
      subject: s.name,
      detail: `sheet '${s.name}'${s.hidden ? ' (hidden)' : ''} is not in the crosswalk (src/sources/dhs/ohss-encounters/columns.ts) and was not read`,
    });
  }
  return out;
}

interface SheetResult {
  spec: SheetSpec;
  info: SheetInfo;
  rows: EncounterRow[];
}

const lastDay = (monthStartIso: string): string => {
  const [y, m] = monthStartIso.split('-').map(Number);
  return new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10);
};
const fiscalYearOfMonth = (monthStartIso: string): number => {
  const [y, m] = monthStartIso.split('-').map(Number);
  return m! >= 10 ? y! + 1 : y!;
};

/**
 * What the sheets say together: the latest month (the snapshot), and what a reader
 * should know — sheets that end earlier, unrounded or repeated rows, annual totals
 * that the months do not add up to within rounding, a file name that disagrees.
 */
function checkRelease(results: SheetResult[], file: SourceFile, anomalies: Anomaly[]) {
  const count = (grain: 'fy' | 'month') => results.find((r) => r.spec.grain === grain && r.spec.breakdown === 'total')!;
  const monthly = count('month');
  const latest = monthly.rows.reduce<string | null>((a, r) => (a === null || r.month_start! > a ? r.month_start : a), null);
  if (latest === null) throw new SourceFormatError({ file: file.path, sheet: monthly.info.name }, 'no data rows');
  const fiscalYear = fiscalYearOfMonth(latest);

  for (const { spec, info, rows } of results) {
    const last = rows.reduce((a, r) => {
      const p = spec.grain === 'month' ? r.month_start! : String(r.fiscal_year);
      return p > a ? p : a;
    }, '');
    const expected = spec.grain === 'month' ? latest : String(fiscalYear);
    if (last !== expected) {
      anomalies.push({ code: 'sheet-period-mismatch', severity: 'warning', subject: info.name, detail: `the sheet ends at ${last || 'no row'}, the Monthly Count sheet at ${expected}` });
    }
    const unrounded = rows.filter((r) => r.quantity % 10 !== 0);
    if (unrounded.length > 0) {
      anomalies.push({ code: 'unrounded-quantity', severity: 'info', subject: `${info.name}!row ${unrounded[0]!.row}`, detail: `${unrounded.length} quantities are not multiples of 10, although OHSS rounds to the nearest 10` });
    }
    const seen = new Map<string, number>();
    for (const r of rows) {
      const key = JSON.stringify([r.fiscal_year, r.month_start, r.region, r.citizenship, r.family_status, r.sector]);
      const before = seen.get(key);
      if (before !== undefined) {
        anomalies.push({ code: 'duplicate-row', severity: 'warning', subject: `${info.name}!row ${r.row}`, detail: `same period and labels as row ${before}; both are kept, so sums over this sheet count them twice` });
      } else seen.set(key, r.row);
    }
  }

  // each value is rounded on its own, so 12 months may differ from the year by up to 5 per value
  const annual = new Map(count('fy').rows.map((r) => [r.fiscal_year, r]));
  const months = new Map<number, { sum: number; n: number }>();
  for (const r of monthly.rows) {
    const m = months.get(r.fiscal_year) ?? { sum: 0, n: 0 };
    months.set(r.fiscal_year, { sum: m.sum + r.quantity, n: m.n + 1 });
  }
  for (const fy of new Set([...annual.keys(), ...months.keys()])) {
    const a = annual.get(fy)?.quantity ?? 0;
    const m = months.get(fy) ?? { sum: 0, n: 0 };
    if (Math.abs(a - m.sum) > 5 * (m.n + 1)) {
      anomalies.push({ code: 'annual-monthly-mismatch', severity: 'warning', subject: `FY${fy}`, detail: `Annual Count ${a} vs ${m.n} months of Monthly Count summing to ${m.sum}: more than rounding explains` });
    }
  }

  // fy25m11 = FY2025, calendar month 11: the file's data end in November 2024
  const name = /fy(\d{2})m(\d{1,2})(?!\d)/i.exec(file.fileName);
  if (name && (2000 + Number(name[1]) !== fiscalYear || Number(name[2]) !== Number(latest.slice(5, 7)))) {
    anomalies.push({ code: 'filename-period-mismatch', severity: 'warning', subject: file.fileName, detail: `the name says FY20${name[1]} month ${name[2]}, the data end in ${latest.slice(0, 7)} (FY${fiscalYear})` });
  }

  const latestRow = monthly.rows.find((r) => r.month_start === latest)!;
  const summary: Record<string, number | string | null> = {
    latest_month: latest.slice(0, 7),
    latest_month_encounters: latestRow.quantity,
    latest_month_source: `${monthly.info.name}, row ${latestRow.row}`,
    fytd_encounters: annual.get(fiscalYear)?.quantity ?? null,
    fytd_months: months.get(fiscalYear)?.n ?? 0,
    previous_fy_encounters: annual.get(fiscalYear - 1)?.quantity ?? null,
    first_fiscal_year: [...annual.keys()].reduce<number | null>((a, fy) => (a === null || fy < a ? fy : a), null),
    encounter_rows: results.reduce((n, r) => n + r.rows.length, 0),
  };
  return { snapshotDate: lastDay(latest), fiscalYear, summary };
}

/** Parses one OHSS "KHSM Encounters (USBP)" workbook into `ohss_usbp_encounters` rows. */
export async function parseOhssEncounters(file: SourceFile): Promise<ParsedRelease> {
  const wb = await Workbook.open(file.bytes, file.path);
  const anomalies: Anomaly[] = [];
  const results: SheetResult[] = [];
  for (const { spec, info } of matchSheets(wb, file.path, anomalies)) {
    const sheet = await wb.sheet(info);
    results.push({ spec, info, rows: readSheet(sheet, spec, file, anomalies) });
  }
  const checked = checkRelease(results, file, anomalies);
  const sheetRows: Row[] = wb.sheets.map((s) => ({
    release_id: file.releaseId,
    sheet: s.name,
    position: s.index,
    hidden: s.hidden,
    status: results.some((r) => r.info === s) ? 'parsed' : 'not-parsed',
  }));
  const tableRows: Row[] = [...results].sort((a, b) => a.info.index - b.info.index).map(({ spec, info, rows }) => ({
    release_id: file.releaseId,
    sheet: info.name,
    title: info.name,
    table_id: `${spec.grain}:${spec.breakdown}`,
    cell: 'A1',
    first_row: 1,
    last_row: rows.at(-1)?.row ?? 1,
    facts: rows.length,
  }));
  return {
    snapshotDate: checked.snapshotDate,
    fiscalYear: checked.fiscalYear,
    summary: checked.summary,
    anomalies,
    tables: {
      [TABLE]: results.flatMap((r) => r.rows),
      release_sheets: sheetRows,
      release_tables: tableRows,
    },
  };
}
