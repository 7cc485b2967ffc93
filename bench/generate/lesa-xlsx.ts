import { closeSync, openSync, writeSync, createReadStream, createWriteStream, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createDeflateRaw, crc32, deflateRawSync } from 'node:zlib';

/**
 * Writes a synthetic ICE ERO-LESA FOIA workbook in the raw layout of the productions
 * (../shared/data/ddp-derived/DDP-RAW-SCHEMA.md): on every sheet the six banner rows
 * (unit, FOUO marking, production numbers, "Please review the last tab for footnotes.",
 * a blank row, the title), the header on row 7, records from row 8; a table longer than
 * one sheet split over several sheets of at most 1,048,576 rows; a last "Footnotes" tab.
 * Text cells are shared strings (Excel's way), date-times Excel serial numbers with a
 * date-time number format (a few written as `MM/DD/YYYY HH:MM:SS` text), Birth Date the
 * FOIA exemption codes `(b)(6), (b)(7)(c)`.
 *
 * It streams: sheet XML goes through zlib's deflate into the file as rows are made, the
 * shared strings are spooled to a side file and copied in at the end (after the sheets,
 * where Excel puts them), and the zip is written by a small Zip64-capable writer whose
 * local headers are patched with sizes and CRC once an entry is done. Memory stays flat
 * whatever the row count. Deterministic: the same arguments give the same bytes.
 *
 *   npx tsx bench/generate/lesa-xlsx.ts detention-stints 1000000 /tmp/stints.xlsx [--rows-per-sheet N] [--level 6]
 */

export type LesaKind = 'detention-stints' | 'arrests' | 'removals';

export interface LesaOptions {
  /** Records per sheet (default and maximum 1,048,569: the sheet's 1,048,576 rows less banner and header). */
  rowsPerSheet?: number;
  /** Deflate level of the sheet parts (default 6, as Excel's "normal"). */
  level?: number;
  seed?: number;
  /** Write Zip64 records for every entry even when the sizes fit 32 bits (to test readers). */
  forceZip64?: boolean;
}

export interface LesaResult {
  kind: LesaKind;
  rows: number;
  sheets: string[];
  /** Non-empty cells of the record rows (banner and header not counted). */
  cells: number;
  sharedStrings: number;
  /** Bytes of sheet XML before compression. */
  xmlBytes: number;
  bytes: number;
}

export const MAX_SHEET_ROWS = 1_048_576;
const HEADER_ROW = 7;
export const MAX_RECORDS_PER_SHEET = MAX_SHEET_ROWS - HEADER_ROW;

export const PRODUCTION = '2025-ICLI-00019 2024-ICFO-39357';
export const REDACTED = '(b)(6), (b)(7)(c)';

/* ------------------------------------------------------------------ vocabularies */

const FACILITIES: Array<[name: string, code: string, aor: string]> = [
  ['STEWART DETENTION CENTER', 'STWRTGA', 'Atlanta'],
  ['IRWIN COUNTY DETENTION CENTER', 'IRWINGA', 'Atlanta'],
  ['FOLKSTON ICE PROCESSING CENTER', 'FIPCAGA', 'Atlanta'],
  ['ADELANTO ICE PROCESSING CENTER', 'ADLNTCA', 'Los Angeles'],
  ['DESERT VIEW ANNEX', 'DSRTVCA', 'Los Angeles'],
  ['OTAY MESA DETENTION CENTER', 'CCASDCA', 'San Diego'],
  ['IMPERIAL REGIONAL DETENTION FACILITY', 'IMPRDCA', 'San Diego'],
  ['CALIFORNIA CITY DETENTION FACILITY', 'CACTYCA', 'San Francisco'],
  ['GOLDEN STATE ANNEX', 'GLDNSCA', 'San Francisco'],
  ['SOUTH TEXAS ICE PROCESSING CENTER', 'STCDFTX', 'San Antonio'],
  ['DILLEY IMMIGRATION PROCESSING CENTER', 'STFRCTX', 'San Antonio'],
  ['PORT ISABEL SPC', 'PISPCTX', 'Harlingen'],
  ['EL VALLE DETENTION FACILITY', 'ELVDFTX', 'Harlingen'],
  ['MONTGOMERY ICE PROCESSING CENTER', 'MTGPCTX', 'Houston'],
  ['JOE CORLEY PROCESSING CENTER', 'JCRLYTX', 'Houston'],
  ['EL PASO SERVICE PROCESSING CENTER', 'EPSPCTX', 'El Paso'],
  ['OTERO COUNTY PROCESSING CENTER', 'OTROCNM', 'El Paso'],
  ['BLUEBONNET DETENTION FACILITY', 'BLBNTTX', 'Dallas'],
  ['PRAIRIELAND DETENTION CENTER', 'PRLDCTX', 'Dallas'],
  ['CENTRAL LOUISIANA ICE PROCESSING CENTER', 'CLIPCLA', 'New Orleans'],
  ['WINN CORRECTIONAL CENTER', 'WINNCLA', 'New Orleans'],
  ['JACKSON PARISH CORRECTIONAL CENTER', 'JPCCCLA', 'New Orleans'],
  ['RIVER CORRECTIONAL CENTER', 'RIVERLA', 'New Orleans'],
  ['LA PALMA CORRECTIONAL CENTER', 'LAPALAZ', 'Phoenix'],
  ['ELOY FEDERAL CONTRACT FACILITY', 'EAZEYAZ', 'Phoenix'],
  ['KROME NORTH SERVICE PROCESSING CENTER', 'KROMEFL', 'Miami'],
  ['BROWARD TRANSITIONAL CENTER', 'BTCFLFL', 'Miami'],
  ['ELIZABETH CONTRACT DETENTION FACILITY', 'ELZCDNJ', 'Newark'],
  ['DELANEY HALL DETENTION FACILITY', 'DLNYHNJ', 'Newark'],
  ['MOSHANNON VALLEY PROCESSING CENTER', 'MOSVLPA', 'Philadelphia'],
  ['BUFFALO SERVICE PROCESSING CENTER', 'BATAVNY', 'Buffalo'],
  ['NORTHWEST ICE PROCESSING CENTER', 'CSCNWWA', 'Seattle'],
  ['AURORA ICE PROCESSING CENTER', 'AURORCO', 'Denver'],
  ['BROADVIEW SERVICE STAGING', 'BRDVWIL', 'Chicago'],
  ['CLAY COUNTY JAIL', 'CLAYCIN', 'Chicago'],
  ['NORTH LAKE PROCESSING CENTER', 'NLAKEMI', 'Detroit'],
  ['CALHOUN COUNTY CORRECTIONAL CENTER', 'CALHCMI', 'Detroit'],
  ['FREEBORN COUNTY ADULT DETENTION CENTER', 'FRBRNMN', 'St. Paul'],
  ['PLYMOUTH COUNTY CORRECTIONAL FACILITY', 'PLYMHMA', 'Boston'],
  ['FARMVILLE DETENTION CENTER', 'FRMVLVA', 'Washington'],
  ['CAROLINE DETENTION FACILITY', 'CAROLVA', 'Washington'],
  ['WASHOE COUNTY JAIL', 'WASHONV', 'Salt Lake City'],
  ['ORANGE COUNTY JAIL', 'ORNGCNY', 'New York City'],
  ['HOUSTON CONTRACT DETENTION FACILITY', 'HOUICDF', 'Houston'],
  ['BALTIMORE HOLD ROOM', 'BALHOLD', 'Baltimore'],
];

const AOR_CODES: Record<string, string> = {
  Atlanta: 'ATL', Baltimore: 'BAL', Boston: 'BOS', Buffalo: 'BUF', Chicago: 'CHI', Dallas: 'DAL', Denver: 'DEN',
  Detroit: 'DET', 'El Paso': 'ELP', Harlingen: 'HLG', Houston: 'HOU', 'Los Angeles': 'LOS', Miami: 'MIA',
  'New Orleans': 'NOL', 'New York City': 'NYC', Newark: 'NEW', Philadelphia: 'PHI', Phoenix: 'PHO',
  'Salt Lake City': 'SLC', 'San Antonio': 'SNA', 'San Diego': 'SND', 'San Francisco': 'SFR', Seattle: 'SEA',
  'St. Paul': 'SPM', Washington: 'WAS',
};
const AORS = Object.keys(AOR_CODES);
const AOR_STATE: Record<string, [state: string, counties: string[]]> = {
  Atlanta: ['GEORGIA', ['FULTON', 'GWINNETT', 'COBB', 'DEKALB']], Baltimore: ['MARYLAND', ['BALTIMORE', 'MONTGOMERY']],
  Boston: ['MASSACHUSETTS', ['SUFFOLK', 'MIDDLESEX', 'PLYMOUTH']], Buffalo: ['NEW YORK', ['ERIE', 'MONROE']],
  Chicago: ['ILLINOIS', ['COOK', 'DUPAGE', 'LAKE']], Dallas: ['TEXAS', ['DALLAS', 'TARRANT', 'COLLIN']],
  Denver: ['COLORADO', ['DENVER', 'ADAMS', 'ARAPAHOE']], Detroit: ['MICHIGAN', ['WAYNE', 'OAKLAND', 'KENT']],
  'El Paso': ['TEXAS', ['EL PASO']], Harlingen: ['TEXAS', ['CAMERON', 'HIDALGO']], Houston: ['TEXAS', ['HARRIS', 'FORT BEND']],
  'Los Angeles': ['CALIFORNIA', ['LOS ANGELES', 'ORANGE', 'RIVERSIDE', 'SAN BERNARDINO']], Miami: ['FLORIDA', ['MIAMI-DADE', 'BROWARD', 'PALM BEACH']],
  'New Orleans': ['LOUISIANA', ['ORLEANS', 'JEFFERSON']], 'New York City': ['NEW YORK', ['QUEENS', 'KINGS', 'BRONX']],
  Newark: ['NEW JERSEY', ['ESSEX', 'HUDSON', 'UNION']], Philadelphia: ['PENNSYLVANIA', ['PHILADELPHIA', 'MONTGOMERY']],
  Phoenix: ['ARIZONA', ['MARICOPA', 'PIMA']], 'Salt Lake City': ['UTAH', ['SALT LAKE', 'UTAH']],
  'San Antonio': ['TEXAS', ['BEXAR', 'TRAVIS']], 'San Diego': ['CALIFORNIA', ['SAN DIEGO', 'IMPERIAL']],
  'San Francisco': ['CALIFORNIA', ['SANTA CLARA', 'ALAMEDA', 'FRESNO']], Seattle: ['WASHINGTON', ['KING', 'PIERCE', 'YAKIMA']],
  'St. Paul': ['MINNESOTA', ['HENNEPIN', 'RAMSEY']], Washington: ['VIRGINIA', ['FAIRFAX', 'PRINCE WILLIAM']],
};

/** Citizenship countries, with rough weights of ICE book-ins. */
const COUNTRIES: Array<[string, number]> = [
  ['MEXICO', 34], ['GUATEMALA', 12], ['HONDURAS', 11], ['EL SALVADOR', 5], ['VENEZUELA', 5], ['COLOMBIA', 4],
  ['ECUADOR', 4], ['CUBA', 3], ['NICARAGUA', 3], ['HAITI', 2], ['DOMINICAN REPUBLIC', 2], ['BRAZIL', 2], ['INDIA', 2],
  ['PERU', 1.5], ['CHINA, PEOPLES REPUBLIC OF', 1.5], ['IRAN', 0.4], ['ROMANIA', 0.5], ['MAURITANIA', 0.6],
  ['SENEGAL', 0.5], ['RUSSIA', 0.6], ['UKRAINE', 0.3], ['TURKEY', 0.5], ['JAMAICA', 0.5], ['VIETNAM', 0.3],
  ['PHILIPPINES', 0.3], ['NIGERIA', 0.3], ['GHANA', 0.2], ['KOREA, SOUTH', 0.1], ['CANADA', 0.2], ['UNITED KINGDOM', 0.1],
  ['UZBEKISTAN', 0.4], ['AFGHANISTAN', 0.2], ['BANGLADESH', 0.2], ['NEPAL', 0.2], ['ANGOLA', 0.2], ['CONGO', 0.1],
];
const CRIMINALITY = ['1 Convicted Criminal', '2 Pending Criminal Charges', '3 Other Immigration Violator'];
const STAY_RELEASE = ['Removed', 'Bonded Out', 'Released (Order of Recognizance)', 'Paroled', 'Voluntary Departure', 'Order of Supervision', 'Proceedings Terminated'];
const RELIGIONS = ['Catholic', 'Christian', 'None', 'Unknown', 'Muslim', 'Evangelical', 'Jehovahs Witness', 'Hindu', 'Buddhist'];
const MARITAL = ['Single', 'Married', 'Unknown', 'Divorced', 'Common Law', 'Separated', 'Widowed'];
const ETHNICITY = ['Hispanic Origin', 'Not of Hispanic Origin', 'Unknown'];
const RACE = ['White', 'Unknown', 'Black', 'Asian', 'American Indian or Alaskan Native'];
const ENTRY_STATUS = ['Entered Without Inspection', 'Unknown', 'Parolee', 'Visitor', 'Lawful Permanent Resident', 'Student', 'Applicant for Admission', 'Refugee', 'Crewman'];
const CHARGES: Array<[charge: string, code: string, cls: string]> = [
  ['Driving Under Influence Liquor', '5404', 'Misdemeanor'], ['Illegal Entry (INA SEC.101(a)(43)(O), 8USC1325 only)', '0399', 'Misdemeanor'],
  ['Illegal Re-Entry (INA SEC.101(a)(43)(O), 8USC1326 only)', '0398', 'Felony'], ['Traffic Offense', '5499', 'Misdemeanor'],
  ['Assault', '1399', 'Felony'], ['Simple Assault', '1313', 'Misdemeanor'], ['Dangerous Drugs', '3599', 'Felony'],
  ['Larceny', '2399', 'Misdemeanor'], ['Burglary', '2299', 'Felony'], ['Domestic Violence', '1314', 'Misdemeanor'],
  ['Weapon Offense', '5299', 'Felony'], ['Fraudulent Activities', '2699', 'Felony'], ['Obstructing Police', '4801', 'Misdemeanor'],
  ['Sex Assault', '1199', 'Felony'], ['Robbery', '1299', 'Felony'], ['Immigration', '0300', 'Misdemeanor'],
];
const CASE_STATUS = ['A-Proceed Terminated', '8-Excluded/Removed - Inadmissibility', '3-Voluntary Departure Confirmed', '6-Deported/Removed - Deportability', 'A-Proceedings Pending', '5-Removal Order Entered', 'E-Released - Bond', 'B-Relief Granted'];
const CASE_CATEGORY = ['[8C] Excludable / Inadmissible - Administrative Final Order Issued', '[16] Reinstated Final Order', '[3] Deportable - Administratively Final Order', '[8F] Expedited Removal (Credible Fear Referral)', '[10] Visa Waiver Deportation / Removal', '[1A] Voluntary Departure - Un-Processed', '[8G] Expedited Removal - Credible Fear Referral (Applicant for Admission)', '[5F] Unable to Obtain Travel Document'];
const CLASSIFICATION = ['Level 1 - Low', 'Level 2 - Medium Low', 'Level 3 - Medium High', 'Level 4 - High', 'Unclassified'];
const FINAL_CHARGE = ['212a6Ai - Present Without Admission or Parole', '212a7AiI - Immigrant Without Immigrant Visa', '237a1B - Overstay Nonimmigrant', '241a5 - Reinstatement of Prior Order', '237a2Aiii - Aggravated Felony', '235b1 - Expedited Removal'];
const PROGRAMS = ['ERO Criminal Alien Program', 'Border Patrol', 'Non-Detained Docket Control', 'Fugitive Operations', '287(g) Program', 'Alternatives to Detention', 'Detained Docket Control', 'Law Enforcement Area Response Units', 'Mobile Criminal Alien Team'];
const PROGRAM_CODES = ['CAP', 'BP', 'NDD', 'FUG', '287', 'ATD', 'DDC', 'LEA', 'MCA'];
const METHODS = ['CAP Local Incarceration', 'Located', 'Non-Custodial Arrest', 'ERO Reprocessed Arrest', 'Probation and Parole', 'Worksite Enforcement', 'Traffic Check', '287(g) Program', 'Inspections - Land', 'Patrol Border', 'CAP Federal Incarceration', 'CAP State Incarceration'];
const APPREHENSION_TYPES = ['Administrative Arrest', 'Custodial Arrest', 'Non-Custodial Arrest'];
const AGENCIES = ['ICE', 'CBP', 'USBP', 'OFO'];
const LANDMARKS = ['GENERAL AREA, NON-SPECIFIC', 'COUNTY JAIL', 'PROBATION OFFICE', 'DEPARTMENT OF CORRECTIONS', 'HOLD ROOM', 'AIRPORT', 'RESIDENCE', 'WORKSITE', 'COURTHOUSE'];
const OPERATIONS = ['Operation At Large', 'Operation Midway Blitz', 'Operation Safeguard', 'Operation Cornhusker', 'Operation Patriot'];
const PORTS = ['Brownsville, TX', 'Alexandria, LA', 'Houston, TX', 'San Ysidro, CA', 'Laredo, TX', 'Mesa, AZ', 'Hidalgo, TX', 'Calexico, CA', 'Del Rio, TX', 'Miami, FL', 'El Paso, TX', 'Nogales, AZ'];
const DISPOSITIONS = ['Expedited Removal', 'Reinstatement of Deport Order I-871', 'Notice to Appear Detained', 'Notice to Appear Released', 'Voluntary Return', 'Administrative Removal', 'Stipulated Removal'];
const FINAL_CHARGE_CODES = ['212a6Ai', '212a7AiI', '237a1B', '241a5', '237a2Aiii', '235b1'];
const CHARGE_STATUS: Array<[string, string]> = [['Convicted', 'C'], ['Pending', 'P'], ['Dismissed', 'D']];

/* ------------------------------------------------------------------ random values */

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
const EXCEL_EPOCH = Date.UTC(1899, 11, 30);
/** FY2023 starts 2022-10-01; the data run to 2026-01-26 (FY2026 YTD). */
const START_MS = Date.UTC(2022, 9, 1);
const END_MS = Date.UTC(2026, 0, 26);

const serial = (ms: number): number => (ms - EXCEL_EPOCH) / DAY_MS;
const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** `MM/DD/YYYY HH:MM:SS`, as some LESA columns hold date-times as text. */
function textDateTime(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** A whole minute; ICE's book-in times are to the minute or second. */
const minute = (ms: number): number => Math.floor(ms / 60_000) * 60_000;
const dateOnly = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

class Random {
  readonly next: () => number;
  private readonly countryCdf: number[];
  constructor(seed: number) {
    this.next = rng(seed);
    let sum = 0;
    this.countryCdf = COUNTRIES.map(([, w]) => (sum += w));
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  /** Picks with a skew towards the first items. */
  skewed<T>(xs: readonly T[]): T {
    const r = this.next();
    return xs[Math.floor(r * r * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  country(): string {
    const total = this.countryCdf[this.countryCdf.length - 1]!;
    const x = this.next() * total;
    let i = 0;
    while (this.countryCdf[i]! < x) i++;
    return COUNTRIES[i]![0];
  }
}

/* ------------------------------------------------------------------ records */

/** Column value kinds: how a cell is written. */
const TEXT = 0; // shared string
const DATETIME = 1; // serial number, date-time style (a string value: the same as text)
const DATE = 2; // serial number, date style
const NUMBER = 3; // plain number
const MONEY = 4; // number with a #,##0 style
const ID = 5; // shared string index of a person identifier

type Value = string | number | undefined;

interface Person {
  /** Shared string index of the identifier. */
  id: number;
  gender: string;
  birthYear: number;
  country: string;
  birthCountry: string;
  entryStatus: string;
  entryMs: number | undefined;
  religion: string | undefined;
  marital: string;
  ethnicity: string;
  race: string;
  criminality: number;
  charge: [string, string, string] | undefined;
  chargeMs: number;
}

interface Layout {
  sheetName: string;
  title: string;
  headers: string[];
  types: number[];
  /** Fills `out` with one record per call (several for a stay of several stints). */
  records(r: Random, at: number, people: People, out: Value[][]): void;
  footnotes: string[];
}

/** Identifiers: one new shared string per person; a person may come back within a window of recent ones. */
class People {
  private readonly recent: Person[] = [];
  private cursor = 0;
  constructor(
    private readonly strings: SharedStrings,
    private readonly r: Random,
  ) {}

  next(nowMs: number, comeback: number): Person {
    if (this.recent.length > 1000 && this.r.chance(comeback)) return this.recent[this.r.int(this.recent.length)]!;
    const r = this.r;
    const country = r.country();
    const crim = r.next();
    const criminality = crim < 0.42 ? 0 : crim < 0.62 ? 1 : 2;
    const p: Person = {
      id: this.strings.fresh(anonymizedId(this.strings.count, r)),
      gender: r.chance(0.88) ? 'Male' : r.chance(0.97) ? 'Female' : 'Unknown',
      birthYear: 1950 + Math.floor(r.next() * r.next() * 25 + r.next() * 50),
      country,
      birthCountry: r.chance(0.97) ? country : r.country(),
      entryStatus: r.skewed(ENTRY_STATUS),
      entryMs: r.chance(0.6) ? dateOnly(nowMs - r.int(20 * 365) * DAY_MS) : undefined,
      religion: r.chance(0.7) ? r.skewed(RELIGIONS) : undefined,
      marital: r.skewed(MARITAL),
      ethnicity: country === 'MEXICO' || r.chance(0.7) ? ETHNICITY[0]! : r.pick(ETHNICITY),
      race: r.skewed(RACE),
      criminality,
      charge: criminality < 2 ? r.pick(CHARGES) : undefined,
      chargeMs: dateOnly(nowMs - (30 + r.int(8 * 365)) * DAY_MS),
    };
    if (this.recent.length < 50_000) this.recent.push(p);
    else this.recent[this.cursor++ % 50_000] = p;
    return p;
  }
}

/** A 16-hex-digit identifier that does not look sequential, as ICE's anonymized ones. */
function anonymizedId(n: number, r: Random): string {
  let h = Math.imul(n ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
  return h.toString(16).padStart(8, '0') + (r.int(0x100000000) >>> 0).toString(16).padStart(8, '0');
}

const bannerTitle = (what: string): string => `FY2023 - FY2026 YTD ICE ${what}`;

const COMMON_FOOTNOTES = [
  'Data are from ICE Integrated Decision Support (IIDS) and the Enforcement Integrated Database (EID) as of 01/26/2026 (EID run date).',
  'Fiscal year (FY) 2026 data are through 01/26/2026; FY2026 YTD figures are not final.',
  'Birth Date and other identifying fields are withheld under FOIA exemptions (b)(6) and (b)(7)(c).',
  'Anonymized Identifier is consistent within this production and links records of the same person across tables.',
  'Criminality is as of the date of the event; ICE updates criminal history as convictions are entered.',
];

function detentionStints(): Layout {
  const headers = [
    'Stay Book In Date Time', 'Book In Date Time', 'Detention Facility', 'Book Out Date Time', 'Stay Book Out Date Time',
    'Detention Release Reason', 'Stay Book Out Date', 'Stay Release Reason', 'Religion', 'Gender', 'Marital Status', 'Ethnicity',
    'Birth Country', 'Citizenship Country', 'Entry Status', 'Known Terrorist Yes No', 'Suspected Gang Yes No', 'MSC Charge',
    'MSC Sentence Days', 'MSC Sentence Months', 'MSC Sentence Years', 'MSC Charge Code', 'Aggravated Felon Yes No',
    'Offense INA 236C Yes No', 'Case INA 236C Yes No', 'Bond Posted Date', 'Bond Posted Amount', 'Case Status', 'Case Category',
    'Final Order Yes No', 'Final Order Date', 'Case Threat Level', 'Detainee Classification', 'Final Charge', 'Departed Date',
    'Departure Country', 'Initial Bond Set Amount', 'Initial Bond Set Date', 'Detention Facility Code', 'Birth Date', 'Birth Year',
    'Book In Criminality', 'Race', 'Entry Date', 'Apprehension Final Program', 'MSC Charge Date', 'MSC Conviction Date',
    'MSC Criminal Charge Status', 'MSC Criminal Charge Status Code', 'MSC Crime Class', 'Book In Site', 'Book In AOR',
    'Anonymized Identifier',
  ];
  const T = TEXT;
  const types = [
    DATETIME, DATETIME, T, DATETIME, DATETIME, T, DATE, T, T, T, T, T, T, T, T, T, T, T, NUMBER, NUMBER, NUMBER, T, T, T, T, DATETIME,
    MONEY, T, T, T, DATE, NUMBER, T, T, DATETIME, T, MONEY, DATETIME, T, T, NUMBER, T, T, DATE, T, DATE, DATE, T, T, T, T, T, ID,
  ];
  return {
    sheetName: 'Detention Stints',
    title: bannerTitle('Detention Stints'),
    headers,
    types,
    footnotes: [
      ...COMMON_FOOTNOTES,
      'A detention stint is one book-in at one facility; a stay is the set of consecutive stints of one person, from the first book-in to the last book-out.',
      'Book Out Date Time and Stay Book Out Date Time are blank for people still detained on the EID run date.',
    ],
    records(r, at, people, out) {
      const stayIn = minute(at + r.int(DAY_MS));
      const p = people.next(stayIn, 0.12);
      const n = 1 + (r.chance(0.45) ? 1 + (r.chance(0.4) ? 1 + (r.chance(0.35) ? 1 + r.int(3) : 0) : 0) : 0);
      let facility = r.skewed(FACILITIES);
      const aor = facility[2];
      const site = `${AOR_CODES[aor]} ${aor.toUpperCase()} FIELD OFFICE`;
      const program = r.skewed(PROGRAMS);
      let bookIn = stayIn;
      const stints: Array<[inMs: number, outMs: number | undefined, facility: typeof facility]> = [];
      let open = false;
      for (let k = 0; k < n; k++) {
        const days = r.next() < 0.3 ? r.next() * 2 : r.next() * r.next() * 120;
        const out = minute(bookIn + days * DAY_MS + r.int(3_600_000));
        open = out > END_MS;
        stints.push([bookIn, open ? undefined : out, facility]);
        if (open) break;
        bookIn = out + r.int(6) * 3_600_000;
        facility = r.chance(0.3) ? r.pick(FACILITIES) : r.skewed(FACILITIES);
      }
      const last = stints[stints.length - 1]!;
      const stayOut = last[1];
      const stayReason = stayOut === undefined ? undefined : r.skewed(STAY_RELEASE);
      const removed = stayReason === 'Removed';
      const convicted = p.criminality === 0;
      const charge = p.charge;
      const status = charge ? (convicted ? CHARGE_STATUS[0]! : CHARGE_STATUS[1]!) : undefined;
      const finalOrder = removed || r.chance(0.3);
      const bond = !removed && r.chance(0.15);
      const bondSet = bond ? 1500 + 500 * r.int(30) : undefined;
      const stayOutText = stayOut !== undefined && r.chance(0.03);
      for (let k = 0; k < stints.length; k++) {
        const [inMs, outMs, fac] = stints[k]!;
        const isLast = k === stints.length - 1;
        out.push([
          stayIn,
          inMs,
          fac[0],
          outMs,
          stayOut === undefined ? undefined : stayOutText ? textDateTime(stayOut) : stayOut,
          outMs === undefined ? undefined : isLast ? stayReason : 'Transferred',
          stayOut === undefined ? undefined : dateOnly(stayOut),
          stayReason,
          p.religion,
          p.gender,
          p.marital,
          p.ethnicity,
          p.birthCountry,
          p.country,
          p.entryStatus,
          'NO',
          r.chance(0.02) ? 'YES' : 'NO',
          charge?.[0],
          convicted && charge ? r.int(365) : undefined,
          convicted && charge && r.chance(0.3) ? r.int(36) : undefined,
          convicted && charge && r.chance(0.1) ? r.int(15) : undefined,
          charge?.[1],
          convicted && charge?.[2] === 'Felony' && r.chance(0.3) ? 'YES' : 'NO',
          r.chance(0.1) ? 'YES' : 'NO',
          r.chance(0.08) ? 'YES' : 'NO',
          bond && outMs !== undefined ? outMs - r.int(3) * DAY_MS : undefined,
          bond ? bondSet : undefined,
          r.skewed(CASE_STATUS),
          r.skewed(CASE_CATEGORY),
          finalOrder ? 'YES' : 'NO',
          finalOrder ? dateOnly(inMs + r.int(60) * DAY_MS) : undefined,
          convicted ? 1 + r.int(3) : undefined,
          r.skewed(CLASSIFICATION),
          r.skewed(FINAL_CHARGE),
          removed && isLast ? stayOut : undefined,
          removed ? p.country : undefined,
          bondSet,
          bondSet !== undefined ? minute(stayIn + r.int(10) * DAY_MS) : undefined,
          fac[1],
          REDACTED,
          p.birthYear,
          CRIMINALITY[p.criminality],
          p.race,
          p.entryMs,
          program,
          charge ? p.chargeMs : undefined,
          convicted && charge ? p.chargeMs + r.int(200) * DAY_MS : undefined,
          status?.[0],
          status?.[1],
          charge?.[2],
          site,
          `${aor} Area of Responsibility`,
          p.id,
        ]);
      }
    },
  };
}

function adminArrests(): Layout {
  const headers = [
    'Apprehension Date', 'Apprehension Type', 'State', 'County', 'TOA Current Duty AOR', 'Apprehension Final Program',
    'Arresting Agency', 'Apprehension Method', 'Apprehension Criminality', 'Case Status', 'Case Category', 'Departure Country',
    'Final Order Yes No', 'Birth Date', 'Birth Year', 'Citizenship Country', 'Gender', 'Departed Date', 'Final Order Date',
    'Apprehension Site Landmark', 'Operation', 'TOA Current Duty Site', 'Case Criminality', 'Case Threat Level', 'Anonymized Identifier',
  ];
  const T = TEXT;
  const types = [DATETIME, T, T, T, T, T, T, T, T, T, T, T, T, T, NUMBER, T, T, DATETIME, DATE, T, T, T, T, NUMBER, ID];
  return {
    sheetName: 'Admin Arrests',
    title: bannerTitle('Administrative Arrests'),
    headers,
    types,
    footnotes: [...COMMON_FOOTNOTES, 'Administrative arrests are ERO arrests for civil immigration violations; criminal arrests are not included.'],
    records(r, at, people, out) {
      const when = minute(at + r.int(DAY_MS));
      const p = people.next(when, 0.05);
      const aor = r.pick(AORS);
      const [state, counties] = AOR_STATE[aor]!;
      const removed = r.chance(0.45);
      const departed = removed ? minute(when + (2 + r.int(120)) * DAY_MS) : undefined;
      const finalOrder = removed || r.chance(0.2);
      const code = AOR_CODES[aor]!;
      out.push([
        r.chance(0.02) ? textDateTime(when) : when,
        r.skewed(APPREHENSION_TYPES),
        state,
        r.chance(0.9) ? r.pick(counties) : undefined,
        `${aor} Area of Responsibility`,
        r.skewed(PROGRAMS),
        r.skewed(AGENCIES),
        r.skewed(METHODS),
        CRIMINALITY[p.criminality],
        r.skewed(CASE_STATUS),
        r.skewed(CASE_CATEGORY),
        departed !== undefined && departed < END_MS ? p.country : undefined,
        finalOrder ? 'YES' : 'NO',
        REDACTED,
        p.birthYear,
        p.country,
        p.gender,
        departed !== undefined && departed < END_MS ? departed : undefined,
        finalOrder ? dateOnly(when + r.int(90) * DAY_MS) : undefined,
        `${code} ${r.pick(LANDMARKS)}`,
        r.chance(0.08) ? r.pick(OPERATIONS) : undefined,
        `${code} ${aor.toUpperCase()} FIELD OFFICE`,
        CRIMINALITY[p.criminality],
        p.criminality === 0 ? 1 + r.int(3) : undefined,
        p.id,
      ]);
    },
  };
}

function removals(): Layout {
  const headers = [
    'Departed Date', 'Port of Departure', 'Departure Country', 'Docket AOR', 'Apprehension State', 'Apprehension County', 'Case Status',
    'Gender', 'Birth Country', 'Citizenship Country', 'Birth Date', 'Birth Year', 'Entry Date', 'Entry Status', 'MSC NCIC Charge',
    'MSC NCIC Charge Code', 'MSC Charge Date', 'MSC Criminal Charge Status', 'MSC Criminal Charge Status Code', 'MSC Conviction Date',
    'Case Threat Level', 'Case Criminality', 'Felon', 'Processing Disposition', 'Case Category', 'Final Program', 'Final Program Code',
    'Case Category Time of Arrest', 'Latest Arrest Program Current', 'Latest Arrest Program Current Code',
    'Latest Person Apprehension Date', 'Final Order Yes No', 'Final Order Date', 'Final Charge Code', 'Final Charge Section Code',
    'Prior Deport Yes No', 'Latest Person Departed Date', 'Alien File Number', 'EID Case ID', 'EID Subject ID', 'Unique Identifier',
  ];
  const T = TEXT;
  const types = [
    DATETIME, T, T, T, T, T, T, T, T, T, T, NUMBER, DATE, T, T, T, DATE, T, T, DATE, NUMBER, T, T, T, T, T, T, T, T, T, DATETIME, T,
    DATE, T, T, T, DATETIME, T, T, T, ID,
  ];
  return {
    sheetName: 'Removals',
    title: bannerTitle('Removals'),
    headers,
    types,
    footnotes: [...COMMON_FOOTNOTES, 'Removals include returns; a person removed more than once appears once per removal.'],
    records(r, at, people, out) {
      const when = minute(at + r.int(DAY_MS));
      const p = people.next(when, 0.03);
      const aor = r.pick(AORS);
      const [state, counties] = AOR_STATE[aor]!;
      const program = r.int(PROGRAMS.length);
      const latest = r.int(PROGRAMS.length);
      const charge = p.charge;
      const convicted = p.criminality === 0;
      const status = charge ? (convicted ? CHARGE_STATUS[0]! : CHARGE_STATUS[1]!) : undefined;
      const fc = r.int(FINAL_CHARGE_CODES.length);
      const prior = r.chance(0.25);
      out.push([
        when,
        r.skewed(PORTS),
        p.country,
        `${aor} Area of Responsibility`,
        state,
        r.chance(0.7) ? r.pick(counties) : undefined,
        r.chance(0.6) ? CASE_STATUS[5]! : r.pick(CASE_STATUS),
        p.gender,
        p.birthCountry,
        p.country,
        REDACTED,
        p.birthYear,
        p.entryMs,
        p.entryStatus,
        charge?.[0],
        charge?.[1],
        charge ? p.chargeMs : undefined,
        status?.[0],
        status?.[1],
        convicted && charge ? p.chargeMs + r.int(200) * DAY_MS : undefined,
        convicted ? 1 + r.int(3) : undefined,
        CRIMINALITY[p.criminality],
        convicted && charge?.[2] === 'Felony' ? 'Y' : 'N',
        r.skewed(DISPOSITIONS),
        r.skewed(CASE_CATEGORY),
        PROGRAMS[program],
        PROGRAM_CODES[program],
        r.skewed(CASE_CATEGORY),
        PROGRAMS[latest],
        PROGRAM_CODES[latest],
        r.chance(0.03) ? textDateTime(when - r.int(200) * DAY_MS) : minute(when - r.int(200) * DAY_MS),
        'YES',
        dateOnly(when - r.int(60) * DAY_MS),
        FINAL_CHARGE_CODES[fc],
        FINAL_CHARGE[fc]!.split(' - ')[0],
        prior ? 'YES' : 'NO',
        prior ? minute(when - (200 + r.int(3000)) * DAY_MS) : undefined,
        REDACTED,
        REDACTED,
        REDACTED,
        p.id,
      ]);
    },
  };
}

const LAYOUTS: Record<LesaKind, () => Layout> = { 'detention-stints': detentionStints, arrests: adminArrests, removals };

/* ------------------------------------------------------------------ shared strings */

/**
 * The shared string table, built as cells are written: vocabulary through a map, person
 * identifiers (unique) without one. Each new item's `<si>` goes to a spool file, copied
 * into xl/sharedStrings.xml at the end.
 */
class SharedStrings {
  count = 0;
  private readonly map = new Map<string, number>();
  private spool = '';
  private readonly out;

  constructor(readonly spoolPath: string) {
    this.out = createWriteStream(spoolPath);
  }

  index(s: string): number {
    let i = this.map.get(s);
    if (i === undefined) {
      i = this.fresh(s);
      this.map.set(s, i);
    }
    return i;
  }

  fresh(s: string): number {
    this.spool += `<si><t>${xmlEscape(s)}</t></si>`;
    return this.count++;
  }

  /** Hands the spooled items to the file once they reach a megabyte. */
  async flush(force = false): Promise<void> {
    if (this.spool.length < 1 << 20 && !force) return;
    const chunk = this.spool;
    this.spool = '';
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    await this.flush(true);
    this.out.end();
    await once(this.out, 'finish');
  }
}

function xmlEscape(s: string): string {
  return /[&<>"]/.test(s) ? s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!) : s;
}

/* ------------------------------------------------------------------ zip writer */

interface ZipEntryRecord {
  name: Buffer;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
}

/** DOS date/time of the entries: fixed, so the bytes do not depend on the clock. */
const DOS_TIME = (12 << 11) | (0 << 5);
const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 26;
const MAX32 = 0xffffffff;

/**
 * A zip written front to back with positioned writes: each entry's local header is
 * written with room for a Zip64 extra field and patched with the CRC and sizes when the
 * entry is done (no data descriptors, which streaming unzippers handle badly); the
 * central directory gets Zip64 records where sizes or offsets pass 4 GB.
 */
class ZipWriter {
  private pos = 0;
  private readonly entries: ZipEntryRecord[] = [];

  constructor(
    private readonly fd: number,
    private readonly forceZip64: boolean,
  ) {}

  private write(buf: Buffer, at = this.pos): void {
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done, at + done);
    if (at === this.pos) this.pos += buf.length;
  }

  private localHeader(name: Buffer, crc: number, csize: number, usize: number): Buffer {
    const zip64 = this.forceZip64 || csize >= MAX32 || usize >= MAX32;
    const h = Buffer.alloc(30 + name.length + 20);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(zip64 ? 45 : 20, 4);
    h.writeUInt16LE(0x0800, 6); // UTF-8 names
    h.writeUInt16LE(8, 8);
    h.writeUInt16LE(DOS_TIME, 10);
    h.writeUInt16LE(DOS_DATE, 12);
    h.writeUInt32LE(crc >>> 0, 14);
    h.writeUInt32LE(zip64 ? MAX32 : csize, 18);
    h.writeUInt32LE(zip64 ? MAX32 : usize, 22);
    h.writeUInt16LE(name.length, 26);
    h.writeUInt16LE(20, 28);
    name.copy(h, 30);
    const x = 30 + name.length;
    // the Zip64 extra field, or, when the sizes fit, a padding field of the same length that readers skip
    h.writeUInt16LE(zip64 ? 0x0001 : 0x4c53, x);
    h.writeUInt16LE(16, x + 2);
    if (zip64) {
      h.writeBigUInt64LE(BigInt(usize), x + 4);
      h.writeBigUInt64LE(BigInt(csize), x + 12);
    }
    return h;
  }

  /** A small entry given whole. */
  addSmall(name: string, text: string): void {
    const data = Buffer.from(text, 'utf8');
    const packed = deflateRawSync(data, { level: 6 });
    const nameBuf = Buffer.from(name, 'utf8');
    const offset = this.pos;
    const crc = crc32(data);
    this.write(this.localHeader(nameBuf, crc, packed.length, data.length));
    this.write(packed);
    this.entries.push({ name: nameBuf, crc, csize: packed.length, usize: data.length, offset });
  }

  /** A streamed entry: write its data with `write` (latin1/ASCII or bytes), then `end`. */
  begin(name: string, level: number): StreamedEntry {
    const nameBuf = Buffer.from(name, 'utf8');
    const offset = this.pos;
    const placeholder = this.localHeader(nameBuf, 0, 0, 0);
    this.write(placeholder);
    const deflate = createDeflateRaw({ level, chunkSize: 1 << 18 });
    let csize = 0;
    let usize = 0;
    let crc = 0;
    deflate.on('data', (chunk: Buffer) => {
      this.write(chunk);
      csize += chunk.length;
    });
    const ended = once(deflate, 'end');
    return {
      write: async (data: Buffer) => {
        crc = crc32(data, crc);
        usize += data.length;
        if (!deflate.write(data)) await once(deflate, 'drain');
      },
      end: async () => {
        deflate.end();
        await ended;
        this.write(this.localHeader(nameBuf, crc, csize, usize), offset);
        this.entries.push({ name: nameBuf, crc, csize, usize, offset });
        return usize;
      },
    };
  }

  /** Writes the central directory (with Zip64 records when needed) and closes the file. */
  finish(): number {
    const cdStart = this.pos;
    for (const e of this.entries) {
      const big: bigint[] = [];
      if (this.forceZip64 || e.usize >= MAX32) big.push(BigInt(e.usize));
      if (this.forceZip64 || e.csize >= MAX32) big.push(BigInt(e.csize));
      if (this.forceZip64 || e.offset >= MAX32) big.push(BigInt(e.offset));
      const extra = Buffer.alloc(big.length ? 4 + 8 * big.length : 0);
      if (big.length) {
        extra.writeUInt16LE(0x0001, 0);
        extra.writeUInt16LE(8 * big.length, 2);
        big.forEach((v, i) => extra.writeBigUInt64LE(v, 4 + 8 * i));
      }
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE((3 << 8) | 45, 4); // made by: unix, spec 4.5
      h.writeUInt16LE(big.length ? 45 : 20, 6);
      h.writeUInt16LE(0x0800, 8);
      h.writeUInt16LE(8, 10);
      h.writeUInt16LE(DOS_TIME, 12);
      h.writeUInt16LE(DOS_DATE, 14);
      h.writeUInt32LE(e.crc >>> 0, 16);
      h.writeUInt32LE(this.forceZip64 || e.csize >= MAX32 ? MAX32 : e.csize, 20);
      h.writeUInt32LE(this.forceZip64 || e.usize >= MAX32 ? MAX32 : e.usize, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt16LE(extra.length, 30);
      h.writeUInt32LE((0o100644 << 16) >>> 0, 38);
      h.writeUInt32LE(this.forceZip64 || e.offset >= MAX32 ? MAX32 : e.offset, 42);
      this.write(Buffer.concat([h, e.name, extra]));
    }
    const cdSize = this.pos - cdStart;
    const zip64 = this.forceZip64 || cdStart >= MAX32 || this.entries.length >= 0xffff;
    if (zip64) {
      const eocd64At = this.pos;
      const r = Buffer.alloc(56);
      r.writeUInt32LE(0x06064b50, 0);
      r.writeBigUInt64LE(44n, 4);
      r.writeUInt16LE(45, 12);
      r.writeUInt16LE(45, 14);
      r.writeBigUInt64LE(BigInt(this.entries.length), 24);
      r.writeBigUInt64LE(BigInt(this.entries.length), 32);
      r.writeBigUInt64LE(BigInt(cdSize), 40);
      r.writeBigUInt64LE(BigInt(cdStart), 48);
      this.write(r);
      const loc = Buffer.alloc(20);
      loc.writeUInt32LE(0x07064b50, 0);
      loc.writeBigUInt64LE(BigInt(eocd64At), 8);
      loc.writeUInt32LE(1, 16);
      this.write(loc);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(zip64 ? 0xffff : this.entries.length, 8);
    end.writeUInt16LE(zip64 ? 0xffff : this.entries.length, 10);
    end.writeUInt32LE(zip64 ? MAX32 : cdSize, 12);
    end.writeUInt32LE(zip64 ? MAX32 : cdStart, 16);
    this.write(end);
    closeSync(this.fd);
    return this.pos;
  }
}

interface StreamedEntry {
  write(data: Buffer): Promise<void>;
  end(): Promise<number>;
}

/* ------------------------------------------------------------------ the workbook */

const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n';
const CT = 'application/vnd.openxmlformats-officedocument.spreadsheetml';

/** cellXfs positions of the styles part below. */
const S_DATETIME = 1;
const S_DATE = 2;
const S_HEADER = 3;
const S_BANNER = 4;
const S_MONEY = 5;

const STYLES_XML =
  XML_DECL +
  `<styleSheet xmlns="${NS_MAIN}">` +
  '<numFmts count="1"><numFmt numFmtId="164" formatCode="mm/dd/yyyy\\ hh:mm:ss"/></numFmts>' +
  '<fonts count="3"><font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>' +
  '<font><b/><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>' +
  '<font><b/><sz val="14"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font></fonts>' +
  '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>' +
  '<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/><bgColor indexed="64"/></patternFill></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="6">' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>' +
  '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/></styleSheet>';

function columnLetters(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

export async function writeLesaXlsx(path: string, kind: LesaKind, rows: number, options: LesaOptions = {}): Promise<LesaResult> {
  const layout = LAYOUTS[kind]();
  const perSheet = Math.min(options.rowsPerSheet ?? MAX_RECORDS_PER_SHEET, MAX_RECORDS_PER_SHEET);
  if (!(perSheet >= 1)) throw new Error(`rows per sheet must be 1 to ${MAX_RECORDS_PER_SHEET}`);
  const level = options.level ?? 6;
  const nData = Math.max(1, Math.ceil(rows / perSheet));
  const sheetNames = Array.from({ length: nData }, (_, i) => (nData === 1 ? layout.sheetName : `${layout.sheetName} ${i + 1}`));
  sheetNames.push('Footnotes');

  const spoolPath = `${path}.sst-spool`;
  const strings = new SharedStrings(spoolPath);
  const r = new Random(options.seed ?? 20260126);
  const people = new People(strings, r);
  const zip = new ZipWriter(openSync(path, 'w'), options.forceZip64 ?? false);
  const ncol = layout.headers.length;
  const letters = Array.from({ length: ncol + 1 }, (_, c) => columnLetters(c));
  const types = layout.types;
  let cells = 0;
  let xmlBytes = 0;

  try {
    // the package parts before the sheets, in Excel's order
    zip.addSmall('[Content_Types].xml',
      XML_DECL +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        `<Override PartName="/xl/workbook.xml" ContentType="${CT}.sheet.main+xml"/>` +
        sheetNames.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="${CT}.worksheet+xml"/>`).join('') +
        `<Override PartName="/xl/styles.xml" ContentType="${CT}.styles+xml"/>` +
        `<Override PartName="/xl/sharedStrings.xml" ContentType="${CT}.sharedStrings+xml"/>` +
        '</Types>');
    zip.addSmall('_rels/.rels',
      XML_DECL +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        `<Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`);
    zip.addSmall('xl/workbook.xml',
      XML_DECL +
        `<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><workbookPr defaultThemeVersion="166925"/>` +
        '<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="28800" windowHeight="12300"/></bookViews><sheets>' +
        sheetNames.map((n, i) => `<sheet name="${xmlEscape(n)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
        '</sheets><calcPr calcId="191029"/></workbook>');
    const n = sheetNames.length;
    zip.addSmall('xl/_rels/workbook.xml.rels',
      XML_DECL +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        sheetNames.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${NS_REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') +
        `<Relationship Id="rId${n + 1}" Type="${NS_REL}/styles" Target="styles.xml"/>` +
        `<Relationship Id="rId${n + 2}" Type="${NS_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`);

    const banner = [
      'ERO-LESA Statistical Tracking Unit',
      'For Official Use Only (FOUO)/Pre-decisional',
      PRODUCTION,
      'Please review the last tab for footnotes.',
      undefined,
      layout.title,
    ];
    const bannerXml = (): string =>
      banner.map((t, i) => (t === undefined ? '' : `<row r="${i + 1}"><c r="A${i + 1}" s="${i === 5 ? S_BANNER : 0}" t="s"><v>${strings.index(t)}</v></c></row>`)).join('') +
      `<row r="${HEADER_ROW}" spans="1:${ncol}">` +
      layout.headers.map((h, c) => `<c r="${letters[c + 1]}${HEADER_ROW}" s="${S_HEADER}" t="s"><v>${strings.index(h)}</v></c>`).join('') +
      '</row>';
    const head = (lastRow: number, cols: number): string =>
      XML_DECL +
      `<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><dimension ref="A1:${columnLetters(cols)}${lastRow}"/>` +
      '<sheetViews><sheetView workbookViewId="0"><pane ySplit="7" topLeftCell="A8" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
      '<sheetFormatPr defaultRowHeight="15"/>' +
      `<cols><col min="1" max="${cols}" width="22.7109375" customWidth="1"/></cols><sheetData>`;
    const tail = (cols: number): string =>
      '</sheetData>' +
      `<mergeCells count="5">${[1, 2, 3, 4, 6].map((rr) => `<mergeCell ref="A${rr}:${columnLetters(cols)}${rr}"/>`).join('')}</mergeCells>` +
      '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>';

    // the record sheets
    const pending: Value[][] = [];
    let made = 0;
    const span = END_MS - START_MS;
    for (let s = 0; s < nData; s++) {
      const entry = zip.begin(`xl/worksheets/sheet${s + 1}.xml`, level);
      const count = Math.min(perSheet, rows - s * perSheet);
      let xml = head(HEADER_ROW + count, ncol) + bannerXml();
      for (let k = 0; k < count; k++) {
        if (pending.length === 0) layout.records(r, START_MS + Math.floor((made / rows) * span), people, pending);
        const values = pending.shift()!;
        made++;
        const rowNo = HEADER_ROW + 1 + k;
        xml += `<row r="${rowNo}" spans="1:${ncol}">`;
        for (let c = 0; c < ncol; c++) {
          const v = values[c];
          if (v === undefined) continue;
          cells++;
          const ref = letters[c + 1]! + rowNo;
          const type = types[c]!;
          if (typeof v === 'string') xml += `<c r="${ref}" t="s"><v>${strings.index(v)}</v></c>`;
          else if (type === ID || type === TEXT) xml += `<c r="${ref}" t="s"><v>${v}</v></c>`;
          else if (type === DATETIME) xml += `<c r="${ref}" s="${S_DATETIME}"><v>${serial(v)}</v></c>`;
          else if (type === DATE) xml += `<c r="${ref}" s="${S_DATE}"><v>${serial(v)}</v></c>`;
          else if (type === MONEY) xml += `<c r="${ref}" s="${S_MONEY}"><v>${v}</v></c>`;
          else xml += `<c r="${ref}"><v>${v}</v></c>`;
        }
        xml += '</row>';
        if (xml.length > 1 << 20) {
          xmlBytes += xml.length;
          await entry.write(Buffer.from(xml, 'latin1'));
          xml = '';
          await strings.flush();
        }
      }
      xml += tail(ncol);
      xmlBytes += xml.length;
      await entry.write(Buffer.from(xml, 'latin1'));
      await entry.end();
    }
    // the footnotes tab
    const notes = zip.begin(`xl/worksheets/sheet${nData + 1}.xml`, level);
    const noteRows = [
      `<row r="1"><c r="A1" s="${S_BANNER}" t="s"><v>${strings.index('Footnotes')}</v></c></row>`,
      ...layout.footnotes.map((t, i) => `<row r="${i + 2}"><c r="A${i + 2}" t="s"><v>${strings.index(`${i + 1}. ${t}`)}</v></c></row>`),
    ];
    await notes.write(
      Buffer.from(
        XML_DECL +
          `<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><dimension ref="A1:A${noteRows.length}"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>` +
          `<sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="1" width="150.7109375" customWidth="1"/></cols><sheetData>${noteRows.join('')}</sheetData>` +
          '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>',
        'utf8',
      ),
    );
    await notes.end();

    zip.addSmall('xl/styles.xml', STYLES_XML);
    await strings.close();
    const sst = zip.begin('xl/sharedStrings.xml', level);
    await sst.write(Buffer.from(XML_DECL + `<sst xmlns="${NS_MAIN}" count="${strings.count}" uniqueCount="${strings.count}">`, 'utf8'));
    for await (const chunk of createReadStream(spoolPath, { highWaterMark: 1 << 20 })) await sst.write(chunk as Buffer);
    await sst.write(Buffer.from('</sst>', 'utf8'));
    await sst.end();
    const bytes = zip.finish();
    return { kind, rows, sheets: sheetNames, cells, sharedStrings: strings.count, xmlBytes, bytes };
  } finally {
    rmSync(spoolPath, { force: true });
  }
}

const KINDS: Record<string, LesaKind> = { 'detention-stints': 'detention-stints', detentions: 'detention-stints', stints: 'detention-stints', arrests: 'arrests', removals: 'removals' };

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const flag = (name: string): number | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = Number(args[i + 1]);
    args.splice(i, 2);
    return v;
  };
  const rowsPerSheet = flag('--rows-per-sheet');
  const level = flag('--level');
  const zip64 = args.includes('--zip64');
  if (zip64) args.splice(args.indexOf('--zip64'), 1);
  const [kindArg, rowsArg, out] = args;
  const kind = KINDS[kindArg ?? ''];
  if (!kind || !rowsArg || !out || !(Number(rowsArg) >= 0)) {
    console.error('usage: lesa-xlsx.ts detention-stints|arrests|removals ROWS OUT.xlsx [--rows-per-sheet N] [--level 0-9] [--zip64]');
    process.exit(2);
  }
  const t0 = performance.now();
  const result = await writeLesaXlsx(out, kind, Number(rowsArg), { rowsPerSheet, level, forceZip64: zip64 });
  console.log(JSON.stringify({ ...result, ms: Math.round(performance.now() - t0) }));
}
