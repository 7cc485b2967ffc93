import { usDateToIso } from '../../../lib/dates.js';
import { SourceFormatError } from '../../../lib/errors.js';
import type { CellValue, Sheet } from '../../../xlsx/sheet.js';
import { FACILITY_COLUMNS, FACILITY_NUMERIC, REQUIRED_FACILITY_COLUMNS } from './columns.js';

export type FacilityRow = Record<string, string | number | null>;

/**
 * A facility row with every column present from the start: objects built by
 * adding thirty-odd keys one by one fall into V8's slow dictionary mode, and
 * 22,000 of them per full ingest made this the parser's hottest function.
 */
class FacilityRecord {
  [column: string]: string | number | null;
  name: string | null = null;
  address: string | null = null;
  city: string | null = null;
  state: string | null = null;
  zip: string | null = null;
  aor: string | null = null;
  type_detailed: string | null = null;
  gender: string | null = null;
  alos: number | null = null;
  level_a: number | null = null;
  level_b: number | null = null;
  level_c: number | null = null;
  level_d: number | null = null;
  male_crim: number | null = null;
  male_noncrim: number | null = null;
  female_crim: number | null = null;
  female_noncrim: number | null = null;
  threat_level_1: number | null = null;
  threat_level_2: number | null = null;
  threat_level_3: number | null = null;
  threat_level_none: number | null = null;
  mandatory: number | null = null;
  guaranteed_minimum: number | null = null;
  last_inspection_type: string | null = null;
  last_inspection_date: string | null = null;
  last_inspection_note: string | null = null;
  last_inspection_standard: string | null = null;
  last_inspection_rating: string | null = null;
  pending_inspection: string | null = null;
  other_columns: string | null = null;
  constructor(
    public release_id: string,
    public sheet: string,
    public row: number,
  ) {}
}

export interface FacilitiesResult {
  rows: FacilityRow[];
  headerRow: number;
  /** Headers the crosswalk does not know; kept in other_columns and reported. */
  unknownHeaders: string[];
  /** "Data Source: ICE Integrated Decision Support (IIDS), 04/02/2026" */
  dataSourceDate: string | null;
  /** Date cells holding a date that does not exist, kept as text. */
  invalidDates: Array<{ cell: string; text: string }>;
  /** Rows under the list that are notes, not facilities. */
  notes: Array<{ row: number; text: string }>;
}

function canonical(header: string): string | undefined {
  const h = header.replace(/\s+/g, ' ').trim();
  for (const [re, col] of FACILITY_COLUMNS) if (re.test(h)) return col;
  return undefined;
}

function isoDate(v: unknown): string | null {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return typeof v === 'string' ? usDateToIso(v) : null;
}

/** Empty as Sheet.text reads it: no value, or text that is only spaces. */
const isBlank = (v: CellValue | undefined): boolean => v === undefined || (typeof v === 'string' && v.trim() === '');

const TEXT = 0;
const NUMBER = 1;
const DATE = 2;

/** The crosswalked columns of one header layout, as parallel arrays the row loop reads by index. */
interface Plan {
  cols: number[];
  names: string[];
  kinds: number[];
  /** The column of last_inspection_date, 0 if the layout has none. */
  dateCol: number;
}

function compilePlan(columns: Map<number, string>): Plan {
  const plan: Plan = { cols: [], names: [], kinds: [], dateCol: 0 };
  for (const [c, col] of columns) {
    plan.cols.push(c);
    plan.names.push(col);
    plan.kinds.push(col === 'last_inspection_date' ? DATE : FACILITY_NUMERIC.has(col) ? NUMBER : TEXT);
    if (col === 'last_inspection_date') plan.dateCol = c;
  }
  return plan;
}

/**
 * One facility's crosswalked values. Kept small and free of rare cases (those are in the
 * functions below): it runs for every facility of every release, and V8 compiled the whole
 * parser again each time a rare case first came up (five compilations of up to 270 ms).
 */
function facilityRow(row: FacilityRecord, cells: Array<CellValue | undefined>, plan: Plan): FacilityRecord {
  const { cols, names, kinds } = plan;
  for (let k = 0; k < cols.length; k++) {
    const v = cells[cols[k]!];
    const kind = kinds[k];
    if (kind === NUMBER) row[names[k]!] = typeof v === 'number' ? v : null;
    else if (kind === DATE) row[names[k]!] = isoDate(v);
    else row[names[k]!] = v === undefined ? null : typeof v === 'string' ? v.trim() : cellText(v);
  }
  return row;
}

/** A cell that is not text, as Sheet.text reads it. */
function cellText(v: CellValue): string {
  return v instanceof Date ? v.toISOString().slice(0, 10) : String(v).trim();
}

/** A text such as "Scheduled FY26" in the date column of a facility not yet inspected; a date that does not exist is also reported. */
function dateNotDate(sheet: Sheet, r: number, c: number, row: FacilityRecord, invalidDates: Array<{ cell: string; text: string }>): void {
  const text = sheet.text(r, c);
  row.last_inspection_note = text;
  if (/^\d{1,2}\/\d{1,2}\/\d{4}$/.test(text)) invalidDates.push({ cell: sheet.ref(r, c), text });
}

/**
 * The columns the crosswalk keeps as they are (older layouts), with each header's JSON key
 * written once: the rows' JSON is then joined from pieces, not built as an object and stringified
 * (about 5 µs a row). Only when that gives the same text as JSON.stringify of the object: no header
 * twice (the object keeps one key), none a number like "12" (the object puts those keys first).
 */
function otherPlan(other: Map<number, string>): Array<[number, string]> | undefined {
  const headers = [...other.values()];
  if (new Set(headers).size !== headers.length || headers.some((h) => /^(0|[1-9]\d*)$/.test(h))) return undefined;
  return [...other].map(([c, header]) => [c, `${JSON.stringify(header)}:`]);
}

/** The values of columns the crosswalk keeps as they are, as JSON, or null. */
function otherColumns(sheet: Sheet, r: number, cells: Array<CellValue | undefined>, other: Map<number, string>, plan: Array<[number, string]> | undefined): string | null {
  if (plan) {
    let json = '';
    for (const [c, key] of plan) {
      if (cells[c] === undefined) continue;
      const text = sheet.text(r, c);
      if (text !== '') json += `${json === '' ? '{' : ','}${key}${JSON.stringify(text)}`;
    }
    return json === '' ? null : `${json}}`;
  }
  let extra: Record<string, string> | undefined;
  for (const [c, header] of other) {
    if (cells[c] === undefined) continue;
    const text = sheet.text(r, c);
    if (text !== '') (extra ??= {})[header] = text;
  }
  return extra ? JSON.stringify(extra) : null;
}

/**
 * Reads the Facilities sheet: the header row is the row whose cells include Name,
 * City, State and AOR (row 6, 7 or 10 depending on the release); every non-empty
 * Name below it is one facility row.
 */
export function parseFacilities(sheet: Sheet, file: string, releaseId: string): FacilitiesResult {
  let headerRow = 0;
  for (let r = 1; r <= Math.min(sheet.maxRow, 40) && headerRow === 0; r++) {
    const texts = new Set<string>();
    for (let c = 1; c <= Math.min(sheet.rowWidth(r), 60); c++) texts.add(sheet.text(r, c).toLowerCase());
    if (texts.has('name') && texts.has('city') && texts.has('state') && texts.has('aor')) headerRow = r;
  }
  if (headerRow === 0) {
    throw new SourceFormatError(
      { file, sheet: sheet.name, table: 'facility list' },
      'no header row with Name, City, State and AOR in the first 40 rows',
    );
  }
  const columns = new Map<number, string>();
  const other = new Map<number, string>();
  const unknownHeaders: string[] = [];
  for (let c = 1; c <= sheet.rowWidth(headerRow); c++) {
    const header = sheet.text(headerRow, c).replace(/\s+/g, ' ');
    if (header === '') continue;
    const col = canonical(header);
    if (col === undefined || col === 'other') {
      other.set(c, header);
      if (col === undefined) unknownHeaders.push(header);
    } else if (!columns.has(c)) columns.set(c, col);
  }
  const present = new Set(columns.values());
  const missing = REQUIRED_FACILITY_COLUMNS.filter((c) => !present.has(c));
  if (missing.length) {
    throw new SourceFormatError(
      { file, sheet: sheet.name, table: 'facility list', row: headerRow },
      `facility header lacks ${missing.join(', ')}`,
    );
  }
  // the first column of each crosswalked name (a destructured array here made V8 throw parseFacilities' optimised code away)
  const colOf = new Map<string, number>();
  for (const [c, name] of columns) if (!colOf.has(name)) colOf.set(name, c);
  const nameCol = colOf.get('name')!;
  const cityCol = colOf.get('city')!;
  const stateCol = colOf.get('state')!;
  const aorCol = colOf.get('aor')!;
  const plan = compilePlan(columns);
  const jsonPlan = otherPlan(other);
  const rows: FacilityRow[] = [];
  const invalidDates: Array<{ cell: string; text: string }> = [];
  const notes: Array<{ row: number; text: string }> = [];
  for (let r = headerRow + 1; r <= sheet.maxRow; r++) {
    const cells = sheet.rows[r];
    if (cells === undefined || isBlank(cells[nameCol])) continue;
    // notes under the list ("[1] (STFRCTX) …", "*ODO inspections are …") have a name cell but no place
    if (isBlank(cells[cityCol]) && isBlank(cells[stateCol]) && isBlank(cells[aorCol])) {
      notes.push({ row: r, text: sheet.text(r, nameCol) });
      continue;
    }
    const row = facilityRow(new FacilityRecord(releaseId, sheet.name, r), cells, plan);
    if (plan.dateCol > 0 && row.last_inspection_date === null && cells[plan.dateCol] !== undefined) dateNotDate(sheet, r, plan.dateCol, row, invalidDates);
    if (other.size > 0) row.other_columns = otherColumns(sheet, r, cells, other, jsonPlan);
    rows.push(row);
  }
  let dataSourceDate: string | null = null;
  for (let r = 1; r < headerRow; r++) {
    const m = /(?:Data )?Source:.*?(\d{1,2}\/\d{1,2}\/\d{4})/i.exec(sheet.text(r, 1));
    if (m) dataSourceDate = isoDate(m[1]);
  }
  return { rows, headerRow, unknownHeaders, dataSourceDate, invalidDates, notes };
}
