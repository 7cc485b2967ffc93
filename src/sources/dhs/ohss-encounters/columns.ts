/**
 * The crosswalk of the OHSS "KHSM Encounters (USBP)" workbook, as reviewed data:
 * which sheets exist, what each breaks encounters down by, and which header text
 * names which canonical column. A renamed sheet or header is added here, not in code.
 */

export type Dimension = 'region' | 'citizenship' | 'family_status' | 'sector';
export type Column = 'fiscal_year' | 'month' | Dimension | 'quantity';
export type SheetGrain = 'fy' | 'month';

/** In the order the breakdown ids and the table list them. */
export const DIMENSIONS: readonly Dimension[] = ['region', 'citizenship', 'family_status', 'sector'];

/**
 * Header text → column. Keys are normalised by `normaliseHeader`: OHSS writes
 * "Fiscal\r\nYear" with a line break inside the cell (fy25m11), so runs of
 * whitespace count as one space, and case is ignored.
 */
export const HEADER_VARIANTS: Readonly<Record<string, Column>> = {
  'fiscal year': 'fiscal_year',
  fy: 'fiscal_year',
  month: 'month',
  region: 'region',
  citizenship: 'citizenship',
  'country of citizenship': 'citizenship',
  'family status': 'family_status',
  sector: 'sector',
  quantity: 'quantity',
};

export function normaliseHeader(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

interface BreakdownSpec {
  dims: Dimension[];
  /** Sheet-name suffixes after "Annual " / "Monthly "; the first is the current name. */
  names: string[];
}

/** The eight breakdowns, each published as an Annual and a Monthly sheet. */
const BREAKDOWNS: BreakdownSpec[] = [
  { dims: [], names: ['Count'] },
  { dims: ['citizenship'], names: ['Citizenship'] },
  { dims: ['region'], names: ['Region'] },
  { dims: ['family_status'], names: ['Family Status'] },
  { dims: ['sector'], names: ['Sector'] },
  { dims: ['region', 'citizenship'], names: ['Rgn and Citp'] },
  { dims: ['region', 'family_status'], names: ['Rgn and Fam Status'] },
  { dims: ['region', 'sector'], names: ['Rgn and Sector'] },
];

export interface SheetSpec {
  /** The sheet's current name, used in messages. */
  name: string;
  /** Every name the sheet has had (compared with `normaliseHeader`). */
  names: string[];
  grain: SheetGrain;
  /** Canonical id of the breakdown: 'total', 'region', 'region+citizenship', … */
  breakdown: string;
  dims: Dimension[];
  /** The columns the sheet must have, in any order. */
  columns: Column[];
}

/** 'total' for no dimension, else the dimensions joined by '+' in DIMENSIONS order. */
export function breakdownId(dims: readonly string[]): string {
  const sorted = DIMENSIONS.filter((d) => dims.includes(d));
  return sorted.length === 0 ? 'total' : sorted.join('+');
}

const GRAIN_PREFIX: Record<SheetGrain, string> = { fy: 'Annual', month: 'Monthly' };

export const SHEETS: SheetSpec[] = (['fy', 'month'] as const).flatMap((grain) =>
  BREAKDOWNS.map((b) => {
    const names = b.names.map((n) => `${GRAIN_PREFIX[grain]} ${n}`);
    const columns: Column[] = ['fiscal_year', ...(grain === 'month' ? (['month'] as const) : []), ...b.dims, 'quantity'];
    return { name: names[0]!, names, grain, breakdown: breakdownId(b.dims), dims: b.dims, columns };
  }),
);

/** The sheet that publishes a breakdown at a grain, if OHSS publishes one. */
export function sheetFor(grain: SheetGrain, dims: readonly string[]): SheetSpec | undefined {
  const id = breakdownId(dims);
  // a dimension the crosswalk does not know would vanish from the id, so it must not match
  if (dims.some((d) => !(DIMENSIONS as readonly string[]).includes(d))) return undefined;
  return SHEETS.find((s) => s.grain === grain && s.breakdown === id);
}

/** Month labels in fiscal order: OHSS writes "01 October" … "12 September". */
export const FISCAL_MONTHS = [
  'October', 'November', 'December', 'January', 'February', 'March',
  'April', 'May', 'June', 'July', 'August', 'September',
] as const;
