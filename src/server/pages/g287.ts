import type { Database } from '../../db/connection.js';
import { listReleases, timeline, type ReleaseRecord } from '../../db/releases.js';
import { G287_METRICS } from '../../metrics/g287.js';
import { parseQuery, type RawQuery } from '../../metrics/params.js';
import { runMetric } from '../../metrics/query.js';
import type { MetricDefinition, MetricResult } from '../../metrics/types.js';
import { compareLists, consecutiveChanges, listTimeline, type AgreementChange, type ListEntry, type PairCounts } from '../../sources/ice/g287/changes.js';
import { MODEL_ABBREVIATIONS, MODELS, stateByCode, type Model } from '../../sources/ice/g287/columns.js';
import { lineChart, type Line, type Point } from '../../web/charts.js';
import { mappedFips, stateChoropleth } from '../../web/us-map.js';
import { esc, fmt } from '../render/html.js';
import type { PageRoute } from './types.js';

const SOURCE = 'ice.287g';
const AGREEMENTS = 'ice.287g_agreements';
const AGENCIES = 'ice.287g_agencies';
/** The first day of the second Trump administration: agreements signed since are counted apart. */
const INAUGURATION = '2025-01-20';

const MODEL_COLOURS: Record<Model, string> = {
  'Task Force Model': '#e15759',
  'Warrant Service Officer': '#1f5f99',
  'Jail Enforcement Model': '#59a14f',
};

const MODEL_NOTES: Record<Model, string> = {
  'Task Force Model': 'local officers question people about their immigration status and arrest them during their routine police work, under ICE supervision',
  'Warrant Service Officer': 'jail officers serve ICE administrative warrants on people already held in the jail',
  'Jail Enforcement Model': 'jail officers interview people booked into the jail, lodge ICE detainers and process them for removal',
};

/** The anomalies shown as "ICE's errors"; the rest (spaces, wrapped links, transcriptions) are summarised. */
const ERROR_CODES = new Set([
  'filename-date-mismatch',
  'filename-date-malformed',
  'lists-swapped',
  'stale-list',
  'impossible-date',
  'invalid-date',
  'value-typo',
  'unrecognised-label',
  'duplicate-key',
  'duplicate-content',
  'empty-list',
  'incomplete-row',
  'missing-snapshot-date',
  'cell-outside-table',
]);

/* ---------------------------------------------------------------- metric runs */

interface Run {
  def: MetricDefinition;
  raw: RawQuery;
  result: MetricResult;
}

function definition(id: string): MetricDefinition {
  const def = G287_METRICS.find((m) => m.id === id);
  if (!def) throw new Error(`metric ${id} is not defined`);
  return def;
}

async function run(db: Database, id: string, raw: RawQuery, vintage: string): Promise<Run> {
  const def = definition(id);
  return { def, raw, result: await runMetric(db, def, parseQuery(def, { ...raw, vintage })) };
}

function apiUrl(r: Run, pin: string, format: '' | '.csv' = '.csv'): string {
  const p = new URLSearchParams();
  for (const k of ['grain', 'by', 'from', 'to'] as const) {
    const v = r.raw[k];
    if (v !== undefined) p.set(k, Array.isArray(v) ? v.join(',') : v);
  }
  p.set('vintage', pin);
  return `/api/v1/metrics/${r.def.id}${format}?${p.toString()}`;
}

/* ---------------------------------------------------------------- html helpers */

const num = (v: unknown) => `<td class="num">${v === null || v === undefined ? '<span class="muted">–</span>' : esc(fmt(v))}</td>`;
const signed = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${fmt(Math.abs(v))}`;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const longDate = (d: string) => `${MONTHS[Number(d.slice(5, 7)) - 1] ?? '?'} ${Number(d.slice(8, 10))}, ${d.slice(0, 4)}`;

function table(caption: string, head: Array<[string, boolean]>, rows: string[], o: { open?: boolean; summary?: string } = {}): string {
  const inner = `<div class="table-wrap"><table data-sortable><caption class="muted" style="text-align:left">${esc(caption)}</caption>
<thead><tr>${head.map(([h, isNum]) => `<th scope="col"${isNum ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
  return o.summary ? `<details${o.open ? ' open' : ''}><summary>${esc(o.summary)}</summary>${inner}</details>` : inner;
}

class Files {
  constructor(private readonly byId: Map<string, ReleaseRecord>) {}

  name(id: string): string {
    return this.byId.get(id)?.file_names.join(' = ') ?? id;
  }

  link(id: string | null | undefined): string {
    return id ? `<a href="/-/releases/${esc(id)}">${esc(this.name(id))}</a>` : '';
  }
}

/* ---------------------------------------------------------------- data */

interface LatestFigures {
  release_id: string;
  file_names: string[];
  date: string;
  date_basis: string;
  latest_signed: string | null;
  agreements: number;
  agencies: number;
  /** Distinct STATE + agency as ICE writes them (trimmed): above `agencies` where ICE spells an agency two ways. */
  agency_spellings: number | null;
  by_model: Record<string, number>;
  states: number;
  signed_since_2025_01_20: number;
  signed_unknown: number;
  /** MOA status, trimmed ('link' = a signed MOA is linked). */
  moa: Record<string, number>;
  /** The MOA cell as published, spaces kept. */
  moa_as_published: Record<string, number>;
}

async function latestFigures(db: Database, list: ListEntry, files: ReleaseRecord | undefined, byModel: Record<string, number>, agencies: number): Promise<LatestFigures> {
  const id = list.release_id;
  const one = await db.one(
    `SELECT count(*) FILTER (WHERE signed >= CAST($2 AS DATE)) AS since, count(*) FILTER (WHERE signed IS NULL) AS unknown,
            count(DISTINCT coalesce(state_code, state)) AS states,
            (SELECT summary::VARCHAR FROM releases WHERE release_id = $1) AS summary
       FROM ice_287g_agreements WHERE release_id = $1`,
    [id, INAUGURATION],
  );
  const counts = async (column: 'moa_status' | 'moa_text') =>
    Object.fromEntries(
      (await db.all(`SELECT coalesce(${column}, '(empty)') AS k, count(*) AS n FROM ice_287g_agreements WHERE release_id = $1 GROUP BY ALL ORDER BY n DESC, k`, [id])).map((r) => [
        r.k as string,
        Number(r.n),
      ]),
    );
  const summary = JSON.parse((one?.summary as string | null) ?? '{}') as Record<string, unknown>;
  return {
    release_id: id,
    file_names: files?.file_names ?? [],
    date: list.list_date,
    date_basis: list.date_basis,
    latest_signed: list.latest_signed,
    agreements: list.agreements,
    agencies,
    agency_spellings: typeof summary.agency_spellings === 'number' ? summary.agency_spellings : null,
    by_model: byModel,
    states: Number(one?.states ?? 0),
    signed_since_2025_01_20: Number(one?.since ?? 0),
    signed_unknown: Number(one?.unknown ?? 0),
    moa: await counts('moa_status'),
    moa_as_published: await counts('moa_text'),
  };
}

interface StateRow {
  state: string;
  name: string;
  total: number;
  agencies: number;
  [model: string]: string | number;
}

interface ErrorNote {
  release_id: string;
  file: string;
  list_date: string | null;
  code: string;
  severity: string;
  subject: string;
  detail: string;
}

async function errorNotes(db: Database, ids: string[], files: Files, dates: Map<string, string>): Promise<{ shown: ErrorNote[]; other: Array<{ code: string; releases: number }> }> {
  if (ids.length === 0) return { shown: [], other: [] };
  const rows = await db.all(
    `SELECT release_id, code, severity, subject, detail FROM release_anomalies
      WHERE list_contains(string_split($1, ','), release_id)
      ORDER BY release_id, code, subject`,
    [ids.join(',')],
  );
  const shown: ErrorNote[] = [];
  const other = new Map<string, Set<string>>();
  for (const r of rows) {
    const code = r.code as string;
    const id = r.release_id as string;
    if (ERROR_CODES.has(code) || r.severity !== 'info') {
      shown.push({ release_id: id, file: files.name(id), list_date: dates.get(id) ?? null, code, severity: r.severity as string, subject: r.subject as string, detail: r.detail as string });
    } else other.set(code, (other.get(code) ?? new Set()).add(id));
  }
  const severityRank = (s: string) => (s === 'error' ? 0 : s === 'warning' ? 1 : 2);
  shown.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || String(b.list_date).localeCompare(String(a.list_date)) || a.code.localeCompare(b.code));
  return { shown, other: [...other].map(([code, s]) => ({ code, releases: s.size })).sort((a, b) => a.code.localeCompare(b.code)) };
}

/* ---------------------------------------------------------------- the page */

/** ICE's 287(g) agreements: the latest lists by model and state, their growth, what changed between lists and ICE's own errors. */
export const g287Page: PageRoute = {
  path: '/287g',
  async render({ db, vintage }) {
    const all = await listReleases(db, SOURCE);
    const allowed = timeline(all, vintage, { includeSuspect: true });
    const byId = new Map(all.map((r) => [r.release_id, r]));
    const files = new Files(byId);
    const allowedIds = allowed.map((r) => r.release_id);
    const participating = await listTimeline(db, allowedIds, 'participating');
    const pending = await listTimeline(db, allowedIds, 'pending');
    const standing = participating.filter((l) => !l.superseded);
    const latest = standing.at(-1);
    const previous = standing.at(-2);
    const latestPending = pending.filter((l) => !l.superseded).at(-1);
    const pin = vintage !== 'latest' ? vintage : (latest?.release_id ?? 'latest');
    const vintageNote = vintage !== 'latest' ? `<p class="note">Vintage <code>${esc(vintage)}</code>: only the lists known by then are used.</p>` : '';

    if (!latest) {
      const body = `<h1>287(g) agreements</h1>${vintageNote}
<p class="note">No 287(g) participating agencies list is loaded${vintage !== 'latest' ? ' for this vintage' : ''}. Run <code>tracker fetch --source ${SOURCE}</code>, or <code>tracker ingest</code> a folder holding <code>participatingAgencies…xlsx</code> files from <a href="https://www.ice.gov/identify-and-arrest/287g">ice.gov/identify-and-arrest/287g</a>.</p>`;
      return { title: '287(g) agreements', body, data: { vintage, latest: null, series: [], by_state: [], lists: [] }, csv: { rows: [], columns: ['state', 'name', 'total', ...MODELS, 'agencies'] }, releases: [] };
    }

    // the growth: one point per list, by model and in all
    const series = await run(db, AGREEMENTS, { grain: 'snapshot', by: 'model' }, pin);
    const totals = await run(db, AGREEMENTS, { grain: 'snapshot' }, pin);
    const agencySeries = await run(db, AGENCIES, { grain: 'snapshot' }, pin);
    // the latest list by state and model
    const byStateModel = await run(db, AGREEMENTS, { grain: 'snapshot', by: ['state', 'model'], from: latest.list_date, to: latest.list_date }, pin);
    const agenciesByState = await run(db, AGENCIES, { grain: 'snapshot', by: 'state', from: latest.list_date, to: latest.list_date }, pin);

    const byModel: Record<string, number> = Object.fromEntries(MODELS.map((m) => [m, 0]));
    const states = new Map<string, StateRow>();
    for (const r of byStateModel.result.rows) {
      const code = String(r.state ?? '?');
      const row = states.get(code) ?? { state: code, name: stateByCode(code)?.name ?? code, total: 0, agencies: 0, ...Object.fromEntries(MODELS.map((m) => [m, 0])) };
      const model = String(r.model);
      row[model] = Number(row[model] ?? 0) + Number(r.value);
      row.total += Number(r.value);
      byModel[model] = (byModel[model] ?? 0) + Number(r.value);
      states.set(code, row);
    }
    for (const r of agenciesByState.result.rows) {
      const row = states.get(String(r.state ?? '?'));
      if (row) row.agencies = Number(r.value);
    }
    const stateRows = [...states.values()].sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
    const agencyTotal = stateRows.reduce((n, r) => n + r.agencies, 0);
    const figures = await latestFigures(db, latest, byId.get(latest.release_id), byModel, agencyTotal);

    // agencies in and out
    const changes: AgreementChange[] = previous ? await compareLists(db, previous.release_id, latest.release_id) : [];
    const pairs: PairCounts[] = await consecutiveChanges(db, standing);
    const joined = changes.filter((c) => c.change === 'joined');
    const left = changes.filter((c) => c.change === 'left');

    // pending list
    const pendingRows = latestPending
      ? await db.all(
          `SELECT "row", state, state_code, agency, agency_type, county, model FROM ice_287g_agreements WHERE release_id = $1 ORDER BY state, agency, model`,
          [latestPending.release_id],
        )
      : [];

    const listDates = new Map([...participating, ...pending].map((l) => [l.release_id, l.list_date]));
    const notes = await errorNotes(db, allowedIds, files, listDates);

    /* ---------------- charts */
    const mapped = mappedFips();
    const onMap = stateRows.filter((r) => mapped.has(stateByCode(r.state)?.fips ?? ''));
    const offMap = stateRows.filter((r) => !mapped.has(stateByCode(r.state)?.fips ?? ''));
    const map = stateChoropleth(
      onMap.map((r) => ({ fips: stateByCode(r.state)!.fips, label: r.state, value: r.total })),
      { title: `287(g) agreements by state in ICE's list of ${longDate(latest.list_date)}`, unit: 'agreements' },
    );
    const htmlDerived = new Set(participating.filter((l) => l.origin === 'html-derived').map((l) => l.list_date));
    const points: Point[] = [
      ...totals.result.rows.map((r) => ({ date: String(r.period), value: Number(r.value), series: 'all', partial: htmlDerived.has(String(r.period)) })),
      ...series.result.rows.map((r) => ({ date: String(r.period), value: Number(r.value), series: String(r.model), partial: htmlDerived.has(String(r.period)) })),
    ];
    const lines: Line[] = [{ key: 'all', label: 'All agreements', color: '#333', width: 3 }, ...MODELS.map((m) => ({ key: m, label: m, color: MODEL_COLOURS[m] }))];
    const growth = lineChart(points, lines, {
      title: "287(g) agreements in each of ICE's participating agencies lists, by support model",
      yLabel: 'agreements in force',
      xLabel: 'date of the list',
      partialLabel: "list transcribed from ICE's web page by a research archive (not an ICE file)",
      maxGapDays: 400,
    });

    /* ---------------- series table */
    const seriesByDate = new Map<string, Record<string, number>>();
    for (const r of series.result.rows) {
      const m = seriesByDate.get(String(r.period)) ?? {};
      m[String(r.model)] = Number(r.value);
      seriesByDate.set(String(r.period), m);
    }
    const agenciesByDate = new Map(agencySeries.result.rows.map((r) => [String(r.period), Number(r.value)]));
    const seriesRows = standing.map((l) => {
      const m = seriesByDate.get(l.list_date) ?? {};
      return {
        date: l.list_date,
        release_id: l.release_id,
        file: files.name(l.release_id),
        origin: l.origin,
        date_basis: l.date_basis,
        named_kind: l.named_kind,
        ...Object.fromEntries(MODELS.map((x) => [x, m[x] ?? 0])),
        total: l.agreements,
        agencies: agenciesByDate.get(l.list_date) ?? null,
      } as Record<string, string | number | null>;
    });

    const firstTfm = (seriesRows.find((r, i) => i > 0 && Number(r['Task Force Model']) > 0 && Number(seriesRows[i - 1]!['Task Force Model']) === 0)?.date as string | undefined) ?? null;

    /* ---------------- html */
    const change = previous ? latest.agreements - previous.agreements : null;
    const card = (label: string, value: string, lines2: string[]) =>
      // file names are long words: let them break inside the card
      `<div class="card"><div class="l">${esc(label)}</div><div class="v">${value}</div>${lines2.map((l) => `<div class="s" style="overflow-wrap:anywhere">${l}</div>`).join('')}</div>`;
    const modelCards = MODELS.map((m) =>
      card(`${m} (${MODEL_ABBREVIATIONS[m]})`, esc(fmt(byModel[m] ?? 0)), [`${latest.agreements ? Math.round(((byModel[m] ?? 0) / latest.agreements) * 100) : 0}% of agreements`]),
    ).join('');
    const offMapNote = offMap.length
      ? `<p class="muted">Not on the map (territories): ${offMap.map((r) => `${esc(r.name)} ${esc(fmt(r.total))}`).join(', ')}.</p>`
      : '';
    const latestFile = files.link(latest.release_id);
    const datedNote =
      latest.date_basis === 'file-name'
        ? ''
        : ` <span class="tag">dated ${latest.date_basis === 'file-name-corrected' ? 'by a corrected file name' : `by its ${latest.date_basis}`}</span>`;
    const changeRow = (c: AgreementChange) =>
      `<tr><td>${c.change === 'joined' ? 'joined' : '<strong>left</strong>'}</td><td>${esc(c.state ?? '')}</td><td>${esc(c.agency ?? '')}</td><td>${esc(c.agency_type ?? '')}</td><td>${esc(c.model ?? '')}</td><td class="date">${esc(c.signed ?? '')}</td><td><a href="/-/releases/${esc(c.release_id)}">row ${esc(c.row)}</a></td></tr>`;
    const swappedFiles = notes.shown.filter((n) => n.code === 'lists-swapped');

    const body = `<h1>287(g) agreements</h1>
<p>Under section 287(g) of the Immigration and Nationality Act, ICE delegates immigration enforcement powers to state and local law enforcement agencies by a signed agreement (a memorandum of agreement, MOA). ICE lists the agencies with an agreement, and those whose request is pending, on <a href="https://www.ice.gov/identify-and-arrest/287g">its 287(g) page</a>, as spreadsheets it replaces every few days. The tracker keeps every list it has seen: ${standing.length} participating lists${participating.length > standing.length ? ` (and ${participating.length - standing.length} posted the same day as another)` : ''} and ${pending.length} pending lists. One row of a list is one agreement: an agency can have up to three, one per model.</p>
${vintageNote}
<div class="cards">
${card(`Agreements on ${longDate(latest.list_date)}`, esc(fmt(latest.agreements)), [
  `${latestFile}${datedNote}`,
  previous && change !== null ? `${esc(signed(change))} since the list of ${esc(longDate(previous.list_date))} (${esc(fmt(joined.length))} joined, ${esc(fmt(left.length))} left)` : 'no earlier list',
])}
${card('Law enforcement agencies', esc(fmt(figures.agencies)), [`in ${esc(fmt(figures.states))} states and territories`, `${esc(fmt(figures.signed_since_2025_01_20))} agreements signed since ${esc(longDate(INAUGURATION))}`])}
${modelCards}
${card('Pending requests', latestPending ? esc(fmt(latestPending.agreements)) : '<span class="muted">no list</span>', latestPending ? [`ICE's pending list of ${esc(longDate(latestPending.list_date))}: ${files.link(latestPending.release_id)}`] : [])}
</div>
<p class="muted">The three models: ${MODELS.map((m) => `<strong>${esc(m)}</strong>: ${esc(MODEL_NOTES[m])}`).join('; ')}.</p>
<nav aria-label="On this page"><p><a href="#map">By state</a> · <a href="#growth">Growth</a> · <a href="#changes">Joined and left</a> · <a href="#pending">Pending</a> · <a href="#errors">ICE's errors</a> · <a href="#lists">Every list</a></p></nav>

<h2 id="map">Agreements by state, ${esc(longDate(latest.list_date))}</h2>
<figure>${map}
<figcaption><p>Agreements (agency × model) per state in ICE's participating agencies list of ${esc(longDate(latest.list_date))} (${latestFile}). State shapes: U.S. Census Bureau cartographic boundaries (us-atlas), Alaska and Hawaii inset.</p>
<p>Download CSV: <a href="${esc(apiUrl(byStateModel, pin))}">by state and model</a> · <a href="/287g.csv${vintage !== 'latest' ? `?vintage=${esc(encodeURIComponent(vintage))}` : ''}">this table</a></p></figcaption></figure>
${offMapNote}
${table(
  `287(g) agreements by state and model, ICE list of ${latest.list_date}`,
  [['State', false], ['Agreements', true], ...MODELS.map((m): [string, boolean] => [MODEL_ABBREVIATIONS[m], true]), ['Agencies', true]],
  stateRows.map((r) => `<tr><td>${esc(r.name)} <span class="muted">${esc(r.state)}</span></td>${num(r.total)}${MODELS.map((m) => num(r[m])).join('')}${num(r.agencies)}</tr>`),
  { summary: `Table: ${stateRows.length} states and territories`, open: false },
)}

<h2 id="growth">Growth since ${esc(String(standing[0]!.list_date).slice(0, 4))}</h2>
<figure>${growth}
<figcaption><p>One point per list; a list replaces the one before it, so the values are never added. Lists before ${esc(longDate('2025-02-20'))} (hollow points) are not ICE files: ICE's page then showed an HTML table, transcribed from Wayback Machine captures by a research archive. ${firstTfm ? `The Task Force Model, which DHS ended in 2012, appears again from the list of ${esc(longDate(firstTfm))}.` : ''}</p>
<p>Download CSV: <a href="${esc(apiUrl(series, pin))}">agreements by model and list</a> · <a href="${esc(apiUrl(totals, pin))}">all agreements by list</a> · <a href="${esc(apiUrl(agencySeries, pin))}">agencies by list</a></p></figcaption></figure>
${table(
  'Agreements in each participating agencies list, by model',
  [['List date', false], ['File', false], ...MODELS.map((m): [string, boolean] => [MODEL_ABBREVIATIONS[m], true]), ['Agreements', true], ['Agencies', true], ['Note', false]],
  [...seriesRows].reverse().map((r) => {
    const note = [
      r.origin === 'html-derived' ? 'transcribed web page' : '',
      r.date_basis === 'file-name-corrected' ? 'file name corrected' : r.date_basis === 'saved' ? 'dated by its save' : '',
      r.named_kind === 'pending' ? 'filed as the pending list' : '',
    ].filter((x) => x);
    return `<tr><td class="date">${esc(r.date)}</td><td>${files.link(String(r.release_id))}</td>${MODELS.map((m) => num(r[m])).join('')}${num(r.total)}${num(r.agencies)}<td>${note.map((n) => `<span class="tag">${esc(n)}</span>`).join(' ')}</td></tr>`;
  }),
  { summary: `Table: ${seriesRows.length} lists`, open: false },
)}

<h2 id="changes">Agreements that joined and left</h2>
${
  previous
    ? `<p>Between ICE's list of ${esc(longDate(previous.list_date))} (${files.link(previous.release_id)}) and the list of ${esc(longDate(latest.list_date))}: <strong>${esc(fmt(joined.length))}</strong> agreements joined and <strong>${esc(fmt(left.length))}</strong> left. An agreement is matched on its state, the agency's name (case, spaces, periods and apostrophes ignored) and its model, so an agency that ICE renames in a list shows as one leaving and one joining.</p>
${
  changes.length
    ? table(
        `Agreements in one list and not the other: ${previous.list_date} → ${latest.list_date}`,
        [['Change', false], ['State', false], ['Agency', false], ['Type', false], ['Model', false], ['Signed', false], ['Listed in', false]],
        [...left, ...joined].map(changeRow),
        { summary: `Table: ${changes.length} agreements`, open: changes.length <= 60 },
      )
    : '<p>No agreement changed.</p>'
}`
    : '<p>Only one participating list is loaded: nothing to compare.</p>'
}
${
  pairs.length
    ? table(
        'Agreements joined and left between each list and the next',
        [['From', false], ['To', false], ['Agreements before', true], ['Agreements after', true], ['Joined', true], ['Left', true]],
        [...pairs].reverse().map((p) => `<tr><td class="date"><a href="/-/releases/${esc(p.from_release)}">${esc(p.from_date)}</a></td><td class="date"><a href="/-/releases/${esc(p.to_release)}">${esc(p.to_date)}</a></td>${num(p.from_agreements)}${num(p.to_agreements)}${num(p.joined)}${num(p.left)}</tr>`),
        { summary: 'Table: every pair of consecutive lists' },
      )
    : ''
}

<h2 id="pending">Pending requests</h2>
${
  latestPending
    ? `<p>ICE's pending agencies list of ${esc(longDate(latestPending.list_date))} (${files.link(latestPending.release_id)}): ${esc(fmt(latestPending.agreements))} requested agreements.${latestPending.named_kind !== 'pending' ? ' <span class="tag">ICE posted it under the participating list\'s name</span>' : ''}</p>
${
  pendingRows.length
    ? table(
        `Pending agreements, ICE list of ${latestPending.list_date}`,
        [['State', false], ['Agency', false], ['Type', false], ['County', false], ['Model', false]],
        pendingRows.map((r) => `<tr><td>${esc(r.state)}</td><td>${esc(r.agency)}</td><td>${esc(r.agency_type ?? '')}</td><td>${esc(r.county ?? '')}</td><td>${esc(r.model)}</td></tr>`),
      )
    : '<p>The list is empty: it has its header row and no agency.</p>'
}`
    : '<p>No pending agencies list is loaded.</p>'
}

<h2 id="errors">ICE's errors in these lists</h2>
<p>What looks wrong in ICE's files is kept and reported, with the cells, never silently dropped or fixed: ${swappedFiles.length ? `on 2025-09-22 ICE posted the two lists under each other's names (${swappedFiles.map((n) => `<a href="/-/releases/${esc(n.release_id)}">${esc(n.file)}</a>`).join(', ')}); each is stored as the list it holds. ` : ''}A file name whose date the content contradicts (a list named January 2025 holding signings of January 2026) is dated from the content. A signing date that cannot be (the year 5025) is stored as empty, with the published value kept beside it. ${notes.other.length ? `Not listed below: ${notes.other.map((o) => `<code>${esc(o.code)}</code> (${esc(o.releases)} lists)`).join(', ')} — cells with stray spaces, agencies spelled two ways in one list, MOA links wrapped in Outlook Safe Links, and the lists transcribed from the web page.` : ''}</p>
${
  notes.shown.length
    ? table(
        'Anomalies found in the 287(g) lists',
        [['List date', false], ['File', false], ['Code', false], ['Where', false], ['What', false]],
        notes.shown.map((n) => `<tr><td class="date">${esc(n.list_date ?? '')}</td><td>${files.link(n.release_id)}</td><td><span class="tag">${esc(n.code)}</span></td><td><code>${esc(n.subject)}</code></td><td>${esc(n.detail)}</td></tr>`),
        { summary: `Table: ${notes.shown.length} anomalies`, open: true },
      )
    : '<p>None found.</p>'
}

<h2 id="lists">Every list</h2>
${table(
  'Every 287(g) list loaded, newest first',
  [['List date', false], ['Kind', false], ['File', false], ['Rows', true], ['Latest signing', false], ['Dated by', false]],
  [...participating, ...pending]
    .sort((a, b) => b.list_date.localeCompare(a.list_date) || a.list_kind.localeCompare(b.list_kind))
    .map(
      (l) =>
        `<tr><td class="date">${esc(l.list_date)}${l.list_time ? ` ${esc(l.list_time)}` : ''}</td><td>${esc(l.list_kind)}${l.named_kind !== l.list_kind ? ' <span class="tag">named ' + esc(l.named_kind) + '</span>' : ''}${l.superseded ? ' <span class="muted">(a later list the same day)</span>' : ''}</td><td>${files.link(l.release_id)}</td>${num(l.agreements)}<td class="date">${esc(l.latest_signed ?? '')}</td><td>${esc(l.date_basis)}${l.origin !== 'ice' ? ` (${esc(l.origin)})` : ''}</td></tr>`,
    ),
  { summary: `Table: ${participating.length + pending.length} lists` },
)}`;

    const shownIds = new Set([...participating, ...pending].map((l) => l.release_id));
    const listsJson = [...participating, ...pending].map((l) => ({ ...l, file_names: byId.get(l.release_id)?.file_names ?? [], anomalies: byId.get(l.release_id)?.anomalies ?? [] }));
    return {
      title: '287(g) agreements',
      body,
      data: {
        vintage,
        pinned_vintage: pin,
        latest: figures,
        previous: previous ? { release_id: previous.release_id, date: previous.list_date, agreements: previous.agreements } : null,
        pending_latest: latestPending
          ? { release_id: latestPending.release_id, date: latestPending.list_date, agreements: latestPending.agreements, file_names: byId.get(latestPending.release_id)?.file_names ?? [], rows: pendingRows }
          : null,
        by_state: stateRows,
        series: { metric: AGREEMENTS, csv: apiUrl(series, pin), rows: seriesRows },
        changes: { from: previous?.release_id ?? null, to: latest.release_id, joined, left },
        change_counts: pairs,
        lists: listsJson,
        errors: notes.shown,
        other_anomalies: notes.other,
      },
      csv: { rows: stateRows, columns: ['state', 'name', 'total', ...MODELS, 'agencies'] },
      releases: allowed.filter((r) => shownIds.has(r.release_id)),
    };
  },
};
