/**
 * Facility names as ICE writes them differ by case, punctuation, abbreviation and
 * truncation: "SCOTT COUNTY DET. FACILITY", "SOUTH LOUISIANA ICE PROC CTR", "CORR. CTR OF
 * NORTHWEST OHIO", "ORANGE COUNTY JAIL (FL)". These functions bring them to one form so
 * that equal facilities compare equal; the rules are data (the tables below).
 */

export const STATE_NAMES: Readonly<Record<string, string>> = {
  AL: 'ALABAMA', AK: 'ALASKA', AZ: 'ARIZONA', AR: 'ARKANSAS', CA: 'CALIFORNIA', CO: 'COLORADO', CT: 'CONNECTICUT',
  DE: 'DELAWARE', DC: 'DISTRICT OF COLUMBIA', FL: 'FLORIDA', GA: 'GEORGIA', HI: 'HAWAII', ID: 'IDAHO', IL: 'ILLINOIS',
  IN: 'INDIANA', IA: 'IOWA', KS: 'KANSAS', KY: 'KENTUCKY', LA: 'LOUISIANA', ME: 'MAINE', MD: 'MARYLAND',
  MA: 'MASSACHUSETTS', MI: 'MICHIGAN', MN: 'MINNESOTA', MS: 'MISSISSIPPI', MO: 'MISSOURI', MT: 'MONTANA',
  NE: 'NEBRASKA', NV: 'NEVADA', NH: 'NEW HAMPSHIRE', NJ: 'NEW JERSEY', NM: 'NEW MEXICO', NY: 'NEW YORK',
  NC: 'NORTH CAROLINA', ND: 'NORTH DAKOTA', OH: 'OHIO', OK: 'OKLAHOMA', OR: 'OREGON', PA: 'PENNSYLVANIA',
  RI: 'RHODE ISLAND', SC: 'SOUTH CAROLINA', SD: 'SOUTH DAKOTA', TN: 'TENNESSEE', TX: 'TEXAS', UT: 'UTAH',
  VT: 'VERMONT', VA: 'VIRGINIA', WA: 'WASHINGTON', WV: 'WEST VIRGINIA', WI: 'WISCONSIN', WY: 'WYOMING',
  PR: 'PUERTO RICO', GU: 'GUAM', VI: 'VIRGIN ISLANDS', MP: 'NORTHERN MARIANA ISLANDS', AS: 'AMERICAN SAMOA',
};

/** One word → its spelled-out form. Seen in the detention statistics, the lists and ICE's FOIA names. */
export const WORD_FORMS: Readonly<Record<string, string>> = {
  CO: 'COUNTY',
  CNTY: 'COUNTY',
  DET: 'DETENTION',
  DETN: 'DETENTION',
  CTR: 'CENTER',
  CNTR: 'CENTER',
  CENTRE: 'CENTER',
  FAC: 'FACILITY',
  FACIL: 'FACILITY',
  FCLTY: 'FACILITY',
  FACLTY: 'FACILITY',
  PROC: 'PROCESSING',
  PROCESSSING: 'PROCESSING', // "NORTHWEST ICE PROCESSSING CENTER", FY26 Facilities sheet
  PROCESS: 'PROCESSING', // "KARNES CO IMMIGRATION PROCESS CTR", ICE's FOIA records
  CORR: 'CORRECTIONAL',
  COR: 'CORRECTIONAL',
  CORRECTION: 'CORRECTIONAL',
  CORRECTIONS: 'CORRECTIONAL',
  CORECTIONS: 'CORRECTIONAL', // "CALIFORNIA CITY CORECTIONS CENTER", ICE's FOIA records
  INST: 'INSTITUTION',
  INSTITUTE: 'INSTITUTION',
  DEPT: 'DEPARTMENT',
  SHERIFFS: 'SHERIFF',
  REG: 'REGIONAL',
  RGNL: 'REGIONAL',
  SVC: 'SERVICE',
  SVCS: 'SERVICES',
  JUV: 'JUVENILE',
  HOSP: 'HOSPITAL',
  HOPSITAL: 'HOSPITAL',
  MED: 'MEDICAL',
  FED: 'FEDERAL',
  NW: 'NORTHWEST',
  ST: 'SAINT',
  STE: 'SAINTE',
  FT: 'FORT',
  MT: 'MOUNT',
  PCT: 'PRECINCT',
  AUTH: 'AUTHORITY',
  PUB: 'PUBLIC',
  SFTY: 'SAFETY',
  CPLX: 'COMPLEX', // "HANCOCK CO PUB SFTY CPLX"
  PEN: 'PENITENTIARY',
};

/** Acronyms ICE uses for whole facility kinds. */
export const ACRONYMS: Readonly<Record<string, string>> = {
  SPC: 'SERVICE PROCESSING CENTER',
  IPC: 'ICE PROCESSING CENTER',
  CDF: 'CONTRACT DETENTION FACILITY',
  FCI: 'FEDERAL CORRECTIONAL INSTITUTION',
  FDC: 'FEDERAL DETENTION CENTER',
  USP: 'UNITED STATES PENITENTIARY',
  CI: 'CORRECTIONAL INSTITUTION', // "BAKER C. I."
};

const DROPPED = new Set(['THE']);

const STATE_WORDS = new Set([...Object.keys(STATE_NAMES), ...Object.values(STATE_NAMES)]);
/** "(FL)", "(ALABAMA)", ", MT", " - TEXAS" at the end of a name: a place tag, not part of the name, when it names a state. */
const TRAILING_TAG = /\s*(?:\(([A-Z .]+)\)|[,-]\s*([A-Z .]+?))\s*$/;

function withoutStateTag(text: string): string {
  const m = TRAILING_TAG.exec(text);
  const tag = m ? (m[1] ?? m[2])!.replace(/\./g, '').trim() : undefined;
  return m && tag !== undefined && STATE_WORDS.has(tag) ? text.slice(0, m.index) : text;
}

/** Upper case, '&' as AND, apostrophes dropped, other punctuation as spaces, runs of single letters joined (U.S. → US). */
export function cleanText(text: string): string {
  const words = text
    .toUpperCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/&/g, ' AND ')
    .replace(/['’`]/g, '')
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((w) => w !== '');
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i]!.length === 1 && words[i + 1]?.length === 1) {
      let run = '';
      while (i < words.length && words[i]!.length === 1) run += words[i++]!;
      i--;
      out.push(run);
    } else out.push(words[i]!);
  }
  return out.join(' ');
}

/**
 * A facility name in comparable form: a trailing state tag removed ("(FL)", ", MT", and a
 * bare state name when it is the facility's own state: "FULTON CO JAIL INDIANA"), then
 * cleaned, abbreviations and acronyms spelled out, "THE" dropped.
 */
export function normaliseName(name: string, state?: string | null): string {
  // a footnote mark glued to the last word: "SOUTH TEXAS FAMILY RESIDENTIAL CENTER1" (FY2021 Facilities sheets)
  let text = withoutStateTag(name.toUpperCase().trim().replace(/([A-Z])\d{1,2}$/, '$1'));
  const own = state ? STATE_NAMES[state.toUpperCase()] : undefined;
  if (own && text.endsWith(` ${own}`) && text.length > own.length + 8) text = text.slice(0, -own.length - 1);
  const words = cleanText(text)
    .split(' ')
    .filter((w) => !DROPPED.has(w))
    .flatMap((w) => (ACRONYMS[w] ?? WORD_FORMS[w] ?? w).split(' '));
  return withoutRepeats(words).join(' ');
}

/**
 * A run of words said twice in a row once: an acronym in brackets spelled out repeats the
 * words before it ("DENVER CONTRACT DETENTION FACILITY (CDF) II").
 */
function withoutRepeats(words: string[]): string[] {
  for (let len = Math.floor(words.length / 2); len >= 2; len--) {
    for (let i = 0; i + 2 * len <= words.length; i++) {
      let same = true;
      for (let k = 0; k < len && same; k++) same = words[i + k] === words[i + len + k];
      if (same) return withoutRepeats([...words.slice(0, i + len), ...words.slice(i + 2 * len)]);
    }
  }
  return words;
}

/**
 * Other names a name holds: the name without its bracketed part, and the bracketed part
 * itself when it is a name of two words or more ("TACOMA ICE PROCESSING CENTER (NORTHWEST
 * DET CTR)" is also the NORTHWEST DETENTION CENTER).
 */
export function nameVariants(name: string): string[] {
  const m = /^(.*?)\s*\(([^()]+)\)\s*(.*)$/.exec(name.trim());
  if (!m) return [];
  const out = [`${m[1]} ${m[3]}`.trim()];
  if (m[2]!.trim().split(/\s+/).length >= 2) out.push(m[2]!.trim());
  return out.filter((v) => v !== '');
}

/** A city in comparable form: "ST. PAUL" and "SAINT PAUL" are one city. */
export function normaliseCity(city: string | null | undefined): string {
  if (!city) return '';
  return cleanText(city)
    .split(' ')
    .map((w) => (w === 'ST' ? 'SAINT' : w === 'STE' ? 'SAINTE' : w === 'FT' ? 'FORT' : w === 'MT' ? 'MOUNT' : w))
    .join(' ');
}

/**
 * Two cities are the same place when equal, or when one is the other cut short (ICE cuts
 * long values: "COTTONWOOD FALL" for COTTONWOOD FALLS) by at most a few letters.
 */
export function sameCity(a: string, b: string): boolean {
  if (a === b) return true;
  const short = a.length <= b.length ? a : b;
  const long = a.length <= b.length ? b : a;
  return short.length >= 6 && long.length - short.length <= 3 && long.startsWith(short);
}

/** Dice coefficient over the words of two normalised names (0 … 1), for review hints; sets may be passed pre-split. */
export function similarity(a: string | ReadonlySet<string>, b: string | ReadonlySet<string>): number {
  const wa = typeof a === 'string' ? new Set(a.split(' ')) : a;
  const wb = typeof b === 'string' ? new Set(b.split(' ')) : b;
  let common = 0;
  for (const w of wa) if (wb.has(w)) common++;
  return wa.size + wb.size === 0 ? 0 : (2 * common) / (wa.size + wb.size);
}

/**
 * Is one name the other cut short? ICE truncates long names in its workbooks and records
 * (about 30–50 characters), so the shorter must be long enough to identify a facility and
 * end where the longer has a word boundary or mid-word (a cut word).
 */
export function isTruncationOf(short: string, long: string, minLength = 12): boolean {
  return short.length >= minLength && short.length < long.length && long.startsWith(short);
}
