import type { Database } from '../db/connection.js';
import { ICE_DETENTION_STATS as ICE } from '../sources/ice/detention-stats/source-id.js';
import { cleanText, isTruncationOf, normaliseCity, normaliseName, sameCity } from '../facilities/normalise.js';
import { FACILITY_ADP_SQL, facilitySheets } from './facility-sheet.js';
import { addDays, byDate, byKnownAt, daysBetween, num, releasesOf, sheetRef, type ReleaseInfo } from './releases.js';
import { noMemo, type Detector, type Finding, type Memo } from './types.js';

/**
 * ICE's facility figures are computed a few days before the national snapshot (the sheet's
 * "Data Source: IIDS, MM/DD/YYYY"): 6 days in most releases. A stated date more than three
 * weeks from the snapshot or outside the fiscal year (a year mistyped: 01/09/2022 in a January
 * 2023 release), or the same as another release's with other figures, is not used; the usual
 * lag is assumed instead.
 */
const USUAL_LAG_DAYS = 6;

/**
 * A fall smaller than this is noise: two days of the facility's population (the data date is
 * known to a day or two), at least 1% and 25 person-days, and, where ICE rounded a release's
 * figures to whole numbers, the rounding (half a person in each of the four columns, every day).
 */
export function isMaterialDecrease(before: Point, after: Point): boolean {
  const fall = before.pd - after.pd;
  const rounding = (p: Point) => (p.rounded ? 2 * p.days : 0);
  return fall > Math.max(2 * before.adp, 0.01 * before.pd, 25) + rounding(before) + rounding(after);
}

export interface Point {
  release: ReleaseInfo;
  /** The day the facility figures are of, and the days elapsed in the fiscal year up to it (Oct 1 = day 1). */
  date: string;
  days: number;
  adp: number;
  pd: number;
  cells: string;
  name: string;
  place: string;
  /** ICE rounded every facility figure of the release to whole numbers (08/10/2025, 11/16/2025, 11/30/2025). */
  rounded: boolean;
}

/** A Point whose cell text is built only when read: only the few facilities with a finding need it. */
class FacilityPoint implements Point {
  readonly pd: number;
  constructor(
    readonly release: ReleaseInfo,
    readonly date: string,
    readonly days: number,
    readonly adp: number,
    private readonly sheet: string,
    private readonly rows: number[],
    readonly name: string,
    readonly place: string,
    readonly rounded: boolean,
  ) {
    this.pd = adp * days;
  }
  get cells(): string {
    return this.rows.map((n) => sheetRef(this.sheet, `N${n}:Q${n}`)).join(' + ');
  }
}

interface RawRow {
  release_id: string;
  sheet: string;
  row: number;
  name: string;
  city: string;
  state: string;
  adp: number;
}

/** Union–find over facility identities. */
class Identities {
  private parent = new Map<string, string>();
  find(k: string): string {
    let p = this.parent.get(k) ?? k;
    if (p !== k) {
      p = this.find(p);
      this.parent.set(k, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/**
 * Facility identities across releases: the same normalised name, city and state; and, since
 * ICE cuts long names short, a name that is the other cut short in the same state and city,
 * unless both names are listed in one release (then they are two facilities).
 */
export function facilityKeys(rows: Array<{ release_id: string; name: string; city: string; state: string }>): (r: { name: string; city: string; state: string }) => string {
  // by name, then city, then state: the rows of one place share their strings, so no key text is built per row
  const memo = new Map<string, Map<string, Map<string, string>>>();
  const base = (r: { name: string; city: string; state: string }) => {
    let byCity = memo.get(r.name);
    if (!byCity) memo.set(r.name, (byCity = new Map()));
    let byState = byCity.get(r.city);
    if (!byState) byCity.set(r.city, (byState = new Map()));
    let k = byState.get(r.state);
    if (k === undefined) byState.set(r.state, (k = `${normaliseName(r.name, r.state)}|${normaliseCity(r.city)}|${r.state.trim().toUpperCase()}`));
    return k;
  };
  const ids = new Identities();
  const seen = new Map<string, { norm: string; clean: string; city: string; state: string; releases: Set<string> }>();
  for (const r of rows) {
    const k = base(r);
    let s = seen.get(k);
    if (!s) {
      const [norm, city, state] = k.split('|') as [string, string, string];
      seen.set(k, (s = { norm, clean: cleanText(r.name), city, state, releases: new Set() }));
    }
    s.releases.add(r.release_id);
  }
  const byState = new Map<string, string[]>();
  for (const [k, s] of seen) {
    const list = byState.get(s.state);
    if (list) list.push(k);
    else byState.set(s.state, [k]);
  }
  // candidates for a cut-short name: same state and, as sameCity requires, a city equal or sharing its first six letters
  const byPlace = new Map<string, string[]>();
  for (const [k, s] of seen) {
    const place = `${s.state}|${s.city.length >= 6 ? s.city.slice(0, 6) : `=${s.city}`}`;
    const list = byPlace.get(place);
    if (list) list.push(k);
    else byPlace.set(place, [k]);
  }
  // a row without a state (IMPERIAL REGIONAL DETENTION FACILITY, CALEXICO in the 04/09/2026 release) is the
  // facility of the same name and city in the one state that has it
  for (const k of byState.get('') ?? []) {
    const a = seen.get(k)!;
    const found = [...seen].filter(([, b]) => b.state !== '' && b.norm === a.norm && sameCity(a.city, b.city));
    if (new Set(found.map(([, b]) => b.state)).size === 1) ids.union(found[0]![0], k);
  }
  for (const keys of byPlace.values()) {
    for (let i = 0; i < keys.length; i++) {
      for (let j = i + 1; j < keys.length; j++) {
        const a = seen.get(keys[i]!)!;
        const b = seen.get(keys[j]!)!;
        if (!sameCity(a.city, b.city)) continue;
        const cut = (x: typeof a, y: typeof a) => isTruncationOf(x.norm, y.norm) || isTruncationOf(x.clean, y.clean);
        if (!cut(a, b) && !cut(b, a)) continue;
        if ([...a.releases].some((id) => b.releases.has(id))) continue;
        ids.union(keys[i]!, keys[j]!);
      }
    }
  }
  return (r) => ids.find(base(r));
}

/**
 * The facility rows of these releases, in release and row order. The numbers come as columns of
 * numbers and the names, cities and states once each (2,200 of them for 20,000 rows over the
 * detention workbooks): every row as JSON took 100–190 ms.
 */
async function placedRows(db: Database, ids: string[], sheetOf: (releaseId: string) => string): Promise<RawRow[]> {
  const where = `list_contains(string_split($1, ','), release_id)`;
  const places = `SELECT DISTINCT name, coalesce(city, '') AS city, coalesce(state, '') AS state FROM ice_facilities WHERE ${where}`;
  const triples = await db.allJson<{ name: string; city: string; state: string }>(`${places} ORDER BY name, city, state`, [ids.join(',')]);
  const read = await db.readNumberColumns(
    `WITH t AS (SELECT name, city, state, (row_number() OVER (ORDER BY name, city, state) - 1)::INTEGER AS tid FROM (${places}))
     SELECT (list_position(string_split($1, ','), f.release_id) - 1)::INTEGER AS rel, f."row"::INTEGER AS "row", (${FACILITY_ADP_SQL})::DOUBLE AS adp, t.tid
       FROM ice_facilities f JOIN t ON t.name = f.name AND t.city = coalesce(f.city, '') AND t.state = coalesce(f.state, '')
      WHERE list_contains(string_split($1, ','), f.release_id)
      ORDER BY f.release_id, f."row"`,
    [ids.join(',')],
    1 << 15,
  );
  const [rel, row, adp, tid] = read.columns as [Int32Array, Int32Array, Float64Array, Int32Array];
  const out: RawRow[] = new Array(read.rows);
  for (let i = 0; i < read.rows; i++) {
    const t = triples[tid[i]!]!;
    const releaseId = ids[rel[i]!]!;
    out[i] = { release_id: releaseId, sheet: sheetOf(releaseId), row: row[i]!, name: t.name, city: t.city, state: t.state, adp: adp[i]! };
  }
  return out;
}

/** The day a release's facility figures are of (see USUAL_LAG_DAYS), unless the stated one is usable. */
function dataDate(r: ReleaseInfo): { date: string; stated: boolean } | undefined {
  if (r.effective_date === null || r.fiscal_year === null) return undefined;
  const start = `${r.fiscal_year - 1}-10-01`;
  const end = `${r.fiscal_year}-10-31`;
  const stated = typeof r.summary.facilities_data_date === 'string' ? r.summary.facilities_data_date : undefined;
  if (stated && Math.abs(daysBetween(stated, r.effective_date)) <= 21 && stated >= start && stated <= end) return { date: stated, stated: true };
  const usual = addDays(r.effective_date, -USUAL_LAG_DAYS);
  return { date: usual >= start ? usual : r.effective_date, stated: false };
}

/**
 * The person-days series of every facility: per fiscal year, the releases in time order
 * (one of each set of identical Facilities sheets; none whose sheet is stale, mis-scoped or
 * whose date cannot be placed), and for each the facility's ADP × days elapsed.
 */
export async function personDaySeries(db: Database, memo: Memo = noMemo): Promise<Map<string, Point[]>> {
  const excluded = new Set(
    (
      await db.all(
        `SELECT DISTINCT a.release_id FROM release_anomalies a JOIN releases r USING (release_id)
          WHERE r.source_id = $1 AND a.code IN ('stale-facilities-sheet', 'facility-adp-sum-mismatch')`,
        [ICE],
      )
    ).map((r) => r.release_id as string),
  );
  const sheets = await facilitySheets(db, memo);
  const digests = new Set<string>();
  const statedDates = new Map<string, string>();
  const placed = new Map<string, { r: ReleaseInfo; date: string }>();
  const releases = (await releasesOf(db, ICE, memo))
    .filter((r) => !excluded.has(r.release_id) && sheets.has(r.release_id) && r.fiscal_year !== null)
    .sort(byKnownAt);
  // identical sheets (the same data published twice) count once, as the copy retrieved from the agency where there is one
  const retrieved = (r: ReleaseInfo) => r.sightings.some((x) => x.retrieved_at !== null);
  const chosen = new Map<string, ReleaseInfo>();
  for (const r of releases) {
    const digest = sheets.get(r.release_id)!.digest;
    const c = chosen.get(digest);
    if (!c || (!retrieved(c) && retrieved(r))) chosen.set(digest, r);
  }
  for (const r of releases) {
    const digest = sheets.get(r.release_id)!.digest;
    if (digests.has(digest) || chosen.get(digest) !== r) continue;
    digests.add(digest);
    let d = dataDate(r);
    if (d === undefined) continue;
    // two different sheets cannot be of the same day: the later-known one kept an old label
    const key = `${r.fiscal_year}:${d.date}`;
    if (d.stated && statedDates.has(key)) d = { date: addDays(r.effective_date!, -USUAL_LAG_DAYS), stated: false };
    else if (d.stated) statedDates.set(key, r.release_id);
    placed.set(r.release_id, { r, date: d.date });
  }
  const rounded = new Set(
    (
      await db.all(
        `SELECT f.release_id FROM ice_facilities f JOIN releases r USING (release_id) WHERE r.source_id = $1 GROUP BY f.release_id
          HAVING count(*) FILTER (WHERE ${['male_crim', 'male_noncrim', 'female_crim', 'female_noncrim'].map((c) => `coalesce(${c}, 0) = round(coalesce(${c}, 0))`).join(' AND ')}) >= 0.95 * count(*)`,
        [ICE],
      )
    ).map((r) => r.release_id as string),
  );

  const rows = await placedRows(db, [...placed.keys()], (id) => sheets.get(id)!.sheet);
  const keyOf = facilityKeys(rows);
  // a facility listed twice in one release: identical rows count once, different rows are added
  const perRelease = new Map<string, Map<string, { adp: number; sheet: string; rows: number[]; name: string; place: string; seen: number[] }>>();
  for (const r of rows) {
    let facilities = perRelease.get(r.release_id);
    if (!facilities) perRelease.set(r.release_id, (facilities = new Map()));
    const key = keyOf(r);
    let e = facilities.get(key);
    if (!e) facilities.set(key, (e = { adp: 0, sheet: r.sheet, rows: [], name: r.name, place: r.city && r.state ? `${r.city}, ${r.state}` : r.city || r.state, seen: [] }));
    // a list, not a Set: a facility has one row in nearly every release (20,000 Sets cost 30 ms)
    if (!e.seen.includes(r.adp)) {
      e.adp += r.adp;
      e.seen.push(r.adp);
    }
    e.rows.push(r.row);
    if (r.name.length > e.name.length) e.name = r.name;
  }
  const series = new Map<string, Point[]>();
  for (const [releaseId, facilities] of perRelease) {
    const { r, date } = placed.get(releaseId)!;
    const days = daysBetween(`${r.fiscal_year! - 1}-10-01`, date) + 1;
    const isRounded = rounded.has(releaseId);
    for (const [key, e] of facilities) {
      let list = series.get(key);
      if (!list) series.set(key, (list = []));
      list.push(new FacilityPoint(r, date, days, e.adp, e.sheet, e.rows, e.name, e.place, isRounded));
    }
  }
  for (const list of series.values()) list.sort((a, b) => byDate(a.date, b.date));
  return series;
}

const point = (p: Point) =>
  `${num(p.pd)} (release ${p.release.release_id}, figures of ${p.date}, day ${p.days} of FY${p.release.fiscal_year}: ADP ${num(p.adp, 2)} at ${p.cells}${p.rounded ? ', rounded to whole numbers' : ''})`;

/**
 * Cumulative person-days of a facility (its fiscal-year-to-date ADP × the days elapsed)
 * can only grow within a fiscal year: people held on earlier days stay counted. A fall
 * between two releases of one year means ICE revised the facility's past downward, split
 * or merged its rows, or the later release is not comparable. One finding per facility: the
 * largest fall, with every other fall listed.
 */
export const facilityPersonDaysDecrease: Detector = {
  code: 'facility-person-days-decrease',
  severity: 'warning',
  title: 'Facility person-days fell between releases',
  explain:
    'A facility’s average daily population for the fiscal year to date, times the days elapsed since October 1, is the number of person-days it has held this year. ' +
    'That total can only grow as the year goes on. Here it fell from one release to the next: ICE revised the facility’s earlier figures downward, ' +
    'moved part of its population to another row or name, or one of the two releases is not comparable.',
  sources: [ICE],
  async run(db, _source, memo): Promise<Finding[]> {
    const out: Finding[] = [];
    const series = await personDaySeries(db, memo);
    const byPlace = new Map<string, string[]>();
    for (const key of series.keys()) {
      const place = key.slice(key.indexOf('|'));
      byPlace.set(place, [...(byPlace.get(place) ?? []), key]);
    }
    for (const [key, list] of series) {
      const falls: Array<[Point, Point]> = [];
      for (let i = 1; i < list.length; i++) {
        const [a, b] = [list[i - 1]!, list[i]!];
        if (a.release.fiscal_year === b.release.fiscal_year && isMaterialDecrease(a, b)) falls.push([a, b]);
      }
      if (falls.length === 0) continue;
      const [a, b] = falls.reduce((m, f) => (f[0].pd - f[1].pd > m[0].pd - m[1].pd ? f : m));
      const f = b.release.fiscal_year;
      const others = falls.filter((x) => x[1] !== b);
      // a row that appears beside it in the same place often took part of its population (a split)
      const beside = (byPlace.get(key.slice(key.indexOf('|'))) ?? [])
        .filter((k) => k !== key)
        .map((k) => series.get(k)!)
        .filter((l) => l.some((p) => p.release === b.release) && !l.some((p) => p.release === a.release))
        .map((l) => l.find((p) => p.release === b.release)!);
      const together = b.pd + beside.reduce((n, p) => n + p.pd, 0);
      out.push({
        release_id: b.release.release_id,
        subject: `${b.name}${b.place ? `, ${b.place}` : ''}`,
        detail:
          `FY${f} person-days fell from ${point(a)} to ${point(b)}: ${num(b.pd - a.pd)} (${num(((b.pd - a.pd) / a.pd) * 100, 1)}%)` +
          (beside.length
            ? `; new in the same place in release ${b.release.release_id}: ${beside.map((p) => `${p.name} (ADP ${num(p.adp, 2)} at ${p.cells})`).join(', ')}, ` +
              `with ${beside.length > 1 ? 'them' : 'it'} ${num(together)} person-days${together >= a.pd ? ': the facility was split into several rows' : ''}`
            : '') +
          (others.length
            ? `; also between releases ${others.map(([x, y]) => `${x.release.release_id} → ${y.release.release_id} (${num(y.pd - x.pd)}, FY${y.release.fiscal_year})`).join(', ')}`
            : ''),
      });
    }
    return out.sort((x, y) => x.release_id.localeCompare(y.release_id) || x.subject.localeCompare(y.subject));
  },
};
