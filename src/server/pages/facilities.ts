import type { Database } from '../../db/connection.js';
import { listReleases, timeline, type ReleaseRecord } from '../../db/releases.js';
import type { JsValue } from '../../db/values.js';
import { ParamError } from '../../metrics/params.js';
import { metricById } from '../../metrics/registry.js';
import { timeChart } from '../../web/charts.js';
import { esc, fmt } from '../render/html.js';
import { facilitySlug, isSlug, stateCode } from './facility-slug.js';
import type { PageRoute } from './types.js';

const SOURCE = 'ice.detention-stats';

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

const CSV_COLUMNS = [
  'release_id', 'snapshot_date', 'slug', 'name', 'address', 'city', 'state', 'state_effective', 'zip', 'aor', 'type', 'gender', 'alos', 'adp',
  'crim', 'noncrim', 'male_crim', 'male_noncrim', 'female_crim', 'female_noncrim', 'level_a', 'level_b', 'level_c', 'level_d',
  'threat_level_1', 'threat_level_2', 'threat_level_3', 'threat_level_none', 'mandatory', 'guaranteed_minimum',
  'last_inspection_type', 'last_inspection_date', 'last_inspection_note', 'last_inspection_standard', 'last_inspection_rating', 'pending_inspection',
];

const SELECT = `SELECT f.release_id, f."row", f.name, f.address, f.city, f.state, f.zip, f.aor, f.type_detailed, f.gender, f.alos,
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
function add(...vs: Array<number | null>): number | null {
  const present = vs.filter((v): v is number => v !== null);
  return present.length ? present.reduce((a, b) => a + b, 0) : null;
}

/**
 * The state other releases give each name (most often) for names that some release
 * lists without a state; keyed by the name in upper case.
 */
async function inferredStates(db: Database, releaseId?: string): Promise<Map<string, string>> {
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

function toFacility(r: Record<string, JsValue>, rel: ReleaseRecord | undefined, inferred: Map<string, string>): FacilityRow {
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
function checkVintage(all: ReleaseRecord[], vintage: string): void {
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

const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
const td = (v: number | null, digits = 1) =>
  `<td class="num">${v === null ? '<span class="muted">–</span>' : esc(fmt(digits === 0 ? Math.round(v) : round1(v)))}</td>`;
const text = (v: string | null) => `<td>${v === null ? '' : esc(v)}</td>`;

function inspectionDate(f: FacilityRow): string {
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

function releaseLink(id: string): string {
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

/* ---------------------------------------------------------------- /facilities/:slug */

/** The releases a vintage allows, newest first, keeping those whose dates are suspect (tagged on the page). */
function allowedReleases(all: ReleaseRecord[], vintage: string): ReleaseRecord[] {
  const byDate = [...all].sort(
    (a, b) => String(b.effective_date).localeCompare(String(a.effective_date)) || String(b.known_at).localeCompare(String(a.known_at)),
  );
  if (vintage === 'latest') return byDate;
  if (/^\d{4}-\d{2}-\d{2}$/.test(vintage)) return byDate.filter((r) => String(r.known_at) <= vintage);
  const i = byDate.findIndex((r) => r.release_id === vintage);
  return i < 0 ? [] : byDate.slice(i);
}

/** Values of one release for the chart: identical duplicate rows once, different rows of one release added. */
function releaseAdp(rows: FacilityRow[]): number | null {
  const seen = new Set<string>();
  let total: number | null = null;
  for (const r of rows) {
    const key = JSON.stringify([r.address, r.male_crim, r.male_noncrim, r.female_crim, r.female_noncrim]);
    if (seen.has(key) || r.adp === null) continue;
    seen.add(key);
    total = (total ?? 0) + r.adp;
  }
  return total;
}

function fyStarts(from: string, to: string): Array<{ date: string; label: string }> {
  const out: Array<{ date: string; label: string }> = [];
  for (let y = Number(from.slice(0, 4)) - 1; y <= Number(to.slice(0, 4)); y++) {
    const d = `${y}-10-01`;
    if (d > from && d <= to) out.push({ date: d, label: `FY${String(y + 1).slice(2)}` });
  }
  return out;
}

/** One facility across every release that lists it. */
export const facilityPage: PageRoute = {
  path: '/facilities/:slug',
  async render({ db, vintage, params }) {
    const slug = params.slug ?? '';
    if (!isSlug(slug)) return undefined;
    const all = await listReleases(db, SOURCE);
    checkVintage(all, vintage);
    const allowed = allowedReleases(all, vintage);
    const byId = new Map(allowed.map((r) => [r.release_id, r]));
    const order = new Map(allowed.map((r, i) => [r.release_id, i]));
    const st = slug.slice(slug.lastIndexOf('-') + 1);
    const inferred = await inferredStates(db);
    const rows = (
      await db.all(`${SELECT} WHERE lower(trim(f.state)) = $1 OR coalesce(trim(f.state), '') = '' ORDER BY f.release_id, f."row"`, [st])
    )
      .filter((r) => byId.has(String(r.release_id)))
      .map((r) => toFacility(r, byId.get(String(r.release_id)), inferred))
      .filter((f) => f.slug === slug)
      .sort((a, b) => order.get(a.release_id)! - order.get(b.release_id)! || a.row - b.row);
    const latest = rows.find((r) => !r.date_suspect) ?? rows[0];
    if (!latest) return undefined;

    const perRelease = new Map<string, FacilityRow[]>();
    for (const r of rows) perRelease.set(r.release_id, [...(perRelease.get(r.release_id) ?? []), r]);
    // one point per snapshot date: of releases sharing a date, the one known last (as the metrics choose)
    const byDate = new Map<string, number>();
    for (const rel of allowed) {
      const rs = perRelease.get(rel.release_id);
      const value = rs ? releaseAdp(rs) : null;
      if (!rs || rel.date_suspect || value === null || typeof rel.effective_date !== 'string' || byDate.has(rel.effective_date)) continue;
      byDate.set(rel.effective_date, value);
    }
    const points = [...byDate.entries()].map(([date, value]) => ({ date, value })).sort((a, b) => a.date.localeCompare(b.date));
    const first = points[0]?.date;
    const last = points.at(-1)?.date;
    const chart =
      points.length > 1
        ? timeChart(points, {
            title: `Average daily population of ${latest.name}, fiscal year to date, at each release`,
            yLabel: 'people (average per day, FYTD)',
            xLabel: 'snapshot date (calendar); dashed lines: fiscal years begin',
            annotations: first && last ? fyStarts(first, last) : [],
          })
        : '<p class="muted">Only one release lists this facility: no chart.</p>';
    const dupes = [...perRelease.values()].some((rs) => rs.length > 1);
    const names = [...new Set(rows.map((r) => r.name))];

    const attr: Array<[string, string]> = [
      ['Name', esc(latest.name)],
      ['Address', esc([latest.address, latest.city, [latest.state_effective, latest.zip].filter(Boolean).join(' ')].filter(Boolean).join(', '))],
      ['Area of responsibility (AOR)', esc(latest.aor ?? '')],
      ['Type', esc(latest.type ?? '')],
      ['Gender', esc(latest.gender ?? '')],
      ['Average daily population (FYTD)', esc(fmt(round1(latest.adp)))],
      ['Criminal / non-criminal', `${esc(fmt(round1(latest.crim)))} / ${esc(fmt(round1(latest.noncrim)))}`],
      ['Men criminal / non-criminal', `${esc(fmt(round1(latest.male_crim)))} / ${esc(fmt(round1(latest.male_noncrim)))}`],
      ['Women criminal / non-criminal', `${esc(fmt(round1(latest.female_crim)))} / ${esc(fmt(round1(latest.female_noncrim)))}`],
      ['Classification level A / B / C / D', [latest.level_a, latest.level_b, latest.level_c, latest.level_d].map((v) => esc(fmt(round1(v)))).join(' / ')],
      ['ICE threat level 1 / 2 / 3 / none', [latest.threat_level_1, latest.threat_level_2, latest.threat_level_3, latest.threat_level_none].map((v) => esc(fmt(round1(v)))).join(' / ')],
      ['Mandatory detention', esc(fmt(round1(latest.mandatory)))],
      ['Average length of stay (days)', esc(fmt(round1(latest.alos)))],
      ['Guaranteed minimum (beds)', esc(fmt(latest.guaranteed_minimum))],
      ['Last inspection', [latest.last_inspection_type, latest.last_inspection_date ?? latest.last_inspection_note, latest.last_inspection_standard, latest.last_inspection_rating].filter(Boolean).map((v) => esc(v)).join(' · ')],
      ['Pending inspection', esc(latest.pending_inspection ?? '')],
    ];
    const head: Array<[string, boolean]> = [
      ['Snapshot', false], ['Release', false], ['FY', false], ['ADP (FYTD)', true], ['Criminal', true], ['Non-criminal', true],
      ['Threat level 1', true], ['Threat level 2', true], ['Threat level 3', true], ['No threat level', true], ['Guaranteed minimum', true],
      ['Last inspection', false], ['Inspection date', false], ['Rating', false],
    ];
    const trs = rows.map(
      (f) =>
        `<tr><td>${esc(f.snapshot_date ?? '')}${f.date_suspect ? ' <span class="tag">date suspect</span>' : ''}</td><td>${releaseLink(f.release_id)}</td><td>${f.fiscal_year ? `FY${f.fiscal_year}` : ''}</td>${td(f.adp)}${td(f.crim)}${td(f.noncrim)}${td(f.threat_level_1)}${td(f.threat_level_2)}${td(f.threat_level_3)}${td(f.threat_level_none)}${td(f.guaranteed_minimum, 0)}${text(f.last_inspection_type)}<td>${inspectionDate(f)}</td>${text(f.last_inspection_rating)}</tr>`,
    );
    const relList = allowed.filter((r) => perRelease.has(r.release_id));
    const body = `<p><a href="/facilities">← All facilities</a></p>
<h1>${esc(latest.name)}</h1>
<p>${esc([latest.city, latest.state_effective].filter(Boolean).join(', '))} · AOR ${esc(latest.aor ?? '?')} · ${esc(latest.type ?? 'type not given')} · listed in ${esc(fmt(perRelease.size))} release${perRelease.size === 1 ? '' : 's'} from ${esc(rows.at(-1)?.snapshot_date ?? '?')} to ${esc(latest.snapshot_date ?? '?')}.</p>
${names.length > 1 ? `<p class="muted">Written as: ${names.map((n) => `“${esc(n)}”`).join(', ')}.</p>` : ''}
<h2>Average daily population over time</h2>
<figure>${chart}
<figcaption><p>Each point is a release, at its snapshot date (calendar dates); fiscal years run October–September. Unit: people (average per day). ICE gives each facility's average daily population for the fiscal year to date, so the series restarts every October 1 (the dashed lines) and a value early in a year averages only a few weeks. The facility's average is the sum of ICE's four criminality-by-gender columns.${dupes ? ' Where a release lists the facility twice, identical rows are counted once and different rows are added.' : ''} Where two releases share a snapshot date the chart shows the one published last; releases whose snapshot date is suspect are left out of the chart. The table lists every row.</p>
<p>Download: <a href="/facilities/${esc(slug)}.csv${vintage !== 'latest' ? `?vintage=${esc(vintage)}` : ''}">CSV of every release row</a></p></figcaption></figure>
<h2>In the latest release (snapshot ${esc(latest.snapshot_date ?? '?')})</h2>
<div class="table-wrap"><table><tbody>${attr.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table></div>
<p class="muted">Figures are people per day, ${latest.fiscal_year ? `FY${latest.fiscal_year}` : 'fiscal year'} to date. Criminal = convicted criminal. ICE threat levels: 1 is the most serious. Guaranteed minimum: beds ICE pays for whether used or not.</p>
<h2>Every release</h2>
<p class="muted">Every row of every release that lists this facility, newest first; people per day, fiscal year to date.</p>
<div class="table-wrap"><table data-sortable><caption class="muted" style="text-align:left">${esc(latest.name)} in each release</caption>
<thead><tr>${head.map(([h, isNum]) => `<th scope="col"${isNum ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${trs.join('\n')}</tbody></table></div>`;

    return {
      title: latest.name,
      body,
      data: { slug, facility: latest, names, releases: relList.map((r) => r.release_id), rows },
      csv: { rows: rows as unknown as Array<Record<string, unknown>>, columns: CSV_COLUMNS },
      releases: relList,
    };
  },
};
