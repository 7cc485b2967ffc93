import type { Database } from '../../db/connection.js';
import { listReleases, type ReleaseRecord } from '../../db/releases.js';
import { FACILITY_POPULATION_METRICS } from '../../metrics/facility-population.js';
import { parseQuery, type RawQuery } from '../../metrics/params.js';
import { runMetric } from '../../metrics/query.js';
import { metricById } from '../../metrics/registry.js';
import type { MetricDefinition, MetricResult } from '../../metrics/types.js';
import { lineChart, type Line, type Point } from '../../web/charts.js';
import { esc, fmt } from '../render/html.js';
import type { PageRoute } from './types.js';
import { ICE_DETENTION_STATS } from '../../sources/ice/detention-stats/source-id.js';

const DDP = 'ddp.facility_population';
const UWCHR = 'uwchr.headcount';

/* ---------------------------------------------------------------- metric runs */

interface Run {
  def: MetricDefinition;
  raw: RawQuery;
  result: MetricResult;
}

/** Registered metrics by id; the FOIA-derived ones also straight from their module. */
function definition(id: string): MetricDefinition {
  const def = metricById(id) ?? FACILITY_POPULATION_METRICS.find((m) => m.id === id);
  if (!def) throw new Error(`metric ${id} is not defined`);
  return def;
}

async function run(db: Database, id: string, raw: RawQuery, vintage: string): Promise<Run> {
  const def = definition(id);
  return { def, raw, result: await runMetric(db, def, parseQuery(def, { ...raw, vintage })) };
}

function apiUrl(r: Run, pin: string): string {
  const p = new URLSearchParams();
  for (const k of ['grain', 'by', 'from', 'to'] as const) {
    const v = r.raw[k];
    if (v !== undefined) p.set(k, Array.isArray(v) ? v.join(',') : v);
  }
  for (const f of [r.raw.filter ?? []].flat()) p.append('filter', f);
  p.set('vintage', pin);
  return `/api/v1/metrics/${r.def.id}.csv?${p.toString()}`;
}

/** period → value, for one value of the `count` dimension when the run broke out by it. */
function byPeriod(r: Run, count?: string): Map<string, number> {
  return new Map(r.result.rows.filter((x) => count === undefined || x.count === count).map((x) => [String(x.period), Number(x.value)]));
}

/* ---------------------------------------------------------------- comparison rows */

type Cell = string | number | boolean | null;
type CompareRow = Record<string, Cell>;

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Each other series beside ICE's figure: its value, the difference (other − ICE) and the difference in % of ICE's. */
function compare(period: string, ice: number | undefined, others: Array<[string, number | undefined]>, digits: number): CompareRow {
  const row: CompareRow = { period, ice: ice === undefined ? null : round(ice, digits) };
  for (const [key, v] of others) {
    row[key] = v === undefined ? null : round(v, digits);
    row[`${key}_diff`] = v === undefined || ice === undefined ? null : round(v - ice, digits);
    row[`${key}_pct`] = v === undefined || ice === undefined || ice === 0 ? null : round((100 * (v - ice)) / ice, 2);
  }
  return row;
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/* ---------------------------------------------------------------- ICE's footnotes */

interface Quote {
  id: string;
  why: string;
  release_id: string;
  snapshot_date: string | null;
  sheet: string;
  row: number;
  note: string;
}

/**
 * The footnotes of ICE's workbooks that explain a gap, found by their text (ICE rewords
 * them slightly between years: "excludes"/"exclude"), each quoted from the newest release
 * of the page's vintage that has it.
 */
const FOOTNOTES: Array<{ id: string; like: string; why: string }> = [
  {
    id: 'snapshot',
    like: '%National Docket data are a snapshot as of%',
    why: "ICE's detained figure is one run of its systems of record (IIDS, with EID as of the snapshot date); the run is often made the next day, so the figure is not a count at a fixed hour, and records entered or corrected later are not in it.",
  },
  {
    id: 'adp-midnight',
    like: '%MANDAY%midnight count%',
    why: "ICE's average daily population counts people present at the midnight count: the comparable DDP figure is the midnight count, not the any-time count.",
  },
  {
    id: 'exclusions',
    like: '%exclude% ORR transfers%',
    why: "ICE's figures leave out ORR transfers and facilities and U.S. Marshals Service prisoners; the FOIA-derived counts hold whatever facilities the detention records list.",
  },
  {
    id: 'family-staging',
    like: '%FSC detentions is not reported%',
    why: 'ICE did not report people held in Family Staging Centers (hotels) in these tables; FOIA records that list such placements count them.',
  },
];

async function footnoteQuotes(db: Database, releaseIds: string[]): Promise<Quote[]> {
  if (!releaseIds.length) return [];
  const out: Quote[] = [];
  for (const f of FOOTNOTES) {
    const hit = await db.one(
      `SELECT n.release_id, strftime(r.snapshot_date, '%Y-%m-%d') AS snapshot_date, n.sheet, n."row", n.note
         FROM ice_footnotes n JOIN releases r USING (release_id)
        WHERE list_contains(string_split($1, ','), n.release_id) AND n.note ILIKE $2
        ORDER BY r.snapshot_date DESC NULLS LAST, n.release_id DESC LIMIT 1`,
      [releaseIds.join(','), f.like],
    );
    if (hit) out.push({ id: f.id, why: f.why, release_id: String(hit.release_id), snapshot_date: (hit.snapshot_date as string | null) ?? null, sheet: String(hit.sheet), row: Number(hit.row), note: String(hit.note) });
  }
  return out;
}

const usDate = (m: RegExpExecArray | null) => (m ? `${m[3]}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}` : null);

/** The IIDS run date each ICE release names in its National Docket footnote ("IIDS Run Date 06/02/2025"). */
async function runDates(db: Database, releaseIds: string[]): Promise<Map<string, string>> {
  if (!releaseIds.length) return new Map();
  const rows = await db.all(
    `SELECT release_id, note FROM ice_footnotes
      WHERE list_contains(string_split($1, ','), release_id) AND note ILIKE '%National Docket data are a snapshot as of%'`,
    [releaseIds.join(',')],
  );
  const out = new Map<string, string>();
  for (const r of rows) {
    const d = usDate(/IIDS (?:v\.[\d.]+ )?run date (\d{1,2})\/(\d{1,2})\/(\d{4})/i.exec(String(r.note)));
    if (d) out.set(String(r.release_id), d);
  }
  return out;
}

/**
 * The last day each fiscal year's ADP covers, from the ADP footnote of the release that
 * gave it ("FY2025 YTD ICE Detention data are updated through 09/20/2025", "EOFY2019 …
 * filtered through 09/30/2019"). A footnote left over from another year (FY2023 releases
 * still carry the EOFY2020 one) has a date outside the release's year and is not used.
 */
async function adpThrough(db: Database, releases: ReleaseRecord[]): Promise<Map<string, string>> {
  if (!releases.length) return new Map();
  const fyOfRelease = new Map(releases.map((r) => [r.release_id, r.fiscal_year]));
  const rows = await db.all(
    `SELECT release_id, note FROM ice_footnotes
      WHERE list_contains(string_split($1, ','), release_id) AND topic ILIKE '%Average Daily Population%' AND note ILIKE '%ICE Detention data%through%'`,
    [releases.map((r) => r.release_id).join(',')],
  );
  const out = new Map<string, string>();
  for (const r of rows) {
    const d = usDate(/(?:updated|filtered) through (\d{1,2})\/(\d{1,2})\/(\d{4})/i.exec(String(r.note)));
    const fy = d ? fiscalYear(d) : null;
    if (d && fy === fyOfRelease.get(String(r.release_id))) {
      const key = `FY${fy}`;
      if (!out.has(key) || out.get(key)! < d) out.set(key, d);
    }
  }
  return out;
}

const fiscalYear = (iso: string) => Number(iso.slice(0, 4)) + (Number(iso.slice(5, 7)) >= 10 ? 1 : 0);
const fyStart = (fy: number) => `${fy - 1}-10-01`;

/** The mean of a daily series over [from, to], or undefined unless every day of the span has a value. */
function spanMean(daily: Map<string, number>, from: string, to: string): number | undefined {
  let sum = 0;
  let days = 0;
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    const v = daily.get(new Date(t).toISOString().slice(0, 10));
    if (v === undefined) return undefined;
    sum += v;
    days++;
  }
  return days ? sum / days : undefined;
}

/* ---------------------------------------------------------------- html */

const num = (v: Cell | undefined) => `<td class="num">${v === null || v === undefined ? '<span class="muted">–</span>' : esc(fmt(v))}</td>`;
const signed = (v: Cell | undefined, suffix = '') =>
  `<td class="num">${typeof v === 'number' ? esc(`${v > 0 ? '+' : v < 0 ? '−' : ''}${fmt(Math.abs(v))}${suffix}`) : '<span class="muted">–</span>'}</td>`;

/** A sortable table in a disclosure; head: [label, numeric]. */
function table(summary: string, caption: string, head: Array<[string, boolean]>, rows: string[], open = false): string {
  return `<details${open ? ' open' : ''}><summary>${esc(summary)}</summary><div class="table-wrap"><table data-sortable><caption class="muted" style="text-align:left">${esc(caption)}</caption>
<thead><tr>${head.map(([h, n]) => `<th scope="col"${n ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div></details>`;
}

const SERIES: Array<{ key: string; label: string; color: string }> = [
  { key: 'ice', label: 'ICE (published)', color: '#222' },
  { key: 'ddp_midnight', label: 'DDP, at midnight', color: '#e15759' },
  { key: 'ddp_any', label: 'DDP, at any time of the day', color: '#f28e2c' },
  { key: 'uwchr', label: 'UWCHR headcount', color: '#4e79a7' },
];

function points(rows: CompareRow[], partial: Set<string> = new Set()): Point[] {
  return rows.flatMap((r) =>
    SERIES.filter((s) => typeof r[s.key] === 'number').map((s) => ({ date: String(r.period), value: r[s.key] as number, series: s.key, partial: partial.has(String(r.period)) })),
  );
}

const lines = (rows: CompareRow[]): Line[] => SERIES.filter((s) => rows.some((r) => typeof r[s.key] === 'number')).map(({ key, label, color }) => ({ key, label, color, width: key === 'ice' ? 2.5 : 2 }));

const compareCells = (r: CompareRow) => ['ddp_any', 'ddp_midnight', 'uwchr'].map((k) => `${num(r[k])}${signed(r[`${k}_diff`])}${signed(r[`${k}_pct`], '%')}`).join('');
const COMPARE_HEAD: Array<[string, boolean]> = ['DDP any time', '− ICE', '%', 'DDP midnight', '− ICE', '%', 'UWCHR', '− ICE', '%'].map((h) => [h, true]);

/* ---------------------------------------------------------------- the page */

/** ICE's published detention figures beside the daily counts third parties built from ICE's FOIA records. */
export const reconciliationPage: PageRoute = {
  path: '/reconciliation',
  async render({ db, vintage }) {
    const detained = await run(db, 'ice.detained', {}, vintage);
    const adpFy = await run(db, 'ice.adp', { grain: 'fy' }, vintage);
    // daily counts from the first fiscal year ICE reports: snapshots and spans of ICE's averages
    const firstFy = adpFy.result.rows[0]?.period ?? detained.result.rows[0]?.period;
    const dayFrom = firstFy ? { from: /^FY/.test(String(firstFy)) ? String(firstFy) : fyStart(fiscalYear(String(firstFy))) } : {};
    const ddpDay = await run(db, DDP, { grain: 'day', by: 'count', ...dayFrom }, vintage);
    const uwDay = await run(db, UWCHR, { grain: 'day', ...dayFrom }, vintage);
    const adpMonth = await run(db, 'ice.adp', { grain: 'month' }, vintage);
    const ddpMonth = await run(db, DDP, { grain: 'month', by: 'count' }, vintage);
    const ddpFy = await run(db, DDP, { grain: 'fy', by: 'count' }, vintage);
    const uwMonth = await run(db, UWCHR, { grain: 'month' }, vintage);
    const uwFy = await run(db, UWCHR, { grain: 'fy' }, vintage);
    const iceRemovals = await run(db, 'ice.removals', { grain: 'fy' }, vintage);
    const foiaRemovals = await run(db, 'foia.removals', { grain: 'fy' }, vintage);
    const runs = [detained, ddpDay, uwDay, adpMonth, adpFy, ddpMonth, ddpFy, uwMonth, uwFy, iceRemovals, foiaRemovals];

    const ids = new Set(runs.flatMap((r) => r.result.releases));
    const all = await listReleases(db);
    const shown = all
      .filter((r) => ids.has(r.release_id))
      .sort((a, b) => String(b.effective_date).localeCompare(String(a.effective_date)) || b.release_id.localeCompare(a.release_id));
    const iceIds = shown.filter((r) => r.source_id === ICE_DETENTION_STATS).map((r) => r.release_id);
    const pin = vintage !== 'latest' ? vintage : (shown[0]?.release_id ?? 'latest');

    // (a) each ICE snapshot date the FOIA-derived series cover, with the release that gave ICE's figure
    const bySnapshot = new Map<string, ReleaseRecord>();
    for (const r of shown.filter((x) => x.source_id === ICE_DETENTION_STATS && !x.date_suspect)) {
      if (!bySnapshot.has(String(r.effective_date))) bySnapshot.set(String(r.effective_date), r);
    }
    const runOf = await runDates(db, iceIds);
    const [any, midnight, uw, ice] = [byPeriod(ddpDay, 'any'), byPeriod(ddpDay, 'midnight'), byPeriod(uwDay), byPeriod(detained)];
    const snapshots = [...ice.keys()]
      .filter((d) => any.has(d) || uw.has(d))
      .map((d): CompareRow => {
        const rel = bySnapshot.get(d);
        const row = compare(d, ice.get(d), [['ddp_any', any.get(d)], ['ddp_midnight', midnight.get(d)], ['uwchr', uw.get(d)]], 0);
        return { ...row, ice_release: rel?.release_id ?? null, ice_run_date: rel ? (runOf.get(rel.release_id) ?? null) : null };
      });
    const pcts = (k: string) => snapshots.map((r) => r[`${k}_pct`]).filter((v): v is number => typeof v === 'number');
    const summary = Object.fromEntries(
      ['ddp_any', 'ddp_midnight', 'uwchr'].map((k) => {
        const p = pcts(k);
        return [k, { dates: p.length, median_pct: p.length ? round(median(p)!, 2) : null, min_pct: p.length ? Math.min(...p) : null, max_pct: p.length ? Math.max(...p) : null }];
      }),
    ) as Record<string, { dates: number; median_pct: number | null; min_pct: number | null; max_pct: number | null }>;

    // (b) average daily population by month and (c) by fiscal year
    const monthPartial = new Set([...adpMonth.result.partialPeriods, ...ddpMonth.result.partialPeriods, ...uwMonth.result.partialPeriods]);
    const [mAny, mMid, mUw, mIce] = [byPeriod(ddpMonth, 'any'), byPeriod(ddpMonth, 'midnight'), byPeriod(uwMonth), byPeriod(adpMonth)];
    const months = [...new Set([...mAny.keys(), ...mUw.keys()])]
      .filter((m) => mIce.has(m))
      .sort()
      .map((m): CompareRow => ({ ...compare(m, mIce.get(m), [['ddp_any', mAny.get(m)], ['ddp_midnight', mMid.get(m)], ['uwchr', mUw.get(m)]], 2), partial: monthPartial.has(m) }));
    const fyPartial = new Set([...adpFy.result.partialPeriods, ...ddpFy.result.partialPeriods, ...uwFy.result.partialPeriods]);
    const [fAny, fMid, fUw, fIce] = [byPeriod(ddpFy, 'any'), byPeriod(ddpFy, 'midnight'), byPeriod(uwFy), byPeriod(adpFy)];
    const fyKeys = [...new Set([...fAny.keys(), ...fUw.keys()])].filter((y) => fIce.has(y)).sort();
    const through = await adpThrough(db, shown.filter((r) => adpFy.result.releases.includes(r.release_id)));
    const years = fyKeys.map((y): CompareRow => ({
      ...compare(y, fIce.get(y), [['ddp_any', fAny.get(y)], ['ddp_midnight', fMid.get(y)], ['uwchr', fUw.get(y)]], 2),
      partial: fyPartial.has(y),
      ice_through: through.get(y) ?? null,
    }));
    // the same days as ICE's average: October 1 to the day its footnote says the data run through
    const sameDays = fyKeys
      .filter((y) => through.has(y))
      .map((y): CompareRow => {
        const [from, to] = [fyStart(Number(y.slice(2))), through.get(y)!];
        const row = compare(y, fIce.get(y), [['ddp_any', spanMean(any, from, to)], ['ddp_midnight', spanMean(midnight, from, to)], ['uwchr', spanMean(uw, from, to)]], 2);
        return { ...row, from, to };
      });

    // (d) removals per fiscal year: ICE's published figure beside the count of FOIA removal records, with the records' coverage
    const removalCoverage = (
      await db.all(
        `SELECT f.release_id, f.title, f.rows, r.source_id FROM foia_files f JOIN releases r USING (release_id) WHERE f.kind = 'removals' ORDER BY f.release_id`,
      )
    ).filter((r) => foiaRemovals.result.releases.includes(r.release_id as string));
    const [rIce, rFoia] = [byPeriod(iceRemovals), byPeriod(foiaRemovals)];
    const removals = [...rFoia.keys()].sort().map((y): CompareRow => ({
      ...compare(y, rIce.get(y), [['foia', rFoia.get(y)]], 0),
      partial: foiaRemovals.result.partialPeriods.includes(y) || iceRemovals.result.partialPeriods.includes(y),
    }));
    const quotes = await footnoteQuotes(db, iceIds);
    const ddpRelease = shown.find((r) => r.source_id === 'ddp.facility-population');
    const uwRelease = shown.find((r) => r.source_id === 'uwchr.headcount');
    const data = {
      vintage,
      pinned_vintage: pin,
      releases: shown.map((r) => r.release_id),
      snapshots: { rows: snapshots, summary, metrics: [detained.def.id, DDP, UWCHR], csv: [apiUrl(detained, pin), apiUrl(ddpDay, pin), apiUrl(uwDay, pin)] },
      months: { rows: months, metrics: ['ice.adp', DDP, UWCHR], csv: [apiUrl(adpMonth, pin), apiUrl(ddpMonth, pin), apiUrl(uwMonth, pin)] },
      fiscal_years: { rows: years, same_days: sameDays, metrics: ['ice.adp', DDP, UWCHR], csv: [apiUrl(adpFy, pin), apiUrl(ddpFy, pin), apiUrl(uwFy, pin)] },
      removals: {
        rows: removals,
        coverage: removalCoverage.map((r) => ({ release_id: r.release_id, source: r.source_id, title: r.title, records: Number(r.rows) })),
        metrics: ['ice.removals', 'foia.removals'],
        csv: [apiUrl(iceRemovals, pin), apiUrl(foiaRemovals, pin)],
      },
      footnotes: quotes,
      caveats: { [DDP]: ddpDay.def.caveats, [UWCHR]: uwDay.def.caveats },
    };
    const csvColumns = ['period', 'ice', 'ice_release', 'ice_run_date', ...['ddp_any', 'ddp_midnight', 'uwchr'].flatMap((k) => [k, `${k}_diff`, `${k}_pct`])];
    const title = 'ICE figures beside FOIA-derived counts';
    if (!detained.result.rows.length && !ddpRelease && !uwRelease && removals.length === 0) {
      return {
        title,
        body: `<h1>${esc(title)}</h1><p>No ICE detention-statistics release and no FOIA-derived daily population (Deportation Data Project, UWCHR) is loaded${vintage !== 'latest' ? ` for vintage ${esc(vintage)}` : ''}.</p>`,
        data,
        csv: { rows: [], columns: csvColumns },
        releases: [],
      };
    }

    const pctText = (k: string, label: string) => {
      const s = summary[k]!;
      return s.dates ? `${label}: median ${fmt(s.median_pct)}% (from ${fmt(s.min_pct)}% to ${fmt(s.max_pct)}%) over ${s.dates} snapshot dates` : '';
    };
    const fy25 = years.find((y) => y.period === 'FY2025');
    const fy25Same = sameDays.find((y) => y.period === 'FY2025');
    const fyLine = fy25
      ? `<p>Fiscal year 2025: ICE's average daily population is <strong>${esc(fmt(fy25.ice))}</strong>${fy25.ice_through ? ` (October 1, 2024 to ${esc(fy25.ice_through)}, the day its footnote says the data run through)` : ''}; the mean of DDP's daily counts over the whole year is <strong>${esc(fmt(fy25.ddp_any))}</strong> at any time of the day and <strong>${esc(fmt(fy25.ddp_midnight))}</strong> at midnight${
          fy25Same && typeof fy25Same.ddp_midnight === 'number' ? `, and over ICE's days ${esc(fmt(fy25Same.ddp_any))} and ${esc(fmt(fy25Same.ddp_midnight))}` : ''
        }.</p>`
      : '';
    const rowsHtml = [...snapshots].reverse().map(
      (r) =>
        `<tr><td>${esc(r.period)}</td>${num(r.ice)}<td>${r.ice_release ? `<a href="/-/releases/${esc(r.ice_release)}"><code>${esc(r.ice_release)}</code></a>` : ''}${r.ice_run_date ? ` <span class="muted">run ${esc(r.ice_run_date)}</span>` : ''}</td>${compareCells(r)}</tr>`,
    );
    const avgRows = (rows: CompareRow[]) =>
      [...rows].reverse().map((r) => `<tr><td>${esc(r.period)}${r.partial ? ' <span class="tag">partial</span>' : ''}</td>${num(r.ice)}${compareCells(r)}</tr>`);
    const footnoteHtml = quotes
      .map(
        (q) =>
          `<li>${esc(q.why)}<blockquote>“${esc(q.note)}”<br><span class="muted">ICE, release <a href="/-/releases/${esc(q.release_id)}"><code>${esc(q.release_id)}</code></a> (snapshot ${esc(q.snapshot_date ?? 'undated')}), sheet ${esc(q.sheet)}, row ${q.row}</span></blockquote></li>`,
      )
      .join('\n');

    const body = `<h1>${esc(title)}</h1>
<p>ICE publishes how many people it holds in detention on one date about every two weeks, and its average daily population (ADP) by month and fiscal year. Two research groups have counted the same population day by day from ICE's own detention records, produced under the Freedom of Information Act: the <strong>Deportation Data Project</strong> (DDP, from October 2022${ddpRelease ? `, file through ${esc(ddpRelease.snapshot_date ?? '?')}` : ', not loaded or not in this vintage'}) and the <strong>University of Washington Center for Human Rights</strong> (UWCHR, FY2012 to January 2024${uwRelease ? '' : ', not loaded or not in this vintage'}). Neither is an ICE publication. This page sets them side by side and says why they differ.</p>
<p>Differences are the other count minus ICE's figure, and in percent of ICE's figure. ${[pctText('ddp_midnight', "DDP's midnight count against ICE's snapshot"), pctText('ddp_any', 'its any-time count'), pctText('uwchr', "UWCHR's headcount")].filter(Boolean).map(esc).join('; ')}.</p>
${fyLine}
<h2 id="snapshots">On ICE's snapshot dates</h2>
${lineChart(points(snapshots), lines(snapshots), { title: "People in ICE detention on ICE's snapshot dates: ICE's figure and the FOIA-derived counts of the same day", yLabel: 'people detained', xLabel: 'snapshot date (calendar)', maxGapDays: 62 })}
${table(
  'Table: each ICE snapshot date',
  "People detained on each ICE snapshot date the FOIA-derived series cover. ICE: the release's total currently detained; its footnote's IIDS run date beside it. Differences: other count − ICE.",
  [['Snapshot date', false], ['ICE', true], ['ICE release', false], ...COMPARE_HEAD],
  rowsHtml,
  true,
)}
<p class="muted">Download: <a href="/reconciliation.csv${vintage !== 'latest' ? `?vintage=${esc(vintage)}` : ''}">this table as CSV</a> · ${data.snapshots.csv.map((u, i) => `<a href="${esc(u)}">${esc([detained.def.id, DDP, UWCHR][i]!)}</a>`).join(' · ')}</p>
<h2 id="adp">Average daily population by month</h2>
${lineChart(points(months, monthPartial), lines(months), { title: "Average daily population by month: ICE's ADP and the means of the FOIA-derived daily counts", yLabel: 'people (average per day)', xLabel: 'calendar month', partialLabel: 'partial month (hollow)', maxGapDays: 45 })}
${table('Table: by month', 'Average daily population by calendar month (people per day). ICE: its monthly ADP from the latest release that reports the month. Others: mean of their daily counts over the days of the month.', [['Month', false], ['ICE ADP', true], ...COMPARE_HEAD], avgRows(months))}
<h2 id="fiscal-years">Average daily population by fiscal year</h2>
${table(
  'Table: by fiscal year, each source over the days it covers',
  "Average daily population by fiscal year (October–September). ICE: the fiscal-year ADP of the latest release that reports the year, which runs to the date its footnote gives; others: the mean of their daily counts over the year's days they cover. A partial year is one a source does not cover to September 30.",
  [['Fiscal year', false], ['ICE ADP', true], ['ICE through', false], ...COMPARE_HEAD],
  [...years].reverse().map((r) => `<tr><td>${esc(r.period)}${r.partial ? ' <span class="tag">partial</span>' : ''}</td>${num(r.ice)}<td class="date">${esc(r.ice_through ?? '')}</td>${compareCells(r)}</tr>`),
  true,
)}
${table(
  "Table: by fiscal year, over ICE's days only",
  "The FOIA-derived means over exactly the days of ICE's fiscal-year ADP (October 1 to the date of ICE's footnote); empty where a source does not have every one of those days.",
  [['Fiscal year', false], ['Days', false], ['ICE ADP', true], ...COMPARE_HEAD],
  [...sameDays].reverse().map((r) => `<tr><td>${esc(r.period)}</td><td class="date">${esc(r.from)} – ${esc(r.to)}</td>${num(r.ice)}${compareCells(r)}</tr>`),
  true,
)}
<h2 id="removals">Removals by fiscal year</h2>
${
  removals.length === 0
    ? '<p class="muted">No FOIA removal records are loaded; ICE\'s published removals are on <a href="/detention">the detention page</a>.</p>'
    : `<p>ICE publishes one national removals figure per fiscal year. The FOIA removal records loaded here cover: ${removalCoverage
        .map((r) => `<a href="/-/releases/${esc(String(r.release_id))}">${esc(String(r.title ?? r.source_id))}</a> (${esc(fmt(Number(r.rows)))} records)`)
        .join('; ')}. ${
        removalCoverage.some((r) => /Area of Responsibility/i.test(String(r.title)))
          ? '<strong>These records cover one area of responsibility, not the country: the difference below is the rest of the country, not an error in either source.</strong> '
          : ''
      }A removal record is one removal (a person removed twice is two records), as in ICE's count; ICE's figure for a year in progress is the year to date of its latest release.</p>
${table(
  'Table: removals by fiscal year',
  "ICE: removals in ICE's detention statistics (national). FOIA: removal records loaded, by departure date. Difference: FOIA − ICE.",
  [['Fiscal year', false], ['ICE (national)', true], ['FOIA records', true], ['Difference', true], ['%', true]],
  [...removals].reverse().map((r) => `<tr><td>${esc(String(r.period))}${r.partial ? ' <span class="tag">partial</span>' : ''}</td>${num(r.ice)}${num(r.foia)}${num(r.foia_diff)}${num(r.foia_pct)}</tr>`),
  true,
)}
<p class="muted">Download: ${data.removals.csv.map((u, i) => `<a href="${esc(u)}">${esc(['ice.removals', 'foia.removals'][i]!)}</a>`).join(' · ')}</p>`
}
<h2 id="why">Why the numbers differ</h2>
<ul>
<li><strong>Time of the count.</strong> DDP's any-time count includes everyone held at some point of the day: people released, removed or transferred out that day, and a person moved between two facilities at both. Its midnight count keeps only the people still held at the end of the day, as ICE's ADP does; UWCHR's headcount is taken at the midnight that starts the day.</li>
<li><strong>Later records.</strong> ICE's figures are a run of its live systems; the FOIA records were extracted later, with book-ins and book-outs entered or corrected after ICE's run.</li>
<li><strong>What the records cover.</strong> DDP and UWCHR count the detention stays the FOIA records list. Facilities or holds that the records leave out (hold rooms and other places ICE does not record as detention stays) are missing from their counts, and placements that ICE's statistics exclude but the records list are in them.</li>
<li><strong>Spans.</strong> A partial month or fiscal year covers different days in each source.</li>
</ul>
<p>What ICE's own footnotes say:</p>
<ul>${footnoteHtml || '<li class="muted">No ICE release with footnotes is loaded.</li>'}</ul>
<h2 id="caveats">Caveats</h2>
<p>${esc(DDP)}:</p><ul>${ddpDay.def.caveats.map((c) => `<li>${esc(c)}</li>`).join('')}</ul>
<p>${esc(UWCHR)}:</p><ul>${uwDay.def.caveats.map((c) => `<li>${esc(c)}</li>`).join('')}</ul>`;

    return { title, body, data, csv: { rows: snapshots, columns: csvColumns }, releases: shown };
  },
};
