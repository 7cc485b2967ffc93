/**
 * Reviewed crosswalks for ICE's facility lists: the column headers of the "Facility List -
 * Main" sheet (2015 and 2017 lists), the header of the over-72-hour list's AOR blocks, and
 * the AOR names of those blocks. A header that is in none of these is an error naming its
 * cell, so a new layout is fixed here, by one entry.
 */

/** The columns stored as table columns; every other known header goes to `other_columns`. */
export type ListColumn =
  | 'detloc'
  | 'name'
  | 'address'
  | 'city'
  | 'county'
  | 'state'
  | 'zip'
  | 'circuit'
  | 'aor'
  | 'docket'
  | 'type'
  | 'type_detailed'
  | 'gender'
  | 'capacity'
  | 'population_count'
  | 'date_of_last_use'
  | 'date_of_first_use'
  | 'guaranteed_minimum'
  | 'facility_operator'
  | 'facility_owner'
  | 'authorization_status'
  | 'authorizing_authority'
  | 'over_under_72';

/** Header text (whitespace collapsed, matched whole and case-insensitively) → column. */
export const MAIN_COLUMNS: ReadonlyArray<readonly [RegExp, ListColumn]> = [
  [/^DETLOC$/i, 'detloc'],
  [/^Name$/i, 'name'],
  [/^Address$/i, 'address'],
  [/^City$/i, 'city'],
  [/^County$/i, 'county'],
  [/^(State|ST)$/i, 'state'],
  [/^Zip$/i, 'zip'],
  [/^Circuit$/i, 'circuit'],
  [/^AOR$/i, 'aor'],
  [/^Docket$/i, 'docket'],
  [/^Type$/i, 'type'],
  [/^Type[ -]+Detailed$/i, 'type_detailed'],
  [/^Male\/Female$/i, 'gender'],
  [/^Capacity$/i, 'capacity'],
  [/^Population Count$/i, 'population_count'],
  [/^Date of Last Use$/i, 'date_of_last_use'],
  [/^Date of First Use$/i, 'date_of_first_use'],
  [/^Guaranteed Minimum$/i, 'guaranteed_minimum'],
  [/^Facility Operator$/i, 'facility_operator'],
  [/^Facility Owner$/i, 'facility_owner'],
  [/^Authorization Status$/i, 'authorization_status'],
  [/^Authorizing Authority$/i, 'authorizing_authority'],
  [/^Over\/Under 72$/i, 'over_under_72'],
];

const FY = 'FY ?\\d{2}';
const MONTH = '(January|February|March|April|May|June|July|August|September|October|November|December) \\d{4}';

/**
 * Headers known and kept verbatim in `other_columns` (population statistics, contract,
 * inspection and medical columns). Seen in ICE_Facility_List_11-06-2017-web.xlsx (135
 * columns) and 2015IceDetentionFacilityListing.xlsx (38 columns).
 */
export const MAIN_OTHER: readonly RegExp[] = [
  /^ICE Funded$/i,
  /^Levels A,B,C,D$/i,
  /^Current FY Utilization$/i,
  new RegExp(`^${FY} (ADP|ALOS|Max Population Count|Max Pop Count|Facility Bookins|Initial Bookins|Initial Bookin ADP|Non-Criminal|Criminal|Calendar Days in Use|Possible Days|% of Days in Use|Total Mandays)$`, 'i'),
  new RegExp(`^${MONTH}$`, 'i'),
  /^Level [ABCD]$/i,
  /^(Male|Female) (Crim|Non-Crim)$/i,
  /^ICE Threat Level [123]$/i,
  /^No ICE Threat Level$/i,
  /^(Non-)?Mandatory$/i,
  /^Medical Provider Onsite\?$/i,
  /^Provider Type$/i,
  /^Best Known Contract (Initiation|Expiration) Date$/i,
  /^Per Diem Rate Detailed$/i,
  /^ICE Telephone Services$/i,
  /^Contractually Obligated Inspection Standard$/i,
  /^PREA\/Standard 2\.11 Status$/i,
  /^Current Inspection Frequency$/i,
  /^(Last|Second to Last|Next) Inspection (Type|Standard|Pre-Occ\?|Date)$/i,
  /^Last Inspection Rating - (Final|Recommended)$/i,
  /^Second to Last Rating$/i,
  /^Next Insp Pre-Occ\?$/i,
  /^CY ?\d{2} Rating$/i,
  /^EMDD (Notes|USE)$/i,
  /^(ACA|NCCHC|JCHCO)$/i,
  /^DSM (Assigned\?|Assignment Type)$/i,
];

/** The header of each AOR block of the over-72-hour list (Over72HourFacilities.xlsx, sheet "By AOR"). */
export const OVER72_COLUMNS: ReadonlyArray<readonly [RegExp, ListColumn]> = [
  [/^Facility Name$/i, 'name'],
  [/^City$/i, 'city'],
  [/^State$/i, 'state'],
  [/^Facility Type - Detailed$/i, 'type_detailed'],
];

/**
 * The AOR block titles of the over-72-hour list ("Atlanta AOR") → ICE's AOR code, as the
 * 2017 facility list and the detention statistics write it. Checked against the codes of
 * the 2017 list's AOR column and UWCHR's aor_ero_field_office.csv.
 */
export const AOR_CODES: Readonly<Record<string, string>> = {
  atlanta: 'ATL',
  baltimore: 'BAL',
  boston: 'BOS',
  buffalo: 'BUF',
  chicago: 'CHI',
  dallas: 'DAL',
  denver: 'DEN',
  detroit: 'DET',
  'el paso': 'ELP',
  houston: 'HOU',
  'los angeles': 'LOS',
  miami: 'MIA',
  'new orleans': 'NOL',
  'new york city': 'NYC',
  newark: 'NEW',
  philadelphia: 'PHI',
  phoenix: 'PHO',
  'saint paul': 'SPM',
  'st. paul': 'SPM',
  'salt lake city': 'SLC',
  'san antonio': 'SNA',
  'san diego': 'SND',
  'san francisco': 'SFR',
  seattle: 'SEA',
  'washington d.c.': 'WAS',
  'washington dc': 'WAS',
};

/** Normalised header text: whitespace (line breaks in a cell) collapsed. */
export const headerText = (s: string) => s.replace(/\s+/g, ' ').trim();

export function mainColumn(header: string): ListColumn | 'other' | undefined {
  const h = headerText(header);
  for (const [re, col] of MAIN_COLUMNS) if (re.test(h)) return col;
  return MAIN_OTHER.some((re) => re.test(h)) ? 'other' : undefined;
}

export function over72Column(header: string): ListColumn | undefined {
  const h = headerText(header);
  return OVER72_COLUMNS.find(([re]) => re.test(h))?.[1];
}
