import { usDateToIso } from '../../../lib/dates.js';
import { SourceFormatError } from '../../../lib/errors.js';
import { CellError, type CellValue, type Sheet } from '../../../xlsx/sheet.js';
import type { Anomaly, Row } from '../../types.js';
import { AOR_CODES, headerText, mainColumn, over72Column, type ListColumn } from './columns.js';

export type ListKind = 'facility-list' | 'over-72-hour';

export interface ListResult {
  kind: ListKind;
  title: string | null;
  headerRow: number;
  asOf: string | null;
  declared: number | null;
  rows: Row[];
  anomalies: Anomaly[];
  /** Text rows that are not facilities (legends, notes), kept as counts in the summary. */
  notes: number;
}

const DATE_COLUMNS = new Set<ListColumn>(['date_of_last_use', 'date_of_first_use']);
const NUMBER_COLUMNS = new Set<ListColumn>(['population_count', 'guaranteed_minimum']);

const REDACTED = /^redacted$/i;

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** A value for other_columns: numbers as numbers, dates as YYYY-MM-DD, text trimmed. */
function plain(v: CellValue | undefined): string | number | boolean | null {
  if (v === undefined) return null;
  if (v instanceof Date) return iso(v);
  if (v instanceof CellError) return v.code;
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  return v;
}

/** "10/5/15" or "11/06/2017" → YYYY-MM-DD (two-digit years are 20xx: the lists start in FY2003). */
function shortUsDate(text: string): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(text);
  if (!m) return null;
  return usDateToIso(`${m[1]}/${m[2]}/${m[3]!.length === 2 ? `20${m[3]}` : m[3]}`);
}

/** The lines above a header row: the text of each non-empty cell of column A. */
function titleLines(sheet: Sheet, headerRow: number): string[] {
  const lines: string[] = [];
  for (let r = 1; r < headerRow; r++) {
    const t = sheet.text(r, 1);
    if (t !== '') lines.push(t);
  }
  return lines;
}

/**
 * The date of a list's data: the latest "IIDS as of M/D/YYYY" above the header (the 2017
 * list gives one per fiscal year, the newest first: "FY2018 data: IIDS as of 11/06/2017"),
 * else the date of "Source: ICE Integrated Decision Support (IIDS), 11/06/2017".
 */
export function listDate(lines: string[]): string | null {
  const asOf = lines.flatMap((l) => [...l.matchAll(/IIDS as of (\d{1,2}\/\d{1,2}\/\d{2,4})/gi)].map((m) => shortUsDate(m[1]!)));
  const dates = asOf.filter((d): d is string => d !== null).sort();
  if (dates.length) return dates.at(-1)!;
  for (const l of lines) {
    const m = /\(IIDS\),?\s*(\d{1,2}\/\d{1,2}\/\d{2,4})/i.exec(l);
    if (m) return shortUsDate(m[1]!);
  }
  return null;
}

function findHeaderRow(sheet: Sheet, wanted: string[], maxRow = 40): number {
  for (let r = 1; r <= Math.min(sheet.maxRow, maxRow); r++) {
    const texts = new Set<string>();
    for (let c = 1; c <= Math.min(sheet.rowWidth(r), 200); c++) texts.add(headerText(sheet.text(r, c)).toLowerCase());
    if (wanted.every((w) => texts.has(w))) return r;
  }
  return 0;
}

/**
 * The "Facility List - Main" sheet of the 2015 and 2017 lists: title lines, a group-header
 * row, then the header row (found by its DETLOC, Name, City and State cells) and one
 * facility per row. Every header must be in the crosswalk (columns.ts).
 */
export function parseMainSheet(sheet: Sheet, file: string, releaseId: string): ListResult {
  const headerRow = findHeaderRow(sheet, ['detloc', 'name', 'city', 'state']);
  if (headerRow === 0) {
    throw new SourceFormatError({ file, sheet: sheet.name, table: 'facility list' }, 'no header row with DETLOC, Name, City and State in the first 40 rows');
  }
  const columns = new Map<number, ListColumn>();
  const other = new Map<number, string>();
  for (let c = 1; c <= sheet.rowWidth(headerRow); c++) {
    const header = headerText(sheet.text(headerRow, c));
    if (header === '') continue;
    const col = mainColumn(header);
    if (col === undefined) {
      throw new SourceFormatError(
        { file, sheet: sheet.name, cell: sheet.ref(headerRow, c) },
        `column header "${header}" is not in the facility-list crosswalk (src/sources/ice/facility-lists/columns.ts)`,
      );
    }
    if (col === 'other') other.set(c, header);
    else if ([...columns.values()].includes(col)) {
      throw new SourceFormatError({ file, sheet: sheet.name, cell: sheet.ref(headerRow, c) }, `column header "${header}" names the ${col} column a second time`);
    } else columns.set(c, col);
  }
  const lines = titleLines(sheet, headerRow);
  const declaredText = lines.map((l) => /^([\d,]+) Facilities\b/i.exec(l)?.[1]).find((x) => x !== undefined);
  const result: ListResult = {
    kind: 'facility-list',
    title: lines.find((l) => !/Division$|IIDS|^FY\d{4} data|^\d[\d,]* Facilities/i.test(l)) ?? null,
    headerRow,
    asOf: listDate(lines),
    declared: declaredText ? Number(declaredText.replace(/,/g, '')) : null,
    rows: [],
    anomalies: [],
    notes: 0,
  };
  const colOf = (name: ListColumn) => [...columns].find(([, v]) => v === name)?.[0];
  const detlocCol = colOf('detloc')!;
  const nameCol = colOf('name')!;
  const seen = new Map<string, number>();
  let redacted = 0;
  for (let r = headerRow + 1; r <= sheet.maxRow; r++) {
    // the 2017 list withholds the code, name and place of 207 ORR facilities: every such cell reads "Redacted"
    const isRedacted = REDACTED.test(sheet.text(r, detlocCol));
    const detloc = isRedacted ? '' : sheet.text(r, detlocCol).toUpperCase();
    const name = REDACTED.test(sheet.text(r, nameCol)) ? '' : sheet.text(r, nameCol);
    if (isRedacted) redacted++;
    if (name === '' && detloc === '' && !isRedacted) {
      if (sheet.rowWidth(r) > 0) result.notes++;
      continue;
    }
    if ((name === '' || detloc === '') && !isRedacted) {
      result.anomalies.push({
        code: 'incomplete-row',
        severity: 'warning',
        subject: `${sheet.name}!${sheet.ref(r, name === '' ? nameCol : detlocCol)}`,
        detail: `row ${r} has ${name === '' ? `code ${detloc} but no name` : `name "${name}" but no DETLOC code`}; kept`,
      });
    }
    const row: Row = { release_id: releaseId, list_kind: 'facility-list', sheet: sheet.name, row: r, redacted: isRedacted };
    const extra: Record<string, string | number | boolean | null> = {};
    for (const [c, col] of columns) {
      const v = sheet.get(r, c);
      if (REDACTED.test(sheet.text(r, c))) row[col] = null;
      else if (DATE_COLUMNS.has(col)) {
        row[col] = v instanceof Date ? iso(v) : typeof v === 'string' ? usDateToIso(v) : null;
        if (row[col] === null && v !== undefined && sheet.text(r, c) !== '') {
          extra[headerText(sheet.text(headerRow, c))] = plain(v);
          result.anomalies.push({ code: 'invalid-date', severity: 'info', subject: `${sheet.name}!${sheet.ref(r, c)}`, detail: `"${sheet.text(r, c)}" is not a date; kept as text in other_columns` });
        }
      } else if (NUMBER_COLUMNS.has(col)) {
        row[col] = typeof v === 'number' ? v : null;
        // text such as "AS NEEDED" or "N/A" in a number column is kept as published
        if (row[col] === null && sheet.text(r, c) !== '') extra[headerText(sheet.text(headerRow, c))] = plain(v);
      } else if (col === 'zip' && typeof v === 'number') {
        // a ZIP code stored as a number has lost its leading zero (02920 → 2920)
        row[col] = String(v).padStart(5, '0');
      } else row[col] = sheet.text(r, c) === '' ? null : sheet.text(r, c);
    }
    row.detloc = detloc === '' ? null : detloc;
    row.name = name === '' ? null : name;
    for (const [c, header] of other) {
      const p = plain(sheet.get(r, c));
      if (p !== null) extra[header] = p;
    }
    row.other_columns = Object.keys(extra).length ? JSON.stringify(extra) : null;
    if (detloc !== '') {
      const first = seen.get(detloc);
      if (first !== undefined) {
        result.anomalies.push({ code: 'duplicate-key', severity: 'warning', subject: `${sheet.name}!${sheet.ref(r, detlocCol)}`, detail: `DETLOC ${detloc} is listed again (first in row ${first}); both rows kept` });
      } else seen.set(detloc, r);
    }
    result.rows.push(row);
  }
  if (redacted > 0) {
    result.anomalies.push({
      code: 'redacted-rows',
      severity: 'info',
      subject: `${sheet.name}!${sheet.ref(headerRow, detlocCol)}`,
      detail: `${redacted} facilities have their DETLOC code, name and place redacted ("Redacted"); they are kept with the columns ICE left (type, AOR, circuit) and cannot be matched to a code`,
    });
  }
  if (result.declared !== null && result.declared !== result.rows.length) {
    result.anomalies.push({
      code: 'facility-count-mismatch',
      severity: 'warning',
      subject: `${sheet.name}!A1:A${headerRow - 1}`,
      detail: `the list says ${result.declared} facilities; ${result.rows.length} facility rows were read`,
    });
  }
  return result;
}

/**
 * The over-72-hour list ("By AOR"): blocks, each a title row ("Atlanta AOR"), a header
 * row (Facility Name, City, State, Facility Type - Detailed) and facility rows up to a
 * blank row. Rows outside a block (the type legend under the list) are notes.
 */
export function parseOver72Sheet(sheet: Sheet, file: string, releaseId: string): ListResult {
  const result: ListResult = { kind: 'over-72-hour', title: null, headerRow: 0, asOf: null, declared: null, rows: [], anomalies: [], notes: 0 };
  let aorTitle: string | null = null;
  let columns: Map<number, ListColumn> | null = null;
  for (let r = 1; r <= sheet.maxRow; r++) {
    const width = sheet.rowWidth(r);
    const a = sheet.text(r, 1);
    if (width === 0) {
      columns = null;
      continue;
    }
    const title = width === 1 ? /^(.+?)\s+AOR$/i.exec(a) : null;
    if (title) {
      aorTitle = a;
      columns = null;
      if (!AOR_CODES[title[1]!.toLowerCase()]) {
        result.anomalies.push({ code: 'unrecognised-label', severity: 'warning', subject: `${sheet.name}!${sheet.ref(r, 1)}`, detail: `AOR "${title[1]}" is not in the AOR crosswalk (columns.ts); its facilities have no AOR code` });
      }
      continue;
    }
    if (/^Facility Name$/i.test(headerText(a))) {
      columns = new Map();
      for (let c = 1; c <= width; c++) {
        const header = headerText(sheet.text(r, c));
        if (header === '') continue;
        const col = over72Column(header);
        if (!col) {
          throw new SourceFormatError({ file, sheet: sheet.name, cell: sheet.ref(r, c) }, `column header "${header}" is not in the over-72-hour list crosswalk (src/sources/ice/facility-lists/columns.ts)`);
        }
        columns.set(c, col);
      }
      const have = new Set(columns.values());
      const missing = (['name', 'city', 'state'] as const).filter((c) => !have.has(c));
      if (missing.length) throw new SourceFormatError({ file, sheet: sheet.name, row: r }, `the block header lacks ${missing.join(', ')}`);
      if (result.headerRow === 0) result.headerRow = r;
      if (aorTitle === null) {
        result.anomalies.push({ code: 'unrecognised-table', severity: 'warning', subject: `${sheet.name}!${sheet.ref(r, 1)}`, detail: 'a block of facilities has no "… AOR" title row above its header; its facilities have no AOR' });
      }
      continue;
    }
    if (columns === null) {
      if (result.headerRow === 0 && result.title === null && !/^ICE ERO\b/i.test(a)) result.title = a;
      if (result.headerRow !== 0) result.notes++;
      continue;
    }
    const row: Row = { release_id: releaseId, list_kind: 'over-72-hour', sheet: sheet.name, row: r, detloc: null, redacted: false };
    for (const [c, col] of columns) row[col] = sheet.text(r, c) === '' ? null : sheet.text(r, c);
    if (!row.name || !row.city || !row.state) {
      result.anomalies.push({ code: 'incomplete-row', severity: 'warning', subject: `${sheet.name}!A${r}`, detail: `row ${r} in the block "${aorTitle ?? '?'}" lacks a name, city or state: "${a}"; not read as a facility` });
      continue;
    }
    const aorName = aorTitle ? /^(.+?)\s+AOR$/i.exec(aorTitle)![1]!.toLowerCase() : '';
    row.aor = AOR_CODES[aorName] ?? null;
    row.aor_title = aorTitle;
    result.rows.push(row);
  }
  if (result.rows.length === 0) {
    throw new SourceFormatError({ file, sheet: sheet.name, table: 'over-72-hour list' }, 'no AOR block with a "Facility Name, City, State" header and facility rows was found');
  }
  return result;
}

/** Does the sheet look like the over-72-hour list (a "Facility Name | City | State" header in column A)? */
export function looksLikeOver72(sheet: Sheet): boolean {
  for (let r = 1; r <= Math.min(sheet.maxRow, 60); r++) {
    if (/^Facility Name$/i.test(headerText(sheet.text(r, 1))) && /^City$/i.test(sheet.text(r, 2))) return true;
  }
  return false;
}
