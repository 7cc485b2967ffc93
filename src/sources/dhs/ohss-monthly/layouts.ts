/**
 * The crosswalk of the OHSS "Immigration Enforcement and Legal Processes Monthly Tables", as
 * reviewed data: which tables are read (found by their title text, never by sheet position), what
 * each counts, which coordinates all its numbers share, and which header texts name which value.
 * A renamed title or header is added here, not in code. See docs/sources/dhs-ohss-monthly.md.
 */

/** What a table counts. */
export type Measure = 'ero_arrests' | 'ice_book_ins' | 'ice_removals_returns' | 'dhs_removals' | 'cbp_encounters';

/** The coordinates of a number besides its period. 'all' = not broken out (a total). */
export type Dim = 'component' | 'region' | 'encounter_type' | 'arrest_agency' | 'citizenship';

export interface TableLayout {
  /** Stable id stored with every number (`table_id`). */
  id: string;
  /** The sheet's name in the releases seen (for messages; the table is found by title). */
  sheet: string;
  /** The title in A2 before the colon ("…: Fiscal Years 2014 to 2024 YTD (August 2024)"). */
  title: RegExp;
  /** The title as OHSS writes it, for messages. */
  titleText: string;
  measure: Measure;
  /** Coordinates every number of the table shares (dimensions neither listed nor broken out are 'all'). */
  fixed: Partial<Record<Dim, string>>;
  /** What the header row's columns (after Fiscal Year and Month) break out. */
  columns: Dim;
  /**
   * Header text → value for a column dimension other than citizenship (compared after
   * `normaliseLabel`); every label must be present. Citizenship columns take any country name,
   * resolved with resolveCountry, and must start with `Total`.
   */
  labels?: Record<string, string>;
  /** A group-header row above the header row (merged cells: the label stands over its first column). */
  groups?: { dim: Dim; labels: Record<string, string> };
}

const SWB = 'Southwest Land Border';

/** Header texts of the land-border regions, as in OHSS's KHSM files and `ohss.usbp_encounters`. */
const REGIONS: Record<string, string> = {
  total: 'all',
  'sw land border': SWB,
  'northern land border': 'Northern Land Border',
  'coastal border': 'Coastal Border',
  'air ports of entry': 'Air Ports of Entry',
};

const ARREST_AGENCIES: Record<string, string> = { total: 'all', cbp: 'CBP', ice: 'ICE' };

/** The tables read, in priority order: a metric answers a query from the first table that publishes every dimension asked for. */
export const LAYOUTS: readonly TableLayout[] = [
  {
    id: 'ero-arrests-citizenship',
    sheet: 'ERO Arrests by Citizenship',
    title: /^ERO Administrative Arrests by Selected Citizenship$/i,
    titleText: 'ERO Administrative Arrests by Selected Citizenship',
    measure: 'ero_arrests',
    fixed: {},
    columns: 'citizenship',
  },
  {
    id: 'ice-book-ins-citizenship',
    sheet: 'ICE Book-Ins by Citizenship',
    title: /^Book-Ins to ICE Detention by Selected Citizenship$/i,
    titleText: 'Book-Ins to ICE Detention by Selected Citizenship',
    measure: 'ice_book_ins',
    fixed: {},
    columns: 'citizenship',
  },
  {
    id: 'ice-book-ins-arrest-agency',
    sheet: 'ICE Book-Ins by Arrest Agency',
    title: /^Book-Ins to ICE Detention by Initial Arresting Agency$/i,
    titleText: 'Book-Ins to ICE Detention by Initial Arresting Agency',
    measure: 'ice_book_ins',
    fixed: {},
    columns: 'arrest_agency',
    labels: ARREST_AGENCIES,
  },
  {
    id: 'ice-removals-returns-citizenship',
    sheet: 'ICE ERO R&R by Citizenship',
    title: /^ICE ERO Removals and Returns by Selected Citizenship$/i,
    titleText: 'ICE ERO Removals and Returns by Selected Citizenship',
    measure: 'ice_removals_returns',
    fixed: {},
    columns: 'citizenship',
  },
  {
    id: 'ice-removals-returns-arrest-agency',
    sheet: 'ICE ERO R&R by Arrest Agcy',
    title: /^ICE ERO Removals and Returns by Initial Arresting Agency$/i,
    titleText: 'ICE ERO Removals and Returns by Initial Arresting Agency',
    measure: 'ice_removals_returns',
    fixed: {},
    columns: 'arrest_agency',
    labels: ARREST_AGENCIES,
  },
  {
    id: 'dhs-removals-citizenship',
    sheet: 'DHS Removals by Citizenship',
    title: /^DHS Removals by Selected Citizenship$/i,
    titleText: 'DHS Removals by Selected Citizenship',
    measure: 'dhs_removals',
    fixed: {},
    columns: 'citizenship',
  },
  {
    id: 'dhs-removals-arrest-agency',
    sheet: 'DHS Removals by Arrest Agcy',
    title: /^DHS Removals by Initial Arresting Agency$/i,
    titleText: 'DHS Removals by Initial Arresting Agency',
    measure: 'dhs_removals',
    fixed: {},
    columns: 'arrest_agency',
    labels: ARREST_AGENCIES,
  },
  {
    id: 'cbp-encounters-type-region',
    sheet: 'CBP Encounter by Type + Region',
    title: /^Nationwide CBP Encounters by Encounter Type and Region$/i,
    titleText: 'Nationwide CBP Encounters by Encounter Type and Region',
    measure: 'cbp_encounters',
    fixed: { component: 'all' },
    columns: 'region',
    labels: REGIONS,
    groups: { dim: 'encounter_type', labels: { 'total cbp': 'all', 'enforcement encounters': 'enforcement', 'administrative encounters': 'administrative' } },
  },
  {
    id: 'usbp-nationwide-citizenship',
    sheet: 'Nationwide USBP',
    title: /^Nationwide USBP Encounters by Top 100 Citizenships$/i,
    titleText: 'Nationwide USBP Encounters by Top 100 Citizenships',
    measure: 'cbp_encounters',
    fixed: { component: 'USBP' },
    columns: 'citizenship',
  },
  {
    // OHSS: OFO "enforcement" encounters exclude administrative encounters (withdrawn applications, crew, paroles)
    id: 'ofo-nationwide-citizenship',
    sheet: 'Nationwide OFO',
    title: /^Nationwide OFO Enforcement Encounters by Top 100 Citizenships$/i,
    titleText: 'Nationwide OFO Enforcement Encounters by Top 100 Citizenships',
    measure: 'cbp_encounters',
    fixed: { component: 'OFO', encounter_type: 'enforcement' },
    columns: 'citizenship',
  },
  {
    id: 'usbp-swb-citizenship',
    sheet: 'SWB USBP',
    title: /^SW Border USBP Encounters by Top 100 Citizenships$/i,
    titleText: 'SW Border USBP Encounters by Top 100 Citizenships',
    measure: 'cbp_encounters',
    fixed: { component: 'USBP', region: SWB },
    columns: 'citizenship',
  },
  {
    id: 'cbp-swb-agency-citizenship',
    sheet: 'SWB Encounters by Citizenship',
    title: /^CBP SW Border Encounters by Agency and Selected Citizenship$/i,
    titleText: 'CBP SW Border Encounters by Agency and Selected Citizenship',
    measure: 'cbp_encounters',
    fixed: { region: SWB },
    columns: 'citizenship',
    groups: { dim: 'component', labels: { 'total cbp': 'all', usbp: 'USBP', ofo: 'OFO' } },
  },
];

/**
 * Tables of the workbook that are known and deliberately not read (yet): their titles before the
 * colon. A table matching neither this list nor LAYOUTS is reported as `unrecognised-table`.
 */
export const KNOWN_UNREAD: readonly RegExp[] = [
  /^CBP SW Border Encounters by Agency and (Family Status|Sector or Field Office)$/i,
  /^CBP One Appointments$/i,
  /^CBP SW Border Encounters Book-Outs by /i,
  /^ERO Administrative Arrests by Criminality$/i,
  /^Book-Ins to ICE Detention by Criminality$/i,
  /^ICE Book-Outs by /i,
  /^ICE ERO Removals and Returns by Criminality$/i,
  /^DHS Repatriations by Type$/i,
  /^DHS Removals by Criminality$/i,
  /^DHS (Enforcement|Administrative) Returns by Selected Citizenship$/i,
  /^(SW Border|Nationwide) Credible Fear Screenings /i,
  /^Confirmed CHNV /i,
  /^CHNV Parole Process /i,
];

/** The table-of-contents sheet: no title, no numbers. */
export const TOC_SHEET = /^TOC$/i;

/**
 * Header and group labels as compared: whitespace collapsed, case ignored, a footnote digit glued
 * to the end removed ("Enforcement Encounters1", "Administrative Encounters2").
 */
export function normaliseLabel(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/(?<=[A-Za-z)])\d{1,2}$/, '')
    .toLowerCase();
}

/** Month names in fiscal order (October first), as written in column B. */
export const FISCAL_MONTHS = [
  'October', 'November', 'December', 'January', 'February', 'March',
  'April', 'May', 'June', 'July', 'August', 'September',
] as const;

/** Codes OHSS writes instead of a number: `X` not applicable, `NA` not available. Stored as NULL with the code. */
export const NOT_A_NUMBER: Readonly<Record<string, string>> = { X: 'not applicable', NA: 'not available' };
