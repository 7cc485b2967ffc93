/**
 * Reviewed crosswalks for ICE's 287(g) lists: the column headers, the support types
 * (models), the agency types, the state names (with ICE's misspellings) and the MOA
 * status texts. A header that is in none of these is an error naming its cell; a value
 * that is in none of them is kept as published and reported as an anomaly. A new
 * layout or spelling is fixed here, by one entry.
 */

export type ListColumn = 'state' | 'agency' | 'type' | 'county' | 'support_type' | 'signed' | 'moa' | 'addendum';

/** Header text (whitespace collapsed, case ignored) → column. */
export const HEADERS: Readonly<Record<string, ListColumn>> = {
  state: 'state',
  'law enforcement agency': 'agency',
  agency: 'agency',
  type: 'type',
  'agency type': 'type',
  county: 'county',
  'support type': 'support_type',
  model: 'support_type',
  signed: 'signed',
  'date signed': 'signed',
  moa: 'moa',
  addendum: 'addendum',
};

/** Every list has these; SIGNED is what makes a list the participating one (see parse.ts). */
export const REQUIRED: readonly ListColumn[] = ['state', 'agency', 'support_type'];

export const normaliseText = (s: string) => s.normalize('NFKC').replace(/\s+/g, ' ').trim();
const key = (s: string) => normaliseText(s).toLowerCase();

export function headerColumn(text: string): ListColumn | undefined {
  return HEADERS[key(text)];
}

/** The three 287(g) models, as ICE names them. */
export const MODELS = ['Task Force Model', 'Warrant Service Officer', 'Jail Enforcement Model'] as const;
export type Model = (typeof MODELS)[number];

export const MODEL_ABBREVIATIONS: Readonly<Record<Model, string>> = {
  'Task Force Model': 'TFM',
  'Warrant Service Officer': 'WSO',
  'Jail Enforcement Model': 'JEM',
};

/** A canonical label, and whether the text was one of ICE's misspellings of it. */
export interface Label<T extends string = string> {
  value: T;
  variant: boolean;
}

const MODEL_TEXT: Readonly<Record<string, Label<Model>>> = {
  'task force model': { value: 'Task Force Model', variant: false },
  'warrant service officer': { value: 'Warrant Service Officer', variant: false },
  'jail enforcement model': { value: 'Jail Enforcement Model', variant: false },
  tfm: { value: 'Task Force Model', variant: true },
  wso: { value: 'Warrant Service Officer', variant: true },
  jem: { value: 'Jail Enforcement Model', variant: true },
  // participatingAgencies12312025am.xlsx, one row
  'warrant service office': { value: 'Warrant Service Officer', variant: true },
};

export function modelOf(text: string): Label<Model> | undefined {
  return MODEL_TEXT[key(text)];
}

const AGENCY_TYPE_TEXT: Readonly<Record<string, Label>> = {
  county: { value: 'County', variant: false },
  municipality: { value: 'Municipality', variant: false },
  'state agency': { value: 'State Agency', variant: false },
  // from July 2025 some rows say "State" for a state agency
  state: { value: 'State Agency', variant: true },
};

export function agencyTypeOf(text: string): Label | undefined {
  return AGENCY_TYPE_TEXT[key(text)];
}

/** MOA column texts: `link` (a hyperlink to the signed MOA), `link pending` (none yet), `link | addendum`. */
const MOA_TEXT: Readonly<Record<string, string>> = {
  link: 'link',
  'link pending': 'link pending',
  'link | addendum': 'link | addendum',
};

export function moaStatusOf(text: string): string | undefined {
  return MOA_TEXT[key(text)];
}

export interface StateInfo {
  /** Upper case, as ICE writes it. */
  name: string;
  /** USPS code. */
  code: string;
  /** Census FIPS code: the ids of the us-atlas shapes. */
  fips: string;
}

const STATE_LIST: Array<[string, string, string]> = [
  ['ALABAMA', 'AL', '01'], ['ALASKA', 'AK', '02'], ['ARIZONA', 'AZ', '04'], ['ARKANSAS', 'AR', '05'], ['CALIFORNIA', 'CA', '06'],
  ['COLORADO', 'CO', '08'], ['CONNECTICUT', 'CT', '09'], ['DELAWARE', 'DE', '10'], ['DISTRICT OF COLUMBIA', 'DC', '11'], ['FLORIDA', 'FL', '12'],
  ['GEORGIA', 'GA', '13'], ['HAWAII', 'HI', '15'], ['IDAHO', 'ID', '16'], ['ILLINOIS', 'IL', '17'], ['INDIANA', 'IN', '18'],
  ['IOWA', 'IA', '19'], ['KANSAS', 'KS', '20'], ['KENTUCKY', 'KY', '21'], ['LOUISIANA', 'LA', '22'], ['MAINE', 'ME', '23'],
  ['MARYLAND', 'MD', '24'], ['MASSACHUSETTS', 'MA', '25'], ['MICHIGAN', 'MI', '26'], ['MINNESOTA', 'MN', '27'], ['MISSISSIPPI', 'MS', '28'],
  ['MISSOURI', 'MO', '29'], ['MONTANA', 'MT', '30'], ['NEBRASKA', 'NE', '31'], ['NEVADA', 'NV', '32'], ['NEW HAMPSHIRE', 'NH', '33'],
  ['NEW JERSEY', 'NJ', '34'], ['NEW MEXICO', 'NM', '35'], ['NEW YORK', 'NY', '36'], ['NORTH CAROLINA', 'NC', '37'], ['NORTH DAKOTA', 'ND', '38'],
  ['OHIO', 'OH', '39'], ['OKLAHOMA', 'OK', '40'], ['OREGON', 'OR', '41'], ['PENNSYLVANIA', 'PA', '42'], ['RHODE ISLAND', 'RI', '44'],
  ['SOUTH CAROLINA', 'SC', '45'], ['SOUTH DAKOTA', 'SD', '46'], ['TENNESSEE', 'TN', '47'], ['TEXAS', 'TX', '48'], ['UTAH', 'UT', '49'],
  ['VERMONT', 'VT', '50'], ['VIRGINIA', 'VA', '51'], ['WASHINGTON', 'WA', '53'], ['WEST VIRGINIA', 'WV', '54'], ['WISCONSIN', 'WI', '55'],
  ['WYOMING', 'WY', '56'], ['AMERICAN SAMOA', 'AS', '60'], ['GUAM', 'GU', '66'], ['NORTHERN MARIANA ISLANDS', 'MP', '69'], ['PUERTO RICO', 'PR', '72'],
  ['U.S. VIRGIN ISLANDS', 'VI', '78'],
];

export const STATES: readonly StateInfo[] = STATE_LIST.map(([name, code, fips]) => ({ name, code, fips }));

/** ICE's misspellings of state names, seen in the lists (upper case) → the state's name. */
const STATE_VARIANTS: Readonly<Record<string, string>> = {
  PENNSLYVANIA: 'PENNSYLVANIA',
  'WEST VIRIGINIA': 'WEST VIRGINIA',
  'COMMONWEALTH OF THE NORTHERN MARIANA ISLANDS': 'NORTHERN MARIANA ISLANDS',
  'VIRGIN ISLANDS': 'U.S. VIRGIN ISLANDS',
  'UNITED STATES VIRGIN ISLANDS': 'U.S. VIRGIN ISLANDS',
  'WASHINGTON DC': 'DISTRICT OF COLUMBIA',
  'WASHINGTON, DC': 'DISTRICT OF COLUMBIA',
  'WASHINGTON D.C.': 'DISTRICT OF COLUMBIA',
};

const BY_NAME = new Map(STATES.map((s) => [s.name, s]));
const BY_CODE = new Map(STATES.map((s) => [s.code, s]));

/**
 * A state from ICE's STATE cell: the name in any case ("UTAh"), a USPS code, or one of
 * the misspellings above (variant: true). Case alone is not a variant.
 */
export function stateOf(text: string): Label<string> & { state: StateInfo } | undefined {
  const t = normaliseText(text).toUpperCase();
  const direct = BY_NAME.get(t) ?? BY_CODE.get(t);
  if (direct) return { value: direct.name, variant: false, state: direct };
  const v = STATE_VARIANTS[t];
  const s = v ? BY_NAME.get(v) : undefined;
  return s ? { value: s.name, variant: true, state: s } : undefined;
}

export function stateByCode(code: string): StateInfo | undefined {
  return BY_CODE.get(code);
}

/**
 * The key that identifies an agency across lists: upper case, curly quotes and
 * apostrophes, periods and commas dropped, "&" as "AND", whitespace collapsed. ICE writes
 * the same office as "St. Johns County Sheriff's Office" in one list and "St Johns County
 * Sheriff’s Office " in another.
 */
export function agencyKey(name: string): string {
  return normaliseText(name)
    .toUpperCase()
    .replace(/[\u2018\u2019\u02bc'`´]/g, '')
    .replace(/&/g, ' AND ')
    .replace(/[.,]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
