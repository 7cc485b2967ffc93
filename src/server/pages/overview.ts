import { listReleases, timeline, type ReleaseRecord } from '../../db/releases.js';
import { sparkline } from '../../web/charts.js';
import { esc, fmt } from '../render/html.js';
import type { PageRoute } from './types.js';
import { ICE_DETENTION_STATS } from '../../sources/ice/detention-stats/source-id.js';

interface Headline {
  key: string;
  label: string;
  explain: string;
  value: number | null;
  previous: number | null;
  as_of: string | null;
  cell: string;
  trend: number[];
}

const n = (v: unknown): number | null => (typeof v === 'number' ? v : null);

function headline(key: string, label: string, explain: string, cell: string, latest: ReleaseRecord, previous: ReleaseRecord | undefined, series: ReleaseRecord[], value?: (r: ReleaseRecord) => number | null): Headline {
  const get = value ?? ((r: ReleaseRecord) => n(r[key]));
  return {
    key,
    label,
    explain,
    value: get(latest),
    previous: previous ? get(previous) : null,
    as_of: latest.snapshot_date,
    cell,
    trend: series.map(get).filter((v): v is number => v !== null),
  };
}

function change(h: Headline): string {
  if (h.value === null || h.previous === null) return '';
  const d = h.value - h.previous;
  const pct = h.previous !== 0 ? ` (${d >= 0 ? '+' : ''}${((d / h.previous) * 100).toFixed(1)}%)` : '';
  return `${d >= 0 ? '+' : '−'}${fmt(Math.abs(Math.round(d)))}${pct} since the previous release`;
}

/** The latest ICE snapshot, each figure with its date, its change and a small trend. */
export const overviewPage: PageRoute = {
  path: '/',
  async render({ db, vintage }) {
    const all = await listReleases(db, ICE_DETENTION_STATS);
    const releases = timeline(all, vintage);
    const suspect = all.filter((r) => r.date_suspect).length;
    const latest = releases[0];
    if (!latest) {
      return {
        title: 'Overview',
        body: `<h1>Enforcement Tracker</h1><p>No ICE detention-statistics release is loaded${vintage !== 'latest' ? ` for vintage ${esc(vintage)}` : ''}. Run <code>npm start</code> (or <code>npm start -- --from DIR</code> offline).</p>`,
        data: { latest: null, headlines: [] },
        csv: { rows: [] },
        releases: [],
      };
    }
    const previous = releases[1];
    const series = releases.slice(0, 26).reverse();
    const crim = (r: ReleaseRecord) => {
      const p = n(r.detained_pending);
      const o = n(r.detained_other);
      return p !== null && o !== null ? p + o : null;
    };
    const heads: Headline[] = [
      headline('detained_total', 'People in ICE detention', 'held on the snapshot date', 'Detention!F20', latest, previous, series),
      headline('detained_ice', 'Arrested by ICE', 'of those detained', 'Detention!B20', latest, previous, series),
      headline('detained_cbp', 'Arrested by CBP', 'of those detained', 'Detention!D20', latest, previous, series),
      headline('detained_convicted', 'Convicted criminal', 'of those detained', 'Detention!F21', latest, previous, series),
      headline('detained_pending', 'Pending criminal charges', 'not convicted', 'Detention!F22', latest, previous, series),
      headline('detained_other', 'Other immigration violator', 'no charges or convictions', 'Detention!F23', latest, previous, series),
      headline('no_conviction', 'No criminal conviction', 'pending charges + other immigration violators', 'Detention!F22+F23', latest, previous, series, crim),
      headline('adp_fy', 'Average daily population', 'fiscal year to date', 'Detention, ADP table, FY Overall', latest, previous, series),
      headline('book_ins_fytd', 'Initial book-ins', 'fiscal year to date (events, not people)', 'Detention, book-ins table, Total', latest, previous, series),
      headline('removals_fytd', 'Removals', 'fiscal year to date (events; include returns)', 'Detention, ICE Removals, Total', latest, previous, series),
      headline('atd_total', 'People on Alternatives to Detention', 'enrolled on the ATD report date', 'ATD, by technology, Total', latest, previous, series),
    ];
    const total = n(latest.detained_total);
    const share = (v: number | null) => (v !== null && total ? ` · ${((v / total) * 100).toFixed(1)}% of detained` : '');
    const cards = heads
      .map(
        (h) => `<div class="card" id="${esc(h.key)}"><div class="l">${esc(h.label)}</div>
<div class="v">${h.value === null ? '<span class="muted">not in this release</span>' : esc(fmt(Math.round(h.value)))}</div>
<div class="s">${esc(h.explain)}${h.key.startsWith('detained_') && h.key !== 'detained_total' ? esc(share(h.value)) : h.key === 'no_conviction' ? esc(share(h.value)) : ''}; as of ${esc(h.as_of ?? '?')}</div>
<div class="s">${esc(change(h))}</div>${sparkline(h.trend, `${h.label}, last ${h.trend.length} releases`)}</div>`,
      )
      .join('\n');
    const body = `<h1>ICE detention today</h1>
<p>Latest release: snapshot <strong>${esc(latest.snapshot_date ?? '?')}</strong> (fiscal year ${esc(latest.fiscal_year ?? '?')}), file ${latest.file_names.map(esc).join(', ')}, release <a href="/-/releases/${esc(latest.release_id)}"><code>${esc(latest.release_id)}</code></a>. ${releases.length} releases are in the series${suspect ? ` (and ${suspect} whose footnote date is stale or missing, listed in the <a href="/-/releases">release ledger</a>)` : ''}; see <a href="/detention">detention over time</a>. Changes compare this release with the one before it; for fiscal-year-to-date figures that is what was added between the two.</p>
<div class="cards">${cards}</div>
<p class="muted">Criminality labels are ICE's: "convicted criminal", "pending criminal charges", "other immigration violator" (no conviction and no pending charge). "No criminal conviction" = pending + other. Fiscal-year-to-date figures cover October 1 to the snapshot; a year-to-date figure is not a year. Each trend line shows the last ${series.length} releases.</p>`;
    const rows = heads.map((h) => ({ metric: h.key, label: h.label, value: h.value, previous: h.previous, as_of: h.as_of, release_id: latest.release_id, cell: h.cell }));
    return {
      title: 'Overview',
      body,
      data: { latest: latest.release_id, snapshot_date: latest.snapshot_date, previous: previous?.release_id ?? null, headlines: rows },
      csv: { rows },
      releases: previous ? [latest, previous] : [latest],
    };
  },
};
