/**
 * Country names as the agencies write them → ISO 3166-1.
 *
 * Two sources, in this order:
 * 1. `country-crosswalk.csv` beside this module: the reviewed list of agency spellings that the
 *    library does not resolve or resolves wrongly (`BURMA`, `CONGO (KINSHASA)`, `KOREA, SOUTH`),
 *    the names that are not one country (`OTHER`, `Total`, `Unknown`, regions) and the former
 *    countries (`YUGOSLAVIA`, `USSR`). It also pins a few names the library does resolve, where
 *    the choice is a judgement (`CHINA`, `TAIWAN`, `KOSOVO`), so a library upgrade cannot move them.
 * 2. The maintained library `i18n-iso-countries`: its English names and aliases ("Iran",
 *    "Islamic Republic of Iran", "Mexico"). A name the library gives to two codes ("Congo") is
 *    not resolved by the library; only the crosswalk can decide it.
 *
 * Matching ignores case, spacing, quote and hyphen style, accents and the footnote marks OHSS
 * glues to its labels (see `normaliseAgencyName`). A name neither source knows is `undefined`:
 * the caller reports it (an anomaly at ingest); it is never dropped or guessed.
 * See docs/countries.md.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as IsoCountries from 'i18n-iso-countries';

export type CountryResolution =
  /** One ISO 3166-1 country (or XKX, Kosovo: see `USER_ASSIGNED`). */
  | { iso3: string; name: string }
  /** Not one country: an aggregate, a region, unknown or stateless. The value is the crosswalk's spelling. */
  | { group: string }
  /**
   * A former country (`YUGOSLAVIA`, `SOVIET UNION`). `successor` is set only when the crosswalk
   * says the agency clearly means that successor; none does today.
   */
  | { historic: string; successor?: string };

export interface CountryInfo {
  /** English short name for display (the library's, or one of the overrides below). */
  name: string;
  alpha2: string;
  alpha3: string;
  /** True for XKX (Kosovo): a user-assigned code, not part of ISO 3166-1. */
  userAssigned?: true;
}

export interface CrosswalkEntry {
  /** The agency's spelling, written normalised (`normaliseAgencyName`): upper case, single spaces. */
  agencyName: string;
  kind: 'country' | 'group' | 'historic';
  /** ISO alpha-3 for `country` (or XKX); a successor's code for a `historic` line, if any; else ''. */
  iso3: string;
  note: string;
  /** 1-based line in the CSV. */
  line: number;
}

const require = createRequire(import.meta.url);
// Only the English locale: the package's main entry registers all ~80 locales (3x the start-up).
const lib = require('i18n-iso-countries/index.js') as typeof IsoCountries;
lib.registerLocale(require('i18n-iso-countries/langs/en.json') as IsoCountries.LocaleData);

/**
 * Codes accepted although they are not ISO 3166-1. Kosovo has no ISO code: `XK` is the
 * user-assigned alpha-2 the European Commission and others use, and `XKX` the alpha-3 the World
 * Bank uses. CBP, ICE and OHSS all list Kosovo apart from Serbia, so it gets a code of its own
 * rather than Serbia's. (The library carries Kosovo as XK/`XKK`; that entry is not used.)
 */
const USER_ASSIGNED: ReadonlyMap<string, CountryInfo> = new Map([
  ['XKX', { name: 'Kosovo', alpha2: 'XK', alpha3: 'XKX', userAssigned: true as const }],
]);
/** The library's non-ISO entries (Kosovo as XK/XKK), kept out of its name index and of `isIsoCountry`. */
const LIBRARY_NON_ISO_ALPHA2 = new Set(['XK']);

/**
 * Display names where the library's first English name is a formal or disputed long form
 * ("Islamic Republic of Iran", "Taiwan, Province of China", "Moldova, Republic of"). The short
 * forms are the ones the U.S. agencies print.
 */
const DISPLAY_NAMES: Readonly<Record<string, string>> = {
  BRN: 'Brunei',
  CHN: 'China',
  CIV: "Côte d'Ivoire",
  CPV: 'Cabo Verde',
  CZE: 'Czechia',
  FLK: 'Falkland Islands',
  FSM: 'Micronesia',
  GMB: 'Gambia',
  IRN: 'Iran',
  LAO: 'Laos',
  MDA: 'Moldova',
  MKD: 'North Macedonia',
  PSE: 'Palestine',
  RUS: 'Russia',
  SYR: 'Syria',
  TWN: 'Taiwan',
  TZA: 'Tanzania',
  USA: 'United States',
  VAT: 'Vatican City',
  VGB: 'British Virgin Islands',
  VIR: 'U.S. Virgin Islands',
};

const QUOTES = /[\u2018\u2019\u201a\u201b\u2032\u0060\u00b4]/g;
const DOUBLE_QUOTES = /[\u201c\u201d\u201e\u201f\u2033]/g;
const HYPHENS = /[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]/g;
/** A footnote mark at the end: ` [4]`, `(2)`, `*`, `†`, or digits glued to a word (`Single Adults1`). */
const TRAILING_MARK = /(?:\s*\[\d{1,2}\]|\s*\(\d{1,2}\)|\s*[*\u2020\u2021]+|(?<=[A-Za-z)])\d{1,2}|\s+\d{1,2})$/u;

/**
 * The form agency names are compared in: Unicode-compatible (NFKC: no-break spaces, superscript
 * digits), quotes and apostrophes unified to `'`/`"`, dashes to `-` with no spaces around it,
 * whitespace collapsed and trimmed, trailing footnote marks removed (`All other countries [4]`,
 * `Single Adults1`, `Mexico*`), upper case. Accents are kept (matching folds them separately).
 */
export function normaliseAgencyName(name: string): string {
  let s = name.normalize('NFKC').replace(QUOTES, "'").replace(DOUBLE_QUOTES, '"').replace(HYPHENS, '-');
  s = s.replace(/\s+/g, ' ').trim();
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s.replace(TRAILING_MARK, '').trim();
  }
  return s.replace(/ ?- ?/g, '-').toUpperCase();
}

/** The lookup key: the normalised name without accents (`CÔTE D'IVOIRE` = `COTE D'IVOIRE`). */
function matchKey(name: string): string {
  return normaliseAgencyName(name).normalize('NFD').replace(/\p{M}/gu, '');
}

/* ---------------------------------------------------------------- library index */

function buildLibraryIndex(): Map<string, string> {
  const index = new Map<string, string>();
  const ambiguous = new Set<string>();
  const all = lib.getNames('en', { select: 'all' });
  for (const [alpha2, names] of Object.entries(all)) {
    if (LIBRARY_NON_ISO_ALPHA2.has(alpha2)) continue;
    const alpha3 = lib.alpha2ToAlpha3(alpha2);
    if (!alpha3) continue;
    for (const n of names) {
      const key = matchKey(n);
      const seen = index.get(key);
      if (seen !== undefined && seen !== alpha3) ambiguous.add(key);
      else index.set(key, alpha3);
    }
  }
  for (const key of ambiguous) index.delete(key); // "Congo": CG and CD
  return index;
}

const libraryIndex = buildLibraryIndex();

/** The code, its display name and alpha-2; undefined for a code that is not ISO 3166-1 alpha-3 (XKX excepted). */
export function countryByIso3(code: string): CountryInfo | undefined {
  const alpha3 = code.trim().toUpperCase();
  const special = USER_ASSIGNED.get(alpha3);
  if (special) return { ...special };
  if (!/^[A-Z]{3}$/.test(alpha3)) return undefined;
  const alpha2 = lib.alpha3ToAlpha2(alpha3);
  if (!alpha2 || LIBRARY_NON_ISO_ALPHA2.has(alpha2)) return undefined;
  const name = DISPLAY_NAMES[alpha3] ?? lib.getName(alpha2, 'en');
  if (!name) return undefined;
  return { name, alpha2, alpha3 };
}

/**
 * True for an ISO 3166-1 code, alpha-3 or alpha-2, any case. False for Kosovo's user-assigned
 * XKX/XK (which `countryByIso3` and `resolveCountry` nonetheless use) and the library's XKK.
 */
export function isIsoCountry(code: string): boolean {
  const c = code.trim().toUpperCase();
  let alpha2: string | undefined;
  if (/^[A-Z]{3}$/.test(c)) alpha2 = lib.alpha3ToAlpha2(c);
  else if (/^[A-Z]{2}$/.test(c) && lib.alpha2ToAlpha3(c) !== undefined) alpha2 = c;
  return alpha2 !== undefined && !LIBRARY_NON_ISO_ALPHA2.has(alpha2);
}

/* ---------------------------------------------------------------- the crosswalk */

const CROSSWALK_FILE = new URL('./country-crosswalk.csv', import.meta.url);
const HEADER = 'agency_name,iso3,kind,note';
const KINDS = new Set(['country', 'group', 'historic']);

function splitLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) throw new Error('unterminated quote');
  out.push(field);
  return out;
}

/**
 * Parses and validates crosswalk text: the header, four fields a line, a known kind, a note on
 * every line, an ISO alpha-3 known to the library on every `country` line (XKX excepted), an
 * empty or valid successor code on `historic` lines, no code on `group` lines, and no agency name
 * twice (after normalisation). Throws on the first problem, naming the line.
 */
export function parseCrosswalk(text: string, file = 'country-crosswalk.csv'): CrosswalkEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const fail = (line: number, why: string): never => {
    throw new Error(`${file}, line ${line}: ${why}`);
  };
  if (lines[0] !== HEADER) fail(1, `header must be '${HEADER}', is '${lines[0] ?? ''}'`);
  const entries: CrosswalkEntry[] = [];
  const seen = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = i + 1;
    if (raw.trim() === '') continue;
    let fields: string[];
    try {
      fields = splitLine(raw);
    } catch (e) {
      return fail(line, (e as Error).message);
    }
    if (fields.length !== 4) fail(line, `expected 4 fields (${HEADER}), found ${fields.length}`);
    const [agencyName, iso3, kind, note] = fields.map((f) => f.trim()) as [string, string, string, string];
    if (agencyName === '') fail(line, 'empty agency_name');
    if (!KINDS.has(kind)) fail(line, `kind must be country, group or historic, is '${kind}'`);
    if (note === '') fail(line, `'${agencyName}' has no note: every crosswalk line says why`);
    if (kind === 'country' && iso3 === '') fail(line, `'${agencyName}' is a country line without an iso3`);
    if (kind === 'group' && iso3 !== '') fail(line, `'${agencyName}' is a group: it has no iso3 (found '${iso3}')`);
    if (iso3 !== '' && !USER_ASSIGNED.has(iso3) && !(/^[A-Z]{3}$/.test(iso3) && isIsoCountry(iso3))) {
      fail(line, `'${iso3}' (for '${agencyName}') is not an ISO 3166-1 alpha-3 code known to i18n-iso-countries`);
    }
    if (normaliseAgencyName(agencyName) !== agencyName) {
      fail(line, `'${agencyName}' is not written in normal form ('${normaliseAgencyName(agencyName)}'): upper case, single spaces, no footnote mark`);
    }
    const key = matchKey(agencyName);
    const first = seen.get(key);
    if (first !== undefined) fail(line, `'${agencyName}' duplicates line ${first} (same name once normalised: '${key}')`);
    seen.set(key, line);
    entries.push({ agencyName, kind: kind as CrosswalkEntry['kind'], iso3, note, line });
  }
  return entries;
}

const crosswalk: readonly CrosswalkEntry[] = Object.freeze(
  parseCrosswalk(readFileSync(CROSSWALK_FILE, 'utf8'), 'src/lib/country-crosswalk.csv').map((e) => Object.freeze(e)),
);
const crosswalkIndex = new Map(crosswalk.map((e) => [matchKey(e.agencyName), e]));

/** The reviewed crosswalk lines, in file order (for tests, docs and the methodology page). */
export function countryCrosswalk(): readonly CrosswalkEntry[] {
  return crosswalk;
}

function fromEntry(e: CrosswalkEntry): CountryResolution {
  if (e.kind === 'group') return { group: e.agencyName };
  if (e.kind === 'historic') return e.iso3 ? { historic: e.agencyName, successor: e.iso3 } : { historic: e.agencyName };
  const info = countryByIso3(e.iso3);
  if (!info) throw new Error(`crosswalk line ${e.line}: no country for '${e.iso3}'`); // excluded at load
  return { iso3: info.alpha3, name: info.name };
}

/** Ingest resolves the same few hundred spellings over and over: remember them (frozen results). */
const memo = new Map<string, CountryResolution | undefined>();
const MEMO_LIMIT = 10_000;

/**
 * An agency's country name → one country (ISO alpha-3 and display name), a group (not one
 * country), a former country, or undefined when neither the crosswalk nor the library knows the
 * name: the caller must report it (never drop it).
 */
export function resolveCountry(name: string): CountryResolution | undefined {
  if (memo.has(name)) return memo.get(name);
  const result = resolveUncached(name);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(name, result);
  return result;
}

function resolveUncached(name: string): CountryResolution | undefined {
  const key = matchKey(name);
  if (key === '') return undefined;
  const entry = crosswalkIndex.get(key);
  if (entry) return Object.freeze(fromEntry(entry));
  const alpha3 = libraryIndex.get(key);
  if (alpha3 === undefined) return undefined;
  const info = countryByIso3(alpha3);
  return info ? Object.freeze({ iso3: info.alpha3, name: info.name }) : undefined;
}

/** What the library alone makes of a name (ISO alpha-3), ignoring the crosswalk: for tests and reviews. */
export function libraryAlpha3(name: string): string | undefined {
  return libraryIndex.get(matchKey(name));
}
