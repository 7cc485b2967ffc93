/**
 * Reviewed crosswalks for ICE's detention-statistics workbooks: table titles, row and
 * column labels, and Facilities-sheet headers, with the releases each variant was seen
 * in. A layout change in a new release is fixed here, by one entry.
 */

/** How the labels of a table map onto dimensions. */
export type TableShape =
  /** rows: criminality; columns: arresting agency (and percent columns) */
  | 'criminality-by-agency'
  /** rows: a category (disposition, reason, removal type); columns: facility type or criminality or 'Total' */
  | 'category-by-column'
  /** rows: agency; columns: months */
  | 'agency-by-month'
  /** rows: facility type; columns: criminality or 'Total' */
  | 'facility-by-criminality'
  /** rows: facility type; columns: months */
  | 'facility-by-month'
  /** rows: 'X Average' group rows (agency) then criminality rows; columns: months */
  | 'agency-criminality-by-month'
  /** two label columns: reason (filled down) and criminality; columns: months */
  | 'reason-criminality-by-month'
  /** rows: a category; columns: measures named by the header ('Count', 'ALIP', …) */
  | 'category-by-measure'
  /** anything else: kept with its raw labels */
  | 'generic';

export interface TableSpec {
  id: string;
  title: RegExp;
  measure: string;
  shape: TableShape;
  /** Fixed dimension values for every fact of the table. */
  fixed?: { agency?: string; facility_type?: string };
  /** For 'category-by-measure': header text → measure id. */
  measures?: Array<[RegExp, string]>;
}

const RELEASES = '(Releases|Book ?-?Outs)';

/** Detention-sheet tables. Titles drift between releases (see MANIFEST §1 quirk 6). */
export const DETENTION_TABLES: TableSpec[] = [
  { id: 'detained_by_criminality_agency', title: /^ICE Currently Detained by Criminality and Arresting Agency/i, measure: 'detained', shape: 'criminality-by-agency' },
  { id: 'detained_by_disposition', title: /^ICE Currently Detained by Processing Disposition/i, measure: 'detained', shape: 'category-by-column' },
  { id: 'book_ins_by_agency_month', title: /^ICE Initial Book-Ins by Arresting Agency and Month/i, measure: 'book_ins', shape: 'agency-by-month' },
  // "by Criminality" (EOFY2024) and "by Facility Type and Criminality" (FY2025) are the same table
  { id: 'book_ins_by_facility_criminality', title: /^ICE Initial Book-Ins by (Facility Type and )?Criminality/i, measure: 'book_ins', shape: 'facility-by-criminality' },
  { id: 'book_outs_by_facility', title: new RegExp(`^ICE Final ${RELEASES} by Facility Type`, 'i'), measure: 'book_outs', shape: 'facility-by-criminality' },
  { id: 'book_outs_by_reason_month_criminality', title: new RegExp(`^ICE Final ${RELEASES} by Release Reason, Month and Criminality`, 'i'), measure: 'book_outs', shape: 'reason-criminality-by-month' },
  { id: 'book_outs_by_reason_criminality', title: new RegExp(`^ICE Final ${RELEASES} by Release Reason and Criminality`, 'i'), measure: 'book_outs', shape: 'category-by-column' },
  // "ICE Final Releases: FY2024" / "ICE Final Book Outs : FY2025": rows are facility types
  { id: 'book_outs', title: new RegExp(`^ICE Final ${RELEASES}\\s*:`, 'i'), measure: 'book_outs', shape: 'facility-by-criminality' },
  { id: 'removals', title: /^ICE Removals/i, measure: 'removals', shape: 'category-by-column' },
  { id: 'adp_by_agency_month_criminality', title: /^ICE Average Daily Population by Arresting Agency, Month and Criminality/i, measure: 'adp', shape: 'agency-criminality-by-month' },
  { id: 'alos_by_agency_month_criminality', title: /^ICE Average Length of Stay by Arresting Agency, Month and Criminality/i, measure: 'alos', shape: 'agency-criminality-by-month' },
  { id: 'adp_by_facility_month', title: /^ICE Average Daily Population by Facility Type and Month/i, measure: 'adp', shape: 'facility-by-month' },
  { id: 'alos_by_facility_month', title: /^ICE Average Length of Stay by Facility Type and Month/i, measure: 'alos', shape: 'facility-by-month' },
  { id: 'adp_by_month', title: /^ICE Average Daily Population by Month/i, measure: 'adp', shape: 'facility-by-month' },
  { id: 'alos_by_month', title: /^ICE Average Length of Stay by Month/i, measure: 'alos', shape: 'facility-by-month' },
  { id: 'alos_adult_by_agency_month', title: /^ICE Average Length of Stay Adult Facility Type by Month and Arresting Agency/i, measure: 'alos', shape: 'agency-by-month', fixed: { facility_type: 'adult' } },
  { id: 'fear_decision_to_release_days', title: /^Average Time from USCIS Fear Decision/i, measure: 'fear_decision_to_release_days', shape: 'generic' },
  { id: 'fear_decisions_by_facility_type', title: /^(Aliens|Noncitizens) with USCIS-Established Fear Decisions/i, measure: 'fear_decisions_detained', shape: 'generic' },
  { id: 'credible_fear_parole_requested', title: /^(Aliens|Individuals) with Positive Credible Fear Determination Parole Requested/i, measure: 'credible_fear_parole_requested', shape: 'generic' },
  { id: 'credible_fear_parole_status', title: /^(Aliens|Individuals) with Positive Credible Fear Determination Parole Status/i, measure: 'credible_fear_parole_status', shape: 'generic' },
  { id: 'credible_fear_alos', title: /^Currently Detained Credible and Reasonable Fear Average Length/i, measure: 'credible_fear_alos', shape: 'generic' },
  { id: 'stateless_by_facility', title: /^ICE Currently Detained of Stateless (Aliens|Noncitizens) by Detention Facility/i, measure: 'stateless_detained', shape: 'generic' },
];

/** ATD-sheet tables. */
export const ATD_TABLES: TableSpec[] = [
  {
    id: 'atd_by_technology',
    title: /^ATD Active Population Counts( and Daily Cost)? by Technology/i,
    measure: 'atd_participants',
    shape: 'category-by-measure',
    measures: [[/^Count$/i, 'atd_participants'], [/Daily.*Cost/i, 'atd_daily_tech_cost']],
  },
  {
    id: 'atd_by_status',
    title: /^ATD Active Population by Status/i,
    measure: 'atd_participants',
    shape: 'category-by-measure',
    measures: [[/^Count$/i, 'atd_participants'], [/^ALIP$/i, 'atd_average_length_in_program']],
  },
  {
    id: 'atd_by_aor_technology',
    title: /^Active ATD Participants and Average Length in Program/i,
    measure: 'atd_participants',
    shape: 'category-by-measure',
    measures: [[/^Count$/i, 'atd_participants'], [/Average Length/i, 'atd_average_length_in_program']],
  },
  { id: 'atd_court_appearance', title: /Court Appearance/i, measure: 'atd_court_appearances', shape: 'generic' },
];

export const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

const CRIMINALITY: Array<[RegExp, string]> = [
  [/^total$/i, 'all'],
  [/^convicted( criminals?)?$/i, 'convicted'],
  [/^pending( criminal charges?)?$/i, 'pending'],
  [/^other immigration violators?$/i, 'other'],
  // FY2019–FY2020 ADP tables split only criminal / non-criminal
  [/^non-?criminal$/i, 'non_criminal'],
];

const AGENCY: Array<[RegExp, string]> = [
  [/^total$/i, 'all'],
  [/^ice$/i, 'ICE'],
  [/^cbp$/i, 'CBP'],
];

const FACILITY_TYPE: Array<[RegExp, string]> = [
  [/^total$/i, 'all'],
  [/^adult$/i, 'adult'],
  // FRC (family residential center) became FSC (family staging center) in FY2025
  [/^(frc|fsc|family)$/i, 'family'],
];

function lookup(table: Array<[RegExp, string]>, label: string): string | undefined {
  const t = label.replace(/\s+/g, ' ').trim();
  for (const [re, v] of table) if (re.test(t)) return v;
  return undefined;
}

export const criminalityOf = (label: string): string | undefined => lookup(CRIMINALITY, label);
export const agencyOf = (label: string): string | undefined => lookup(AGENCY, label);
export const facilityTypeOf = (label: string): string | undefined => lookup(FACILITY_TYPE, label);

/** Facilities-sheet header → canonical column. 14 header signatures, FY2019–FY2026 (INVENTORY.md). */
export const FACILITY_COLUMNS: Array<[RegExp, string]> = [
  [/^name$/i, 'name'],
  [/^address$/i, 'address'],
  [/^city$/i, 'city'],
  [/^state$/i, 'state'],
  [/^zip$/i, 'zip'],
  [/^aor$/i, 'aor'],
  [/^type detailed$/i, 'type_detailed'],
  [/^male\/female$/i, 'gender'],
  // "FY26 ALOS"; the 2023-11-23 FY24 release still says "FY23 ALOS"
  [/^FY\s?\d{2,4} ALOS$/i, 'alos'],
  [/^level a$/i, 'level_a'],
  [/^level b$/i, 'level_b'],
  [/^level c$/i, 'level_c'],
  [/^level d$/i, 'level_d'],
  [/^male crim$/i, 'male_crim'],
  [/^male non-crim$/i, 'male_noncrim'],
  [/^female crim$/i, 'female_crim'],
  [/^female non-crim$/i, 'female_noncrim'],
  [/^ice threat level 1$/i, 'threat_level_1'],
  [/^ice threat level 2$/i, 'threat_level_2'],
  [/^ice threat level 3$/i, 'threat_level_3'],
  [/^no ice threat level$/i, 'threat_level_none'],
  [/^mandatory$/i, 'mandatory'],
  [/^guaranteed minimum$/i, 'guaranteed_minimum'],
  [/^last inspection type$/i, 'last_inspection_type'],
  [/^(last inspection (end )?date|odo inspection end date|odo final report date)$/i, 'last_inspection_date'],
  [/^(odo )?last inspection standard$/i, 'last_inspection_standard'],
  [/^(last inspection rating - final|last final rating|odo final rating)$/i, 'last_inspection_rating'],
  [/^pending fy\s?\d{2,4} inspection$/i, 'pending_inspection'],
  // kept in other_columns: second-to-last and Nakamoto inspection columns (FY2019–FY2023)
  [/^(second to last|last nakamoto|second to last nakamoto)/i, 'other'],
];

export const REQUIRED_FACILITY_COLUMNS = ['name', 'city', 'state', 'aor'];

export const FACILITY_NUMERIC = new Set([
  'alos', 'level_a', 'level_b', 'level_c', 'level_d', 'male_crim', 'male_noncrim', 'female_crim', 'female_noncrim',
  'threat_level_1', 'threat_level_2', 'threat_level_3', 'threat_level_none', 'mandatory', 'guaranteed_minimum',
]);
