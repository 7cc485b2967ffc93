import { SourceFormatError } from '../../../lib/errors.js';
import { Workbook, type SheetInfo } from '../../../xlsx/workbook.js';
import type { Anomaly, ParsedRelease, Row, SourceFile } from '../../types.js';
import { FISCAL_MONTHS, KNOWN_UNREAD, LAYOUTS, TOC_SHEET, type TableLayout } from './layouts.js';
import { FACTS_TABLE, readTable, readTitle, type MonthlyFact, type SheetTitle, type TableRead } from './read-table.js';

export { FACTS_TABLE };

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

const lastDay = (monthStart: string): string => {
  const [y, m] = monthStart.split('-').map(Number);
  return new Date(Date.UTC(y!, m!, 0)).toISOString().slice(0, 10);
};
const fiscalYearOfMonth = (monthStart: string): number => {
  const [y, m] = monthStart.split('-').map(Number);
  return m! >= 10 ? y! + 1 : y!;
};
const monthLabel = (ym: string) => `${FISCAL_MONTHS[(Number(ym.slice(5, 7)) + 2) % 12]} ${ym.slice(0, 4)}`;

/** "Data are current as of September 30, 2024" in the Notes row → 2024-09-30. */
export function currentAsOf(text: string): string | undefined {
  const m = /current as of\s+([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})/i.exec(text);
  if (!m) return undefined;
  const month = MONTHS.findIndex((n) => n.startsWith(m[1]!.toLowerCase().slice(0, 3)));
  if (month < 0) return undefined;
  const iso = `${m[3]}-${String(month + 1).padStart(2, '0')}-${m[2]!.padStart(2, '0')}`;
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

interface Located {
  info: SheetInfo;
  title: SheetTitle | undefined;
  layout?: TableLayout;
  status: 'parsed' | 'not-parsed';
}

/** Every sheet's title, and the layout it matches (by title text, never by sheet name or position). */
async function locateTables(wb: Workbook, file: string, anomalies: Anomaly[]): Promise<Located[]> {
  const located: Located[] = [];
  for (const info of wb.sheets) {
    if (TOC_SHEET.test(info.name.trim())) {
      located.push({ info, title: undefined, status: 'not-parsed' });
      continue;
    }
    const title = readTitle(await wb.sheet(info));
    const layout = title && LAYOUTS.find((l) => l.title.test(title.head));
    if (layout) {
      const twin = located.find((l) => l.layout === layout);
      if (twin) throw new SourceFormatError({ file, sheet: info.name, table: title.head }, `the table "${layout.titleText}" appears twice (also sheet '${twin.info.name}')`);
      located.push({ info, title, layout, status: 'parsed' });
      continue;
    }
    located.push({ info, title, status: 'not-parsed' });
    if (title && KNOWN_UNREAD.some((re) => re.test(title.head))) continue;
    anomalies.push({
      code: 'unrecognised-table',
      severity: 'warning',
      subject: info.name,
      detail: title
        ? `table "${title.head}" (${info.name}!${title.cell}) is not in src/sources/dhs/ohss-monthly/layouts.ts and was not read`
        : `sheet '${info.name}'${info.hidden ? ' (hidden)' : ''} has no "…: Fiscal Years …" title in A1:A3 and was not read`,
    });
  }
  for (const layout of LAYOUTS) {
    if (located.some((l) => l.layout === layout)) continue;
    const titles = located.filter((l) => l.title).map((l) => `"${l.title!.head}"`).join(', ') || 'none';
    throw new SourceFormatError({ file, sheet: layout.sheet, table: layout.titleText }, `table not found (renamed or removed?); the workbook's table titles are ${titles}`);
  }
  return located;
}

/**
 * What the tables say together: the data month (the latest month row; the release's
 * snapshot), tables that end earlier, titles whose "(Month Year)" disagrees with the data,
 * numbers not rounded to 10, and the "Data are current as of" date of the Notes.
 */
function checkRelease(tables: TableRead[], file: SourceFile, anomalies: Anomaly[]) {
  const months = tables.map((t) => t.lastMonth).filter((m): m is string => m !== null);
  if (months.length === 0) throw new SourceFormatError({ file: file.path }, 'no table has a month row');
  const latest = months.reduce((a, b) => (b > a ? b : a));
  const dataMonth = latest.slice(0, 7);
  for (const t of tables) {
    if (t.lastMonth !== null && t.lastMonth < latest) {
      anomalies.push({ code: 'stale-sheet', severity: 'warning', subject: t.sheet, detail: `the table's months end in ${t.lastMonth.slice(0, 7)}, the release's in ${dataMonth}` });
    }
    // the April 2024 release's "Nationwide OFO" title says "(June 2024)" while its data end in April
    if (t.title.month !== null && t.title.month !== (t.lastMonth ?? latest).slice(0, 7)) {
      anomalies.push({
        code: 'title-month-mismatch',
        severity: 'info',
        subject: `${t.sheet}!${t.title.cell}`,
        detail: `the title says ${monthLabel(t.title.month)}, the table's months end in ${monthLabel((t.lastMonth ?? latest).slice(0, 7))} ("${t.title.text}")`,
      });
    }
    const unrounded = t.facts.filter((f) => f.value !== null && f.value % 10 !== 0);
    if (unrounded.length > 0) {
      anomalies.push({ code: 'unrounded-value', severity: 'info', subject: t.sheet, detail: `${unrounded.length} values are not multiples of 10 (first: ${unrounded[0]!.cell} = ${unrounded[0]!.value}) although OHSS rounds to the nearest 10` });
    }
  }
  const asOf = new Map<string, number>();
  for (const t of tables) {
    for (const n of t.notes) {
      const d = currentAsOf(n.text);
      if (d) asOf.set(d, (asOf.get(d) ?? 0) + 1);
    }
  }
  const currentAsOfDate = [...asOf.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1))[0]?.[0] ?? null;
  if (currentAsOfDate === null) {
    anomalies.push({ code: 'missing-as-of-date', severity: 'info', subject: file.fileName, detail: 'no Notes row says "Data are current as of …"' });
  }
  // 2024_1206_…-august-2024.xlsx: the month in the name is the data month
  const named = /-(january|february|march|april|may|june|july|august|september|october|november|december)-(\d{4})(?:_\d+)?\.xlsx$/i.exec(file.fileName);
  if (named) {
    const ym = `${named[2]}-${String(MONTHS.indexOf(named[1]!.toLowerCase()) + 1).padStart(2, '0')}`;
    if (ym !== dataMonth) {
      anomalies.push({ code: 'filename-period-mismatch', severity: 'warning', subject: file.fileName, detail: `the name says ${monthLabel(ym)}, the data end in ${monthLabel(dataMonth)}` });
    }
  }
  return { latest, dataMonth, currentAsOfDate };
}

/** The current fiscal year's total of a table (the "YYYY YTD" row, Total column). */
function ytdTotal(tables: TableRead[], id: string, fy: number, where: (f: MonthlyFact) => boolean = () => true): number | null {
  const t = tables.find((x) => x.layout.id === id);
  const f = t?.facts.find((x) => x.fiscal_year === fy && x.month_start === null && (x.citizenship_kind === 'total' || x.citizenship === null) && where(x));
  return f?.value ?? null;
}

/** Parses one OHSS monthly-tables workbook into `ohss_monthly_facts` rows. */
export async function parseOhssMonthly(file: SourceFile): Promise<ParsedRelease> {
  const wb = await Workbook.open(file.bytes, file.path);
  const anomalies: Anomaly[] = [];
  const located = await locateTables(wb, file.path, anomalies);
  const tables: TableRead[] = [];
  for (const l of located) {
    if (!l.layout) continue;
    tables.push(readTable(await wb.sheet(l.info), l.layout, l.title!, file.path, file.releaseId, anomalies));
  }
  const { latest, dataMonth, currentAsOfDate } = checkRelease(tables, file, anomalies);
  const fiscalYear = fiscalYearOfMonth(latest);
  const all = (f: MonthlyFact) => f.component === 'all' && f.region === 'all' && f.encounter_type === 'all';
  const summary: Record<string, number | string | null> = {
    data_month: dataMonth,
    current_as_of: currentAsOfDate,
    fiscal_year: fiscalYear,
    ero_arrests_fytd: ytdTotal(tables, 'ero-arrests-citizenship', fiscalYear),
    ice_book_ins_fytd: ytdTotal(tables, 'ice-book-ins-citizenship', fiscalYear),
    ice_removals_returns_fytd: ytdTotal(tables, 'ice-removals-returns-citizenship', fiscalYear),
    dhs_removals_fytd: ytdTotal(tables, 'dhs-removals-citizenship', fiscalYear),
    cbp_encounters_fytd: ytdTotal(tables, 'cbp-encounters-type-region', fiscalYear, all),
    facts: tables.reduce((n, t) => n + t.facts.length, 0),
  };
  const sheetRows: Row[] = located.map((l) => ({
    release_id: file.releaseId,
    sheet: l.info.name,
    position: l.info.index,
    hidden: l.info.hidden,
    status: l.status,
  }));
  const tableRows: Row[] = tables.map((t) => ({
    release_id: file.releaseId,
    sheet: t.sheet,
    title: t.title.text,
    table_id: t.layout.id,
    cell: t.title.cell,
    first_row: t.headerRow + 1,
    last_row: t.lastRow,
    facts: t.facts.length,
  }));
  return {
    snapshotDate: lastDay(latest),
    fiscalYear,
    summary,
    anomalies,
    tables: { [FACTS_TABLE]: tables.flatMap((t) => t.facts), release_sheets: sheetRows, release_tables: tableRows },
  };
}
