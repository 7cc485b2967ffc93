import type { Database } from '../../db/connection.js';
import { listReleases, type ReleaseRecord } from '../../db/releases.js';
import { parseQuery, type RawQuery } from '../../metrics/params.js';
import { runMetric } from '../../metrics/query.js';
import { metricById } from '../../metrics/registry.js';
import type { MetricDefinition, MetricResult, MetricRow } from '../../metrics/types.js';
import { fyBars, lineChart, timeChart, type Line, type Point } from '../../web/charts.js';
import { esc, fmt } from '../render/html.js';
import type { PageRoute } from './types.js';
import { ICE_DETENTION_STATS as SOURCE } from '../../sources/ice/detention-stats/source-id.js';

const FROM = 'FY2019';

/* ---------------------------------------------------------------- releases */

/** Releases newest first, as the footer and the permalink want them. */
function newestFirst(records: ReleaseRecord[]): ReleaseRecord[] {
  return [...records].sort(
    (a, b) => String(b.effective_date).localeCompare(String(a.effective_date)) || String(b.known_at).localeCompare(String(a.known_at)) || b.release_id.localeCompare(a.release_id),
  );
}

/* ---------------------------------------------------------------- charts */

/* ---------------------------------------------------------------- metric runs */

interface Run {
  def: MetricDefinition;
  raw: RawQuery;
  result: MetricResult;
}

async function run(db: Database, id: string, raw: RawQuery, vintage: string): Promise<Run> {
  const def = metricById(id);
  if (!def) throw new Error(`metric ${id} is not registered`);
  const result = await runMetric(db, def, parseQuery(def, { ...raw, vintage }));
  return { def, raw, result };
}

function csvUrl(r: Run, vintage: string): string {
  const p = new URLSearchParams();
  for (const k of ['grain', 'by', 'from', 'to'] as const) {
    const v = r.raw[k];
    if (v !== undefined) p.set(k, Array.isArray(v) ? v.join(',') : v);
  }
  p.set('vintage', vintage);
  return `/api/v1/metrics/${r.def.id}.csv?${p.toString()}`;
}

interface WideRow {
  period: string;
  [key: string]: string | number | boolean | null;
}

/** Rows by period with one column per dimension value, the metric's own total and the partial flag. */
function widen(byRows: MetricRow[], dim: string | undefined, keys: string[], totals: MetricRow[], partial: string[]): WideRow[] {
  const out = new Map<string, WideRow>();
  const row = (period: string) => {
    let r = out.get(period);
    if (!r) {
      r = { period };
      for (const k of keys) r[k] = null;
      r.total = null;
      r.partial = partial.includes(period);
      out.set(period, r);
    }
    return r;
  };
  if (dim) {
    for (const r of byRows) {
      const k = String(r[dim]);
      if (keys.includes(k)) row(String(r.period))[k] = r.value as number;
    }
  }
  for (const t of totals) row(String(t.period)).total = t.value as number;
  return [...out.values()].sort((a, b) => a.period.localeCompare(b.period));
}

const fyOf = (period: string) => {
  const y = Number(period.slice(0, 4));
  const m = Number(period.slice(5, 7));
  return `FY${m >= 10 ? y + 1 : y}`;
};

/* ---------------------------------------------------------------- html */

const num = (v: unknown) => `<td class="num">${v === null || v === undefined ? '<span class="muted">–</span>' : esc(fmt(v))}</td>`;

function table(caption: string, head: Array<[string, boolean]>, rows: string[]): string {
  return `<details><summary>Data table</summary><div class="table-wrap"><table data-sortable><caption class="muted" style="text-align:left">${esc(caption)}</caption>
<thead><tr>${head.map(([h, isNum]) => `<th scope="col"${isNum ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div></details>`;
}

function figure(chart: string, o: { time: string; def: MetricDefinition; extra?: string; csv: Array<[string, string]> }): string {
  return `<figure>${chart}
<figcaption><p>${esc(o.time)} Unit: ${esc(o.def.unit)}.${o.extra ? ` ${o.extra}` : ''}</p>
<p>Caveats (${esc(o.def.id)}):</p><ul>${o.def.caveats.map((c) => `<li>${esc(c)}</li>`).join('')}</ul>
<p>Download: ${o.csv.map(([label, href]) => `<a href="${esc(href)}">${esc(label)}</a>`).join(' · ')}</p></figcaption></figure>`;
}

const CRIMINALITY: Array<[string, string, string]> = [
  ['convicted', 'Convicted criminal', '#e15759'],
  ['pending', 'Pending criminal charges', '#f28e2c'],
  ['other', 'Other immigration violator', '#4e79a7'],
  ['non_criminal', 'Non-criminal (FY2019 split)', '#76b7b2'],
];
const AGENCIES = ['ICE', 'CBP'];
const TOTAL_LINE: Line = { key: 'total', label: 'Total', color: '#222', width: 2.5 };

function series(dimRows: WideRow[], keys: string[], withTotal: boolean): Point[] {
  const pts: Point[] = [];
  for (const r of dimRows) {
    for (const k of withTotal ? [...keys, 'total'] : keys) {
      const v = r[k];
      if (typeof v === 'number') pts.push({ date: r.period, value: v, series: k, partial: r.partial === true });
    }
  }
  return pts;
}

function section(id: string, detail: object, rows: WideRow[], r: Run, csv: string[], partial: string[]): Record<string, unknown> {
  return {
    metric: r.def.id,
    title: r.def.title,
    unit: r.def.unit,
    caveats: r.def.caveats,
    query: r.result.query,
    csv,
    partial_periods: partial,
    releases: r.result.releases,
    ...detail,
    id,
    rows,
  };
}

/** The detention series over time: detained by criminality, ADP by month, book-ins by month, removals by fiscal year. */
export const detentionPage: PageRoute = {
  path: '/detention',
  async render({ db, vintage }) {
    const all = await listReleases(db, SOURCE);
    const base: RawQuery = { from: FROM };
    // the vintage goes to every query: a release id means that release and those before it; a date, the releases known by then
    const detained = await run(db, 'ice.detained', { ...base, by: 'criminality' }, vintage);
    const detainedTotal = await run(db, 'ice.detained', { ...base }, vintage);
    const adp = await run(db, 'ice.adp', { ...base, grain: 'month', by: 'criminality' }, vintage);
    const adpTotal = await run(db, 'ice.adp', { ...base, grain: 'month' }, vintage);
    const bookIns = await run(db, 'ice.book_ins', { ...base, grain: 'month', by: 'agency' }, vintage);
    const bookInsTotal = await run(db, 'ice.book_ins', { ...base, grain: 'month' }, vintage);
    const removals = await run(db, 'ice.removals', { ...base, grain: 'fy' }, vintage);
    const runs = [detained, detainedTotal, adp, adpTotal, bookIns, bookInsTotal, removals];

    const ids = new Set(runs.flatMap((r) => r.result.releases));
    const shown = newestFirst(all.filter((r) => ids.has(r.release_id)));
    const latest = shown[0];
    if (!latest) {
      return {
        title: 'Detention over time',
        body: `<h1>Detention over time</h1><p>No ICE detention-statistics release is loaded${vintage !== 'latest' ? ` for vintage ${esc(vintage)}` : ''}.</p>`,
        data: { vintage, releases: [], detained: null, adp: null, book_ins: null, removals: null },
        csv: { rows: [] },
        releases: [],
      };
    }

    // the CSV links pin the numbers shown: the page's vintage, else the newest release behind them
    const pin = vintage !== 'latest' ? vintage : latest.release_id;

    // (a) detained on each snapshot date, with the release that gave it
    const critKeys = (rows: MetricRow[]) => CRIMINALITY.map(([k]) => k).filter((k) => rows.some((r) => r.criminality === k));
    const dKeys = critKeys(detained.result.rows);
    const dRows = widen(detained.result.rows, 'criminality', dKeys, detainedTotal.result.rows, []);
    const bySnapshot = new Map<string, ReleaseRecord>();
    for (const r of newestFirst(all.filter((x) => !x.date_suspect && ids.has(x.release_id)))) {
      const d = String(r.effective_date);
      if (!bySnapshot.has(d)) bySnapshot.set(d, r);
    }
    for (const r of dRows) r.release_id = bySnapshot.get(r.period)?.release_id ?? null;
    const dLines: Line[] = [...CRIMINALITY.filter(([k]) => dKeys.includes(k)).map(([key, label, color]) => ({ key, label, color })), TOTAL_LINE];
    const detainedCsv = [csvUrl(detained, pin), csvUrl(detainedTotal, pin)];
    const lastD = dRows.at(-1);

    // (b) ADP by month and criminality
    const aKeys = critKeys(adp.result.rows);
    const aPartial = [...new Set([...adp.result.partialPeriods, ...adpTotal.result.partialPeriods])].sort();
    const aRows = widen(adp.result.rows, 'criminality', aKeys, adpTotal.result.rows, aPartial);
    for (const r of aRows) r.fiscal_year = fyOf(r.period);
    const aLines: Line[] = CRIMINALITY.filter(([k]) => aKeys.includes(k)).map(([key, label, color]) => ({ key, label, color }));
    const adpCsv = [csvUrl(adp, pin), csvUrl(adpTotal, pin)];

    // (c) book-ins by month and agency
    const bPartial = [...new Set([...bookIns.result.partialPeriods, ...bookInsTotal.result.partialPeriods])].sort();
    const bRows = widen(bookIns.result.rows, 'agency', AGENCIES, bookInsTotal.result.rows, bPartial);
    for (const r of bRows) r.fiscal_year = fyOf(r.period);
    const bookInsCsv = [csvUrl(bookIns, pin), csvUrl(bookInsTotal, pin)];

    // (d) removals by fiscal year; a partial year is dated by the last release of that year
    const rPartial = [...removals.result.partialPeriods].sort();
    const rRows = widen([], undefined, [], removals.result.rows, rPartial);
    const removalReleases = newestFirst(all.filter((x) => removals.result.releases.includes(x.release_id)));
    for (const r of rRows) {
      const src = removalReleases.find((x) => `FY${x.fiscal_year}` === r.period);
      r.as_of = src ? String(src.effective_date) : null;
    }
    const removalsCsv = [csvUrl(removals, pin)];

    const currentFy = fyOf(String(latest.effective_date));
    for (const r of rRows) r.open = r.partial === true && r.period === currentFy;
    const openYears = rRows.filter((r) => r.open).map((r) => `${r.period} is the fiscal year to date, through ${r.as_of ?? '?'}`);
    const shortYears = rRows.filter((r) => r.partial && !r.open).map((r) => `${r.period} through ${r.as_of ?? '?'}`);
    const removalsNote = [
      openYears.length ? `${openYears.map(esc).join('; ')} (hollow bar, marked *): not a whole year.` : '',
      shortYears.length ? `Also marked *, because the year's last release came before September 30: ${shortYears.map(esc).join(', ')}.` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const vintageNote =
      vintage !== 'latest'
        ? `<p class="note">Vintage <code>${esc(vintage)}</code>: ${/^\d{4}-\d{2}-\d{2}$/.test(vintage) ? `only the releases known by ${esc(vintage)} are used` : 'only that release and the releases before it are used'}.</p>`
        : '';

    const body = `<h1>Detention over time</h1>
<p>ICE's own figures from its biweekly Detention Statistics workbooks, since fiscal year 2019: ${ids.size} releases, the newest with snapshot <strong>${esc(latest.snapshot_date ?? '?')}</strong> (release <a href="/-/releases/${esc(latest.release_id)}"><code>${esc(latest.release_id)}</code></a>). Each figure comes from the latest release that reports it. Every chart has its numbers in a table below it and as CSV from the <a href="/api/v1/metrics">metrics API</a>.</p>
${vintageNote}
<h2 id="detained">People in detention on each snapshot date, by criminality</h2>
${figure(
  lineChart(series(dRows, dKeys, true), dLines, { title: 'People in ICE detention on each snapshot date, by criminality, with the total', yLabel: 'people detained', xLabel: 'snapshot date', maxGapDays: 62 }),
  {
    time: 'Each point is the snapshot date of a release (calendar dates, about every two weeks); fiscal years run October–September.',
    def: detained.def,
    extra: lastD ? `On ${esc(lastD.period)}: ${esc(fmt(lastD.total))} people detained.` : '',
    csv: [['CSV by criminality', detainedCsv[0]!], ['CSV total', detainedCsv[1]!]],
  },
)}
${table(
  'People in ICE detention on each snapshot date',
  [['Snapshot date', false], ...CRIMINALITY.filter(([k]) => dKeys.includes(k)).map(([, l]): [string, boolean] => [l, true]), ['Total', true], ['Release', false]],
  [...dRows].reverse().map((r) => `<tr><td>${esc(r.period)}</td>${dKeys.map((k) => num(r[k])).join('')}${num(r.total)}<td>${r.release_id ? `<a href="/-/releases/${esc(r.release_id)}"><code>${esc(r.release_id)}</code></a>` : ''}</td></tr>`),
)}
<h2 id="adp">Average daily population by month and criminality</h2>
${figure(
  lineChart(series(aRows, aKeys, false), aLines, { title: 'Average daily population in ICE detention by month and criminality', yLabel: 'people (average per day)', xLabel: 'calendar month', partialLabel: 'partial month (hollow)', maxGapDays: 45 }),
  {
    time: 'Months are calendar months; fiscal years run October–September.',
    def: adp.def,
    extra: aPartial.length ? `Partial months, drawn hollow (the average covers only the days up to the last snapshot that reports the month): ${aPartial.map(esc).join(', ')}.` : '',
    csv: [['CSV by criminality', adpCsv[0]!], ['CSV total', adpCsv[1]!]],
  },
)}
${table(
  'Average daily population by month (people per day)',
  [['Month', false], ['Fiscal year', false], ...CRIMINALITY.filter(([k]) => aKeys.includes(k)).map(([, l]): [string, boolean] => [l, true]), ['Total', true], ['Note', false]],
  [...aRows].reverse().map((r) => `<tr><td>${esc(r.period)}</td><td>${esc(r.fiscal_year)}</td>${aKeys.map((k) => num(r[k])).join('')}${num(r.total)}<td>${r.partial ? '<span class="tag">partial</span>' : ''}</td></tr>`),
)}
<h2 id="book-ins">Initial book-ins by month and arresting agency</h2>
${figure(
  timeChart(
    bRows.flatMap((r) => AGENCIES.filter((k) => typeof r[k] === 'number').map((k) => ({ date: r.period, value: r[k] as number, series: k, partial: r.partial === true }))),
    { title: 'Initial book-ins into ICE detention by month and arresting agency', yLabel: 'book-ins', xLabel: 'calendar month', bars: true, height: 280 },
  ),
  {
    time: 'Months are calendar months; fiscal years run October–September. Bars are stacked: ICE arrests, then CBP arrests.',
    def: bookIns.def,
    extra: bPartial.length ? `Partial months, drawn pale: ${bPartial.map(esc).join(', ')}.` : '',
    csv: [['CSV by agency', bookInsCsv[0]!], ['CSV total', bookInsCsv[1]!]],
  },
)}
${table(
  'Initial book-ins by month (events)',
  [['Month', false], ['Fiscal year', false], ...AGENCIES.map((a): [string, boolean] => [`${a}-arrested`, true]), ['Total', true], ['Note', false]],
  [...bRows].reverse().map((r) => `<tr><td>${esc(r.period)}</td><td>${esc(r.fiscal_year)}</td>${AGENCIES.map((k) => num(r[k])).join('')}${num(r.total)}<td>${r.partial ? '<span class="tag">partial</span>' : ''}</td></tr>`),
)}
<h2 id="removals">Removals by fiscal year</h2>
${figure(
  fyBars(
    rRows.filter((r) => typeof r.total === 'number').map((r) => ({ period: r.period, value: r.total as number, partial: r.partial === true, open: r.open === true })),
    { title: 'ICE removals by fiscal year', yLabel: 'removals' },
  ),
  {
    time: 'Fiscal years run October–September (FY2026 = October 2025 to September 2026); these are not calendar years.',
    def: removals.def,
    extra: removalsNote,
    csv: [['CSV', removalsCsv[0]!]],
  },
)}
${table(
  'ICE removals by fiscal year (events)',
  [['Fiscal year', false], ['Removals', true], ['Through', false], ['Note', false]],
  rRows.map((r) => `<tr><td>${esc(r.period)}</td>${num(r.total)}<td>${esc(r.as_of ?? '')}</td><td>${r.open ? '<span class="tag">year to date</span>' : r.partial ? '<span class="tag">to the last release</span>' : ''}</td></tr>`),
)}`;

    const dCsvRows = dRows.map((r) => ({ ...r }));
    return {
      title: 'Detention over time',
      body,
      data: {
        vintage,
        pinned_vintage: pin,
        releases: shown.map((r) => r.release_id),
        detained: section('detained', { by: 'criminality' }, dRows, detained, detainedCsv, []),
        adp: section('adp', { by: 'criminality', grain: 'month' }, aRows, adp, adpCsv, aPartial),
        book_ins: section('book_ins', { by: 'agency', grain: 'month' }, bRows, bookIns, bookInsCsv, bPartial),
        removals: section('removals', { grain: 'fy' }, rRows, removals, removalsCsv, rPartial),
      },
      csv: { rows: dCsvRows, columns: ['period', ...dKeys, 'total', 'release_id'] },
      releases: shown,
    };
  },
};
