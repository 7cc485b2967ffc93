import type { Database } from '../../db/connection.js';
import { listReleases, timeline, type ReleaseRecord } from '../../db/releases.js';
import { eligibleFamilies } from '../../metrics/cbp-encounters.js';
import { ParamError, parseQuery, type RawQuery } from '../../metrics/params.js';
import { runMetric } from '../../metrics/query.js';
import { metricById } from '../../metrics/registry.js';
import type { MetricDefinition, MetricResult } from '../../metrics/types.js';
import { cbpRevisions, type Revision } from '../../sources/cbp/encounters/revisions.js';
import { rankBars, stackedMonths, yearBars, type Band, type MonthPoint, type StackKey } from '../../web/border-charts.js';
import { esc, fmt } from '../render/html.js';
import { resolveCountry } from '../../lib/countries.js';

/** The ISO code of a CBP citizenship name through the shared crosswalk; 'OTHER' is a group and has none. */
const cbpCountryIso3 = (name: string): string | undefined => {
  const r = resolveCountry(name);
  return r && 'iso3' in r ? r.iso3 : undefined;
};
import type { PageRoute } from './types.js';

const CBP = 'cbp.encounters';
const OHSS = 'ohss.usbp_encounters';
const SOURCES = [CBP, 'dhs.ohss-encounters'];
const SW = 'Southwest Land Border';
const EVENT = 'An encounter is an event, not a person';
const TITLE_42: Band = { from: '2020-03-01', to: '2023-05-11', label: 'Title 42 (Mar 2020 – 11 May 2023)' };
/** Countries drawn in the citizenship chart; the table lists all of them. */
const TOP = 10;

const key = (k: string, label: string, color: string): StackKey => ({ key: k, label, color });
const REGIONS = [key(SW, 'Southwest land border', '#1f5f99'), key('Northern Land Border', 'Northern land border', '#59a14f'), key('Other', 'Other (air, sea and interior ports)', '#f28e2c')];
const COMPONENTS = [key('U.S. Border Patrol', 'U.S. Border Patrol (between ports of entry)', '#1f5f99'), key('Office of Field Operations', 'Office of Field Operations (at ports of entry)', '#e15759')];
const TYPES = [key('Apprehensions', 'Apprehensions (Border Patrol, Title 8)', '#1f5f99'), key('Inadmissibles', 'Inadmissibles (OFO, Title 8)', '#e15759'), key('Expulsions', 'Expulsions (Title 42)', '#b07aa1')];
const TITLES = [key('Title 8', 'Title 8 (immigration law)', '#1f5f99'), key('Title 42', 'Title 42 (public-health expulsions)', '#b07aa1')];
const DEMOGRAPHICS = [
  key('Single Adults', 'Single adults', '#1f5f99'),
  key('FMUA', 'Individuals in family units (FMUA)', '#e15759'),
  key('Accompanied Minors', 'Accompanied minors', '#76b7b2'),
  key('UAC', 'Unaccompanied children (UAC)', '#f28e2c'),
];
const EXTRA_COLORS = ['#edc948', '#9c755f', '#bab0ab', '#ff9da7'];

type Years = 'fy' | 'cy';

/* ---------------------------------------------------------------- metric runs */

interface Run {
  def: MetricDefinition;
  raw: RawQuery;
  result: MetricResult;
}

async function run(db: Database, id: string, raw: RawQuery, vintage: string): Promise<Run> {
  const def = metricById(id);
  if (!def) throw new Error(`metric ${id} is not registered`);
  return { def, raw, result: await runMetric(db, def, parseQuery(def, { ...raw, vintage })) };
}

/** The API URL giving the same rows as a chart, pinned to the data version shown. */
function csvUrl(r: Run, pin: string): string {
  const p = new URLSearchParams();
  for (const k of ['grain', 'by', 'from', 'to'] as const) {
    const v = r.raw[k];
    if (v !== undefined) p.set(k, Array.isArray(v) ? v.join(',') : v);
  }
  for (const f of [r.raw.filter ?? []].flat()) p.append('filter', f);
  p.set('vintage', pin);
  return `/api/v1/metrics/${r.def.id}.csv?${p.toString()}`;
}

/* ---------------------------------------------------------------- which file gave each month */

/**
 * For each month, the release a query takes it from: the latest release (in the vintage)
 * of a family that can answer the query and has rows for that month, the same pick as
 * runMetric. Read from the small monthly-totals table, so the page can name the file
 * behind every row without a query per month.
 */
async function monthSources(db: Database, allowed: ReleaseRecord[], families: string[], region?: string): Promise<Map<string, string>> {
  const rank = new Map(allowed.map((r, i) => [r.release_id, i]));
  const rows = await db.all(
    `SELECT DISTINCT t.release_id, strftime(t.month_start, '%Y-%m') AS month
       FROM cbp_month_totals t JOIN cbp_files f USING (release_id)
      WHERE list_contains(string_split($1, ','), f.family) AND ($2::VARCHAR IS NULL OR t.region = $2)`,
    [families.join(','), region ?? null],
  );
  const out = new Map<string, string>();
  for (const r of rows) {
    const id = r.release_id as string;
    const m = r.month as string;
    const i = rank.get(id);
    if (i === undefined) continue;
    const held = out.get(m);
    if (held === undefined || i < rank.get(held)!) out.set(m, id);
  }
  return out;
}

/** Releases newest first, ties broken as runMetric breaks them. */
function newestFirst(records: ReleaseRecord[]): ReleaseRecord[] {
  return [...records].sort(
    (a, b) => String(b.effective_date).localeCompare(String(a.effective_date)) || String(b.known_at).localeCompare(String(a.known_at)) || b.release_id.localeCompare(a.release_id),
  );
}

/* ---------------------------------------------------------------- shaping */

interface WideRow {
  period: string;
  [k: string]: string | number | boolean | null;
}

/** Keys in display order, with any value the definitions do not know appended, so nothing is dropped silently. */
function keysFor(values: string[], known: StackKey[]): StackKey[] {
  const extra = [...new Set(values)].filter((v) => !known.some((k) => k.key === v)).sort();
  return [...known.filter((k) => values.includes(k.key)), ...extra.map((v, i) => key(v, v, EXTRA_COLORS[i % EXTRA_COLORS.length]!))];
}

interface Breakdown {
  run: Run;
  dim: string;
  keys: StackKey[];
  /** One row per period: a column per key, their sum as total, the partial flag and the file. */
  rows: WideRow[];
  partial: string[];
}

async function breakdown(db: Database, vintage: string, dim: string, known: StackKey[], o: { grain?: Years | 'month'; filter?: Record<string, string>; sources?: Map<string, string> }): Promise<Breakdown> {
  const filter = Object.entries(o.filter ?? {}).map(([k, v]) => `${k}=${v}`);
  const r = await run(db, CBP, { grain: o.grain ?? 'month', by: dim, ...(filter.length ? { filter } : {}) }, vintage);
  const keys = keysFor(r.result.rows.map((x) => String(x[dim])), known);
  const partial = [...r.result.partialPeriods].sort();
  const byPeriod = new Map<string, WideRow>();
  for (const x of r.result.rows) {
    const period = String(x.period);
    let row = byPeriod.get(period);
    if (!row) {
      row = { period, ...Object.fromEntries(keys.map((k) => [k.key, null])), total: 0, partial: partial.includes(period) };
      if (o.sources) row.release_id = o.sources.get(period) ?? null;
      byPeriod.set(period, row);
    }
    // CBP's rows are counts of one file: the parts add up to the file's total
    row[String(x[dim])] = Number(x.value);
    row.total = (row.total as number) + Number(x.value);
  }
  return { run: r, dim, keys, rows: [...byPeriod.values()].sort((a, b) => a.period.localeCompare(b.period)), partial };
}

const points = (b: Breakdown): MonthPoint[] =>
  b.run.result.rows.map((x) => ({ month: String(x.period), key: String(x[b.dim]), value: Number(x.value), partial: b.partial.includes(String(x.period)) }));

const yearOf = (month: string, years: Years) => {
  const y = Number(month.slice(0, 4));
  return years === 'cy' ? `CY${y}` : `FY${Number(month.slice(5, 7)) >= 10 ? y + 1 : y}`;
};

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const monthName = (m: string) => `${MONTHS[Number(m.slice(5, 7)) - 1] ?? '?'} ${m.slice(0, 4)}`;
const shortMonth = (m: string) => `${monthName(m).slice(0, 3)} ${m.slice(0, 4)}`;
const yearEarlier = (m: string) => `${Number(m.slice(0, 4)) - 1}${m.slice(4)}`;

/* ---------------------------------------------------------------- html */

const num = (v: unknown) => `<td class="num">${v === null || v === undefined ? '<span class="muted">–</span>' : esc(fmt(v))}</td>`;
const signed = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${fmt(Math.abs(v))}`;

function table(caption: string, head: Array<[string, boolean]>, rows: string[], open = false, summary = 'Data table'): string {
  return `<details${open ? ' open' : ''}><summary>${esc(summary)}</summary><div class="table-wrap"><table data-sortable><caption class="muted" style="text-align:left">${esc(caption)}</caption>
<thead><tr>${head.map(([h, isNum]) => `<th scope="col"${isNum ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div></details>`;
}

class Files {
  constructor(private readonly byId: Map<string, ReleaseRecord>) {}

  name(id: string): string {
    return this.byId.get(id)?.file_names.join(', ') ?? id;
  }

  link(id: string | null | undefined): string {
    return id ? `<a href="/-/releases/${esc(id)}">${esc(this.name(id))}</a>` : '';
  }

  /** "Files: a.csv (release …), b.csv (release …)", newest first. */
  caption(ids: string[]): string {
    const sorted = newestFirst(ids.map((id) => this.byId.get(id)).filter((r): r is ReleaseRecord => r !== undefined));
    return `Files: ${sorted.map((r) => `${this.link(r.release_id)} (release <code>${esc(r.release_id)}</code>)`).join(', ') || 'none'}.`;
  }
}

function figure(chart: string, caption: string, csv: Array<[string, string]>): string {
  return `<figure>${chart}
<figcaption><p>${caption}</p>
<p>Download CSV: ${csv.map(([label, href]) => `<a href="${esc(href)}">${esc(label)}</a>`).join(' · ')}</p></figcaption></figure>`;
}

const noFile = (what: string) => `<p class="note">No file of that kind loaded: ${what}</p>`;

/** A monthly stacked chart with its caption and data table. */
function monthlySection(b: Breakdown, files: Files, o: { title: string; yLabel: string; caption: string; csv: string; emptyNote: string; table: string }): string {
  if (b.rows.length === 0) return noFile(o.emptyNote);
  const partialNote = b.partial.length ? ` Partial months, drawn pale: ${b.partial.map(esc).join(', ')}.` : '';
  return `${figure(stackedMonths(points(b), b.keys, { title: o.title, yLabel: o.yLabel, band: TITLE_42 }), `${o.caption}${partialNote} ${files.caption(b.run.result.releases)}`, [[`CSV by ${b.dim.replace(/_/g, ' ')}`, o.csv]])}
${table(
  o.table,
  [['Month', false], ...b.keys.map((k): [string, boolean] => [k.label, true]), ['Total', true], ['File', false], ['Note', false]],
  [...b.rows].reverse().map((r) => `<tr><td>${esc(r.period)}</td>${b.keys.map((k) => num(r[k.key])).join('')}${num(r.total)}<td>${files.link(r.release_id as string | null)}</td><td>${r.partial ? '<span class="tag">partial</span>' : ''}</td></tr>`),
)}`;
}

/* ---------------------------------------------------------------- headline */

interface Figure {
  month: string;
  month_name: string;
  value: number;
  release_id: string | null;
  file: string | null;
  year_earlier: { month: string; value: number; release_id: string | null; file: string | null } | null;
  change: number | null;
  change_pct: number | null;
}

function headlineFigure(series: Map<string, number>, sources: Map<string, string>, files: Files): Figure | null {
  const month = [...series.keys()].sort().at(-1);
  if (!month) return null;
  const value = series.get(month)!;
  const before = yearEarlier(month);
  const prev = series.get(before);
  const source = (m: string) => sources.get(m) ?? null;
  return {
    month,
    month_name: monthName(month),
    value,
    release_id: source(month),
    file: source(month) ? files.name(source(month)!) : null,
    year_earlier: prev === undefined ? null : { month: before, value: prev, release_id: source(before), file: source(before) ? files.name(source(before)!) : null },
    change: prev === undefined ? null : value - prev,
    change_pct: prev ? Math.round(((value - prev) / prev) * 1000) / 10 : null,
  };
}

function card(label: string, f: Figure | null, files: Files): string {
  if (!f) return `<div class="card"><div class="l">${esc(label)}</div><div class="v"><span class="muted">no file loaded</span></div></div>`;
  const y = f.year_earlier;
  const change = y && f.change !== null ? `${signed(f.change)}${f.change_pct !== null ? ` (${f.change_pct > 0 ? '+' : f.change_pct < 0 ? '−' : ''}${Math.abs(f.change_pct)}%)` : ''} vs ${esc(monthName(y.month))} (${esc(fmt(y.value))}, ${files.link(y.release_id)})` : 'no figure for the same month a year earlier';
  return `<div class="card"><div class="l">${esc(label)}</div>
<div class="v">${esc(fmt(f.value))}</div>
<div class="s">encounters in ${esc(f.month_name)} · ${files.link(f.release_id)}</div>
<div class="s">${change}</div></div>`;
}

/* ---------------------------------------------------------------- the page */

/** CBP's monthly encounter files, with DHS OHSS's long Border Patrol series beside them (never joined to them). */
export const borderPage: PageRoute = {
  path: '/border',
  async render({ db, vintage, query }) {
    const years = (query.years ?? 'fy') as Years;
    if (years !== 'fy' && years !== 'cy') throw new ParamError('years', `'${query.years}' is not fy or cy (fiscal years October–September, or calendar years)`);
    const yearWord = years === 'fy' ? 'fiscal year' : 'calendar year';

    const all = await listReleases(db);
    const allowed = newestFirst(timeline(all.filter((r) => SOURCES.includes(r.source_id)), vintage, { includeSuspect: true }));
    const byId = new Map(all.map((r) => [r.release_id, r]));
    const files = new Files(byId);
    const allowedCbp = allowed.filter((r) => r.source_id === CBP);
    const allowedOhss = allowed.filter((r) => r.source_id !== CBP);
    // the CSV links pin the numbers shown: the page's vintage, else the newest release of each source
    const pinCbp = vintage !== 'latest' ? vintage : (allowedCbp[0]?.release_id ?? 'latest');
    const pinOhss = vintage !== 'latest' ? vintage : (allowedOhss[0]?.release_id ?? 'latest');
    const sourcesFor = (by: string[], filter: Record<string, string> = {}) => monthSources(db, allowedCbp, eligibleFamilies({ by, filter }), filter.region);

    // monthly breakdowns; the national ones all come from the same files, the Southwest ones from the Southwest file
    const swFilter = { region: SW };
    const regions = await breakdown(db, vintage, 'region', REGIONS, { sources: await sourcesFor(['region']) });
    const yearly = await breakdown(db, vintage, 'region', REGIONS, { grain: years });
    const component = await breakdown(db, vintage, 'component', COMPONENTS, { filter: swFilter, sources: await sourcesFor(['component'], swFilter) });
    const componentYearly = await breakdown(db, vintage, 'component', COMPONENTS, { grain: years, filter: swFilter });
    const types = await breakdown(db, vintage, 'encounter_type', TYPES, { filter: swFilter, sources: await sourcesFor(['encounter_type'], swFilter) });
    const titles = await breakdown(db, vintage, 'title', TITLES, { sources: await sourcesFor(['title']) });
    const demographics = await breakdown(db, vintage, 'demographic', DEMOGRAPHICS, { sources: await sourcesFor(['demographic']) });
    const citizenship = await breakdown(db, vintage, 'citizenship', [], { grain: years });
    const swTotal = await run(db, CBP, { grain: 'month', filter: `region=${SW}` }, vintage);
    const ohss = await run(db, OHSS, { grain: 'fy', from: 'FY2000' }, vintage);
    const revisionIds = new Set(allowedCbp.map((r) => r.release_id));
    const revisions: Revision[] = (await cbpRevisions(db)).filter((r) => revisionIds.has(r.from_release) && revisionIds.has(r.to_release));

    /* headline */
    const national = new Map(regions.rows.map((r) => [r.period, r.total as number]));
    const southwest = new Map(swTotal.result.rows.map((r) => [String(r.period), Number(r.value)]));
    const headNational = headlineFigure(national, await sourcesFor([]), files);
    const headSouthwest = headlineFigure(southwest, await sourcesFor([], swFilter), files);

    /* yearly table: months present per year, from the monthly series */
    const monthsIn = new Map<string, string[]>();
    for (const r of regions.rows) monthsIn.set(yearOf(r.period, years), [...(monthsIn.get(yearOf(r.period, years)) ?? []), r.period]);
    for (const r of yearly.rows) {
      const ms = monthsIn.get(r.period) ?? [];
      r.months = ms.length;
      r.first_month = ms[0] ?? null;
      r.last_month = ms.at(-1) ?? null;
    }

    /* citizenship: ranked by the latest complete year (a year to date is too short to rank by) */
    const citYears = [...new Set(citizenship.rows.map((r) => r.period))].sort();
    const citPartial = new Set(citizenship.partial);
    const rankYear = [...citYears].reverse().find((y) => !citPartial.has(y)) ?? citYears.at(-1);
    const citValue = (c: string, y: string | undefined) => {
      const v = y ? citizenship.rows.find((r) => r.period === y)?.[c] : undefined;
      return typeof v === 'number' ? v : 0;
    };
    const countries = citizenship.keys
      .map((k) => k.key)
      .sort((a, b) => citValue(b, rankYear) - citValue(a, rankYear) || a.localeCompare(b));
    const named = countries.filter((c) => c !== 'OTHER');
    const rankTotal = countries.reduce((s, c) => s + citValue(c, rankYear), 0);
    const other = citValue('OTHER', rankYear);
    const citRows = countries.map((c) => ({
      citizenship: c,
      iso3: cbpCountryIso3(c) ?? null,
      ...Object.fromEntries(citYears.map((y) => [y, citizenship.rows.find((r) => r.period === y)?.[c] ?? null])),
    }));
    const countryCell = (c: string) => {
      const iso = cbpCountryIso3(c);
      return iso ? `<a href="/countries/${esc(iso)}">${esc(c)}</a>` : `${esc(c)}${c === 'OTHER' ? ' <span class="muted">(all other countries)</span>' : ''}`;
    };

    /* OHSS, Border Patrol only */
    const ohssPartial = new Set(ohss.result.partialPeriods);
    const ohssRows = ohss.result.rows.map((r) => ({ period: String(r.period), value: Number(r.value), partial: ohssPartial.has(String(r.period)) }));
    const ohssLast = ohssRows.at(-1);
    const ohssRelease = allowedOhss.find((r) => ohss.result.releases.includes(r.release_id));

    const cbpShown = new Set([...regions.run.result.releases, ...component.run.result.releases, ...types.run.result.releases, ...swTotal.result.releases, ...citizenship.run.result.releases]);
    for (const r of revisions) cbpShown.add(r.from_release).add(r.to_release);
    const shown = allowed.filter((r) => cbpShown.has(r.release_id) || ohss.result.releases.includes(r.release_id));

    const keep = vintage !== 'latest' ? `vintage=${encodeURIComponent(vintage)}&` : '';
    const yearSwitch = `<p>Years: ${years === 'fy' ? '<strong>fiscal (October–September)</strong>' : `<a href="/border?${keep}years=fy#years">fiscal (October–September)</a>`} · ${years === 'cy' ? '<strong>calendar</strong>' : `<a href="/border?${keep}years=cy#years">calendar</a>`}</p>`;
    const vintageNote = vintage !== 'latest' ? `<p class="note">Vintage <code>${esc(vintage)}</code>: only the files known by then are used.</p>` : '';
    const lastCbp = allowedCbp[0];

    const body = `<h1>Border encounters</h1>
<p>U.S. Customs and Border Protection's monthly encounter files: people stopped by the Border Patrol between ports of entry and by the Office of Field Operations (OFO) at ports of entry, ${allowedCbp.length} files loaded${lastCbp ? `, the newest through ${esc(monthName(String(lastCbp.snapshot_date ?? '').slice(0, 7)))}` : ''}. Each month comes from the latest file that reports it. <strong>${EVENT}</strong>: someone stopped twice counts twice, and under Title 42 many people who were expelled crossed again and were counted again.</p>
${vintageNote}
<div class="cards">${card('Nationwide encounters', headNational, files)}${card('Southwest land border', headSouthwest, files)}</div>
<p class="muted">${EVENT}. Changes compare a month with the same month a year earlier (encounters are seasonal). Sources: <a href="https://www.cbp.gov/newsroom/stats/nationwide-encounters">CBP Nationwide Encounters</a>, <a href="https://www.cbp.gov/newsroom/stats/southwest-land-border-encounters">CBP Southwest Land Border Encounters</a>, <a href="https://ohss.dhs.gov/">DHS Office of Homeland Security Statistics</a>.</p>
<nav aria-label="On this page"><p><a href="#regions">By region</a> · <a href="#years">By year</a> · <a href="#southwest">Southwest: Border Patrol and OFO</a> · <a href="#title">Title 8 and Title 42</a> · <a href="#demographic">Demographic</a> · <a href="#citizenship">Citizenship</a> · <a href="#ohss">Border Patrol since FY2000</a> · <a href="#revisions">Revisions</a></p></nav>

<h2 id="regions">Encounters each month by land border region</h2>
${monthlySection(regions, files, {
  title: 'CBP encounters each month, stacked by land border region, with the Title 42 period shaded',
  yLabel: 'encounters',
  caption: `${EVENT}. Calendar months, all of CBP (Border Patrol and OFO). The shaded band is the Title 42 period (March 2020 – 11 May 2023, when people were expelled under a public-health order instead of processed under immigration law)${(regions.rows[0]?.period ?? '') > '2020-03' ? '; it began before the first month these files cover' : ''}.`,
  csv: csvUrl(regions.run, pinCbp),
  emptyNote: 'no CBP nationwide (state) or area-of-responsibility file is loaded for this vintage.',
  table: 'CBP encounters each month by land border region (events, not people)',
})}

<h2 id="years">Encounters by ${yearWord}</h2>
${yearSwitch}
${
  yearly.rows.length === 0
    ? noFile('no CBP nationwide file is loaded for this vintage.')
    : `${figure(
        yearBars(yearly.rows.map((r) => ({ period: r.period, value: r.total as number, partial: r.partial === true })), {
          title: `CBP encounters by ${yearWord}`,
          yLabel: 'encounters',
          xLabel: years === 'fy' ? 'fiscal year (October–September)' : 'calendar year',
        }),
        `${EVENT}. ${years === 'fy' ? 'Fiscal years run October–September (FY2026 = October 2025 to September 2026).' : 'Calendar years, January–December.'} A year with fewer than twelve months in the files is partial: hollow bar, marked *. Each month comes from the latest file that reports it. ${files.caption(yearly.run.result.releases)}`,
        [[`CSV by region and ${yearWord}`, csvUrl(yearly.run, pinCbp)]],
      )}
${table(
  `CBP encounters by ${yearWord} and land border region`,
  [[years === 'fy' ? 'Fiscal year' : 'Calendar year', false], ...yearly.keys.map((k): [string, boolean] => [k.label, true]), ['Total', true], ['Months in the files', false], ['Note', false]],
  yearly.rows.map(
    (r) =>
      `<tr><td>${esc(r.period)}</td>${yearly.keys.map((k) => num(r[k.key])).join('')}${num(r.total)}<td>${r.months ? `${esc(r.months)} (${esc(shortMonth(String(r.first_month)))} – ${esc(shortMonth(String(r.last_month)))})` : ''}</td><td>${r.partial ? '<span class="tag">partial</span>' : ''}</td></tr>`,
  ),
  true,
)}`
}

<h2 id="southwest">Southwest border: Border Patrol and OFO</h2>
<p>The Southwest file splits the Southwest land border by component: the U.S. Border Patrol, between ports of entry, and the Office of Field Operations, at ports of entry; and by encounter type. It covers the Southwest only, and its months can differ by a few encounters from the same months in the nationwide files (see <a href="#revisions">revisions</a>).</p>
${monthlySection(component, files, {
  title: 'Southwest land border encounters each month, stacked by component, with the Title 42 period shaded',
  yLabel: 'encounters',
  caption: `${EVENT}. Southwest land border only; the total is the sum of the two components in the same file.`,
  csv: csvUrl(component.run, pinCbp),
  emptyNote: 'no CBP Southwest Land Border Encounters file (sbo-encounters-….csv) or area-of-responsibility file is loaded for this vintage, and only they split encounters by component.',
  table: 'Southwest land border encounters each month by component',
})}
${
  componentYearly.rows.length === 0
    ? ''
    : table(
        `Southwest land border encounters by ${yearWord} and component`,
        [[years === 'fy' ? 'Fiscal year' : 'Calendar year', false], ...componentYearly.keys.map((k): [string, boolean] => [k.label, true]), ['Total', true], ['Note', false]],
        componentYearly.rows.map((r) => `<tr><td>${esc(r.period)}</td>${componentYearly.keys.map((k) => num(r[k.key])).join('')}${num(r.total)}<td>${r.partial ? '<span class="tag">partial</span>' : ''}</td></tr>`),
        true,
        `By ${yearWord}`,
      ) + `<p class="muted">By ${yearWord}; <a href="${esc(csvUrl(componentYearly.run, pinCbp))}">CSV</a>. ${files.caption(componentYearly.run.result.releases)}</p>`
}
<h3>By encounter type</h3>
${monthlySection(types, files, {
  title: 'Southwest land border encounters each month by encounter type, with the Title 42 period shaded',
  yLabel: 'encounters',
  caption: `${EVENT}. Apprehensions are Border Patrol arrests under Title 8, inadmissibles are people OFO found inadmissible at a port of entry under Title 8, expulsions are Title 42 expulsions by either.`,
  csv: csvUrl(types.run, pinCbp),
  emptyNote: 'no CBP Southwest Land Border Encounters file or area-of-responsibility file is loaded for this vintage, and only they give the encounter type.',
  table: 'Southwest land border encounters each month by encounter type',
})}

<h2 id="title">Title of authority: Title 8 and Title 42</h2>
<p>Under Title 8 (immigration law) a person is apprehended or found inadmissible and processed; under Title 42 (a public-health order, March 2020 – 11 May 2023) people were expelled at once, and many tried again. Both months at its ends are partly Title 42.</p>
${monthlySection(titles, files, {
  title: 'CBP encounters each month by title of authority, with the Title 42 period shaded',
  yLabel: 'encounters',
  caption: `${EVENT}: a Title 42 expulsion carried no penalty for trying again, and CBP reported many more repeat crossings in those years, so they count more encounters per person than the years around them. Nationwide, all components.`,
  csv: csvUrl(titles.run, pinCbp),
  emptyNote: 'no CBP nationwide (state) or area-of-responsibility file is loaded for this vintage.',
  table: 'CBP encounters each month by title of authority',
})}

<h2 id="demographic">By demographic</h2>
<p>CBP's groups: single adults, individuals in family units (FMUA: each member of a family counts), accompanied minors, and unaccompanied children (UAC). CBP renamed its "UC / Single Minors" group to "UAC" in 2025; the tracker shows both as UAC.</p>
${monthlySection(demographics, files, {
  title: 'CBP encounters each month by demographic, with the Title 42 period shaded',
  yLabel: 'encounters',
  caption: `${EVENT}. Nationwide, all components.`,
  csv: csvUrl(demographics.run, pinCbp),
  emptyNote: 'no CBP nationwide (state) or area-of-responsibility file is loaded for this vintage.',
  table: 'CBP encounters each month by demographic',
})}

<h2 id="citizenship">By citizenship</h2>
${
  citizenship.rows.length === 0 || !rankYear
    ? noFile('no CBP nationwide (state) or area-of-responsibility file is loaded for this vintage.')
    : `<p>CBP breaks out ${named.length} countries; <strong>OTHER</strong> is every country it does not break out, added together: in ${esc(rankYear)} ${esc(fmt(other))} encounters, ${rankTotal ? ((other / rankTotal) * 100).toFixed(1) : '0'}% of the total. It is not one country: a large OTHER can hide a country whose numbers rose fast. Each country links to its page.</p>
${yearSwitch}
${figure(
  rankBars(
    [...named.slice(0, TOP), 'OTHER'].filter((c) => countries.includes(c)).map((c) => ({ label: c, value: citValue(c, rankYear), remainder: c === 'OTHER' })),
    { title: `CBP encounters in ${rankYear}: the ${Math.min(TOP, named.length)} largest countries of citizenship and OTHER`, xLabel: `encounters in ${rankYear}` },
  ),
  `${EVENT}. The ${Math.min(TOP, named.length)} countries with most encounters in ${esc(rankYear)}, the latest complete ${yearWord}, and OTHER (grey: all countries CBP does not break out). Nationwide, all components. ${files.caption(citizenship.run.result.releases)}`,
  [[`CSV by citizenship and ${yearWord}`, csvUrl(citizenship.run, pinCbp)]],
)}
${table(
  `CBP encounters by citizenship and ${yearWord}, ranked by ${rankYear}`,
  [['Citizenship', false], ...citYears.map((y): [string, boolean] => [`${y}${citPartial.has(y) ? '*' : ''}`, true])],
  citRows.map((r) => `<tr><td>${countryCell(r.citizenship)}</td>${citYears.map((y) => num((r as Record<string, unknown>)[y])).join('')}</tr>`),
  true,
)}
${citPartial.size ? `<p class="muted">* partial ${yearWord}: ${[...citPartial].sort().map(esc).join(', ')}.</p>` : ''}`
}

<h2 id="ohss">U.S. Border Patrol encounters since FY2000 (DHS OHSS)</h2>
<p>A longer series from another publisher, shown apart: the DHS Office of Homeland Security Statistics counts <strong>Border Patrol only</strong> (no OFO), <strong>rounded to 10</strong>. It is not joined to CBP's series above, which includes OFO and is not rounded.</p>
${
  ohssRows.length === 0
    ? noFile('no DHS OHSS "KHSM Encounters (USBP)" workbook is loaded for this vintage.')
    : `${figure(
        yearBars(ohssRows, {
          title: 'U.S. Border Patrol encounters by fiscal year since FY2000, Border Patrol only, rounded to 10 by DHS OHSS',
          yLabel: 'encounters (Border Patrol only)',
          xLabel: 'fiscal year (October–September)',
        }),
        `Border Patrol only, rounded to 10 by DHS OHSS. ${EVENT}. Fiscal years run October–September.${ohssLast?.partial ? ` ${esc(ohssLast.period)} is the year to date${ohssRelease?.snapshot_date ? `, through ${esc(monthName(String(ohssRelease.snapshot_date).slice(0, 7)))}` : ''} (hollow bar).` : ''} ${files.caption(ohss.result.releases)}`,
        [['CSV by fiscal year', csvUrl(ohss, pinOhss)]],
      )}
${table(
  'U.S. Border Patrol encounters by fiscal year (DHS OHSS, rounded to 10)',
  [['Fiscal year', false], ['Encounters', true], ['Note', false]],
  ohssRows.map((r) => `<tr><td>${esc(r.period)}</td>${num(r.value)}<td>${r.partial ? '<span class="tag">year to date</span>' : ''}</td></tr>`),
)}`
}

<h2 id="revisions">Revisions: months CBP changed in a later file</h2>
<p>CBP revises earlier months when it publishes a new file, usually by a few encounters. The tracker keeps every file: each month above is taken from the latest file that reports it, and the earlier figures stay in the database and in the files' pages (a permalink with <code>?vintage=</code> shows the numbers as they were). ${revisions.length ? `${revisions.length} month-and-region totals changed between consecutive files:` : 'No month has changed between the files loaded.'} Download CSV: <a href="/api/v1/revisions/cbp.encounters.csv">every revision across all files loaded</a>.</p>
${
  revisions.length
    ? `<div class="table-wrap"><table data-sortable><caption class="muted" style="text-align:left">Months revised between consecutive CBP files (land border region totals)</caption>
<thead><tr><th scope="col">Month</th><th scope="col">Region</th><th scope="col">Earlier file</th><th scope="col" class="num">Earlier</th><th scope="col">Later file</th><th scope="col" class="num">Later</th><th scope="col" class="num">Change</th></tr></thead>
<tbody>${revisions.map((r) => `<tr><td>${esc(r.month)}</td><td>${esc(r.region)}</td><td>${files.link(r.from_release)}</td>${num(r.from_value)}<td>${files.link(r.to_release)}</td>${num(r.to_value)}<td class="num">${esc(signed(r.change))}</td></tr>`).join('\n')}</tbody></table></div>`
    : ''
}`;

    const section = (b: Breakdown, pin: string) => ({
      metric: b.run.def.id,
      query: b.run.result.query,
      csv: csvUrl(b.run, pin),
      keys: b.keys.map((k) => k.key),
      partial_periods: b.partial,
      releases: b.run.result.releases,
      rows: b.rows,
    });
    return {
      title: 'Border encounters',
      body,
      data: {
        vintage,
        pinned_vintage: { [CBP]: pinCbp, 'dhs.ohss-encounters': pinOhss },
        years,
        note: `${EVENT}.`,
        releases: shown.map((r) => r.release_id),
        headline: { nationwide: headNational, southwest: headSouthwest },
        series: section(regions, pinCbp),
        yearly: section(yearly, pinCbp),
        southwest: { by_component: section(component, pinCbp), by_component_yearly: section(componentYearly, pinCbp), by_encounter_type: section(types, pinCbp) },
        title: section(titles, pinCbp),
        demographic: section(demographics, pinCbp),
        citizenship: { ...section(citizenship, pinCbp), ranked_by: rankYear ?? null, rows: citRows },
        ohss: {
          metric: OHSS,
          label: 'Border Patrol only, rounded to 10 by DHS OHSS',
          query: ohss.result.query,
          csv: csvUrl(ohss, pinOhss),
          partial_periods: ohss.result.partialPeriods,
          releases: ohss.result.releases,
          rows: ohssRows,
        },
        revisions,
      },
      csv: {
        rows: regions.run.result.rows.map((r) => ({ period: r.period, region: r.region, value: r.value, partial: regions.partial.includes(String(r.period)) })),
        columns: ['period', 'region', 'value', 'partial'],
      },
      releases: shown,
    };
  },
};
