import type { Database } from '../db/connection.js';
import { listAnomalies } from '../anomalies/detectors.js';
import { facilityKeys } from '../anomalies/facility-person-days.js';
import { FACILITY_ADP_SQL } from '../anomalies/facility-sheet.js';
import { sheetRef } from '../anomalies/releases.js';
import type { AnomalyRecord } from '../anomalies/types.js';
import { ParamError } from '../metrics/params.js';
import { ICE_DETENTION_STATS as ICE } from '../sources/ice/detention-stats/source-id.js';

/** A release as a diff names it. */
export interface ReleaseRef {
  release_id: string;
  source_id: string;
  snapshot_date: string | null;
  fiscal_year: number | null;
  file_names: string[];
  ingested_at: string;
  effective_date: string | null;
}

/** One headline figure before and after, with the cells it was read from. */
export interface HeadlineChange {
  field: string;
  label: string;
  before: number | null;
  after: number | null;
  change: number | null;
  cell_before: string | null;
  cell_after: string | null;
}

/**
 * A month of a national series in both releases. `revised`: whole in both and changed;
 * `completed`: partial (the current month) in the earlier release; `new`: not yet reported
 * (zero) in the earlier one.
 */
export interface MonthChange {
  measure: 'adp' | 'book_ins';
  month: string;
  kind: 'revised' | 'completed' | 'new';
  before: number | null;
  after: number;
  change: number | null;
  cell_before: string | null;
  cell_after: string;
}

/** A facility listed in one release and not in the other (names cut short by ICE count as the same facility). */
export interface FacilityChange {
  change: 'appeared' | 'disappeared' | 'renamed';
  name: string;
  /** For a renamed facility: its name in the earlier release. */
  previous_name: string | null;
  city: string | null;
  state: string | null;
  adp: number;
  cell: string;
}

/** A CBP month and region whose total differs between the two files. */
export interface CbpRevision {
  month: string;
  region: string;
  before: number;
  after: number;
  change: number;
  /** The row key in each file (CBP rows have no line numbers; the key is unique in a file). */
  cell_before: string;
  cell_after: string;
}

export interface ReleaseDiff {
  source_id: string;
  from: ReleaseRef;
  to: ReleaseRef;
  headline: HeadlineChange[];
  months: MonthChange[];
  facilities: FacilityChange[];
  cbp_revisions: CbpRevision[];
  /** Anomalies of the later release. */
  anomalies: AnomalyRecord[];
}

/** 12 hex digits: a release id. */
export const RELEASE_ID = /^[0-9a-f]{12}$/;

const DETAINED = `table_id = 'detained_by_criminality_agency' AND measure = 'detained'`;
/** Where each headline value of an ICE release comes from (the same facts as its summary, summary.ts). */
const ICE_HEADLINE: Array<[string, string, string]> = [
  ['detained_total', 'Detained (snapshot)', `${DETAINED} AND agency = 'all' AND criminality = 'all'`],
  ['detained_ice', 'ICE-arrested', `${DETAINED} AND agency = 'ICE' AND criminality = 'all'`],
  ['detained_cbp', 'CBP-arrested', `${DETAINED} AND agency = 'CBP' AND criminality = 'all'`],
  ['detained_convicted', 'Convicted criminal', `${DETAINED} AND agency = 'all' AND criminality = 'convicted'`],
  ['detained_pending', 'Pending criminal charges', `${DETAINED} AND agency = 'all' AND criminality = 'pending'`],
  ['detained_other', 'Other immigration violator', `${DETAINED} AND agency = 'all' AND criminality = 'other'`],
  ['adp_fy', 'ADP (fiscal year to date)', `table_id = 'adp_by_agency_month_criminality' AND agency = 'all' AND criminality = 'all' AND month IS NULL`],
  ['book_ins_fytd', 'Initial book-ins (fiscal year to date)', `table_id = 'book_ins_by_facility_criminality' AND facility_type = 'all' AND criminality = 'all'`],
  ['removals_fytd', 'Removals (fiscal year to date)', `table_id = 'removals' AND category = 'all'`],
  ['atd_total', 'People on ATD', `table_id = 'atd_by_technology' AND measure = 'atd_participants' AND category = 'all'`],
];

/** Everything a diff reads about one release, loaded for many releases in a fixed number of queries. */
interface ReleaseData {
  ref: ReleaseRef;
  summary: Record<string, unknown>;
  /** Headline field → the cell its value was read from. */
  cells: Map<string, string>;
  months: Array<{ measure: MonthChange['measure']; month: string; value: number; cell: string }>;
  facilities: Array<{ release_id: string; sheet: string; row: number; name: string; city: string; state: string; adp: number }>;
  cbp: Map<string, number>;
}

const idList = (ids: string[]) => ids.join(',');
const IN_LIST = (column: string, param: string) => `list_contains(string_split(${param}, ','), ${column})`;

/** Loads the releases `ids` (unknown ids are left out). */
async function loadReleases(db: Database, ids: string[]): Promise<Map<string, ReleaseData>> {
  const out = new Map<string, ReleaseData>();
  if (ids.length === 0) return out;
  const list = idList(ids);
  const refs = await db.all(
    `SELECT r.release_id, r.source_id, strftime(r.snapshot_date, '%Y-%m-%d') AS snapshot_date, r.fiscal_year, r.summary::VARCHAR AS summary,
            strftime(r.ingested_at, '%Y-%m-%dT%H:%M:%SZ') AS ingested_at, strftime(o.effective_date, '%Y-%m-%d') AS effective_date,
            (SELECT list(DISTINCT f.file_name ORDER BY f.file_name) FROM release_files f WHERE f.release_id = r.release_id) AS file_names
       FROM releases r JOIN release_order o USING (release_id) WHERE ${IN_LIST('r.release_id', '$1')}`,
    [list],
  );
  for (const r of refs) {
    out.set(r.release_id as string, {
      ref: {
        release_id: r.release_id as string,
        source_id: r.source_id as string,
        snapshot_date: (r.snapshot_date as string | null) ?? null,
        fiscal_year: (r.fiscal_year as number | null) ?? null,
        file_names: (r.file_names as string[] | null) ?? [],
        ingested_at: r.ingested_at as string,
        effective_date: (r.effective_date as string | null) ?? null,
      },
      summary: JSON.parse((r.summary as string | null) ?? '{}') as Record<string, unknown>,
      cells: new Map(),
      months: [],
      facilities: [],
      cbp: new Map(),
    });
  }
  const ice = [...out.values()].filter((d) => d.ref.source_id === ICE).map((d) => d.ref.release_id);
  if (ice.length) {
    const iceList = idList(ice);
    const facts = await db.all(
      ICE_HEADLINE.map(
        ([field, , where], i) =>
          `SELECT release_id, '${field}' AS field, ${i} AS k, sheet, cell, "row", value FROM ice_detention_facts WHERE ${IN_LIST('release_id', '$1')} AND ${where}`,
      ).join(' UNION ALL ') + ' ORDER BY release_id, k, "row", cell',
      [iceList],
    );
    for (const f of facts) {
      const d = out.get(f.release_id as string)!;
      const field = f.field as string;
      // the fact the summary took: the one with its value (an EOFY release may carry two years' tables)
      if (f.value === d.summary[field] && !d.cells.has(field)) d.cells.set(field, sheetRef(f.sheet as string, f.cell as string));
    }
    const months = await db.all(
      `SELECT release_id, CASE table_id WHEN 'adp_by_agency_month_criminality' THEN 'adp' ELSE 'book_ins' END AS measure,
              strftime(month, '%Y-%m-%d') AS month, value, sheet, cell
         FROM ice_detention_facts
        WHERE ${IN_LIST('release_id', '$1')} AND month IS NOT NULL AND agency = 'all' AND criminality = 'all'
          AND table_id IN ('adp_by_agency_month_criminality', 'book_ins_by_agency_month')`,
      [iceList],
    );
    for (const m of months) {
      out.get(m.release_id as string)!.months.push({ measure: m.measure as MonthChange['measure'], month: m.month as string, value: Number(m.value), cell: sheetRef(m.sheet as string, m.cell as string) });
    }
    const facilities = await db.all(
      `SELECT release_id, sheet, "row", name, coalesce(city, '') AS city, coalesce(state, '') AS state, ${FACILITY_ADP_SQL} AS adp
         FROM ice_facilities WHERE ${IN_LIST('release_id', '$1')} ORDER BY release_id, "row"`,
      [iceList],
    );
    for (const f of facilities) {
      out.get(f.release_id as string)!.facilities.push({
        release_id: f.release_id as string,
        sheet: f.sheet as string,
        row: Number(f.row),
        name: f.name as string,
        city: f.city as string,
        state: f.state as string,
        adp: Number(f.adp),
      });
    }
  }
  const cbp = [...out.values()].filter((d) => d.ref.source_id === 'cbp.encounters').map((d) => d.ref.release_id);
  if (cbp.length) {
    const totals = await db.all(
      `SELECT release_id, strftime(month_start, '%Y-%m') AS month, region, sum(encounters) AS value
         FROM cbp_month_totals WHERE ${IN_LIST('release_id', '$1')} GROUP BY ALL`,
      [idList(cbp)],
    );
    for (const t of totals) out.get(t.release_id as string)!.cbp.set(`${t.month as string}|${t.region as string}`, Number(t.value));
  }
  return out;
}

/** One release by id, or undefined. */
export async function releaseRef(db: Database, id: string): Promise<ReleaseRef | undefined> {
  return (await loadReleases(db, [id])).get(id)?.ref;
}

/** For each release, the release of the same source just before it in time (effective date, then when known). */
async function previousIds(db: Database): Promise<Map<string, string | null>> {
  const rows = await db.all(
    `SELECT release_id, lag(release_id) OVER (PARTITION BY source_id ORDER BY effective_date NULLS FIRST, known_at NULLS FIRST, release_id) AS prev FROM release_order`,
  );
  return new Map(rows.map((r) => [r.release_id as string, (r.prev as string | null) ?? null]));
}

/** The release of the same source just before this one in time, if any. */
export async function previousReleaseId(db: Database, id: string): Promise<string | undefined> {
  return (await previousIds(db)).get(id) ?? undefined;
}

function headline(a: ReleaseData, b: ReleaseData): HeadlineChange[] {
  const numeric = (s: Record<string, unknown>, k: string) => (typeof s[k] === 'number' ? (s[k] as number) : null);
  const fields: Array<[string, string]> =
    a.ref.source_id === ICE
      ? [...ICE_HEADLINE.map(([f, l]) => [f, l] as [string, string]), ['facility_rows', 'Facilities listed']]
      : [...new Set([...Object.keys(a.summary), ...Object.keys(b.summary)])]
          .filter((k) => numeric(a.summary, k) !== null || numeric(b.summary, k) !== null)
          .map((k) => [k, k]);
  return fields
    .map(([field, label]) => {
      const before = numeric(a.summary, field);
      const after = numeric(b.summary, field);
      return { field, label, before, after, change: before !== null && after !== null ? after - before : null, cell_before: a.cells.get(field) ?? null, cell_after: b.cells.get(field) ?? null };
    })
    .filter((h) => h.before !== h.after);
}

const lastDay = (m: string) => {
  const d = new Date(`${m}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1, 0);
  return d.toISOString().slice(0, 10);
};

/** National ADP and book-ins by month: the months whose value moved between the two releases. */
function months(a: ReleaseData, b: ReleaseData): MonthChange[] {
  const before = new Map(a.months.map((m) => [`${m.measure}|${m.month}`, m]));
  const out: MonthChange[] = [];
  for (const m of b.months) {
    const p = before.get(`${m.measure}|${m.month}`);
    if (p ? p.value === m.value : m.value === 0) continue;
    const was = p ? p.value : null;
    const whole = a.ref.snapshot_date !== null && lastDay(m.month) <= a.ref.snapshot_date;
    const kind: MonthChange['kind'] = was === null || (was === 0 && !whole) ? 'new' : whole ? 'revised' : 'completed';
    out.push({ measure: m.measure, month: m.month.slice(0, 7), kind, before: was, after: m.value, change: was === null ? null : m.value - was, cell_before: p?.cell ?? null, cell_after: m.cell });
  }
  return out.sort((x, y) => x.measure.localeCompare(y.measure) || x.month.localeCompare(y.month));
}

/** Facilities that appeared or disappeared, matching names ICE cut short to their full form. */
function facilities(a: ReleaseData, b: ReleaseData): FacilityChange[] {
  const keyOf = facilityKeys([...a.facilities, ...b.facilities]);
  type Row = ReleaseData['facilities'][number];
  const index = (rows: Row[]) => {
    const m = new Map<string, Row>();
    for (const r of rows) if (!m.has(keyOf(r))) m.set(keyOf(r), r);
    return m;
  };
  const [inA, inB] = [index(a.facilities), index(b.facilities)];
  const item = (change: FacilityChange['change'], r: Row, previous: string | null = null): FacilityChange => ({
    change,
    name: r.name,
    previous_name: previous,
    city: r.city || null,
    state: r.state || null,
    adp: r.adp,
    cell: sheetRef(r.sheet, `A${r.row}`),
  });
  const out: FacilityChange[] = [];
  for (const [k, r] of inB) {
    const p = inA.get(k);
    if (!p) out.push(item('appeared', r));
    else if (p.name.trim().toUpperCase() !== r.name.trim().toUpperCase()) out.push(item('renamed', r, p.name));
  }
  for (const [k, r] of inA) if (!inB.has(k)) out.push(item('disappeared', r));
  const order = { appeared: 0, disappeared: 1, renamed: 2 };
  return out.sort((x, y) => order[x.change] - order[y.change] || y.adp - x.adp || x.name.localeCompare(y.name));
}

/**
 * CBP months whose region total differs between the two files: the comparison of
 * cbpRevisions (src/sources/cbp/encounters/revisions.ts), between exactly these two releases.
 */
function cbpMonths(a: ReleaseData, b: ReleaseData): CbpRevision[] {
  const out: CbpRevision[] = [];
  const where = (d: ReleaseData, month: string, region: string) => `${d.ref.file_names[0] ?? d.ref.release_id}: ${month}, ${region}`;
  for (const [k, after] of b.cbp) {
    const before = a.cbp.get(k);
    if (before === undefined || before === after) continue;
    const [month, region] = k.split('|') as [string, string];
    out.push({ month, region, before, after, change: after - before, cell_before: where(a, month, region), cell_after: where(b, month, region) });
  }
  return out.sort((x, y) => y.month.localeCompare(x.month) || x.region.localeCompare(y.region));
}

function compute(a: ReleaseData, b: ReleaseData, anomalies: AnomalyRecord[]): ReleaseDiff {
  const ice = a.ref.source_id === ICE;
  return {
    source_id: a.ref.source_id,
    from: a.ref,
    to: b.ref,
    headline: headline(a, b),
    months: ice ? months(a, b) : [],
    facilities: ice ? facilities(a, b) : [],
    cbp_revisions: a.ref.source_id === 'cbp.encounters' ? cbpMonths(a, b) : [],
    anomalies,
  };
}

const record = ({ release_id, code, severity, subject, detail }: AnomalyRecord): AnomalyRecord => ({ release_id, code, severity, subject, detail });

/**
 * What changed from release `fromId` to release `toId` of one source: headline values,
 * national months that moved, facilities that appeared or disappeared (ICE), months CBP
 * revised, and the later release's anomalies. Throws a ParamError for an id that is not a
 * release id or releases of two sources; returns undefined for an unknown release.
 */
export async function diffReleases(db: Database, fromId: string, toId: string): Promise<ReleaseDiff | undefined> {
  for (const [name, id] of [['from', fromId], ['to', toId]] as const) {
    if (!RELEASE_ID.test(id)) throw new ParamError(name, `'${id}' is not a release id (12 hex digits)`);
  }
  const data = await loadReleases(db, [fromId, toId]);
  const a = data.get(fromId);
  const b = data.get(toId);
  if (!a || !b) return undefined;
  if (a.ref.source_id !== b.ref.source_id) {
    throw new ParamError('to', `releases ${fromId} (${a.ref.source_id}) and ${toId} (${b.ref.source_id}) are of different sources; a diff compares two releases of one source`);
  }
  return compute(a, b, (await listAnomalies(db, { release: toId })).map(record));
}

/** A diff as flat rows (for CSV and the CLI's table): kind, what, before, after, change, cells. */
export function diffRows(d: ReleaseDiff): Array<Record<string, unknown>> {
  return [
    ...d.headline.map((h) => ({ kind: 'headline', what: h.label, before: h.before, after: h.after, change: h.change, cell_before: h.cell_before, cell_after: h.cell_after })),
    ...d.months.map((m) => ({ kind: `month ${m.kind}`, what: `${m.measure} ${m.month}`, before: m.before, after: m.after, change: m.change, cell_before: m.cell_before, cell_after: m.cell_after })),
    ...d.facilities.map((f) => ({
      kind: `facility ${f.change}`,
      what: `${f.previous_name ? `${f.previous_name} → ` : ''}${f.name}${f.city ? `, ${f.city}` : ''}${f.state ? `, ${f.state}` : ''}`,
      before: f.change === 'disappeared' ? f.adp : null,
      after: f.change === 'disappeared' ? null : f.adp,
      change: null,
      cell_before: f.change === 'disappeared' ? f.cell : null,
      cell_after: f.change === 'disappeared' ? null : f.cell,
    })),
    ...d.cbp_revisions.map((c) => ({ kind: 'cbp month revised', what: `${c.month} ${c.region}`, before: c.before, after: c.after, change: c.change, cell_before: c.cell_before, cell_after: c.cell_after })),
  ];
}

export const DIFF_COLUMNS = ['kind', 'what', 'before', 'after', 'change', 'cell_before', 'cell_after'];

/** A release and what changed since the one before it, in numbers (for the changes page, API and feed). */
export interface ChangeSummary {
  release: ReleaseRef;
  previous: ReleaseRef | null;
  headline: HeadlineChange[];
  months_revised: number;
  months_changed: number;
  facilities_appeared: number;
  facilities_disappeared: number;
  cbp_months_revised: number;
  anomalies: Array<{ code: string; severity: string }>;
}

/**
 * The latest releases, newest first by their place in time (effective date, then when known),
 * each against the release of its source just before it.
 */
export async function latestChanges(
  db: Database,
  options: { source?: string; limit?: number; order?: 'time' | 'ingested'; /** Only these releases (a pinned vintage). */ among?: string[] } = {},
): Promise<ChangeSummary[]> {
  const order = options.order === 'ingested' ? 'r.ingested_at DESC, o.effective_date DESC NULLS LAST' : 'o.effective_date DESC NULLS LAST, o.known_at DESC NULLS LAST, r.ingested_at DESC';
  const ids = (
    await db.all(
      `SELECT r.release_id FROM releases r JOIN release_order o USING (release_id)
        WHERE ($1::VARCHAR IS NULL OR r.source_id = $1) AND ($3::VARCHAR IS NULL OR list_contains(string_split($3, ','), r.release_id))
        ORDER BY ${order}, r.release_id LIMIT $2`,
      [options.source ?? null, Math.max(1, Math.min(Math.floor(options.limit ?? 20), 500)), options.among ? options.among.join(',') || '-' : null],
    )
  ).map((r) => r.release_id as string);
  const prev = await previousIds(db);
  const data = await loadReleases(db, [...new Set([...ids, ...ids.map((id) => prev.get(id)).filter((x): x is string => !!x)])]);
  const anomalies = await listAnomalies(db, { releases: ids });
  return ids.map((id) => {
    const b = data.get(id)!;
    const p = prev.get(id);
    const a = p ? data.get(p) : undefined;
    const d = a ? compute(a, b, []) : undefined;
    return {
      release: b.ref,
      previous: a?.ref ?? null,
      headline: d?.headline ?? [],
      months_revised: d?.months.filter((m) => m.kind === 'revised').length ?? 0,
      months_changed: d?.months.length ?? 0,
      facilities_appeared: d?.facilities.filter((f) => f.change === 'appeared').length ?? 0,
      facilities_disappeared: d?.facilities.filter((f) => f.change === 'disappeared').length ?? 0,
      cbp_months_revised: d?.cbp_revisions.length ?? 0,
      anomalies: anomalies.filter((x) => x.release_id === id).map((x) => ({ code: x.code, severity: x.severity })),
    };
  });
}
