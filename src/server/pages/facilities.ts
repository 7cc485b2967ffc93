import type { Database } from '../../db/connection.js';
import { listReleases, timeline, type ReleaseRecord } from '../../db/releases.js';
import type { JsValue } from '../../db/values.js';
import { ParamError } from '../../metrics/params.js';
import { metricById } from '../../metrics/registry.js';
import { esc, fmt } from '../render/html.js';
import { facilitySlug, stateCode } from './facility-slug.js';
import type { PageRoute } from './types.js';
import { ICE_DETENTION_STATS } from '../../sources/ice/detention-stats/source-id.js';

export const SOURCE = ICE_DETENTION_STATS;

/** U.S. states, DC and the territories ICE lists facilities in. */
const US_STATES = new Set(
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI MP AS'.split(' '),
);

const OMITS =
  'ICE lists only facilities with an average daily population of at least 1, and leaves out hold rooms, hospitals, juvenile, MIRP and ORR facilities, so the list adds up to less than the national figure.';

/** One facility row of one release, with the figures the pages show. */
export interface FacilityRow {
  release_id: string;
  snapshot_date: string | null;
  fiscal_year: number | null;
  date_suspect: boolean;
  row: number;
  slug: string;
  name: string;
  address: string | null;
  city: string | null;
  /** As the release wrote it (blank in a few releases). */
  state: string | null;
  /** The state used for the slug and the filters: the release's, else the one other releases give the same name. */
  state_effective: string | null;
  zip: string | null;
  aor: string | null;
  type: string | null;
  gender: string | null;
  alos: number | null;
  /** Fiscal-year-to-date average daily population: the four criminality-by-gender columns added. */
  adp: number | null;
  crim: number | null;
  noncrim: number | null;
  male_crim: number | null;
  male_noncrim: number | null;
  female_crim: number | null;
  female_noncrim: number | null;
  level_a: number | null;
  level_b: number | null;
  level_c: number | null;
  level_d: number | null;
  threat_level_1: number | null;
  threat_level_2: number | null;
  threat_level_3: number | null;
  threat_level_none: number | null;
  mandatory: number | null;
  guaranteed_minimum: number | null;
  last_inspection_type: string | null;
  last_inspection_date: string | null;
  last_inspection_note: string | null;
  last_inspection_standard: string | null;
  last_inspection_rating: string | null;
  pending_inspection: string | null;
}

export const CSV_COLUMNS = [
  'release_id', 'snapshot_date', 'slug', 'name', 'address', 'city', 'state', 'state_effective', 'zip', 'aor', 'type', 'gender', 'alos', 'adp',
  'crim', 'noncrim', 'male_crim', 'male_noncrim', 'female_crim', 'female_noncrim', 'level_a', 'level_b', 'level_c', 'level_d',
  'threat_level_1', 'threat_level_2', 'threat_level_3', 'threat_level_none', 'mandatory', 'guaranteed_minimum',
  'last_inspection_type', 'last_inspection_date', 'last_inspection_note', 'last_inspection_standard', 'last_inspection_rating', 'pending_inspection',
];

export const SELECT = `SELECT f.release_id, f."row", f.name, f.address, f.city, f.state, f.zip, f.aor, f.type_detailed, f.gender, f.alos,
       f.level_a, f.level_b, f.level_c, f.level_d, f.male_crim, f.male_noncrim, f.female_crim, f.female_noncrim,
       f.threat_level_1, f.threat_level_2, f.threat_level_3, f.threat_level_none, f.mandatory, f.guaranteed_minimum,
       f.last_inspection_type, strftime(f.last_inspection_date, '%Y-%m-%d') AS last_inspection_date, f.last_inspection_note,
       f.last_inspection_standard, f.last_inspection_rating, f.pending_inspection
  FROM ice_facilities f`;

const numOrNull = (v: JsValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const textOrNull = (v: JsValue | undefined): string | null => {
  if (v === null || v === undefined) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
};
/** A sum of ICE's columns, rounded to their six decimals so float noise (2025.8032779999999) does not show. */
function add(...vs: Array<number | null>): number | null {
  const present = vs.filter((v): v is number => v !== null);
  return present.length ? Math.round(present.reduce((a, b) => a + b, 0) * 1e6) / 1e6 : null;
}

/**
 * The state other releases give each name (most often) for names that some release
 * lists without a state; keyed by the name in upper case.
 */
export async function inferredStates(db: Database, releaseId?: string): Promise<Map<string, string>> {
  const rows = await db.all(
    `WITH blank AS (SELECT DISTINCT upper(trim(name)) AS k FROM ice_facilities
                     WHERE coalesce(trim(state), '') = '' AND ($1::VARCHAR IS NULL OR release_id = $1))
     SELECT b.k, upper(trim(f.state)) AS s, count(*) AS n
       FROM blank b JOIN ice_facilities f ON upper(trim(f.name)) = b.k
      WHERE coalesce(trim(f.state), '') <> ''
      GROUP BY ALL ORDER BY b.k, n DESC, s`,
    [releaseId ?? null],
  );
  const out = new Map<string, string>();
  for (const r of rows) {
    const s = stateCode(r.s);
    if (s && !out.has(String(r.k))) out.set(String(r.k), s);
  }
  return out;
}

export function toFacility(r: Record<string, JsValue>, rel: ReleaseRecord | undefined, inferred: Map<string, string>): FacilityRow {
  const name = String(r.name ?? '').trim();
  const published = textOrNull(r.state);
  const eff = stateCode(published) ?? inferred.get(name.toUpperCase()) ?? null;
  const [mc, mn, fc, fn] = [numOrNull(r.male_crim), numOrNull(r.male_noncrim), numOrNull(r.female_crim), numOrNull(r.female_noncrim)];
  return {
    release_id: String(r.release_id),
    snapshot_date: rel?.snapshot_date ?? null,
    fiscal_year: rel?.fiscal_year ?? null,
    date_suspect: rel?.date_suspect === true,
    row: Number(r.row),
    slug: facilitySlug(name, eff),
    name,
    address: textOrNull(r.address),
    city: textOrNull(r.city),
    state: published,
    state_effective: eff,
    zip: textOrNull(r.zip),
    aor: textOrNull(r.aor),
    type: textOrNull(r.type_detailed),
    gender: textOrNull(r.gender),
    alos: numOrNull(r.alos),
    adp: add(mc, mn, fc, fn),
    crim: add(mc, fc),
    noncrim: add(mn, fn),
    male_crim: mc,
    male_noncrim: mn,
    female_crim: fc,
    female_noncrim: fn,
    level_a: numOrNull(r.level_a),
    level_b: numOrNull(r.level_b),
    level_c: numOrNull(r.level_c),
    level_d: numOrNull(r.level_d),
    threat_level_1: numOrNull(r.threat_level_1),
    threat_level_2: numOrNull(r.threat_level_2),
    threat_level_3: numOrNull(r.threat_level_3),
    threat_level_none: numOrNull(r.threat_level_none),
    mandatory: numOrNull(r.mandatory),
    guaranteed_minimum: numOrNull(r.guaranteed_minimum),
    last_inspection_type: textOrNull(r.last_inspection_type),
    last_inspection_date: textOrNull(r.last_inspection_date),
    last_inspection_note: textOrNull(r.last_inspection_note),
    last_inspection_standard: textOrNull(r.last_inspection_standard),
    last_inspection_rating: textOrNull(r.last_inspection_rating),
    pending_inspection: textOrNull(r.pending_inspection),
  };
}

/* ---------------------------------------------------------------- query parameters */

/** A release-id vintage must name a loaded release (a date or 'latest' always works). */
export function checkVintage(all: ReleaseRecord[], vintage: string): void {
  if (/^[0-9a-f]{12}$/.test(vintage) && !all.some((r) => r.release_id === vintage)) {
    throw new ParamError('vintage', `no release '${vintage}' (see /-/releases)`);
  }
}

function param(query: Record<string, unknown>, key: string): string | undefined {
  const v = query[key];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) throw new ParamError(key, 'given more than once');
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

interface Filters {
  q?: string;
  state?: string;
  aor?: string;
  type?: string;
}

async function parseFilters(db: Database, query: Record<string, unknown>): Promise<Filters> {
  const out: Filters = {};
  const q = param(query, 'q');
  if (q !== undefined) {
    if (q.length > 100) throw new ParamError('q', 'at most 100 characters');
    out.q = q;
  }
  const state = param(query, 'state');
  if (state !== undefined) {
    const s = state.toUpperCase();
    if (!US_STATES.has(s)) throw new ParamError('state', `'${state}' is not a two-letter U.S. state or territory code`);
    out.state = s;
  }
  const aor = param(query, 'aor');
  const type = param(query, 'type');
  if (aor !== undefined || type !== undefined) {
    const known = await db.all(
      `SELECT 'aor' AS k, upper(trim(aor)) AS v FROM ice_facilities WHERE coalesce(trim(aor), '') <> ''
       UNION SELECT 'type', trim(type_detailed) FROM ice_facilities WHERE coalesce(trim(type_detailed), '') <> ''`,
    );
    if (aor !== undefined) {
      const aors = known.filter((r) => r.k === 'aor').map((r) => String(r.v)).sort();
      if (!aors.includes(aor.toUpperCase())) throw new ParamError('aor', `'${aor}' is not an ICE area of responsibility in the data (${aors.join(', ')})`);
      out.aor = aor.toUpperCase();
    }
    if (type !== undefined) {
      const types = known.filter((r) => r.k === 'type').map((r) => String(r.v)).sort();
      const match = types.find((t) => t.toUpperCase() === type.toUpperCase());
      if (!match) throw new ParamError('type', `'${type}' is not a facility type in the data (${types.join(', ')})`);
      out.type = match;
    }
  }
  return out;
}

function matches(f: FacilityRow, filters: Filters): boolean {
  if (filters.state && f.state_effective !== filters.state) return false;
  if (filters.aor && (f.aor ?? '').toUpperCase() !== filters.aor) return false;
  if (filters.type && (f.type ?? '').toUpperCase() !== filters.type.toUpperCase()) return false;
  if (filters.q) {
    const q = filters.q.toLowerCase();
    if (!f.name.toLowerCase().includes(q) && !(f.city ?? '').toLowerCase().includes(q)) return false;
  }
  return true;
}

/* ---------------------------------------------------------------- html helpers */

export const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
export const td = (v: number | null, digits = 1) =>
  `<td class="num">${v === null ? '<span class="muted">–</span>' : esc(fmt(digits === 0 ? Math.round(v) : round1(v)))}</td>`;
export const text = (v: string | null) => `<td>${v === null ? '' : esc(v)}</td>`;

export function inspectionDate(f: FacilityRow): string {
  if (f.last_inspection_date) return esc(f.last_inspection_date);
  return f.last_inspection_note ? `<span class="muted">${esc(f.last_inspection_note)}</span>` : '';
}

function stateCell(f: FacilityRow): string {
  if (f.state || !f.state_effective) return text(f.state);
  return `<td>${esc(f.state_effective)}<span class="muted" title="not given in this release; the state other releases give this facility">*</span></td>`;
}

function options(values: string[], selected: string | undefined, all: string): string {
  const list = [...new Set([...values, ...(selected ? [selected] : [])])].sort();
  return `<option value="">${esc(all)}</option>${list.map((v) => `<option value="${esc(v)}"${v === selected ? ' selected' : ''}>${esc(v)}</option>`).join('')}`;
}

export function releaseLink(id: string): string {
  return `<a href="/-/releases/${esc(id)}"><code>${esc(id)}</code></a>`;
}

/* ---------------------------------------------------------------- /facilities */

/** Every facility of the newest release (within the vintage), filtered by the form's query parameters. */
export const facilitiesPage: PageRoute = {
  path: '/facilities',
  async render({ db, vintage, query }) {
    const filters = await parseFilters(db, query);
    const all = await listReleases(db, SOURCE);
    checkVintage(all, vintage);
    const releases = timeline(all, vintage);
    const rel = releases[0];
    if (!rel) {
      return {
        title: 'Facilities',
        body: `<h1>Detention facilities</h1><p>No ICE detention-statistics release is loaded${vintage !== 'latest' ? ` for vintage ${esc(vintage)}` : ''}.</p>`,
        data: { release: null, filters, count: 0, facilities: [] },
        csv: { rows: [], columns: CSV_COLUMNS },
        releases: [],
      };
    }
    const inferred = await inferredStates(db, rel.release_id);
    const rows = (await db.all(`${SELECT} WHERE f.release_id = $1 ORDER BY f."row"`, [rel.release_id])).map((r) => toFacility(r, rel, inferred));
    rows.sort((a, b) => (b.adp ?? -1) - (a.adp ?? -1) || a.name.localeCompare(b.name));
    const shown = rows.filter((f) => matches(f, filters));
    const filtered = Object.keys(filters).length > 0;
    const sum = (fs: FacilityRow[]) => fs.reduce((s, f) => s + (f.adp ?? 0), 0);
    const totalAdp = sum(rows);
    const shownAdp = sum(shown);
    const national = typeof rel.adp_fy === 'number' ? rel.adp_fy : null;
    const pct = (v: number) => (national ? `${((v / national) * 100).toFixed(1)}%` : '?');
    const fy = rel.fiscal_year ? `FY${rel.fiscal_year}` : 'the fiscal year';

    const summary = `<p><strong>${esc(fmt(rows.length))} facilities</strong> in the release with snapshot <strong>${esc(rel.snapshot_date ?? '?')}</strong> (release ${releaseLink(rel.release_id)}). Their average daily population adds up to <strong>${esc(fmt(Math.round(totalAdp)))}</strong> for ${esc(fy)} to date${
      national !== null ? `, against a national average daily population of <strong>${esc(fmt(Math.round(national)))}</strong> in the same release (${pct(totalAdp)})` : ''
    }.</p>
<p class="note">${esc(OMITS)} Facility figures are fiscal-year-to-date averages, which restart each October.</p>`;
    const filterLine = filtered
      ? `<p>Showing <strong>${esc(fmt(shown.length))}</strong> of ${esc(fmt(rows.length))} facilities (${[
          filters.q ? `name or city contains “${esc(filters.q)}”` : '',
          filters.state ? `state ${esc(filters.state)}` : '',
          filters.aor ? `AOR ${esc(filters.aor)}` : '',
          filters.type ? `type ${esc(filters.type)}` : '',
        ]
          .filter(Boolean)
          .join(', ')}), with an average daily population of ${esc(fmt(Math.round(shownAdp)))} (${pct(shownAdp)} of the national figure). <a href="/facilities${vintage !== 'latest' ? `?vintage=${esc(vintage)}` : ''}">Show all</a></p>`
      : '';
    const distinct = (get: (f: FacilityRow) => string | null) => [...new Set(rows.map(get).filter((v): v is string => v !== null))];
    const form = `<form method="get" action="/facilities" aria-label="Filter facilities">
<div style="display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin:.8rem 0">
<div><label for="f-q">Name or city</label><br><input id="f-q" name="q" type="search" maxlength="100" value="${esc(filters.q ?? '')}" style="max-width:100%"></div>
<div><label for="f-state">State</label><br><select id="f-state" name="state">${options(distinct((f) => f.state_effective), filters.state, 'All states')}</select></div>
<div><label for="f-aor">Area of responsibility</label><br><select id="f-aor" name="aor">${options(distinct((f) => (f.aor ? f.aor.toUpperCase() : null)), filters.aor, 'All AORs')}</select></div>
<div><label for="f-type">Facility type</label><br><select id="f-type" name="type">${options(distinct((f) => f.type), filters.type, 'All types')}</select></div>
${vintage !== 'latest' ? `<input type="hidden" name="vintage" value="${esc(vintage)}">` : ''}
<div><button type="submit">Filter</button></div>
</div></form>`;
    const head: Array<[string, boolean]> = [
      ['Facility', false], ['City', false], ['State', false], ['AOR', false], ['Type', false], ['ADP (FYTD)', true],
      ['Criminal', true], ['Non-criminal', true], ['Threat level 1', true], ['Threat level 2', true], ['Threat level 3', true], ['No threat level', true],
      ['Guaranteed minimum', true], ['Last inspection', false], ['Inspection date', false], ['Rating', false],
    ];
    const trs = shown.map(
      (f) =>
        `<tr><td><a href="/facilities/${esc(f.slug)}">${esc(f.name)}</a></td>${text(f.city)}${stateCell(f)}${text(f.aor)}${text(f.type)}${td(f.adp)}${td(f.crim)}${td(f.noncrim)}${td(f.threat_level_1)}${td(f.threat_level_2)}${td(f.threat_level_3)}${td(f.threat_level_none)}${td(f.guaranteed_minimum, 0)}${text(f.last_inspection_type)}<td>${inspectionDate(f)}</td>${text(f.last_inspection_rating)}</tr>`,
    );
    const body = `<h1>Detention facilities</h1>
${summary}
${form}
${filterLine}
${
  shown.length
    ? `<p class="muted">Largest average daily population (ADP) first; click a column heading to sort. ADP and its splits are people per day, ${esc(fy)} to date. Criminal = convicted criminal; threat levels are ICE's (1 = most serious). Guaranteed minimum = beds ICE pays for whether used or not.</p>
<div class="table-wrap"><table data-sortable><caption class="muted" style="text-align:left">Facilities, ${esc(rel.snapshot_date ?? '')}</caption>
<thead><tr>${head.map(([h, isNum]) => `<th scope="col"${isNum ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${trs.join('\n')}</tbody></table></div>`
    : '<p>No facility matches these filters.</p>'
}
<p class="muted">The facilities' ADP from the metrics API: <a href="${esc(`/api/v1/metrics/ice.facility_adp.csv?${new URLSearchParams({ by: 'facility,state,aor,type', from: String(rel.effective_date), to: String(rel.effective_date), vintage: rel.release_id }).toString()}`)}">ice.facility_adp</a> (${esc(metricById('ice.facility_adp')?.unit ?? '')}).</p>`;

    return {
      title: 'Facilities',
      body,
      data: {
        release: { release_id: rel.release_id, snapshot_date: rel.snapshot_date, fiscal_year: rel.fiscal_year },
        filters,
        count: shown.length,
        total_in_release: rows.length,
        adp_total: shownAdp,
        adp_total_release: totalAdp,
        national_adp: national,
        note: OMITS,
        facilities: shown,
      },
      csv: { rows: shown as unknown as Array<Record<string, unknown>>, columns: CSV_COLUMNS },
      releases: [rel],
    };
  },
};

