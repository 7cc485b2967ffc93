import { isTruncationOf, nameVariants, normaliseCity, normaliseName, sameCity, similarity, STATE_NAMES } from './normalise.js';

/** A published facility name without a code: a row of the detention statistics' Facilities sheet, or of the over-72-hour list. */
export interface NameToMatch {
  source: string;
  name: string;
  city: string | null;
  state: string | null;
}

/** A name a source states beside a code; city and state where the source has them. */
export interface CodedName {
  detloc: string;
  source: string;
  name: string;
  city: string | null;
  state: string | null;
  /** The last day the source shows the code (YYYY-MM-DD), to prefer the code in use when two share a name. */
  last_seen?: string | null;
}

/** A reviewed manual match (src/facilities/name-crosswalk.csv). */
export interface CrosswalkEntry {
  name: string;
  city: string | null;
  state: string | null;
  detloc: string;
  note: string;
}

export type MatchMethod = 'crosswalk' | 'exact' | 'prefix' | 'name-state' | 'name-only' | 'name-prefix' | 'ambiguous' | 'unmatched';

export interface NameMatch extends NameToMatch {
  detloc: string | null;
  method: MatchMethod;
  score: number | null;
  matched_name: string | null;
  matched_source: string | null;
  candidates: string | null;
}

interface Candidate extends CodedName {
  norm: string;
  /** The state the code ends with, if it does (see stateOfCode). */
  codeState: string | null;
  /** The words of `norm`, for the similarity of the review hints. */
  words: ReadonlySet<string>;
  normCity: string;
  /** The place came from another source of the same code (a name from records without places). */
  placeBorrowed: boolean;
}

/**
 * The lengths at which ICE cuts names: 25 characters in Facilities sheets ("ROBERT A DEYTON DETENTION",
 * "ALEXANDRIA STAGING FACILI"), 30 in its detention records ("CENTRAL LOUISIANA ICE PROC CTR", "IAH SECURE ADULT
 * DET. FACILITY"), 50 in the 2017 facility list ("WASHINGTON COUNTY JAIL (PURGATORY CORRECTIONAL FAC"). A name one
 * shorter counts too: a cut that ends in a space loses it when trimmed ("LOUISIANA ICE PROCESSING").
 */
export const CUT_LENGTHS: readonly number[] = [25, 30, 50];

const isCutLength = (name: string) => {
  const n = name.trim().length;
  return CUT_LENGTHS.some((l) => n === l || n === l - 1);
};

const key = (name: string, city: string | null, state: string | null) =>
  [name, city ?? '', state ?? ''].map((s) => s.trim().toUpperCase().replace(/\s+/g, ' ')).join('|');

/** The state a code ends with, when it does: most DETLOCs end with one (STWRTGA, ADLNTCA); BTV, PIC or BOPLVN do not. */
const stateOfCode = (detloc: string) => {
  const tail = detloc.slice(-2).toUpperCase();
  return detloc.length === 7 && STATE_NAMES[tail] ? tail : null;
};

/**
 * Matches names without codes to ICE facility codes, by these rules in order; the first
 * that finds exactly one code decides, and a rule that finds several codes stops the
 * search (the name is reported as ambiguous, with the codes):
 *
 * 1. crosswalk: a reviewed manual entry for the same name, city and state;
 * 2. exact: the same normalised name (normalise.ts), city and state;
 * 3. prefix: in the same city and state, one normalised name is the other cut short
 *    (ICE truncates long names), score = the share of the longer name kept;
 * 4. name-only / name-prefix: a name from records without places (DDP, FOIA, the
 *    stateless-detainee table) whose code has no known place, same normalised name (or cut
 *    short), when the code does not end with another state.
 *
 * A name no rule matches is 'unmatched', with the closest codes of its state as a hint.
 */
export function matchNames(targets: NameToMatch[], coded: CodedName[], crosswalk: CrosswalkEntry[] = []): NameMatch[] {
  const pools: Pools = { byState: new Map(), stateLists: new Map(), placeless: [], manual: new Map(crosswalk.map((e) => [key(e.name, e.city, e.state), e])), lastSeen: new Map() };
  for (const c of coded) {
    const last = c.last_seen ?? '';
    if (last > (pools.lastSeen.get(c.detloc) ?? '')) pools.lastSeen.set(c.detloc, last);
  }
  for (const c of withPlaces(coded)) {
    if (!c.state) {
      pools.placeless.push(c);
      continue;
    }
    const stateList = pools.stateLists.get(c.state);
    if (stateList) stateList.push(c);
    else pools.stateLists.set(c.state, [c]);
    let cities = pools.byState.get(c.state);
    if (!cities) pools.byState.set(c.state, (cities = new Map()));
    const list = cities.get(c.normCity);
    if (list) list.push(c);
    else cities.set(c.normCity, [c]);
  }
  return targets.map((t) => matchOne(t, pools));
}

const wordSet = (norm: string): ReadonlySet<string> => new Set(norm.split(' '));

/** Names of codes without a place get the places other sources give the same code. */
function withPlaces(coded: CodedName[]): Candidate[] {
  const places = new Map<string, Array<{ city: string | null; state: string }>>();
  for (const c of coded) {
    if (!c.state) continue;
    const list = places.get(c.detloc) ?? [];
    if (!list.some((p) => p.city === c.city && p.state === c.state)) list.push({ city: c.city, state: c.state.toUpperCase() });
    places.set(c.detloc, list);
  }
  const out: Candidate[] = [];
  for (const c of coded) {
    const norm = normaliseName(c.name, c.state);
    if (norm === '') continue;
    const codeState = stateOfCode(c.detloc);
    if (c.state) out.push({ ...c, state: c.state.toUpperCase(), norm, codeState, words: wordSet(norm), normCity: normaliseCity(c.city), placeBorrowed: false });
    else {
      const known = places.get(c.detloc);
      if (!known) out.push({ ...c, norm, codeState, words: wordSet(norm), normCity: '', placeBorrowed: false });
      for (const p of known ?? []) {
        const placed = normaliseName(c.name, p.state);
        out.push({ ...c, city: p.city, state: p.state, norm: placed, codeState, words: wordSet(placed), normCity: normaliseCity(p.city), placeBorrowed: true });
      }
    }
  }
  return out;
}

interface Hit {
  c: Candidate;
  score: number;
}

function result(t: NameToMatch, method: MatchMethod, found?: Hit, candidates: string | null = null): NameMatch {
  return {
    ...t,
    detloc: found?.c.detloc ?? null,
    method,
    score: found ? Math.round(found.score * 1000) / 1000 : null,
    matched_name: found?.c.name ?? null,
    matched_source: found?.c.source ?? null,
    candidates,
  };
}

/**
 * One code among the hits; when they name several codes, the one last seen latest if it
 * was seen after every other (ICE gave some facilities a new code: EDENDTX, then EDNDCTX),
 * else the list of codes.
 */
function decide(hits: Hit[], lastSeen: Map<string, string>): { one?: Hit; others?: string[]; codes?: string[] } {
  const codes = [...new Set(hits.map((h) => h.c.detloc))].sort();
  if (codes.length === 0) return {};
  // prefer the candidate named by the sources with places, then the best score
  const best = (list: Hit[]) => [...list].sort((a, b) => Number(a.c.placeBorrowed) - Number(b.c.placeBorrowed) || b.score - a.score)[0]!;
  if (codes.length === 1) return { one: best(hits) };
  const dated = codes.map((code) => ({ code, last: lastSeen.get(code) ?? '' })).sort((a, b) => b.last.localeCompare(a.last));
  if (dated[0]!.last !== '' && dated[0]!.last > dated[1]!.last) {
    const chosen = best(hits.filter((h) => h.c.detloc === dated[0]!.code));
    return { one: { c: chosen.c, score: chosen.score * 0.95 }, others: codes.filter((c) => c !== dated[0]!.code) };
  }
  return { codes };
}

/** Candidates in the same state (every state when it is unknown) and a compatible city, memoised per place. */
const localCache = new WeakMap<Map<string, Map<string, Candidate[]>>, Map<string, Candidate[]>>();

function localCandidates(byState: Map<string, Map<string, Candidate[]>>, state: string | null, city: string): Candidate[] {
  let cache = localCache.get(byState);
  if (!cache) localCache.set(byState, (cache = new Map()));
  const k = `${state ?? ''}|${city}`;
  const hit = cache.get(k);
  if (hit) return hit;
  const local: Candidate[] = [];
  const states = state ? [byState.get(state) ?? new Map<string, Candidate[]>()] : [...byState.values()];
  for (const cities of states) for (const [c, list] of cities) if (city === '' || c === '' || sameCity(c, city)) local.push(...list);
  cache.set(k, local);
  return local;
}

interface Pools {
  /** Located candidates by state, then by normalised city. */
  byState: Map<string, Map<string, Candidate[]>>;
  /** Located candidates by state, in one list (the pool of the review hints). */
  stateLists: Map<string, Candidate[]>;
  placeless: Candidate[];
  manual: Map<string, CrosswalkEntry>;
  /** The last day any source shows each code. */
  lastSeen: Map<string, string>;
}

function matchOne(t: NameToMatch, pools: Pools): NameMatch {
  const { byState, stateLists, placeless, manual, lastSeen } = pools;
  const entry = manual.get(key(t.name, t.city, t.state));
  if (entry) {
    const c: Candidate = { detloc: entry.detloc, source: 'crosswalk', name: entry.note, city: entry.city, state: entry.state, norm: '', codeState: null, words: new Set(), normCity: '', placeBorrowed: false };
    return result(t, 'crosswalk', { c, score: 1 });
  }
  const state = t.state?.trim().toUpperCase() || null;
  const norm = normaliseName(t.name, state);
  // a name from records without places keeps a bare state name at its end ("FULTON CO JAIL INDIANA")
  const loose = normaliseName(t.name, null);
  const city = normaliseCity(t.city);
  const variants = nameVariants(t.name).map((v) => normaliseName(v, state)).filter((v) => v !== norm && v.includes(' '));
  // a row without a state (FY26: IMPERIAL REGIONAL DETENTION FACILITY, CALEXICO) is compared in every state, by city
  const local = localCandidates(byState, state, city);
  // a shorter name is a cut one only when it has the length of one of ICE's cuts, else it is another facility:
  // "EDEN DETENTION CTR" is not "EDEN DET CTR HOLD ROOM" cut short, "DENVER CONTRACT DETENTION FACILITY" not "… (CDF) II"
  const tCut = isCutLength(t.name);
  const cut = (a: string, c: Candidate) => {
    const b = c.norm;
    if (tCut && isTruncationOf(a, b)) return a.length / b.length;
    if (isCutLength(c.name) && isTruncationOf(b, a)) return b.length / a.length;
    return 0;
  };
  // the code names the state by its last two letters (STWRTGA) or, in some codes, its first two (CADESVI, INMIAMI)
  const codeInState = (c: Candidate) => state !== null && (c.codeState === state || c.detloc.startsWith(state));
  const consistent = placeless.filter((c) => !state || !c.codeState || codeInState(c));
  const rules: Array<[MatchMethod, () => Hit[]]> = [
    ['exact', () => local.filter((c) => c.norm === norm).map((c) => ({ c, score: c.normCity === city ? 1 : 0.98 }))],
    // the name without its bracketed part, or the bracketed part alone ("… (NORTHWEST DET CTR)")
    ['exact', () => local.filter((c) => variants.includes(c.norm)).map((c) => ({ c, score: 0.95 }))],
    ['prefix', () => local.map((c) => ({ c, score: cut(norm, c) })).filter((h) => h.score > 0)],
    // the same name elsewhere in the state: a city misspelt (BINGHAMPTON) or a neighbouring town
    ['name-state', () => (state ? (stateLists.get(state) ?? []) : []).filter((c) => c.norm === norm).map((c) => ({ c, score: 0.85 }))],
    ['name-only', () => consistent.filter((c) => c.norm === norm || c.norm === loose).map((c) => ({ c, score: 0.9 }))],
    // cut short and without a place: only where the code itself names the same state
    ['name-prefix', () => consistent.filter(codeInState).map((c) => ({ c, score: 0.8 * Math.max(cut(norm, c), cut(loose, c)) })).filter((h) => h.score > 0)],
  ];
  for (const [method, hits] of rules) {
    const d = decide(hits(), lastSeen);
    if (d.one) return result(t, method, d.one, d.others ? `also ${d.others.join(', ')} (last seen earlier)` : null);
    if (d.codes) return result(t, 'ambiguous', undefined, d.codes.join(', '));
  }
  return result(t, 'unmatched', undefined, hints(norm, state ? (stateLists.get(state) ?? []) : local));
}

/** Words too common in facility names to suggest a match on their own. */
const COMMON_WORDS = new Set(
  'AND OF COUNTY CITY JAIL DETENTION CENTER FACILITY CORRECTIONAL HOLD ROOM SHERIFF OFFICE DEPARTMENT ICE PROCESSING SERVICE REGIONAL INSTITUTION FEDERAL HOSPITAL MEDICAL JUVENILE ADULT PRISON STATE'.split(' '),
);

/** Per pool, the candidates by each distinctive word of their names (built once, on first use). */
const wordIndexes = new WeakMap<Candidate[], Map<string, Candidate[]>>();

function wordIndex(pool: Candidate[]): Map<string, Candidate[]> {
  let index = wordIndexes.get(pool);
  if (index) return index;
  index = new Map();
  for (const c of pool) {
    for (const w of c.words) {
      if (COMMON_WORDS.has(w)) continue;
      const list = index.get(w);
      if (list) list.push(c);
      else index.set(w, [c]);
    }
  }
  wordIndexes.set(pool, index);
  return index;
}

/**
 * The three closest codes of the same state by shared words, "CODE NAME (CITY) 0.67", for
 * a reviewer. Only candidates sharing a distinctive word (not COUNTY, JAIL …) are scored.
 */
function hints(norm: string, pool: Candidate[]): string | null {
  const words = wordSet(norm);
  const index = wordIndex(pool);
  const best = new Map<string, { c: Candidate; s: number }>();
  for (const w of words) {
    for (const c of index.get(w) ?? []) {
      const prev = best.get(c.detloc);
      if (prev?.c === c) continue;
      const s = similarity(words, c.words);
      if (s >= 0.4 && (!prev || s > prev.s)) best.set(c.detloc, { c, s });
    }
  }
  const top = [...best.values()].sort((a, b) => b.s - a.s || a.c.detloc.localeCompare(b.c.detloc)).slice(0, 3);
  return top.length ? top.map(({ c, s }) => `${c.detloc} ${c.name}${c.city ? ` (${c.city})` : ''} ${s.toFixed(2)}`).join('; ') : null;
}
