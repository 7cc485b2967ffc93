import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { Database } from '../../db/connection.js';
import { listReleases, type ReleaseRecord } from '../../db/releases.js';
import { normaliseName } from '../../facilities/normalise.js';
import { DEATH_CAVEATS, DEATH_SOURCE } from '../../metrics/deaths.js';
import { ParamError, parseQuery } from '../../metrics/params.js';
import { runMetric } from '../../metrics/query.js';
import { metricById } from '../../metrics/registry.js';
import { ICE_DEATH_REPORTING_PAGE, ICE_FOIA_DEATH_LIST_PDF } from '../../sources/ice/deaths/columns.js';
import { DEATHS_REPO } from '../../sources/ice/deaths/discover.js';
import { matchDeathPlaces, nameForMatching, placeKey, type DeathPlace } from '../../sources/ice/deaths/facilities.js';
import { esc, fmt } from '../render/html.js';
import { facilitySlug } from './facility-slug.js';
import type { PageRoute } from './types.js';

const METRIC = 'ice.deaths';

const SOURCES = [
  { key: 'ice-foia-list', label: "ICE's FOIA list (2003–2017)", color: '#1f5f99' },
  { key: 'ice-death-report', label: 'ICE death report', color: '#59a14f' },
  { key: 'other-source', label: 'another source cited by the file (no ICE report in it)', color: '#b9a36a' },
] as const;
type SourceKey = (typeof SOURCES)[number]['key'];
const SOURCE_LABEL = new Map<string, string>(SOURCES.map((s) => [s.key, s.label]));

/* ---------------------------------------------------------------- releases and rows */

/**
 * The releases of the death lists a vintage allows, as runMetric allows them: 'latest' all;
 * YYYY-MM-DD those known by then; a release id (of any source) those placed before it or
 * on its date and known by then. Newest first.
 */
async function allowedReleases(db: Database, vintage: string): Promise<ReleaseRecord[]> {
  const all = await listReleases(db, DEATH_SOURCE);
  let keep: (r: ReleaseRecord) => boolean = () => true;
  if (/^\d{4}-\d{2}-\d{2}$/.test(vintage)) keep = (r) => String(r.known_at) <= vintage;
  else if (vintage !== 'latest') {
    const pin = await db.one(`SELECT strftime(effective_date, '%Y-%m-%d') AS eff, strftime(known_at, '%Y-%m-%d') AS known FROM release_order WHERE release_id = $1`, [vintage]);
    if (!pin) throw new ParamError('vintage', `no release '${vintage}' (see /-/releases)`);
    const eff = String(pin.eff);
    const known = String(pin.known);
    keep = (r) => String(r.effective_date) < eff || (String(r.effective_date) === eff && String(r.known_at) <= known);
  }
  return all
    .filter(keep)
    .sort((a, b) => String(b.effective_date).localeCompare(String(a.effective_date)) || String(b.known_at).localeCompare(String(a.known_at)) || b.release_id.localeCompare(a.release_id));
}

interface Person {
  release_id: string;
  line: number;
  series: string;
  record_source: SourceKey;
  record_no: number | null;
  name: string | null;
  sex: string | null;
  age: number | null;
  date_of_death: string;
  fiscal_year: number;
  fiscal_year_stated: number | null;
  country: string | null;
  country_iso3: string | null;
  country_name: string | null;
  cause: string | null;
  facility: string | null;
  facility_reported: string | null;
  city: string | null;
  state: string | null;
  place_of_death: string | null;
  facility_type: string | null;
  url: string | null;
}

/**
 * The deaths the page lists: per list (series) and fiscal year, the rows of the latest
 * allowed file that reports that year: the pick the metric makes, so that the list, the
 * yearly counts and the API agree.
 */
async function people(db: Database, allowed: ReleaseRecord[]): Promise<Person[]> {
  if (allowed.length === 0) return [];
  const ids = allowed.map((r) => r.release_id);
  const rows = await db.all(
    `WITH d AS (
       SELECT d.*, o.effective_date, o.known_at FROM ice_deaths d JOIN release_order o USING (release_id)
        WHERE list_contains(string_split($1, ','), d.release_id)),
     ranked AS (
       SELECT *, dense_rank() OVER (PARTITION BY series, fiscal_year ORDER BY effective_date DESC, known_at DESC, release_id DESC) AS rk FROM d)
     SELECT release_id, line, series, record_source, record_no, name, sex, age, strftime(date_of_death, '%Y-%m-%d') AS date_of_death,
            fiscal_year, fiscal_year_stated, country, country_iso3, country_name, cause, facility, facility_reported, city, state,
            place_of_death, facility_type, url
       FROM ranked WHERE rk = 1
      ORDER BY date_of_death DESC, name`,
    [ids.join(',')],
  );
  return rows as unknown as Person[];
}

/* ---------------------------------------------------------------- facilities */

interface FacilityGroup {
  key: string;
  detloc: string | null;
  registry_name: string | null;
  slug: string | null;
  names: string[];
  state: string | null;
  deaths: number;
  first: string;
  last: string;
}

interface Unmatched {
  facility: string;
  city: string | null;
  state: string | null;
  deaths: number;
  method: string;
  candidates: string | null;
}

/** The detention statistics' name of each code, for a link to its facility page. */
async function facilityPages(db: Database, codes: string[]): Promise<Map<string, { name: string; slug: string | null }>> {
  const out = new Map<string, { name: string; slug: string | null }>();
  if (codes.length === 0) return out;
  const registry = await db.all(`SELECT detloc, name FROM facility_registry WHERE list_contains(string_split($1, ','), detloc)`, [codes.join(',')]);
  for (const r of registry) out.set(String(r.detloc), { name: String(r.name ?? r.detloc), slug: null });
  const stats = await db.all(
    `SELECT detloc, arg_max(name, last_seen) AS name, arg_max(state, last_seen) AS state
       FROM facility_sightings_detention_stats WHERE list_contains(string_split($1, ','), detloc) GROUP BY detloc`,
    [codes.join(',')],
  );
  for (const r of stats) {
    const code = String(r.detloc);
    const state = r.state === null ? null : String(r.state);
    if (r.name !== null && state) out.set(code, { name: out.get(code)?.name ?? String(r.name), slug: facilitySlug(String(r.name), state) });
  }
  return out;
}

/* ---------------------------------------------------------------- chart */

const { document } = parseHTML('<!doctype html><html><body></body></html>');

interface YearStack {
  period: string;
  source: SourceKey;
  value: number;
}

/** Deaths per fiscal year, stacked by the kind of record; the total above each bar, '*' on an incomplete year. */
function yearChart(stacks: YearStack[], totals: Array<{ period: string; total: number; incomplete: boolean }>, title: string): string {
  const present = SOURCES.filter((s) => stacks.some((x) => x.source === s.key && x.value > 0));
  const svg = Plot.plot({
    document,
    width: 760,
    height: 300,
    marginLeft: 44,
    marginTop: 24,
    marginBottom: 66,
    style: { fontSize: '12px' },
    x: { type: 'band', label: 'fiscal year (October–September)', labelAnchor: 'center', labelOffset: 60, domain: totals.map((t) => t.period), padding: 0.2, tickRotate: -45 },
    y: { label: 'deaths', grid: true, tickFormat: 'd' },
    color: { domain: present.map((s) => s.key), range: present.map((s) => s.color) },
    marks: [
      Plot.barY(stacks, { x: 'period', y: 'value', fill: 'source', order: SOURCES.map((s) => s.key), title: (d: YearStack) => `${d.period}: ${d.value} (${SOURCE_LABEL.get(d.source)})` }),
      Plot.text(totals, { x: 'period', y: 'total', text: (t: { total: number; incomplete: boolean }) => `${t.total}${t.incomplete ? '*' : ''}`, dy: -7 }),
      Plot.ruleY([0]),
    ],
  });
  const el = svg as unknown as { outerHTML: string; setAttribute: (k: string, v: string) => void };
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', title);
  const legend = present
    .map((s) => `<span style="white-space:nowrap;margin-right:1em"><span aria-hidden="true" style="display:inline-block;width:.9em;height:.9em;vertical-align:middle;background:${s.color}"></span> ${esc(s.label)}</span>`)
    .join(' ');
  return `<p class="muted" style="margin:.2rem 0;font-size:.88rem">${legend}</p>${el.outerHTML}`;
}

/* ---------------------------------------------------------------- html helpers */

const num = (v: number | null | undefined) => `<td class="num">${v === null || v === undefined ? '<span class="muted">–</span>' : esc(fmt(v))}</td>`;
const text = (v: string | null | undefined) => `<td>${v ? esc(v) : '<span class="muted">–</span>'}</td>`;
const fy = (d: string) => `FY${Number(d.slice(0, 4)) + (Number(d.slice(5, 7)) >= 10 ? 1 : 0)}`;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const longDate = (d: string) => `${Number(d.slice(8, 10))} ${MONTHS[Number(d.slice(5, 7)) - 1] ?? '?'} ${d.slice(0, 4)}`;
const dayBefore = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
const dayAfter = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const host = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

function recordCell(p: Person): string {
  if (p.record_source === 'ice-foia-list') {
    return `<td><a href="${esc(ICE_FOIA_DEATH_LIST_PDF)}">ICE FOIA list</a>${p.record_no !== null ? ` <span class="muted">(entry ${esc(p.record_no)})</span>` : ''}</td>`;
  }
  if (p.record_source === 'ice-death-report' && p.url) return `<td><a href="${esc(p.url)}">ICE death report (PDF)</a></td>`;
  const cited = p.url ? `; the file cites <a href="${esc(p.url)}">${esc(host(p.url))}</a>` : '';
  return `<td><a href="${esc(ICE_DEATH_REPORTING_PAGE)}">ICE's death reporting page</a> <span class="muted">(no ICE report in the file${cited})</span></td>`;
}

function countryText(p: Person): string | null {
  if (!p.country) return null;
  return p.country_name && p.country_name.toUpperCase() !== p.country.toUpperCase() ? `${p.country} (${p.country_name})` : p.country;
}

/* ---------------------------------------------------------------- the page */

/**
 * Deaths in ICE custody: per fiscal year, per facility, and the people as ICE's documents
 * name them, each linked to ICE's report where the file has one.
 */
export const deathsPage: PageRoute = {
  path: '/deaths',
  async render({ db, vintage }) {
    const def = metricById(METRIC);
    if (!def) throw new Error(`metric ${METRIC} is not registered`);
    const allowed = await allowedReleases(db, vintage);
    const list = await people(db, allowed);
    const pin = vintage !== 'latest' ? vintage : (allowed[0]?.release_id ?? 'latest');
    const raw = { grain: 'fy', by: 'source' };
    const yearly = await runMetric(db, def, parseQuery(def, { ...raw, vintage }));
    const shownIds = new Set(list.map((p) => p.release_id));
    const shown = allowed.filter((r) => shownIds.has(r.release_id));

    // coverage: where each list starts and ends, and the gap between them
    const bySeries = new Map<string, Person[]>();
    for (const p of list) bySeries.set(p.series, [...(bySeries.get(p.series) ?? []), p]);
    const span = (rows: Person[] | undefined) => (rows?.length ? { first: rows.at(-1)!.date_of_death, last: rows[0]!.date_of_death, deaths: rows.length } : null);
    const foia = span(bySeries.get('foia-list'));
    const index = span(bySeries.get('report-index'));
    const gap = foia && index && foia.last < index.first ? { from: dayAfter(foia.last), to: dayBefore(index.first) } : null;
    const incomplete = new Set<string>();
    if (gap) {
      incomplete.add(fy(gap.from));
      incomplete.add(fy(gap.to));
    }
    for (const p of yearly.partialPeriods) incomplete.add(p);

    // per fiscal year: every year from the first to the last, by kind of record
    const totals = new Map<string, Record<SourceKey, number>>();
    for (const r of yearly.rows) {
      const t = totals.get(String(r.period)) ?? { 'ice-foia-list': 0, 'ice-death-report': 0, 'other-source': 0 };
      t[String(r.source) as SourceKey] += Number(r.value);
      totals.set(String(r.period), t);
    }
    const years = [...totals.keys()].map((p) => Number(p.slice(2))).sort((a, b) => a - b);
    const periods: string[] = [];
    for (let y = years[0] ?? 0; years.length && y <= years.at(-1)!; y++) periods.push(`FY${y}`);
    const yearRows = periods.map((period) => {
      const t = totals.get(period) ?? { 'ice-foia-list': 0, 'ice-death-report': 0, 'other-source': 0 };
      const total = t['ice-foia-list'] + t['ice-death-report'] + t['other-source'];
      return { period, ice_foia_list: t['ice-foia-list'], ice_death_reports: t['ice-death-report'], other_sources: t['other-source'], total, incomplete: incomplete.has(period) };
    });
    const stacks: YearStack[] = periods.flatMap((period) => SOURCES.map((s) => ({ period, source: s.key, value: totals.get(period)?.[s.key] ?? 0 })));

    // per facility: joined to ICE facility codes where the name allows
    const places: DeathPlace[] = list.filter((p) => p.facility).map((p) => ({ facility: p.facility!, city: p.city, state: p.state }));
    const { registry, matches } = await matchDeathPlaces(db, places);
    const codeOf = (p: Person) => (p.facility ? (matches.get(placeKey({ facility: p.facility, city: p.city, state: p.state }))?.detloc ?? null) : null);
    const pages = registry ? await facilityPages(db, [...new Set(list.map(codeOf).filter((c): c is string => c !== null))]) : new Map<string, { name: string; slug: string | null }>();
    const groups = new Map<string, FacilityGroup>();
    const unmatched = new Map<string, Unmatched>();
    for (const p of list) {
      const code = codeOf(p);
      const key = code ?? (p.facility ? `name:${normaliseName(nameForMatching(p.facility), p.state)}|${p.state ?? ''}` : 'none');
      const g = groups.get(key) ?? { key, detloc: code, registry_name: code ? (pages.get(code)?.name ?? null) : null, slug: code ? (pages.get(code)?.slug ?? null) : null, names: [], state: p.state, deaths: 0, first: p.date_of_death, last: p.date_of_death };
      if (p.facility && !g.names.includes(p.facility)) g.names.push(p.facility);
      g.deaths++;
      if (p.date_of_death < g.first) g.first = p.date_of_death;
      if (p.date_of_death > g.last) g.last = p.date_of_death;
      g.state ??= p.state;
      groups.set(key, g);
      if (p.facility && !code) {
        const m = matches.get(placeKey({ facility: p.facility, city: p.city, state: p.state }));
        const k = placeKey({ facility: p.facility, city: p.city, state: p.state });
        const u = unmatched.get(k) ?? { facility: p.facility, city: p.city, state: p.state, deaths: 0, method: m?.method ?? 'not-matched', candidates: m?.candidates ?? null };
        u.deaths++;
        unmatched.set(k, u);
      }
    }
    const facilityRows = [...groups.values()].sort((a, b) => b.deaths - a.deaths || (a.names[0] ?? '').localeCompare(b.names[0] ?? ''));
    const distinctPlaces = new Set(places.map(placeKey)).size;
    const matchedPlaces = [...matches.values()].filter((m) => m.detloc !== null).length;
    const unmatchedRows = [...unmatched.values()].sort((a, b) => b.deaths - a.deaths || a.facility.localeCompare(b.facility));

    const otherRows = list.filter((p) => p.record_source === 'other-source');
    const enforcement = otherRows.filter((p) => /enforcement action/i.test(p.facility ?? ''));
    const relabelled = list.filter((p) => p.fiscal_year_stated !== null && p.fiscal_year_stated !== p.fiscal_year);
    const keep = vintage !== 'latest' ? `&vintage=${encodeURIComponent(vintage)}` : '';
    const csvYearly = `/api/v1/metrics/${METRIC}.csv?grain=fy&by=source&vintage=${encodeURIComponent(pin)}`;
    const csvFacility = `/api/v1/metrics/${METRIC}.csv?grain=fy&by=facility,state&vintage=${encodeURIComponent(pin)}`;
    const files = (ids: Iterable<string>) =>
      [...new Set(ids)]
        .map((id) => allowed.find((r) => r.release_id === id))
        .filter((r): r is ReleaseRecord => r !== undefined)
        .map((r) => `<a href="/-/releases/${esc(r.release_id)}">${esc(r.file_names.join(', '))}</a> (release <code>${esc(r.release_id)}</code>)`)
        .join(', ');

    const vintageNote = vintage !== 'latest' ? `<p class="muted">Vintage <code>${esc(vintage)}</code>: only the files known by then are used.</p>` : '';
    const empty = `<p>No death list is loaded${vintage !== 'latest' ? ' for this vintage' : ''}. The tracker reads <code>_extracted_foia_2003_2017.csv</code> and <code>detailed_death_data.csv</code> of <a href="${esc(DEATHS_REPO)}">etchin/ice-detention-mortality</a>: <code>tracker ingest FOLDER</code>.</p>`;

    const body = `<h1>Deaths in ICE custody</h1>
<p>ICE reports the death of each person who dies in its custody. This page lists the ${esc(fmt(list.length))} deaths in two lists${list.length ? `, from ${esc(longDate(list.at(-1)!.date_of_death))} to ${esc(longDate(list[0]!.date_of_death))}` : ''}, counts them by fiscal year and by facility, and links each to ICE's report where there is one. Each row is one person. Names, ages, countries and places are as ICE's documents give them (for rows taken from another source, as that source gives them).</p>
<p><strong>These are not ICE's own files.</strong> ICE publishes the deaths as PDF documents: a list of detainee deaths from October 2003 to 2017, released under the Freedom of Information Act (<a href="${esc(ICE_FOIA_DEATH_LIST_PDF)}">PDF</a>), and, from FY2018, a report on each death on its <a href="${esc(ICE_DEATH_REPORTING_PAGE)}">detainee death reporting page</a>. A research repository, <a href="${esc(DEATHS_REPO)}">etchin/ice-detention-mortality</a> (data under CC BY 4.0), extracted both to CSV; the tracker reads those files.</p>
${vintageNote}
<h2 id="caveats">What to know before using these numbers</h2>
<ul>
${foia ? `<li>ICE's FOIA list, as extracted: ${esc(fmt(foia.deaths))} deaths, ${esc(longDate(foia.first))} to ${esc(longDate(foia.last))}. The text was extracted from a PDF: spacing and hyphens are cleaned up here, and an entry of the PDF may be missing from the extraction (the anomaly <code>missing-record</code> on the file's <a href="/-/releases/${esc(bySeries.get('foia-list')![0]!.release_id)}">release page</a>).</li>` : ''}
${index ? `<li>The index of ICE's death reports, as extracted: ${esc(fmt(index.deaths))} deaths, ${esc(longDate(index.first))} to ${esc(longDate(index.last))}; ${esc(fmt(index.deaths - otherRows.length))} of them link to an ICE death report (PDF).</li>` : ''}
${gap ? `<li><strong>A gap:</strong> no death from ${esc(longDate(gap.from))} to ${esc(longDate(gap.to))} is in either list, so ${esc([...new Set([fy(gap.from), fy(gap.to)])].join(' and '))} are incomplete here (marked *).</li>` : ''}
${otherRows.length ? `<li>${esc(fmt(otherRows.length))} ${otherRows.length === 1 ? 'row of the index cites' : 'rows of the index cite'} another source instead of an ICE report (${esc([...new Set(otherRows.map((p) => (p.url ? host(p.url) : 'no source')))].join(', '))}): the research repository took them from there, not from a report ICE had published. They are counted and marked “${esc(SOURCE_LABEL.get('other-source')!)}”.${enforcement.length ? ` ${esc(fmt(enforcement.length))} of them give the place as an “ICE enforcement action” rather than a detention facility; ICE's own count of deaths in custody may not include them.` : ''}</li>` : ''}
${relabelled.length ? `<li>Deaths are counted in ICE's fiscal year (October–September) of the date of death. The file's own fiscal-year label differs for ${esc(fmt(relabelled.length))} ${relabelled.length === 1 ? 'death' : 'deaths'} (it gives the calendar year); the tracker uses the date.</li>` : ''}
<li>Facilities are named as the lists write them, so one facility can appear under several names; they are matched to ICE's facility codes where the name allows.</li>
</ul>

<h2 id="years">Deaths by fiscal year</h2>
${
  list.length === 0
    ? empty
    : `<figure>${yearChart(stacks, yearRows.map((r) => ({ period: r.period, total: r.total, incomplete: r.incomplete })), 'Deaths in ICE custody by fiscal year, by kind of record')}
<figcaption><p>Deaths by ICE's fiscal year of the date of death (FY2026 = October 2025 to September 2026). * incomplete: ${esc([...incomplete].sort().join(', ') || 'none')} (the gap between the lists, or the year to date). Files: ${files(yearly.releases)}.</p>
<p>Download CSV: <a href="${esc(csvYearly)}">deaths by fiscal year and kind of record</a> · <a href="/deaths.csv${keep ? `?${keep.slice(1)}` : ''}">the list of deaths</a></p></figcaption></figure>
<div class="table-wrap"><table data-sortable><caption class="muted" style="text-align:left">Deaths in ICE custody by fiscal year</caption>
<thead><tr><th scope="col">Fiscal year</th>${SOURCES.map((s) => `<th scope="col" class="num">${esc(s.label)}</th>`).join('')}<th scope="col" class="num">Total</th><th scope="col">Note</th></tr></thead>
<tbody>${yearRows
        .map((r) => `<tr><td>${esc(r.period)}</td>${num(r.ice_foia_list)}${num(r.ice_death_reports)}${num(r.other_sources)}${num(r.total)}<td>${r.incomplete ? '<span class="tag">incomplete</span>' : ''}</td></tr>`)
        .join('\n')}</tbody></table></div>`
}

<h2 id="facilities">Deaths by facility</h2>
${
  list.length === 0
    ? ''
    : `<p>The facility where the person was last held (ICE's FOIA list) or the facility or place the death report names (from FY2018; sometimes the hospital where the person died). ${
        registry
          ? `${esc(fmt(matchedPlaces))} of the ${esc(fmt(distinctPlaces))} names (with their place) were matched to an ICE facility code with the facility registry's rules; a code links to the facility's page where ICE's detention statistics list it.`
          : 'No facility list is loaded, so no name could be matched to an ICE facility code (ingest ICE\'s facility lists or UWCHR\'s facilities.csv.gz).'
      } Download CSV: <a href="${esc(csvFacility)}">deaths by fiscal year and facility as written</a>.</p>
<div class="table-wrap"><table data-sortable><caption class="muted" style="text-align:left">Deaths by facility or place, most first</caption>
<thead><tr><th scope="col">Facility or place, as the lists write it</th><th scope="col">State</th><th scope="col">ICE facility code</th><th scope="col" class="num">Deaths</th><th scope="col">First</th><th scope="col">Last</th></tr></thead>
<tbody>${facilityRows
        .map((g) => {
          const code = g.detloc
            ? `<td>${g.slug ? `<a href="/facilities/${esc(g.slug)}"><code>${esc(g.detloc)}</code></a>` : `<a href="/api/v1/facilities/registry?detloc=${esc(g.detloc)}"><code>${esc(g.detloc)}</code></a>`}${g.registry_name ? ` <span class="muted">${esc(g.registry_name)}</span>` : ''}</td>`
            : '<td><span class="muted">not matched</span></td>';
          return `<tr><td>${g.names.length ? g.names.map(esc).join('<br>') : '<span class="muted">not stated</span>'}</td>${text(g.state)}${code}${num(g.deaths)}<td>${esc(g.first)}</td><td>${esc(g.last)}</td></tr>`;
        })
        .join('\n')}</tbody></table></div>
${
  unmatchedRows.length && registry
    ? `<details><summary>${esc(fmt(unmatchedRows.length))} names not matched to a facility code</summary>
<p class="muted">Hospitals, places and names the registry's rules cannot tie to one code; the closest codes of the same state are given for review. A reviewed match is one line in <code>src/facilities/name-crosswalk.csv</code>.</p>
<div class="table-wrap"><table data-sortable><thead><tr><th scope="col">Name as written</th><th scope="col">City</th><th scope="col">State</th><th scope="col" class="num">Deaths</th><th scope="col">Closest codes</th></tr></thead>
<tbody>${unmatchedRows.map((u) => `<tr><td>${esc(u.facility)}</td>${text(u.city)}${text(u.state)}${num(u.deaths)}${text(u.candidates)}</tr>`).join('\n')}</tbody></table></div></details>`
    : ''
}`
}

<h2 id="people">The people who died</h2>
${
  list.length === 0
    ? ''
    : `<p>Newest first, as ICE's documents name them. Ages are at death. Each row links to ICE's death report where the file has one; for the FOIA list, to ICE's PDF.</p>
<div class="table-wrap"><table data-sortable><caption class="muted" style="text-align:left">Deaths in ICE custody, ${esc(fmt(list.length))} people</caption>
<thead><tr><th scope="col">Date of death</th><th scope="col">Name</th><th scope="col" class="num">Age</th><th scope="col">Country of citizenship</th><th scope="col">Facility or place</th><th scope="col">State</th><th scope="col">Record</th></tr></thead>
<tbody>${list
        .map((p) => `<tr><td>${esc(p.date_of_death)}</td>${text(p.name)}${num(p.age)}${text(countryText(p))}${text(p.facility)}${text(p.state)}${recordCell(p)}</tr>`)
        .join('\n')}</tbody></table></div>`
}`;

    const personOut = (p: Person) => {
      const m = p.facility ? matches.get(placeKey({ facility: p.facility, city: p.city, state: p.state })) : undefined;
      return {
        date_of_death: p.date_of_death,
        fiscal_year: p.fiscal_year,
        fiscal_year_stated: p.fiscal_year_stated,
        name: p.name,
        age: p.age,
        sex: p.sex,
        country: p.country,
        country_name: p.country_name,
        country_iso3: p.country_iso3,
        facility: p.facility,
        city: p.city,
        state: p.state,
        detloc: m?.detloc ?? null,
        match_method: m?.method ?? null,
        place_of_death: p.place_of_death,
        facility_type: p.facility_type,
        cause: p.cause,
        record_source: p.record_source,
        url: p.url ?? (p.record_source === 'ice-foia-list' ? ICE_FOIA_DEATH_LIST_PDF : null),
        release_id: p.release_id,
        line: p.line,
      };
    };
    const peopleOut = list.map(personOut);
    return {
      title: 'Deaths in ICE custody',
      body,
      data: {
        vintage,
        pinned_vintage: pin,
        metric: METRIC,
        note: "Not ICE's own files: CSVs a research repository (etchin/ice-detention-mortality) extracted from ICE's PDFs.",
        sources: { repository: DEATHS_REPO, ice_death_reporting: ICE_DEATH_REPORTING_PAGE, ice_foia_list: ICE_FOIA_DEATH_LIST_PDF },
        releases: shown.map((r) => r.release_id),
        coverage: { foia_list: foia, report_index: index, gap, incomplete_years: [...incomplete].sort() },
        caveats: DEATH_CAVEATS,
        per_fiscal_year: { csv: csvYearly, releases: yearly.releases, partial_periods: yearly.partialPeriods, rows: yearRows },
        per_facility: {
          csv: csvFacility,
          registry_loaded: registry,
          places: distinctPlaces,
          matched: matchedPlaces,
          rows: facilityRows.map((g) => ({ detloc: g.detloc, registry_name: g.registry_name, facility_page: g.slug ? `/facilities/${g.slug}` : null, names: g.names, state: g.state, deaths: g.deaths, first: g.first, last: g.last })),
          unmatched: unmatchedRows,
        },
        people: peopleOut,
      },
      csv: {
        rows: peopleOut,
        columns: ['date_of_death', 'fiscal_year', 'name', 'age', 'sex', 'country', 'country_iso3', 'facility', 'city', 'state', 'detloc', 'match_method', 'record_source', 'url', 'release_id', 'line'],
      },
      releases: shown,
    };
  },
};
