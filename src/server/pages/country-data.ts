/**
 * Shared queries of the country pages (/countries, /countries/ISO3) and of /third-country-removals.
 *
 * Every figure comes from a registered metric run `by` its citizenship dimension, never from a
 * table read directly: the rows are the agencies' names as they wrote them (`IRAN`, `Iran`,
 * `KOREA` and `SOUTH KOREA`), and a country is the sum of the rows whose name
 * `resolveCountry` maps to its ISO 3166-1 alpha-3 code (the spellings used are listed). Names
 * that are not one country (CBP's OTHER, UNKNOWN, former countries, names nobody has reviewed)
 * are kept apart and never spread over countries.
 *
 * Completeness of a period (a fiscal year to date, a production that starts in November) is
 * read from the metric run without any breakdown: a country with removals in only three months
 * of a year does not make that year partial.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { Database } from '../../db/connection.js';
import { listReleases, timeline, type ReleaseRecord } from '../../db/releases.js';
import type { EventAnnotation } from '../../events/events.js';
import { resolveCountry } from '../../lib/countries.js';
import { QueryError } from '../../lib/errors.js';
import { ParamError, parseQuery, periodBounds, type RawQuery } from '../../metrics/params.js';
import { runMetric } from '../../metrics/query.js';
import { metricById } from '../../metrics/registry.js';
import type { Grain, MetricDefinition, MetricResult } from '../../metrics/types.js';
import { swatches, type StackKey } from '../../web/border-charts.js';
import { eventMarginTop, eventMarks } from '../../web/event-marks.js';
import { esc, fmt } from '../render/html.js';

/* ---------------------------------------------------------------- errors */

/** A page that does not exist: the app's error handler answers it as a 404 with the standard error body. */
export class PageNotFoundError extends Error {
  readonly statusCode = 404;
  constructor(message: string) {
    super(message);
    this.name = 'PageNotFoundError';
  }
}

/* ---------------------------------------------------------------- the measures */

export interface MeasureSpec {
  /** Stable key in the pages' JSON and in `?by=` of /countries. */
  key: string;
  metric: string;
  label: string;
  agency: string;
  /** flow: events per period (summed into fiscal years); stock: people on a day. */
  kind: 'flow' | 'stock';
  /** What one unit counts, short. */
  unit: string;
  /** Position in "from encounter to removal" (undefined: not a step). */
  step?: number;
  /** The caveat a reader must have beside the number. */
  caveat: string;
  /** When the metric is not registered: what the tracker does not count yet. */
  notYet: string;
  /**
   * What a year without a row for the country means: zero (individual records), not broken out
   * (CBP's OTHER), rounded away (OHSS), not in the agency's table, or under the yearbook's threshold.
   */
  absent: 'zero' | 'not-named' | 'rounded' | 'not-listed' | 'threshold';
  /** FOIA productions: coverage comes from the productions' titles. */
  foia?: true;
}

export const MEASURES: readonly MeasureSpec[] = [
  {
    key: 'cbp',
    metric: 'cbp.encounters',
    label: 'CBP encounters',
    agency: 'U.S. Customs and Border Protection (Border Patrol and Office of Field Operations)',
    kind: 'flow',
    unit: 'encounters',
    step: 1,
    caveat:
      'All of CBP, nationwide: the Border Patrol between ports of entry and OFO at ports of entry. An encounter is an event, not a person: someone stopped twice counts twice. CBP breaks out 21 countries; every other country is inside OTHER.',
    notYet: 'the CBP encounters metric is not registered in this build.',
    absent: 'not-named',
  },
  {
    key: 'ohss',
    metric: 'ohss.usbp_encounters',
    label: 'Border Patrol encounters (DHS OHSS)',
    agency: 'DHS Office of Homeland Security Statistics',
    kind: 'flow',
    unit: 'encounters',
    step: 2,
    caveat:
      'Border Patrol only (no OFO ports of entry), rounded to 10 by OHSS: part of what CBP counts, from another publisher. Never add it to the CBP figure. An encounter is an event, not a person.',
    notYet: 'the OHSS Border Patrol metric is not registered in this build.',
    absent: 'rounded',
  },
  {
    key: 'foia_encounters',
    metric: 'foia.encounters',
    label: 'ICE encounters (FOIA records)',
    agency: 'ICE Enforcement and Removal Operations, records produced under FOIA',
    kind: 'flow',
    unit: 'encounters',
    step: 3,
    caveat: 'ICE ERO encounters, mostly in the interior (jails, at large), not border encounters; events, not people; only the area and dates the productions cover.',
    notYet: 'ICE encounters are not counted from the FOIA records yet (metric foia.encounters).',
    absent: 'zero',
    foia: true,
  },
  {
    key: 'foia_arrests',
    metric: 'foia.arrests',
    label: 'ICE arrests (FOIA records)',
    agency: 'ICE Enforcement and Removal Operations, records produced under FOIA',
    kind: 'flow',
    unit: 'arrests',
    step: 4,
    caveat: 'ICE administrative arrests: many people CBP encounters are never arrested by ICE, and ICE arrests people who crossed years before; events, not people; only the area and dates the productions cover.',
    notYet: 'ICE arrests are not counted from the FOIA records yet (metric foia.arrests).',
    absent: 'zero',
    foia: true,
  },
  {
    key: 'foia_detainers',
    metric: 'foia.detainers',
    label: 'ICE detainers (FOIA records)',
    agency: 'ICE Enforcement and Removal Operations, records produced under FOIA',
    kind: 'flow',
    unit: 'detainers',
    caveat: 'Requests to a jail or prison to hold a person for ICE; a detainer is not an arrest and many are never acted on; only the area and dates the productions cover.',
    notYet: 'ICE detainers are not counted from the FOIA records yet (metric foia.detainers).',
    absent: 'zero',
    foia: true,
  },
  {
    key: 'foia_book_ins',
    metric: 'foia.book_ins',
    label: 'ICE book-ins (FOIA records)',
    agency: 'ICE Enforcement and Removal Operations, records produced under FOIA',
    kind: 'flow',
    unit: 'book-ins',
    step: 5,
    caveat: 'Book-ins into ICE detention, people arrested by CBP included; a person booked in twice counts twice; only the area and dates the productions cover.',
    notYet: 'ICE book-ins are not counted from the FOIA records yet (metric foia.book_ins).',
    absent: 'zero',
    foia: true,
  },
  {
    key: 'foia_detained',
    metric: 'foia.detained',
    label: 'In ICE detention (FOIA records)',
    agency: 'ICE Enforcement and Removal Operations, records produced under FOIA',
    kind: 'stock',
    unit: 'people detained',
    caveat:
      "People in ICE detention on the latest day the records cover, rebuilt from the detention records. ICE's own biweekly detention statistics have no nationality, so this is the only detention figure by country.",
    notYet: "the detained population by citizenship is not counted from the FOIA records yet (metric foia.detained). ICE's biweekly detention statistics have no nationality.",
    absent: 'zero',
    foia: true,
  },
  {
    key: 'ice_removals',
    metric: 'ice.removals_by_citizenship',
    label: 'ICE removals (ICE report, national)',
    agency: "ICE Enforcement and Removal Operations: the table of ICE's FY2018 ERO report",
    kind: 'flow',
    unit: 'removals',
    step: 6,
    caveat: 'National, ICE only, FY2017 and FY2018 only (the one year-pair ICE published as a table); events, not people.',
    notYet: "ICE's removals by citizenship are not registered in this build (metric ice.removals_by_citizenship).",
    absent: 'not-listed',
  },
  {
    key: 'dhs_removals',
    metric: 'dhs.yearbook_removals',
    label: 'DHS removals (Yearbook)',
    agency: 'DHS Office of Homeland Security Statistics, Yearbook of Immigration Statistics',
    kind: 'flow',
    unit: 'removals',
    step: 7,
    caveat:
      'National and DHS-wide (ICE, CBP and USCIS together): another count than ICE\'s own table, usually larger, and after the yearbooks\' revisions sometimes smaller; never add the two. Each yearbook revises the years it repeats; small numbers are withheld ("D"); countries under the threshold are in "All other countries".',
    notYet: 'the yearbook removals by nationality are not registered in this build (metric dhs.yearbook_removals).',
    absent: 'threshold',
  },
  {
    key: 'foia_removals',
    metric: 'foia.removals',
    label: 'ICE removals (FOIA records)',
    agency: 'ICE Enforcement and Removal Operations, records produced under FOIA',
    kind: 'flow',
    unit: 'removals',
    step: 8,
    caveat: 'Removals by ICE, by departure date: events, not people; a person removed in a year may have been encountered years before; only the area and dates the productions cover.',
    notYet: 'ICE removals are not counted from the FOIA records yet (metric foia.removals).',
    absent: 'zero',
    foia: true,
  },
];

export const measureByKey = (key: string) => MEASURES.find((m) => m.key === key);

/* ---------------------------------------------------------------- names */

export type NameClass =
  | { kind: 'country'; iso3: string; name: string }
  /** Not one country: CBP's OTHER, UNKNOWN, STATELESS, a region. */
  | { kind: 'group'; label: string }
  /** A former country (USSR, Yugoslavia): never assigned to a successor. */
  | { kind: 'historic'; label: string }
  /** A spelling nobody has reviewed: listed as written. */
  | { kind: 'unresolved'; label: string }
  /** No value in the record (missing or redacted). */
  | { kind: 'missing'; label: string };

const MISSING = new Set(['', '(MISSING)', '(BLANK)', '(REDACTED)']);

/** An agency's name for a country → one country, or what else it is. */
export function classifyName(raw: string | null | undefined): NameClass {
  const name = (raw ?? '').trim();
  if (MISSING.has(name.toUpperCase())) return { kind: 'missing', label: name || '(missing)' };
  const r = resolveCountry(name);
  if (r === undefined) return { kind: 'unresolved', label: name };
  if ('iso3' in r) return { kind: 'country', iso3: r.iso3, name: r.name };
  if ('group' in r) return { kind: 'group', label: r.group };
  return { kind: 'historic', label: r.historic };
}

/** The key rows of one country or non-country are summed under: the ISO code, or the kind and label. */
export const nameKey = (c: NameClass) => (c.kind === 'country' ? c.iso3 : `${c.kind}:${c.label}`);

/** The citizenship dimension of a metric, if it has one. */
export function citizenshipDimension(def: MetricDefinition): string | undefined {
  const dims = Object.keys(def.dimensions);
  return dims.find((d) => d === 'citizenship') ?? dims.find((d) => /citizenship/.test(d) && !/group/.test(d)) ?? dims.find((d) => /nationality/.test(d));
}

/* ---------------------------------------------------------------- context */

export interface DataContext {
  db: Database;
  vintage: string;
  /** Every release, for file names. */
  byId: Map<string, ReleaseRecord>;
  /** Releases the vintage allows, newest first. */
  allowed: ReleaseRecord[];
}

export async function dataContext(db: Database, vintage: string): Promise<DataContext> {
  const all = await listReleases(db);
  return { db, vintage, byId: new Map(all.map((r) => [r.release_id, r])), allowed: timeline(all, vintage, { includeSuspect: true }) };
}

/** The releases behind some ids, newest first (for the footer). */
export function releasesOf(ctx: DataContext, ids: Iterable<string>): ReleaseRecord[] {
  const want = new Set(ids);
  return ctx.allowed.filter((r) => want.has(r.release_id));
}

/** The vintage a link pins: the page's, else the newest release of the metric's sources. */
export function pinFor(ctx: DataContext, def: MetricDefinition): string {
  if (ctx.vintage !== 'latest') return ctx.vintage;
  return ctx.allowed.find((r) => def.sources.includes(r.source_id))?.release_id ?? 'latest';
}

export async function run(ctx: DataContext, def: MetricDefinition, raw: RawQuery): Promise<MetricResult> {
  return runMetric(ctx.db, def, parseQuery(def, { ...raw, vintage: ctx.vintage }));
}

/** The API URL giving the rows a figure was taken from, pinned. */
export function apiCsv(def: MetricDefinition, raw: RawQuery, pin: string): string {
  const p = new URLSearchParams();
  for (const k of ['grain', 'by', 'from', 'to'] as const) {
    const v = raw[k];
    if (v !== undefined) p.set(k, Array.isArray(v) ? v.join(',') : v);
  }
  for (const f of [raw.filter ?? []].flat()) p.append('filter', f);
  p.set('vintage', pin);
  return `/api/v1/metrics/${def.id}.csv?${p.toString()}`;
}

/* ---------------------------------------------------------------- FOIA coverage */

export interface Production {
  release_id: string;
  kind: string;
  title: string | null;
  files: string[];
  records: number | null;
}

export interface Coverage {
  /** "Seattle area of responsibility, FY2012–FY2019 only". */
  text: string;
  productions: Production[];
  first_period: string | null;
  last_period: string | null;
}

const AOR_IN_TITLE = /for the (.+?) Area of Responsibility/i;

/** What the FOIA productions behind a result cover, from their titles (foia_files) and the periods in the data. */
export async function foiaCoverage(ctx: DataContext, releaseIds: string[], periods: string[]): Promise<Coverage> {
  const rows = releaseIds.length
    ? await ctx.db.all(`SELECT release_id, kind, title, rows FROM foia_files WHERE list_contains(string_split($1, ','), release_id) ORDER BY release_id`, [releaseIds.join(',')])
    : [];
  const productions: Production[] = releaseIds.map((id) => {
    const f = rows.find((r) => r.release_id === id);
    return {
      release_id: id,
      kind: (f?.kind as string | undefined) ?? '',
      title: (f?.title as string | null | undefined) ?? null,
      files: ctx.byId.get(id)?.file_names ?? [],
      records: f?.rows === undefined || f.rows === null ? null : Number(f.rows),
    };
  });
  const sorted = [...periods].sort();
  const first = sorted[0] ?? null;
  const last = sorted.at(-1) ?? null;
  const areas = [...new Set(productions.map((p) => AOR_IN_TITLE.exec(p.title ?? '')?.[1]?.trim()).filter((a): a is string => !!a))];
  const allLocal = productions.length > 0 && productions.every((p) => AOR_IN_TITLE.test(p.title ?? ''));
  const span = first && last ? (first === last ? first : `${first}–${last}`) : '';
  const where = allLocal
    ? `${areas.join(' and ')} area${areas.length > 1 ? 's' : ''} of responsibility`
    : productions.length
      ? 'the area the productions cover (their titles are below; the tracker does not assume they are national)'
      : '';
  return { text: where ? `${where}${span ? `, ${span} only` : ''}` : '', productions, first_period: first, last_period: last };
}

/* ---------------------------------------------------------------- one measure, every country */

export interface NamedRow {
  period: string;
  name: string;
  /** 0 when withheld. */
  value: number;
  /** The agency withheld the number (a small number, "D"): no value, never zero. */
  withheld?: true;
}

export interface PairSource {
  period: string;
  citizenship: string;
  departure_country: string;
  value: number;
}

export interface MeasureLoad {
  spec: MeasureSpec;
  status: 'ok' | 'not-available' | 'no-nationality' | 'not-loaded';
  /** Why there is no figure (every status but ok). */
  why: string;
  def?: MetricDefinition;
  dim?: string;
  grain?: Grain;
  /** Flows: fiscal years by citizenship. Stocks: the latest period and the one a year earlier, by citizenship. */
  rows: NamedRow[];
  /** Totals by period (every name added: the metric is 'grouped', so the names add up to the total), and the incomplete periods. */
  totals: Map<string, number>;
  partial: Set<string>;
  /** Flows with a month grain, when asked for (or free): months by citizenship. */
  months: NamedRow[] | null;
  monthPartial: Set<string>;
  /** Removals: months by citizenship and departure country. */
  pairs: PairSource[] | null;
  /** Flows: the latest fiscal year the data cover completely. */
  latestComplete: string | null;
  /** Stocks: the latest period with data and the same period a year earlier. */
  latestPeriod: string | null;
  yearEarlier: string | null;
  releases: string[];
  pin: string;
  /** API URLs of the rows: by fiscal year (or the stock's grain) and by month. */
  csv: string | null;
  monthlyCsv: string | null;
  coverage: Coverage | null;
}

const STOCK_GRAINS: Grain[] = ['day', 'snapshot', 'month', 'fy'];

function yearBefore(period: string): string {
  if (/^FY\d{4}$/.test(period)) return `FY${Number(period.slice(2)) - 1}`;
  const y = `${Number(period.slice(0, 4)) - 1}${period.slice(4)}`;
  return y.endsWith('-02-29') ? `${y.slice(0, 8)}28` : y;
}

export const fyOfMonth = (m: string) => `FY${Number(m.slice(5, 7)) >= 10 ? Number(m.slice(0, 4)) + 1 : Number(m.slice(0, 4))}`;

function empty(spec: MeasureSpec, status: MeasureLoad['status'], why: string, extra: Partial<MeasureLoad> = {}): MeasureLoad {
  return {
    spec,
    status,
    why,
    rows: [],
    totals: new Map(),
    partial: new Set(),
    months: null,
    monthPartial: new Set(),
    pairs: null,
    latestComplete: null,
    latestPeriod: null,
    yearEarlier: null,
    releases: [],
    pin: 'latest',
    csv: null,
    monthlyCsv: null,
    coverage: null,
    ...extra,
  };
}

/**
 * Rows of a run by [dim, …] → rows by name (other dimensions added up). A value the engine
 * reports as 'withheld' stays withheld (never 0) unless another row of the name has a number;
 * a null value is no value.
 */
function named(result: MetricResult, dim: string): NamedRow[] {
  const sums = new Map<string, NamedRow & { numbers: number }>();
  for (const r of result.rows) {
    const k = `${String(r.period)}\u0000${String(r[dim] ?? '')}`;
    const row = sums.get(k) ?? { period: String(r.period), name: String(r[dim] ?? ''), value: 0, numbers: 0 };
    if (typeof r.value === 'number' && Number.isFinite(r.value)) {
      row.value += r.value;
      row.numbers++;
    } else if (r.value === 'withheld') row.withheld = true;
    else if (r.value === null || r.value === undefined) continue;
    else if (Number.isFinite(Number(r.value))) {
      row.value += Number(r.value);
      row.numbers++;
    }
    sums.set(k, row);
  }
  return [...sums.values()].map(({ numbers, ...row }) => {
    if (numbers > 0) delete row.withheld;
    return row;
  });
}

const totalsOf = (rows: NamedRow[]) => {
  const t = new Map<string, number>();
  for (const r of rows) t.set(r.period, (t.get(r.period) ?? 0) + r.value);
  return t;
};

/**
 * Runs one measure for every country: by fiscal year (flows) or on its latest day (stocks).
 *
 * A flow whose fiscal years are sums of months (CBP, the FOIA counts) is run once, by month and
 * citizenship, and its years are added up here exactly as the metric engine adds them (a year with
 * fewer than twelve months, or a partial month, is partial): one query instead of four, and the
 * months are there for the chart. Other flows (OHSS, whose years are a sheet of their own) are run
 * by fiscal year, and by month only when `months` is asked for. The totals are the rows added up
 * (every metric here is 'grouped': a record has one citizenship, '(missing)' included).
 */
export async function loadMeasure(ctx: DataContext, spec: MeasureSpec, o: { months?: boolean } = {}): Promise<MeasureLoad> {
  const def = metricById(spec.metric);
  if (!def) return empty(spec, 'not-available', `Not available yet: ${spec.notYet}`);
  const dim = citizenshipDimension(def);
  if (!dim) return empty(spec, 'no-nationality', `${def.title} has no citizenship breakdown, so it cannot give a figure for one country.`, { def });
  const pin = pinFor(ctx, def);
  const notLoaded = () =>
    empty(spec, 'not-loaded', `No ${spec.foia ? 'FOIA production' : 'file'} of this kind is loaded${ctx.vintage !== 'latest' ? ` in vintage ${ctx.vintage}` : ''} (dataset ${def.sources.join(', ')}).`, { def, dim, pin });
  try {
    if (spec.kind === 'stock') return await loadStock(ctx, spec, def, dim, pin, notLoaded);
    if (!def.grains.includes('fy')) return empty(spec, 'no-nationality', `${def.title} has no fiscal-year grain.`, { def, dim });
    const withPairs = spec.key === 'foia_removals' && 'departure_country' in def.dimensions && dim !== 'departure_country';
    const by = withPairs ? [dim, 'departure_country'] : [dim];
    const hasMonths = def.grains.includes('month');
    const fromMonths = hasMonths && def.aggregate('fy') === 'sum-months' && def.dimensionMode === 'grouped';
    const monthRaw: RawQuery = { grain: 'month', by };
    const fyRaw: RawQuery = { grain: 'fy', by: dim };
    let months: NamedRow[] | null = null;
    let monthPartial = new Set<string>();
    let pairs: PairSource[] | null = null;
    const releases = new Set<string>();
    if (fromMonths || (hasMonths && o.months) || withPairs) {
      const m = await run(ctx, def, monthRaw);
      months = named(m, dim);
      monthPartial = new Set(m.partialPeriods);
      for (const id of m.releases) releases.add(id);
      if (withPairs) pairs = m.rows.map((r) => ({ period: String(r.period), citizenship: String(r[dim] ?? ''), departure_country: String(r.departure_country ?? ''), value: Number(r.value) }));
    }
    let rows: NamedRow[];
    let partial: Set<string>;
    if (fromMonths && months) {
      const byYear = new Map<string, NamedRow>();
      const monthsIn = new Map<string, Set<string>>();
      partial = new Set();
      for (const r of months) {
        const fy = fyOfMonth(r.period);
        const k = `${fy}\u0000${r.name}`;
        const row = byYear.get(k) ?? { period: fy, name: r.name, value: 0 };
        row.value += r.value;
        byYear.set(k, row);
        monthsIn.set(fy, (monthsIn.get(fy) ?? new Set()).add(r.period));
        if (monthPartial.has(r.period)) partial.add(fy);
      }
      for (const [fy, ms] of monthsIn) if (ms.size < 12) partial.add(fy);
      rows = [...byYear.values()];
    } else {
      const f = await run(ctx, def, fyRaw);
      rows = named(f, dim);
      // years added from months are partial per row when a country has no row in some month: ask the national series
      partial = new Set(def.aggregate('fy') === 'sum-months' ? (await run(ctx, def, { grain: 'fy' })).partialPeriods : f.partialPeriods);
      for (const id of f.releases) releases.add(id);
    }
    if (rows.length === 0) return notLoaded();
    const totals = totalsOf(rows);
    const periods = [...totals.keys()].sort();
    const ids = [...releases].sort();
    return {
      ...empty(spec, 'ok', ''),
      def,
      dim,
      grain: 'fy',
      rows,
      totals,
      partial,
      months,
      monthPartial,
      pairs,
      latestComplete: [...periods].reverse().find((p) => !partial.has(p)) ?? null,
      releases: ids,
      pin,
      csv: apiCsv(def, fyRaw, pin),
      monthlyCsv: months ? apiCsv(def, { grain: 'month', by: dim }, pin) : null,
      coverage: spec.foia ? await foiaCoverage(ctx, ids, periods) : null,
    };
  } catch (err) {
    if (err instanceof ParamError) return empty(spec, 'not-available', `Not available: ${err.message}`, { def, dim });
    // one measure that cannot be computed (a table its metric needs is missing) must not take the page down: it says why
    if (err instanceof QueryError) {
      const why = (err.cause instanceof Error ? err.cause.message : String(err.cause)).split('\n')[0]!.slice(0, 300);
      return empty(spec, 'not-available', `Not available: ${def.id} could not be computed (${why}).`, { def, dim });
    }
    throw err;
  }
}

async function loadStock(ctx: DataContext, spec: MeasureSpec, def: MetricDefinition, dim: string, pin: string, notLoaded: () => MeasureLoad): Promise<MeasureLoad> {
  const grain = STOCK_GRAINS.find((x) => def.grains.includes(x));
  if (!grain) return empty(spec, 'no-nationality', `${def.title} has no grain to read a population from.`, { def, dim });
  // the national series finds the latest period (the rows by citizenship of every day would be many)
  const national = await run(ctx, def, { grain });
  const periods = national.rows.map((r) => String(r.period)).sort();
  const latestPeriod = periods.at(-1);
  if (!latestPeriod) return notLoaded();
  let yearEarlier: string | null = yearBefore(latestPeriod);
  if (!periods.includes(yearEarlier)) yearEarlier = null;
  const raw: RawQuery = { grain, by: dim, from: latestPeriod, to: latestPeriod };
  const results = [await run(ctx, def, raw)];
  // the same period a year earlier on its own, not the days between
  if (yearEarlier) results.push(await run(ctx, def, { grain, by: dim, from: yearEarlier, to: yearEarlier }));
  const rows = results.flatMap((res) => named(res, dim));
  const ids = [...new Set([...national.releases, ...results.flatMap((r) => r.releases)])].sort();
  return {
    ...empty(spec, 'ok', ''),
    def,
    dim,
    grain,
    rows,
    totals: totalsOf(rows),
    partial: new Set(national.partialPeriods),
    latestPeriod,
    yearEarlier,
    releases: ids,
    pin,
    csv: apiCsv(def, raw, pin),
    coverage: spec.foia ? await foiaCoverage(ctx, ids, [latestPeriod]) : null,
  };
}

export async function loadMeasures(ctx: DataContext, o: { months?: boolean } = {}): Promise<MeasureLoad[]> {
  const out: MeasureLoad[] = [];
  // one after another: the database answers one query at a time on its connection
  for (const spec of MEASURES) out.push(await loadMeasure(ctx, spec, o));
  return out;
}

/** One country's (or non-country's) rows of a measure: values by period and the spellings that gave them. */
export interface Slice {
  values: Map<string, number>;
  /** Periods where every row of the country is withheld by the agency. */
  withheld: Set<string>;
  spellings: string[];
}

export function sliceFor(rows: readonly NamedRow[], key: string): Slice {
  const values = new Map<string, number>();
  const withheld = new Set<string>();
  const spellings = new Set<string>();
  for (const r of rows) {
    if (nameKey(classifyName(r.name)) !== key) continue;
    spellings.add(r.name);
    if (r.withheld) withheld.add(r.period);
    else values.set(r.period, (values.get(r.period) ?? 0) + r.value);
  }
  for (const p of values.keys()) withheld.delete(p);
  return { values, withheld, spellings: [...spellings].sort() };
}

/** Every country and non-country of a measure, with its class. */
export function keysOf(load: MeasureLoad): Map<string, NameClass> {
  const out = new Map<string, NameClass>();
  for (const r of load.rows) {
    const c = classifyName(r.name);
    out.set(nameKey(c), c);
  }
  return out;
}

/* ---------------------------------------------------------------- headline */

export interface Headline {
  period: string;
  value: number | null;
  /** Why the value is null (not broken out, no row). */
  note: string | null;
  previous: { period: string; value: number | null } | null;
  change: number | null;
  change_pct: number | null;
}

/** The value of a country in a period, as the measure's absence rule reads a missing row. */
export function valueIn(load: MeasureLoad, slice: Slice, period: string): number | null {
  const v = slice.values.get(period);
  if (v !== undefined) return v;
  if (!load.totals.has(period) || slice.withheld.has(period)) return null;
  return load.spec.absent === 'zero' ? 0 : null;
}

export const WITHHELD_NOTE = 'withheld by the agency (a small number, "D"): not zero';

export function absentNote(load: MeasureLoad, slice?: Slice, period?: string): string {
  if (slice && period && slice.withheld.has(period)) return WITHHELD_NOTE;
  if (load.spec.absent === 'not-named') return 'not broken out by CBP (inside OTHER)';
  if (load.spec.absent === 'rounded') return 'no row: none, or fewer than 5 (OHSS rounds to 10)';
  if (load.spec.absent === 'not-listed') return "not in the agency's table";
  if (load.spec.absent === 'threshold') return 'not listed: under the yearbook’s threshold (inside “All other countries”), or none';
  return 'none in the records';
}

export function headlineOf(load: MeasureLoad, slice: Slice): Headline | null {
  const period = load.spec.kind === 'flow' ? load.latestComplete : load.latestPeriod;
  if (!period) return null;
  const value = valueIn(load, slice, period);
  const prevPeriod = load.spec.kind === 'flow' ? yearBefore(period) : load.yearEarlier;
  const prevValue = prevPeriod && load.totals.has(prevPeriod) && !(load.spec.kind === 'flow' && load.partial.has(prevPeriod)) ? valueIn(load, slice, prevPeriod) : null;
  const previous = prevPeriod && load.totals.has(prevPeriod) ? { period: prevPeriod, value: prevValue } : null;
  const change = value !== null && prevValue !== null ? value - prevValue : null;
  return {
    period,
    value,
    note: value === null ? absentNote(load, slice, period) : null,
    previous,
    change,
    change_pct: change !== null && prevValue ? Math.round((change / prevValue) * 1000) / 10 : null,
  };
}

/* ---------------------------------------------------------------- removals: citizenship against destination */

export type DestinationKind = 'same' | 'third' | 'unknown';

export interface PairRow extends PairSource {
  cit: NameClass;
  dep: NameClass;
  kind: DestinationKind;
  /** Why unknown: a missing value, or a name that is not one country. */
  unknown_why: 'missing' | 'not-one-country' | null;
  /** The raw names differ but name the same country (spelling difference between columns). */
  spelling_only: boolean;
}

/**
 * Citizenship against departure country, compared by ISO code, never by raw name: the agencies,
 * and the two columns of one ICE file, spell countries differently.
 */
export function classifyPair(citizenship: string, departure: string): Pick<PairRow, 'cit' | 'dep' | 'kind' | 'unknown_why' | 'spelling_only'> {
  const cit = classifyName(citizenship);
  const dep = classifyName(departure);
  if (cit.kind === 'missing' || dep.kind === 'missing') return { cit, dep, kind: 'unknown', unknown_why: 'missing', spelling_only: false };
  if (cit.kind !== 'country' || dep.kind !== 'country') return { cit, dep, kind: 'unknown', unknown_why: 'not-one-country', spelling_only: false };
  const same = cit.iso3 === dep.iso3;
  return { cit, dep, kind: same ? 'same' : 'third', unknown_why: null, spelling_only: same && citizenship.trim().toUpperCase() !== departure.trim().toUpperCase() };
}

/** The removals measure's months by citizenship and departure country, classified, by month or added into fiscal years. */
export function pairRows(load: MeasureLoad, grain: 'month' | 'fy'): PairRow[] {
  const sums = new Map<string, PairSource>();
  for (const p of load.pairs ?? []) {
    const period = grain === 'fy' ? fyOfMonth(p.period) : p.period;
    const k = `${period}\u0000${p.citizenship}\u0000${p.departure_country}`;
    const row = sums.get(k) ?? { ...p, period, value: 0 };
    row.value += p.value;
    sums.set(k, row);
  }
  return [...sums.values()].map((p) => ({ ...p, ...classifyPair(p.citizenship, p.departure_country) }));
}


/* ---------------------------------------------------------------- formatting */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const monthName = (m: string) => `${MONTHS[Number(m.slice(5, 7)) - 1] ?? '?'} ${m.slice(0, 4)}`;
/** FY2025, 2025-03 or 2025-03-15 as words. */
export function periodText(p: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(p)) return `${Number(p.slice(8, 10))} ${monthName(p)}`;
  if (/^\d{4}-\d{2}$/.test(p)) return monthName(p);
  return p;
}

export const signed = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${fmt(Math.abs(v))}`;
export const pct = (part: number, whole: number) => (whole ? `${((part / whole) * 100).toFixed(1)}%` : '–');
export const numCell = (v: number | null | undefined, note?: string) =>
  v === null || v === undefined
    ? `<td class="num" data-sort=""><span class="muted"${note ? ` title="${esc(note)}"` : ''}>–</span></td>`
    : `<td class="num" data-sort="${v}">${esc(fmt(v))}</td>`;

export function releaseLinks(ctx: DataContext, ids: string[]): string {
  return releasesOf(ctx, ids)
    .map((r) => `<a href="/-/releases/${esc(r.release_id)}">${esc(r.file_names.join(', ') || r.release_id)}</a>`)
    .join(', ');
}

/** A table that enhance.js makes sortable (and filterable past 20 rows). */
export function sortableTable(caption: string, head: Array<[string, boolean]>, rows: string[]): string {
  return `<div class="table-wrap"><table data-sortable><caption class="muted" style="text-align:left">${esc(caption)}</caption>
<thead><tr>${head.map(([h, isNum]) => `<th scope="col"${isNum ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
}

/* ---------------------------------------------------------------- chart */

const { document } = parseHTML('<!doctype html><html><body></body></html>');

export interface MonthValue {
  month: string;
  key: string;
  value: number;
  partial?: boolean;
}

const monthStart = (m: string) => new Date(`${m}-01T00:00:00Z`);
const WIDTH = 720;
const MARGIN_LEFT = 56;
const MARGIN_RIGHT = 20;

/**
 * Monthly bars, stacked by key, partial months pale, with dated events drawn as rules and
 * labels above the frame (events outside the months shown are left out, never stretching the axis).
 */
export function monthlyChart(points: MonthValue[], keys: StackKey[], o: { title: string; yLabel: string; events: readonly EventAnnotation[] }): string {
  const months = [...new Set(points.map((p) => p.month))].sort();
  const first = months[0];
  const last = months.at(-1);
  if (!first || !last) return '';
  const x0 = monthStart(first);
  const end = monthStart(last);
  const x1 = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, 1));
  const present = keys.filter((k) => points.some((p) => p.key === k.key));
  const label = new Map(keys.map((k) => [k.key, k.label]));
  const data = points.map((p) => ({ ...p, d: monthStart(p.month), series: label.get(p.key) ?? p.key }));
  const events = eventMarks([x0, x1], o.events, { plotWidth: WIDTH - MARGIN_LEFT - MARGIN_RIGHT });
  const svg = Plot.plot({
    document,
    width: WIDTH,
    height: 280 + (events.length ? eventMarginTop() - 22 : 0),
    marginLeft: MARGIN_LEFT,
    marginRight: MARGIN_RIGHT,
    marginTop: events.length ? eventMarginTop() : 22,
    marginBottom: 44,
    style: { fontSize: '12px' },
    x: { type: 'utc', domain: [x0, x1], label: 'calendar month', labelAnchor: 'center', labelOffset: 38 },
    y: { label: o.yLabel, grid: true, tickFormat: '~s' },
    color: { domain: present.map((k) => k.key), range: present.map((k) => k.color) },
    marks: [
      Plot.rectY(data, {
        x: 'd',
        y: 'value',
        interval: 'month',
        fill: 'key',
        z: 'key',
        order: present.map((k) => k.key),
        fillOpacity: (p: MonthValue) => (p.partial ? 0.35 : 1),
        title: (p: MonthValue & { series: string }) => `${p.series}, ${p.month}: ${Math.round(p.value).toLocaleString('en-US')}${p.partial ? ' (partial month)' : ''}`,
      }),
      Plot.ruleY([0]),
      ...events,
    ],
  }) as unknown as { outerHTML: string; setAttribute: (k: string, v: string) => void };
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', o.title);
  const extra = points.some((p) => p.partial) ? ['<span style="white-space:nowrap"><span aria-hidden="true" style="display:inline-block;width:.9em;height:.9em;vertical-align:middle;background:#1f5f99;opacity:.35"></span> partial month (pale)</span>'] : [];
  const eventSwatch = events.length ? ['<span style="white-space:nowrap"><span aria-hidden="true" style="display:inline-block;width:1.4em;border-top:2px dashed #a33;vertical-align:middle"></span> reported events (not in the agency files)</span>'] : [];
  return swatches(present, [...extra, ...eventSwatch]) + svg.outerHTML;
}

/** Checks a `?fy=` value. */
export function parseFy(param: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.trim().toUpperCase();
  if (!/^FY\d{4}$/.test(v)) throw new ParamError(param, `'${value}' is not a fiscal year written FY2024`);
  periodBounds(param, v);
  return v;
}
