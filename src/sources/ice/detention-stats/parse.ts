import { SourceFormatError } from '../../../lib/errors.js';
import type { Sheet } from '../../../xlsx/sheet.js';
import { findTitledTables, looksLikeHeading, type TitledTable } from '../../../xlsx/titled-tables.js';
import { Workbook, type SheetInfo } from '../../../xlsx/workbook.js';
import type { Anomaly, ParsedRelease, Row, SourceFile } from '../../types.js';
import { ATD_TABLES, DETENTION_TABLES, type TableSpec } from './columns.js';
import { parseFacilities } from './facilities.js';
import { parseFootnotes } from './footnotes.js';
import { fiscalYearIn, interpretTable, materialiseFacts, type InterpretResult, type CellRecord, type ColRecord, type RowRecord, type TableRecord as IceTable } from './interpret.js';
import { SUMMARY_TABLES, summarise } from './summary.js';

/** Tables every release since FY2019 has; a release without one of them is not read. */
const REQUIRED_TABLES = [
  ['detained_by_criminality_agency', 'ICE Currently Detained by Criminality and Arresting Agency'],
  ['adp_by_agency_month_criminality', 'ICE Average Daily Population by Arresting Agency, Month and Criminality'],
  ['book_ins_by_facility_criminality', 'ICE Initial Book-Ins by Facility Type and Criminality'],
  ['removals', 'ICE Removals'],
] as const;

const role = {
  detention: /^\s*Detention\b/i,
  atd: /^\s*ATD\b/i,
  facilities: /^\s*Facilities\b/i,
  footnotes: /^\s*Footnotes\s*$/i,
};

/** The fiscal year an ICE file name claims: FY26_detentionStats_04092026.xlsx → 2026. */
export function fiscalYearOfFileName(fileName: string): number | undefined {
  const m = /(?:^|[^a-z])FY\s?(\d{2})(?!\d)/i.exec(fileName);
  return m ? 2000 + Number(m[1]) : undefined;
}

function pickByFiscalYear(sheets: SheetInfo[], fy: number | null): SheetInfo | undefined {
  if (sheets.length <= 1) return sheets[0];
  return sheets.find((s) => fiscalYearIn(s.name) === fy) ?? sheets[0];
}

function mostCommon(values: number[]): number | null {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | null = null;
  let bestCount = 0;
  for (const [v, n] of counts) if (n > bestCount || (n === bestCount && best !== null && v > best)) [best, bestCount] = [v, n];
  return best;
}

interface TableRecord extends Row {
  release_id: string;
  sheet: string;
  title: string;
  table_id: string;
  cell: string;
  first_row: number;
  last_row: number;
  facts: number;
}

interface Parts {
  tables: IceTable[];
  rows: RowRecord[];
  cols: ColRecord[];
  cells: CellRecord[];
}

function readTables(
  parts: Parts,
  sheet: Sheet,
  titled: TitledTable[],
  specs: TableSpec[],
  releaseId: string,
  fy: number | null,
  anomalies: Anomaly[],
) {
  const tables: TableRecord[] = [];
  const found = new Set<string>();
  for (const t of titled) {
    const spec = specs.find((s) => s.title.test(t.title));
    const res = interpretTable(sheet, t, spec, releaseId, fy, parts.tables.length, parts);
    parts.tables.push(res.table);
    const cell = sheet.ref(t.titleRow, t.titleCol);
    tables.push({
      release_id: releaseId,
      sheet: sheet.name,
      title: t.title,
      table_id: spec?.id ?? 'unrecognised',
      cell,
      first_row: t.headerRow,
      last_row: t.dataRows.at(-1) ?? t.headerRow,
      facts: res.facts,
    });
    if (spec) found.add(spec.id);
    if (!spec || res.unknownLabels.length > 0) reportUnknown(anomalies, `${sheet.name.trim()}!${cell}`, t.title, spec === undefined, res);
  }
  return { tables, found };
}

/** A table or labels the crosswalk does not know, as anomalies (apart from the loop above: it is the rare case). */
function reportUnknown(anomalies: Anomaly[], subject: string, title: string, unknownTable: boolean, res: InterpretResult): void {
  if (unknownTable) {
    anomalies.push({
      code: 'unrecognised-table',
      severity: 'info',
      subject,
      detail: `table "${title}" is not in the crosswalk; its ${res.facts} numbers are kept with their raw labels`,
    });
  }
  for (const label of res.unknownLabels) {
    anomalies.push({ code: 'unrecognised-label', severity: 'warning', subject, detail: `label "${label}" in table "${title}" is not in the crosswalk` });
  }
}

function atdAsOf(sheet: Sheet): string | null {
  let best: string | null = null;
  for (const { value } of sheet.cells()) {
    if (typeof value !== 'string') continue;
    // "… FY24, as of 08/24/2024, by AOR …" or "Data from BI Inc. Participants Report, 04.04.2026"
    const m = /as of (\d{1,2})\/(\d{1,2})\/(\d{4})/i.exec(value) ?? /Participants Report, (\d{1,2})\.(\d{1,2})\.(\d{4})/i.exec(value);
    if (!m) continue;
    const iso = `${m[3]}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`;
    if (best === null || iso > best) best = iso;
  }
  return best;
}

/**
 * Some releases carry two ATD sheets, one of them left over from the previous year
 * (FY2024 releases of 2024 keep 'ATD EOFY23 '). The current one is the sheet with
 * the latest "as of" date; the other is reported as stale.
 */
async function pickLatestAtd(wb: Workbook, sheets: SheetInfo[], fy: number | null, anomalies: Anomaly[]) {
  if (sheets.length <= 1) return sheets[0];
  const dated = await Promise.all(sheets.map(async (s) => ({ s, asOf: atdAsOf(await wb.sheet(s)) })));
  dated.sort((a, b) => (b.asOf ?? '').localeCompare(a.asOf ?? '') || Number(fiscalYearIn(b.s.name) === fy) - Number(fiscalYearIn(a.s.name) === fy));
  const [current, ...stale] = dated;
  for (const o of stale) {
    anomalies.push({
      code: 'stale-sheet',
      severity: 'info',
      subject: o.s.name,
      detail: `ATD sheet '${o.s.name.trim()}' (as of ${o.asOf ?? 'an unstated date'}) is older than '${current!.s.name.trim()}' (as of ${current!.asOf ?? 'an unstated date'}) and was not used`,
    });
  }
  return current!.s;
}

/** Parses one ICE detention-statistics workbook into canonical rows. */
export async function parseDetentionStats(file: SourceFile): Promise<ParsedRelease> {
  const wb = await Workbook.open(file.bytes, file.path);
  const anomalies: Anomaly[] = [];
  const id = file.releaseId;
  for (const s of wb.sheets.filter((x) => x.hidden)) {
    anomalies.push({
      code: 'hidden-sheet-ignored',
      severity: 'warning',
      subject: s.name,
      detail: `hidden sheet '${s.name}' was not read (ICE leaves stale sheets hidden in some releases)`,
    });
  }
  const visible = wb.visibleSheets();
  const detentionSheets = visible.filter((s) => role.detention.test(s.name));
  if (detentionSheets.length === 0) {
    throw new SourceFormatError(
      { file: file.path, sheet: 'Detention …' },
      `no visible Detention sheet; the workbook has ${wb.sheets.map((s) => `'${s.name}'`).join(', ') || 'no sheets'}`,
    );
  }
  const sheetFy = mostCommon(detentionSheets.map((s) => fiscalYearIn(s.name)).filter((x): x is number => x !== undefined));
  const detentionInfo = pickByFiscalYear(
    detentionSheets.sort((a, b) => (fiscalYearIn(b.name) ?? 0) - (fiscalYearIn(a.name) ?? 0)),
    sheetFy,
  )!;
  const detention = await wb.sheet(detentionInfo);
  const detentionTables = findTitledTables(detention);
  const titles = detentionTables.map((t) => fiscalYearIn(t.title)).filter((x): x is number => x !== undefined);
  const fiscalYear = mostCommon(titles) ?? fiscalYearIn(detentionInfo.name) ?? null;

  const parts: Parts = { tables: [], rows: [], cols: [], cells: [] };
  const det = readTables(parts, detention, detentionTables, DETENTION_TABLES, id, fiscalYear, anomalies);
  for (const [tableId, title] of REQUIRED_TABLES) {
    if (!det.found.has(tableId)) {
      throw new SourceFormatError(
        { file: file.path, sheet: detention.name, table: title },
        'table not found (renamed or removed?); add the new title to src/sources/ice/detention-stats/columns.ts',
      );
    }
  }
  const tables = det.tables;

  const atdInfo = await pickLatestAtd(wb, visible.filter((s) => role.atd.test(s.name)), fiscalYear, anomalies);
  if (atdInfo) {
    const atdSheet = await wb.sheet(atdInfo);
    // from the 06/15/2025 release ICE writes a one-line note ("… 8 FAMU individuals were released from ICE custody")
    // right above the ATD-by-AOR title; it is a note, not a title, and is kept as an anomaly so it is not lost
    const notes: string[] = [];
    const isTitle = (t: string) => {
      if (/individuals were released from ICE custody/i.test(t)) {
        notes.push(t.trim());
        return false;
      }
      return looksLikeHeading(t);
    };
    const atd = readTables(parts, atdSheet, findTitledTables(atdSheet, { isTitle }), ATD_TABLES, id, fiscalYear, anomalies);
    for (const note of new Set(notes)) anomalies.push({ code: 'sheet-note', severity: 'info', subject: atdInfo.name, detail: `note on the sheet, above a table: "${note}"` });
    tables.push(...atd.tables);
  }

  const facInfo = pickByFiscalYear(visible.filter((s) => role.facilities.test(s.name)), fiscalYear);
  const facilities = facInfo ? parseFacilities(await wb.sheet(facInfo), file.path, id) : undefined;
  for (const h of facilities?.unknownHeaders ?? []) {
    anomalies.push({ code: 'unrecognised-facility-column', severity: 'warning', subject: facInfo!.name, detail: `facility column "${h}" is not in the crosswalk; kept in other_columns` });
  }

  for (const d of facilities?.invalidDates ?? []) {
    anomalies.push({ code: 'invalid-date', severity: 'warning', subject: `${facInfo!.name.trim()}!${d.cell}`, detail: `"${d.text}" is not a calendar date; kept as text in last_inspection_note` });
  }

  const fnInfo = visible.find((s) => role.footnotes.test(s.name));
  const footnotes = fnInfo ? parseFootnotes(await wb.sheet(fnInfo), id) : undefined;
  const snapshotDate = footnotes?.snapshotDate ?? null;
  if (snapshotDate === null) {
    anomalies.push({ code: 'missing-snapshot-date', severity: 'warning', subject: fnInfo?.name ?? 'Footnotes', detail: 'no "snapshot as of" date in the Footnotes sheet' });
  }

  const nameFy = fiscalYearOfFileName(file.fileName);
  if (nameFy !== undefined && fiscalYear !== null && nameFy !== fiscalYear) {
    anomalies.push({
      code: 'filename-fy-mismatch',
      severity: 'warning',
      subject: file.fileName,
      detail: `the file name says FY${nameFy} but the tables are FY${fiscalYear}`,
    });
  }
  if (snapshotDate !== null && fiscalYear !== null) {
    // year-end releases carry a snapshot a few days into the next fiscal year
    const start = `${fiscalYear - 1}-10-01`;
    const end = `${fiscalYear}-10-31`;
    if (snapshotDate < start || snapshotDate > end) {
      anomalies.push({
        code: 'snapshot-outside-fiscal-year',
        severity: 'warning',
        subject: footnotes!.snapshotCell ?? 'Footnotes',
        detail: `snapshot date ${snapshotDate} is outside FY${fiscalYear} (${start} to ${end}): the footnote is probably stale`,
      });
    }
  }

  const summary = summarise(materialiseFacts(parts, SUMMARY_TABLES), facilities?.rows.length ?? null);
  summary.detention_sheet = detention.name;
  summary.iids_run_date = footnotes?.iidsRunDate ?? null;
  summary.snapshot_cell = footnotes?.snapshotCell ? `Footnotes!${footnotes.snapshotCell}` : null;
  summary.facilities_data_date = facilities?.dataSourceDate ?? null;
  summary.facility_note_rows = facilities?.notes.length ?? null;

  const sheets: Row[] = wb.sheets.map((s) => ({
    release_id: id,
    sheet: s.name,
    position: s.index,
    hidden: s.hidden,
    status: s.hidden
      ? 'ignored-hidden'
      : [detentionInfo, atdInfo, facInfo, fnInfo].includes(s)
        ? 'parsed'
        : 'not-parsed',
  }));

  return {
    snapshotDate,
    fiscalYear,
    summary,
    anomalies,
    tables: {
      ice_tables: parts.tables as unknown as Row[],
      ice_table_rows: parts.rows as unknown as Row[],
      ice_table_cols: parts.cols as unknown as Row[],
      ice_table_cells: parts.cells as unknown as Row[],
      ice_facilities: facilities?.rows ?? [],
      ice_footnotes: [
        ...(footnotes?.rows ?? []),
        ...(facilities?.notes ?? []).map((n) => ({ release_id: id, sheet: facInfo!.name, row: n.row, topic: 'facility list note', note: n.text })),
      ] as unknown as Row[],
      release_tables: tables,
      release_sheets: sheets,
    },
  };
}
