/**
 * The crosswalk of the Yearbook of Immigration Statistics enforcement tables, as reviewed data.
 * A table is identified by its title, never by its number: removals by country are Table 41 up to
 * Yearbook 2021 and Table 42 in Yearbook 2022, where Table 41 holds enforcement returns. The part
 * letters (A, B, …: the order of the HTML tables on the OHSS page) are not stable either, so what a
 * part holds is read from its first header (region or country) and, for the criminal-status
 * parts, from PART_STATUS below. See docs/sources/dhs-yearbook.md.
 */

export type TableKind =
  | 'removals-by-nationality'
  | 'apprehensions-by-nationality'
  | 'inadmissibles-by-nationality'
  | 'administrative-returns-by-nationality'
  | 'enforcement-returns-by-nationality'
  | 'apprehensions-by-year'
  | 'ofo-encounters-by-year'
  | 'repatriations-by-year';

export type CriminalStatus = 'all' | 'criminal' | 'non_criminal';

export interface TableLayout {
  kind: TableKind;
  /** The title in PascalCase as it appears in the file name, in every wording seen. */
  title: RegExp;
  /** 'nationality': first column region or country of nationality, one column per fiscal year; 'year': first column Year, one column per measure. */
  shape: 'nationality' | 'year';
  /** What a nationality table counts; a year table names its measures in MEASURE_HEADERS. */
  measure?: string;
  /** Does the table come in criminal / non-criminal parts? */
  byCriminalStatus?: boolean;
}

export const LAYOUTS: readonly TableLayout[] = [
  // "Aliens Removed by …" (2019) → "Noncitizens Removed by …" (2020) → "Noncitizen Removals by …" (2021–)
  { kind: 'removals-by-nationality', title: /^(?:Aliens|Noncitizens?)(?:Removed|Removals)ByCriminalStatusAndRegionAndCountryOfNationality$/i, shape: 'nationality', measure: 'removals', byCriminalStatus: true },
  { kind: 'apprehensions-by-nationality', title: /^Title42ExpulsionsAndNoncitizenApprehensionsByRegionAndCountryOfNationality$/i, shape: 'nationality', measure: 'apprehensions_and_title42_expulsions' },
  { kind: 'inadmissibles-by-nationality', title: /^NoncitizenInadmissibilityDeterminationsByRegionAndCountryOfNationality$/i, shape: 'nationality', measure: 'inadmissibility_determinations' },
  { kind: 'administrative-returns-by-nationality', title: /^NoncitizenAdministrativeReturnsByRegionAndCountryOfNationality$/i, shape: 'nationality', measure: 'administrative_returns' },
  { kind: 'enforcement-returns-by-nationality', title: /^NoncitizenEnforcementReturnsByRegionAndCountryOfNationality$/i, shape: 'nationality', measure: 'enforcement_returns' },
  { kind: 'apprehensions-by-year', title: /^Title42ExpulsionsAndNoncitizenApprehensions$/i, shape: 'year' },
  { kind: 'ofo-encounters-by-year', title: /^CbpOfficeOfFieldOperationsEncounters$/i, shape: 'year' },
  { kind: 'repatriations-by-year', title: /^(?:Aliens|Noncitizens?)(?:Removals|Removed)(?:,)?ReturnsAndExpulsions$/i, shape: 'year' },
];

export interface PartLayout {
  geography: 'region' | 'country';
  /** 'columns': the part has one column per status (Yearbook 2019, one fiscal year). */
  status: CriminalStatus | 'columns';
}

const part = (geography: PartLayout['geography'], status: PartLayout['status']): PartLayout => ({ geography, status });

/**
 * What each part of the removals table holds, by yearbook and part letter: the parts are in page
 * order, and the order changed in Yearbook 2022 (region parts first, then country). The geography
 * is checked against the part's first header; the criminal status cannot be read from the CSV (the
 * page's captions were not exported), so a yearbook not listed here is an error naming the file:
 * a new order is reviewed, never guessed.
 */
export const PART_STATUS: Readonly<Record<number, Readonly<Record<string, PartLayout>>>> = {
  2019: { A: part('region', 'columns'), B: part('country', 'columns') },
  2020: {
    A: part('region', 'all'), B: part('country', 'all'), C: part('region', 'criminal'),
    D: part('country', 'criminal'), E: part('region', 'non_criminal'), F: part('country', 'non_criminal'),
  },
  2021: {
    A: part('region', 'all'), B: part('country', 'all'), C: part('region', 'criminal'),
    D: part('country', 'criminal'), E: part('region', 'non_criminal'), F: part('country', 'non_criminal'),
  },
  2022: {
    A: part('region', 'all'), B: part('region', 'criminal'), C: part('region', 'non_criminal'),
    D: part('country', 'all'), E: part('country', 'criminal'), F: part('country', 'non_criminal'),
  },
};

/** Column headers of the Yearbook 2019 single-year parts (footnote marks removed, case ignored). */
export const STATUS_HEADERS: Readonly<Record<string, CriminalStatus>> = {
  total: 'all',
  criminal: 'criminal',
  'non-criminal': 'non_criminal',
  noncriminal: 'non_criminal',
};

/** First header of a nationality part → its geography. */
export const GEOGRAPHY_HEADERS: Readonly<Record<string, 'region' | 'country'>> = {
  'region of nationality': 'region',
  'country of nationality': 'country',
};

/** Measure columns of the by-year tables (footnote marks removed, case ignored), per table kind. */
export const MEASURE_HEADERS: Readonly<Partial<Record<TableKind, Readonly<Record<string, string>>>>> = {
  'apprehensions-by-year': { number: 'apprehensions_and_title42_expulsions' },
  'ofo-encounters-by-year': { total: 'ofo_encounters', administrative: 'ofo_administrative_encounters', enforcement: 'ofo_enforcement_encounters' },
  // Yearbook 2021 has one "Returns" column; Yearbook 2022 splits it into administrative and enforcement returns
  'repatriations-by-year': {
    removals: 'removals',
    returns: 'returns',
    'administrative returns': 'administrative_returns',
    'enforcement returns': 'enforcement_returns',
    expulsions: 'expulsions',
  },
};

/**
 * OHSS's codes in place of a number. `D` is withheld to limit disclosure: stored as NULL with
 * `withheld`, never as 0. `-` is zero (Yearbooks 2019–2021). `X` is not applicable. A blank cell
 * (pandas writes an empty field for an empty HTML cell) is a year the series does not cover.
 */
export const CODES: Readonly<Record<string, { value: 0 | null; withheld: boolean; meaning: string }>> = {
  D: { value: null, withheld: true, meaning: 'withheld to limit disclosure' },
  '-': { value: 0, withheld: false, meaning: 'zero' },
  X: { value: null, withheld: false, meaning: 'not applicable' },
  '': { value: null, withheld: false, meaning: 'blank: not covered' },
};

/** Header and label text as compared: footnote marks (" [4]") removed, whitespace collapsed, lower case. */
export function normaliseHeader(text: string): string {
  return text.replace(/\s*\[\d{1,2}\]/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** `Yearbook2022_Table42NoncitizenRemovalsByCriminalStatusAndRegionAndCountryOfNationality_D.csv` */
const FILE_NAME = /^Yearbook(\d{4})_Table(\d{1,3})([A-Za-z0-9]+)_([A-Z])\.csv$/;

export interface YearbookFileName {
  yearbook: number;
  tableNumber: number;
  title: string;
  part: string;
}

export function parseYearbookFileName(name: string): YearbookFileName | undefined {
  const m = FILE_NAME.exec(name);
  if (!m) return undefined;
  return { yearbook: Number(m[1]), tableNumber: Number(m[2]), title: m[3]!, part: m[4]! };
}

export function layoutOf(title: string): TableLayout | undefined {
  return LAYOUTS.find((l) => l.title.test(title));
}
