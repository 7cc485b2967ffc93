import { eventAnnotations, eventsForCountry, type EnforcementEvent } from '../../events/events.js';
import { countryByIso3, type CountryInfo } from '../../lib/countries.js';
import { esc, fmt } from '../render/html.js';
import {
  absentNote,
  apiCsv,
  dataContext,
  headlineOf,
  keysOf,
  loadMeasures,
  pairRows,
  fyOfMonth,
  MEASURES,
  monthlyChart,
  nameKey,
  numCell,
  PageNotFoundError,
  parseFy,
  periodText,
  releaseLinks,
  releasesOf,
  signed,
  sliceFor,
  sortableTable,
  valueIn,
  type Coverage,
  type DataContext,
  type Headline,
  type MeasureLoad,
  type Slice,
} from './country-data.js';
import type { PageRoute } from './types.js';

/* ---------------------------------------------------------------- the country */

/**
 * The country a path segment names: an ISO 3166-1 alpha-3 code in any case (`irn` is accepted
 * and shows the page of IRN), or XKX (Kosovo). Anything else is a 404 that says why.
 */
export function countryForCode(code: string): CountryInfo {
  const c = code.trim();
  if (!/^[A-Za-z]{3}$/.test(c)) {
    throw new PageNotFoundError(`no country page '${code}': country pages are keyed by ISO 3166-1 alpha-3 code (/countries/IRN); see /countries for the list`);
  }
  const info = countryByIso3(c.toUpperCase());
  if (!info) throw new PageNotFoundError(`'${code}' is not an ISO 3166-1 alpha-3 country code (nor XKX, Kosovo): no country page; see /countries for the list`);
  return info;
}

/* ---------------------------------------------------------------- one measure for one country */

type Status = 'ok' | 'not-named' | 'no-rows' | 'not-loaded' | 'not-available' | 'no-nationality';

interface YearValue {
  period: string;
  value: number | null;
  partial: boolean;
  note: string | null;
}

interface MonthPoint {
  month: string;
  value: number;
  partial: boolean;
}

export interface CountryMeasure {
  key: string;
  metric: string;
  label: string;
  agency: string;
  unit: string;
  kind: 'flow' | 'stock';
  status: Status;
  /** What the page says about this source for the country, above the numbers (always set when there are none). */
  says: string;
  /** The agency's spellings whose rows were added up. */
  spellings: string[];
  headline: Headline | null;
  years: YearValue[];
  months: MonthPoint[];
  coverage: Coverage | null;
  caveat: string;
  caveats: string[];
  releases: string[];
  csv: string | null;
  monthly_csv: string | null;
}

interface CbpOther {
  period: string;
  other: number;
  total: number;
  share_pct: number;
}

function monthly(load: MeasureLoad, key: string): { points: MonthPoint[]; namedMonths: Map<string, number>; allMonths: Map<string, number> } {
  const namedMonths = new Map<string, number>();
  const allMonths = new Map<string, number>();
  if (load.status !== 'ok' || !load.months) return { points: [], namedMonths, allMonths };
  const values = sliceFor(load.months, key).values;
  const months = [...new Set(load.months.map((r) => r.period))].sort();
  for (const m of months) {
    const fy = fyOfMonth(m);
    allMonths.set(fy, (allMonths.get(fy) ?? 0) + 1);
    if (values.has(m)) namedMonths.set(fy, (namedMonths.get(fy) ?? 0) + 1);
  }
  // every month of the data for FOIA records (none is zero); only the agency's rows where a missing row means "not named" or "rounded away"
  const points = months.filter((m) => values.has(m) || load.spec.absent === 'zero').map((m) => ({ month: m, value: values.get(m) ?? 0, partial: load.monthPartial.has(m) }));
  return { points, namedMonths, allMonths };
}

function otherIn(load: MeasureLoad): CbpOther | null {
  const period = load.latestComplete;
  if (!period) return null;
  let other = 0;
  for (const r of load.rows) if (r.period === period && r.name.trim().toUpperCase() === 'OTHER') other += r.value;
  const total = load.totals.get(period) ?? 0;
  return { period, other, total, share_pct: total ? Math.round((other / total) * 1000) / 10 : 0 };
}

function countryMeasure(load: MeasureLoad, info: CountryInfo, ohssSlice: { load: MeasureLoad; slice: Slice } | undefined): { m: CountryMeasure; other: CbpOther | null } {
  const key = info.alpha3;
  const name = info.name;
  const base = {
    key: load.spec.key,
    metric: load.spec.metric,
    label: load.spec.label,
    agency: load.spec.agency,
    unit: load.spec.unit,
    kind: load.spec.kind,
    caveat: load.spec.caveat,
    caveats: load.def?.caveats ?? [],
    coverage: load.coverage,
    csv: load.csv,
  };
  if (load.status !== 'ok') {
    return { m: { ...base, status: load.status, says: load.why, spellings: [], headline: null, years: [], months: [], releases: [], monthly_csv: null }, other: null };
  }
  const slice = sliceFor(load.rows, key);
  const mo = monthly(load, key);
  const releases = load.releases;
  const years: YearValue[] =
    load.spec.kind === 'flow'
      ? [...load.totals.keys()].sort().map((p) => {
          const value = valueIn(load, slice, p);
          const named = mo.namedMonths.get(p);
          const all = mo.allMonths.get(p);
          let note = value === null ? absentNote(load, slice, p) : null;
          if (value !== null && load.spec.absent === 'not-named' && named !== undefined && all !== undefined && named < all) note = `broken out in ${named} of the ${all} months; the others are inside OTHER`;
          return { period: p, value, partial: load.partial.has(p), note };
        })
      : [];
  const headline = headlineOf(load, slice);
  let status: Status = 'ok';
  let says = '';
  let other: CbpOther | null = null;
  const cov = load.coverage?.text ? ` (${load.coverage.text})` : '';
  if (slice.values.size === 0 && slice.withheld.size === 0) {
    if (load.spec.absent === 'not-named') {
      status = 'not-named';
      other = otherIn(load);
      const named = [...keysOf(load).values()].filter((c) => c.kind === 'country').length;
      const oh = ohssSlice && ohssSlice.slice.values.size ? headlineOf(ohssSlice.load, ohssSlice.slice) : null;
      says =
        `CBP does not break out ${name}: it is inside OTHER` +
        (other ? `, which was ${fmt(other.other)} encounters in ${other.period}, ${other.share_pct.toFixed(1)}% of the total (${fmt(other.total)})` : '') +
        `. CBP's files name ${named} countries and add every other citizenship into OTHER; OTHER is many countries and is never split or subtracted to estimate one.` +
        (oh && oh.value !== null
          ? ` DHS OHSS's Border Patrol series does name ${name}: ${fmt(oh.value)} in ${oh.period} (Border Patrol only, rounded to 10; below).`
          : ohssSlice
            ? ` DHS OHSS's Border Patrol series has no row for ${name} either (below).`
            : '');
    } else if (load.spec.absent === 'rounded') {
      status = 'no-rows';
      says = `The OHSS workbook has no row for ${name}: in every year its Border Patrol encounters were none or fewer than 5 (OHSS rounds to 10 and leaves out zeros), or they are filed under a name that is not one country (Unknown, a former country).`;
    } else if (load.spec.absent === 'not-listed') {
      status = 'no-rows';
      says = `${name} is not in the agency's table: no removal of its citizens was listed, or they are under a name that is not one country (UNKNOWN, a former country).`;
    } else if (load.spec.absent === 'threshold') {
      status = 'no-rows';
      says = `The yearbook does not list ${name}: its removals were under the yearbook's disclosure threshold and are inside "All other countries" (never split to estimate one country), or there were none.`;
    } else {
      status = 'no-rows';
      says = `No record of a citizen of ${name} in the loaded productions${cov}: none in that area and those years, which says nothing about elsewhere.`;
    }
  } else if (load.spec.foia) {
    says = `From the FOIA productions loaded${cov}: not national figures unless the productions are national.`;
  }
  if (load.spec.kind === 'stock' && headline && load.latestPeriod) {
    says = `${says ? says + ' ' : ''}Population on ${periodText(load.latestPeriod)}, the latest day the records cover.`;
  }
  return {
    m: { ...base, status, says, spellings: slice.spellings, headline, years, months: status === 'ok' ? mo.points : [], releases, monthly_csv: load.monthlyCsv },
    other,
  };
}

/* ---------------------------------------------------------------- destinations */

interface DestinationRow {
  departure_country: string;
  iso3: string | null;
  name: string;
  kind: 'same' | 'third' | 'unknown';
  unknown_why: string | null;
  all_years: number;
  latest_fy: number;
}

interface Destinations {
  status: string;
  says: string;
  fiscal_year: string | null;
  all_years: { total: number; same: number; third: number; unknown_missing: number; unknown_not_one_country: number; third_share_of_known_pct: number | null; unknown_share_pct: number | null };
  rows: DestinationRow[];
  /** Removals of people of other citizenships to this country. */
  sent_here: Array<{ citizenship: string; iso3: string | null; name: string; all_years: number }>;
  spellings_departure: string[];
  csv: string | null;
  releases: string[];
}

function destinations(load: MeasureLoad | undefined, iso3: string, name: string): Destinations {
  const empty: Destinations = {
    status: load?.status ?? 'not-available',
    says: load ? load.why : 'Not available: the removals metric is not registered.',
    fiscal_year: null,
    all_years: { total: 0, same: 0, third: 0, unknown_missing: 0, unknown_not_one_country: 0, third_share_of_known_pct: null, unknown_share_pct: null },
    rows: [],
    sent_here: [],
    spellings_departure: [],
    csv: load?.def && load.dim && load.pairs ? apiCsv(load.def, { grain: 'fy', by: [load.dim, 'departure_country'] }, load.pin) : null,
    releases: load?.releases ?? [],
  };
  if (!load || load.status !== 'ok') return empty;
  if (!load.pairs) return { ...empty, status: 'not-available', says: `${load.spec.metric} has no departure-country breakdown by month: destinations cannot be shown.` };
  const pairs = pairRows(load, 'fy');
  const latest = load.latestComplete;
  const mine = pairs.filter((r) => r.cit.kind === 'country' && r.cit.iso3 === iso3);
  const byDest = new Map<string, DestinationRow>();
  const t = empty.all_years;
  for (const r of mine) {
    const k = r.dep.kind === 'country' ? r.dep.iso3 : `${r.dep.kind}:${r.departure_country}`;
    let row = byDest.get(k);
    if (!row) {
      row = { departure_country: r.departure_country, iso3: r.dep.kind === 'country' ? r.dep.iso3 : null, name: r.dep.kind === 'country' ? r.dep.name : r.departure_country, kind: r.kind, unknown_why: r.unknown_why, all_years: 0, latest_fy: 0 };
      byDest.set(k, row);
    }
    row.all_years += r.value;
    if (r.period === latest) row.latest_fy += r.value;
    t.total += r.value;
    if (r.kind === 'same') t.same += r.value;
    else if (r.kind === 'third') t.third += r.value;
    else if (r.unknown_why === 'missing') t.unknown_missing += r.value;
    else t.unknown_not_one_country += r.value;
  }
  t.third_share_of_known_pct = t.same + t.third ? Math.round((t.third / (t.same + t.third)) * 1000) / 10 : null;
  t.unknown_share_pct = t.total ? Math.round(((t.unknown_missing + t.unknown_not_one_country) / t.total) * 1000) / 10 : null;
  const sentHere = new Map<string, { citizenship: string; iso3: string | null; name: string; all_years: number }>();
  for (const r of pairs) {
    if (r.dep.kind !== 'country' || r.dep.iso3 !== iso3 || r.kind !== 'third') continue;
    const k = nameKey(r.cit);
    const row = sentHere.get(k) ?? { citizenship: r.citizenship, iso3: r.cit.kind === 'country' ? r.cit.iso3 : null, name: r.cit.kind === 'country' ? r.cit.name : r.citizenship, all_years: 0 };
    row.all_years += r.value;
    sentHere.set(k, row);
  }
  const unknownAll = t.unknown_missing + t.unknown_not_one_country;
  let says: string;
  if (t.total === 0) says = `No removal of a citizen of ${name} in the loaded productions, so no destination either.`;
  else if (unknownAll === t.total)
    says = `The loaded productions record no departure country for the ${fmt(t.total)} removals of citizens of ${name}${t.unknown_missing === t.total ? ' (the field is not in these productions, or is empty)' : ''}: where they were sent is unknown, and no share of third-country removals can be given.`;
  else
    says = `Of ${fmt(t.total)} removals of citizens of ${name} in the loaded productions, ${fmt(t.same)} were to ${name} and ${fmt(t.third)} to another country (${t.third_share_of_known_pct ?? 0}% of those whose destination is known); ${fmt(unknownAll)} (${t.unknown_share_pct ?? 0}%) have no usable departure country.`;
  return {
    ...empty,
    status: 'ok',
    says,
    fiscal_year: latest,
    rows: [...byDest.values()].sort((a, b) => b.all_years - a.all_years || a.name.localeCompare(b.name)),
    sent_here: [...sentHere.values()].sort((a, b) => b.all_years - a.all_years || a.name.localeCompare(b.name)),
    spellings_departure: [...new Set(mine.filter((r) => r.dep.kind === 'country' && r.dep.iso3 === iso3).map((r) => r.departure_country))].sort(),
  };
}

/* ---------------------------------------------------------------- the flow */

interface FlowStep {
  step: number;
  key: string;
  label: string;
  agency: string;
  value: number | null;
  partial: boolean;
  /** Why there is no value. */
  missing: string | null;
  coverage: string | null;
  caveat: string;
}

interface Flow {
  fiscal_year: string | null;
  chosen: 'asked' | 'most-steps' | 'none';
  steps: FlowStep[];
  /** Other fiscal years with at least two steps. */
  other_years: string[];
  note: string;
}

const FLOW_NOTE =
  'Read down, not across. Each step is counted by a different agency (CBP, ICE), from different files, over a different area (nationwide encounters, FOIA productions of one area of responsibility), and each counts events, not people. The people removed in a year are mostly not the people encountered that year. So no step is divided by another: a ratio between them would not be a rate of anything.';

function flowOf(measures: CountryMeasure[], loads: MeasureLoad[], asked: string | undefined): Flow {
  const steps = MEASURES.filter((s) => s.step !== undefined).sort((a, b) => a.step! - b.step!);
  const cell = (key: string, fy: string) => {
    const m = measures.find((x) => x.key === key)!;
    const load = loads.find((l) => l.spec.key === key)!;
    const y = m.years.find((v) => v.period === fy);
    return { m, load, y };
  };
  const complete = (key: string, fy: string) => {
    const { y } = cell(key, fy);
    return y !== undefined && y.value !== null && !y.partial;
  };
  const years = [...new Set(measures.flatMap((m) => m.years.filter((y) => !y.partial).map((y) => y.period)))].sort();
  const score = (fy: string) => steps.filter((s) => complete(s.key, fy)).length;
  const hasRemoval = (fy: string) => (steps.some((s) => /removals/.test(s.key) && complete(s.key, fy)) ? 1 : 0);
  const ranked = [...years].sort((a, b) => score(b) - score(a) || hasRemoval(b) - hasRemoval(a) || b.localeCompare(a));
  const fy = asked ?? (ranked[0] && score(ranked[0]) > 0 ? ranked[0] : null);
  const out: FlowStep[] = steps.map((s) => {
    const base = { step: s.step!, key: s.key, label: s.label, agency: s.agency, caveat: s.caveat };
    if (!fy) return { ...base, value: null, partial: false, missing: 'no fiscal year has figures', coverage: null };
    const { m, load, y } = cell(s.key, fy);
    const coverage = m.coverage?.text || null;
    if (m.status === 'not-available' || m.status === 'no-nationality' || m.status === 'not-loaded') return { ...base, value: null, partial: false, missing: m.says, coverage };
    if (!y) return { ...base, value: null, partial: false, missing: `no ${s.unit} figure for ${fy}: the ${load.spec.foia ? 'productions' : 'files'} loaded do not cover it`, coverage };
    return { ...base, value: y.value, partial: y.partial, missing: y.value === null ? (y.note ?? 'no figure') : null, coverage };
  });
  return {
    fiscal_year: fy,
    chosen: asked ? 'asked' : fy ? 'most-steps' : 'none',
    steps: out,
    other_years: years.filter((y) => y !== fy && score(y) >= 2).reverse(),
    note: FLOW_NOTE,
  };
}

/* ---------------------------------------------------------------- html */

const MONTH_COLOR = '#1f5f99';

function card(m: CountryMeasure, other: CbpOther | null): string {
  const h = m.headline;
  const title = `<div class="l">${esc(m.label)}</div>`;
  if (m.status === 'not-named') {
    return `<div class="card">${title}<div class="v"><span class="muted" style="font-size:1rem">not broken out: inside OTHER</span></div>
<div class="s">${other ? `OTHER (many countries) was ${esc(fmt(other.other))} in ${esc(other.period)}, ${esc(other.share_pct.toFixed(1))}% of all CBP encounters` : ''} · <a href="#${esc(m.key)}">details</a></div></div>`;
  }
  const quiet = (text: string, link: string) => `<div class="card">${title}<div class="v"><span class="muted" style="font-size:1rem">${esc(text)}</span></div><div class="s"><a href="#${esc(m.key)}">${esc(link)}</a></div></div>`;
  if (m.status === 'not-available' || m.status === 'no-nationality') return quiet('not available yet', 'why');
  if (m.status === 'not-loaded') return quiet('no file loaded', 'details');
  if (!h) return quiet('no complete year', 'details');
  const value = h.value === null ? `<span class="muted" style="font-size:1rem">${esc(h.note ?? 'no figure')}</span>` : esc(fmt(h.value));
  const change =
    h.change !== null && h.previous
      ? `${signed(h.change)}${h.change_pct !== null ? ` (${h.change_pct > 0 ? '+' : h.change_pct < 0 ? '−' : ''}${Math.abs(h.change_pct)}%)` : ''} vs ${esc(periodText(h.previous.period))} (${esc(fmt(h.previous.value))})`
      : h.previous
        ? `${esc(periodText(h.previous.period))}: ${h.previous.value === null ? 'no figure' : esc(fmt(h.previous.value))}`
        : 'no figure a year earlier';
  return `<div class="card">${title}<div class="v">${value}</div>
<div class="s">${esc(m.unit)} in ${esc(periodText(h.period))}${m.kind === 'flow' ? ' (latest complete fiscal year)' : ''}${m.coverage?.text ? `; ${esc(m.coverage.text)}` : ''} · <a href="#${esc(m.key)}">source and caveat</a></div>
<div class="s">${change}</div></div>`;
}

function coverageHtml(c: Coverage | null): string {
  if (!c || !c.productions.length) return '';
  const items = c.productions.map(
    (p) => `<li>${p.title ? `“${esc(p.title)}”` : '<span class="muted">(no title)</span>'} — <a href="/-/releases/${esc(p.release_id)}">${esc(p.files.join(', ') || p.release_id)}</a>${p.records !== null ? `, ${esc(fmt(p.records))} records` : ''}</li>`,
  );
  return `<p><strong>Coverage:</strong> ${esc(c.text || 'as the productions below')}. Productions loaded:</p><ul>${items.join('')}</ul>`;
}

function measureSection(ctx: DataContext, m: CountryMeasure, name: string, events: ReturnType<typeof eventAnnotations>): string {
  const head = `<h2 id="${esc(m.key)}">${esc(m.label)}</h2>
<p class="muted">${esc(m.agency)}. Metric <a href="/api/v1/metrics/${esc(m.metric)}"><code>${esc(m.metric)}</code></a>.</p>`;
  if (m.status === 'not-available' || m.status === 'no-nationality' || m.status === 'not-loaded') return `${head}<p class="note">${esc(m.says)}</p>`;
  const spell = m.spellings.length ? `<p class="muted">Rows added up for ${esc(name)}: ${m.spellings.map((s) => `<code>${esc(s)}</code>`).join(', ')} (the agency's spelling${m.spellings.length > 1 ? 's' : ''}).</p>` : '';
  const says = m.says ? `<p${m.status === 'ok' ? '' : ' class="note"'}>${esc(m.says)}</p>` : '';
  const caveat = `<p><strong>Caveat:</strong> ${esc(m.caveat)}</p>`;
  const yearsTable =
    m.kind === 'flow' && m.status !== 'not-named' && m.years.length
      ? sortableTable(
          `${m.label}, ${name}, by fiscal year (October–September)`,
          [['Fiscal year', false], [m.unit, true], ['Change on the year before', true], ['Note', false]],
          [...m.years].reverse().map((y) => {
            const prev = m.years.find((p) => p.period === `FY${Number(y.period.slice(2)) - 1}`);
            const change = y.value !== null && prev && prev.value !== null && !y.partial && !prev.partial ? signed(y.value - prev.value) : '';
            return `<tr><td>${esc(y.period)}${y.partial ? ' <span class="tag">partial</span>' : ''}</td>${numCell(y.value, y.note ?? undefined)}<td class="num">${esc(change)}</td><td class="muted">${esc(y.note ?? '')}</td></tr>`;
          }),
        )
      : '';
  const stock =
    m.kind === 'stock' && m.headline
      ? `<p>${esc(fmt(m.headline.value ?? 0))} ${esc(m.unit)} on ${esc(periodText(m.headline.period))}${m.headline.previous ? `; ${esc(fmt(m.headline.previous.value ?? 0))} on ${esc(periodText(m.headline.previous.period))}` : ''}.</p>`
      : '';
  const chart = m.months.length
    ? `<figure>${monthlyChart(
        m.months.map((p) => ({ month: p.month, key: m.key, value: p.value, partial: p.partial })),
        [{ key: m.key, label: `${m.label}, ${name}`, color: MONTH_COLOR }],
        { title: `${m.label} of citizens of ${name}, each month, with the events involving ${name}`, yLabel: m.unit, events },
      )}<figcaption><p>${esc(m.label)}, citizens of ${esc(name)}, by calendar month${m.coverage?.text ? ` (${esc(m.coverage.text)})` : ''}. Dashed lines: events involving ${esc(name)} reported in the news or by governments (<a href="#events">listed below</a>); they are not in the agency's files. Files: ${releaseLinks(ctx, m.releases) || 'none'}.</p>
<p>Download CSV: ${m.monthly_csv ? `<a href="${esc(m.monthly_csv)}">by month and citizenship</a> · ` : ''}${m.csv ? `<a href="${esc(m.csv)}">by ${m.kind === 'flow' ? 'fiscal year' : 'day'} and citizenship</a>` : ''}</p></figcaption></figure>`
    : m.csv
      ? `<p class="muted">Files: ${releaseLinks(ctx, m.releases) || 'none'}. Download CSV: <a href="${esc(m.csv)}">every citizenship</a>.</p>`
      : '';
  const defCaveats = m.caveats.length ? `<details><summary>All caveats of <code>${esc(m.metric)}</code></summary><ul>${m.caveats.map((c) => `<li>${esc(c)}</li>`).join('')}</ul></details>` : '';
  return `${head}${says}${coverageHtml(m.coverage)}${spell}${caveat}${stock}${yearsTable}${chart}${defCaveats}`;
}

function destinationsHtml(d: Destinations, name: string): string {
  const head = `<h2 id="destinations">Where citizens of ${esc(name)} were removed to</h2>`;
  if (d.status !== 'ok') return `${head}<p class="note">${esc(d.says)}</p>`;
  const t = d.all_years;
  const rows = d.rows.map(
    (r) =>
      `<tr><td>${r.iso3 ? `<a href="/countries/${esc(r.iso3)}">${esc(r.name)}</a>` : esc(r.name)}</td><td>${esc(r.kind === 'same' ? `${name} (citizenship)` : r.kind === 'third' ? 'another country' : r.unknown_why === 'missing' ? 'unknown: not recorded' : 'unknown: not one country')}</td>${numCell(r.all_years)}${numCell(r.latest_fy)}</tr>`,
  );
  const sentHere = d.sent_here.length
    ? `<p>Removed <em>to</em> ${esc(name)} although their recorded citizenship is another country's: ${d.sent_here
        .slice(0, 12)
        .map((s) => `${s.iso3 ? `<a href="/countries/${esc(s.iso3)}">${esc(s.name)}</a>` : esc(s.name)} ${esc(fmt(s.all_years))}`)
        .join(', ')}${d.sent_here.length > 12 ? ', …' : ''}. See <a href="/third-country-removals">third-country removals</a> for what such a difference can mean.</p>`
    : '';
  return `${head}
<p>${esc(d.says)}</p>
<p class="muted">Compared by ISO code, not by the names as written (ICE's citizenship and departure columns spell some countries differently). A different departure country is not always a third-country removal: dual nationals, a transit stop recorded as the departure country, and stateless people also show up as a difference (<a href="/third-country-removals">details</a>).</p>
${
  rows.length
    ? sortableTable(`Removals of citizens of ${name} by departure country: all loaded years${d.fiscal_year ? ` and ${d.fiscal_year}` : ''}`, [['Departure country', false], ['Which', false], ['All years', true], [d.fiscal_year ?? 'Latest year', true]], rows)
    : ''
}
${t.total ? `<p class="muted">Unknown: ${esc(fmt(t.unknown_missing))} with no departure country recorded, ${esc(fmt(t.unknown_not_one_country))} with a departure or citizenship that is not one country.${d.csv ? ` Download CSV: <a href="${esc(d.csv)}">removals by citizenship and departure country</a>.` : ''}</p>` : ''}
${sentHere}`.replace(/\n{2,}/g, '\n');
}

function flowHtml(f: Flow, name: string, iso3: string): string {
  const head = `<h2 id="flow">From encounter to removal</h2>`;
  if (!f.fiscal_year) return `${head}<p class="note">No fiscal year has a figure for ${esc(name)} in any of the sources loaded.</p>`;
  const rows = f.steps.map(
    (s) =>
      `<tr><td>${s.step}</td><td><strong>${esc(s.label)}</strong><br><span class="muted">${esc(s.agency)}${s.coverage ? `; ${esc(s.coverage)}` : ''}</span></td>${
        s.value === null ? `<td class="num" data-sort=""><span class="muted">–</span></td>` : `<td class="num" data-sort="${s.value}">${esc(fmt(s.value))}${s.partial ? ' <span class="tag">partial</span>' : ''}</td>`
      }<td>${s.missing ? `<span class="note">${esc(s.missing.replace(/\.$/, ''))}.</span> ` : ''}${esc(s.caveat)}</td></tr>`,
  );
  const others = f.other_years.length
    ? `<p class="muted">Other fiscal years with at least two steps: ${f.other_years.map((y) => `<a href="/countries/${esc(iso3)}?fy=${esc(y)}#flow">${esc(y)}</a>`).join(' · ')}.</p>`
    : '';
  return `${head}
<p>${esc(name)}, fiscal year <strong>${esc(f.fiscal_year)}</strong>${f.chosen === 'most-steps' ? ' (the latest complete year with the most steps that have a figure; <code>?fy=FY2024</code> picks another)' : ''}. ${esc(f.note)}</p>
<div class="table-wrap"><table><caption class="muted" style="text-align:left">Each step as its source counts it, ${esc(f.fiscal_year)}; no rate between steps</caption>
<thead><tr><th scope="col">Step</th><th scope="col">What and who counts it</th><th scope="col" class="num">${esc(f.fiscal_year)}</th><th scope="col">Caveat</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>
${others}`;
}

function eventsHtml(events: EnforcementEvent[], name: string, iso3: string): string {
  const head = `<h2 id="events">Events involving ${esc(name)}</h2>`;
  if (!events.length) return `${head}<p class="muted">No event in the reviewed events list involves ${esc(name)}. (<a href="/events">All events</a>.)</p>`;
  const items = events.map((e) => {
    const role = [e.to.includes(iso3) ? 'destination' : '', e.nationalities.includes(iso3) ? 'citizenship of the people' : ''].filter(Boolean).join(' and ');
    return `<li><a href="/events#${esc(e.id)}"><strong>${esc(e.date)}${e.end_date ? `–${esc(e.end_date)}` : ''}</strong>: ${esc(e.label)}</a> <span class="muted">(${esc(name)} as ${esc(role)}; ${e.status === 'confirmed' ? `confirmed by ${esc(e.status_by)}` : `<span class="tag">reported only</span> by ${esc(e.status_by)}`})</span><br>${esc(e.summary)}</li>`;
  });
  return `${head}
<p class="muted">Events reported in the news or announced by governments, from the reviewed list on <a href="/events?country=${esc(iso3)}">/events</a>. They are not rows of the agencies' files: a flight's passengers are inside the agency's monthly counts, if the files cover that month and area, and cannot be found there one by one.</p>
<ul>${items.join('\n')}</ul>`;
}

/* ---------------------------------------------------------------- the page */

/**
 * /countries/ISO3: every source's figure for one country, each with its source, coverage and
 * caveat, and what each source does not say. Lower-case codes are accepted (the same page);
 * a code that is not ISO 3166-1 alpha-3 (or XKX) is a 404 with the standard error body.
 */
export const countryPage: PageRoute = {
  path: '/countries/:iso3',
  async render({ db, vintage, params, query }) {
    const requested = params.iso3 ?? '';
    const info = countryForCode(requested);
    const iso3 = info.alpha3;
    const name = info.name;
    const asked = parseFy('fy', query.fy);
    const ctx = await dataContext(db, vintage);
    const loads = await loadMeasures(ctx, { months: true });
    const ohssLoad = loads.find((l) => l.spec.key === 'ohss');
    const ohssSlice = ohssLoad && ohssLoad.status === 'ok' ? { load: ohssLoad, slice: sliceFor(ohssLoad.rows, iso3) } : undefined;
    const measures: CountryMeasure[] = [];
    let cbpOther: CbpOther | null = null;
    for (const load of loads) {
      const { m, other } = countryMeasure(load, info, ohssSlice);
      measures.push(m);
      if (other) cbpOther = other;
    }
    const dest = destinations(
      loads.find((l) => l.spec.key === 'foia_removals'),
      iso3,
      name,
    );
    const flow = flowOf(measures, loads, asked);
    const events = eventsForCountry(iso3);
    const annotations = eventAnnotations(iso3);
    const used = new Set([...measures.flatMap((m) => m.releases), ...dest.releases]);
    const shown = releasesOf(ctx, used);

    const withFigures = measures.filter((m) => m.status === 'ok');
    const without = measures.filter((m) => m.status !== 'ok');
    const body = `<h1>${esc(name)} <span class="muted" style="font-size:1rem">${esc(iso3)}${info.userAssigned ? ' (user-assigned code: Kosovo is not in ISO 3166-1)' : ''}</span></h1>
${requested !== iso3 ? `<p class="muted">You asked for <code>${esc(requested)}</code>; this is the page of <a href="/countries/${esc(iso3)}">/countries/${esc(iso3)}</a>.</p>` : ''}
<p>What the U.S. agencies' own files say about citizens of ${esc(name)}: encountered at the border, arrested, booked into detention, detained and removed by ICE, and where they were removed to. Each figure comes from one source and says which; the sources count different things over different areas and are never added together or divided by one another. ${
      withFigures.length ? `Figures from: ${withFigures.map((m) => `<a href="#${esc(m.key)}">${esc(m.label)}</a>`).join(', ')}.` : 'No source loaded has a figure for this country.'
    }</p>
${vintage !== 'latest' ? `<p class="note">Vintage <code>${esc(vintage)}</code>: only the files known by then are used.</p>` : ''}
<div class="cards">${measures
      .filter((m) => m.status !== 'not-available' && m.status !== 'no-nationality')
      .map((m) => card(m, cbpOther))
      .join('')}</div>
${without.length ? `<p class="muted">No figure: ${without.map((m) => `<a href="#${esc(m.key)}">${esc(m.label)}</a> (${esc(m.status === 'not-named' ? 'inside OTHER' : m.status === 'no-rows' ? 'no row' : m.status === 'not-loaded' ? 'no file loaded' : 'not available yet')})`).join(', ')}. ICE's biweekly detention statistics have no nationality at all.</p>` : ''}
<nav aria-label="On this page"><p>${measures.map((m) => `<a href="#${esc(m.key)}">${esc(m.label)}</a>`).join(' · ')} · <a href="#destinations">Destinations</a> · <a href="#flow">From encounter to removal</a> · <a href="#events">Events</a></p></nav>
${measures.map((m) => measureSection(ctx, m, name, annotations)).join('\n')}
${destinationsHtml(dest, name)}
${flowHtml(flow, name, iso3)}
${eventsHtml(events, name, iso3)}
<p class="muted"><a href="/countries">All countries</a> · <a href="/third-country-removals">Third-country removals</a> · <a href="/methodology">Methodology</a></p>`;

    const csvRows = measures.flatMap((m) =>
      m.years.map((y) => ({ country: iso3, measure: m.key, metric: m.metric, grain: 'fy', period: y.period, value: y.value, partial: y.partial, note: y.note ?? '', spellings: m.spellings.join(';') })),
    );
    for (const m of measures) {
      if (m.kind === 'stock' && m.headline) {
        csvRows.push({ country: iso3, measure: m.key, metric: m.metric, grain: 'day', period: m.headline.period, value: m.headline.value, partial: false, note: m.headline.note ?? '', spellings: m.spellings.join(';') });
      }
    }
    return {
      title: `${name}: encounters, arrests, detention and removals`,
      body,
      data: {
        iso3,
        name,
        alpha2: info.alpha2,
        ...(info.userAssigned ? { user_assigned: true } : {}),
        requested,
        vintage,
        measures: Object.fromEntries(measures.map((m) => [m.key, m])),
        cbp_other: cbpOther,
        destinations: dest,
        flow,
        events,
        releases: shown.map((r) => r.release_id),
      },
      csv: { rows: csvRows, columns: ['country', 'measure', 'metric', 'grain', 'period', 'value', 'partial', 'note', 'spellings'] },
      releases: shown,
    };
  },
};
