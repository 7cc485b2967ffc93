import { listReleases, timeline } from '../../db/releases.js';
import { codeInfo } from '../../anomalies/detectors.js';
import { ParamError } from '../../metrics/params.js';
import { latestChanges, type ChangeSummary, type HeadlineChange, type ReleaseDiff } from '../../releases/diff.js';
import { DATASETS, datasetById } from '../../sources/registry.js';
import { esc, fmt } from '../render/html.js';
import type { PageRoute } from './types.js';
import { ICE_DETENTION_STATS } from '../../sources/ice/detention-stats/source-id.js';

const signed = (v: number | null) => (v === null ? '' : `${v > 0 ? '+' : v < 0 ? '−' : '±'}${fmt(Math.abs(v))}`);
const num = (v: unknown) => `<td class="num">${esc(fmt(v))}</td>`;
const release = (id: string) => `<a href="/-/releases/${esc(id)}"><code>${esc(id)}</code></a>`;
const tag = (a: { code: string; severity: string }) => `<span class="tag" title="${esc(codeInfo(a.code)?.title ?? a.severity)}">${esc(a.code)}</span>`;

function headlineTable(rows: HeadlineChange[]): string {
  if (rows.length === 0) return '<p>No headline figure changed.</p>';
  return `<div class="table-wrap"><table><thead><tr><th scope="col">Figure</th><th scope="col" class="num">Before</th><th scope="col" class="num">After</th><th scope="col" class="num">Change</th><th scope="col">Cells</th></tr></thead><tbody>${rows
    .map((h) => `<tr><td>${esc(h.label)}</td>${num(h.before)}${num(h.after)}<td class="num">${esc(signed(h.change))}</td><td>${esc([h.cell_before, h.cell_after].filter((c) => c).join(' → '))}</td></tr>`)
    .join('')}</tbody></table></div>`;
}

/** What changed between two releases, as HTML: used by the release page and anywhere a diff is shown. */
export function diffSection(d: ReleaseDiff): string {
  const revised = d.months.filter((m) => m.kind === 'revised');
  const other = d.months.filter((m) => m.kind !== 'revised');
  const label = { adp: 'ADP', book_ins: 'Book-ins' };
  const monthRows = (rows: ReleaseDiff['months']) =>
    rows
      .map((m) => `<tr><td>${esc(label[m.measure])}</td><td class="date">${esc(m.month)}</td>${num(m.before)}${num(m.after)}<td class="num">${esc(signed(m.change))}</td><td>${esc([m.cell_before, m.cell_after].filter((c) => c).join(' → '))}</td></tr>`)
      .join('');
  const monthTable = (rows: ReleaseDiff['months'], caption: string) =>
    `<div class="table-wrap"><table><caption class="muted">${esc(caption)}</caption><thead><tr><th scope="col">Series</th><th scope="col">Month</th><th scope="col" class="num">Before</th><th scope="col" class="num">After</th><th scope="col" class="num">Change</th><th scope="col">Cells</th></tr></thead><tbody>${monthRows(rows)}</tbody></table></div>`;
  const fac = (kind: string) => d.facilities.filter((f) => f.change === kind);
  const facList = (kind: string) =>
    fac(kind)
      .map((f) => `${f.previous_name ? `${esc(f.previous_name)} → ` : ''}${esc(f.name)}${f.city ? `, ${esc(f.city)}` : ''}${f.state ? ` (${esc(f.state)})` : ''} — ADP ${esc(fmt(f.adp))} <span class="muted">${esc(f.cell)}</span>`)
      .join('; ') || 'none';
  const ice = d.source_id === ICE_DETENTION_STATS;
  return `<p>From ${release(d.from.release_id)} (${esc(d.from.file_names.join(' = '))}, snapshot ${esc(d.from.snapshot_date ?? 'undated')}) to ${release(d.to.release_id)} (${esc(d.to.file_names.join(' = '))}, snapshot ${esc(d.to.snapshot_date ?? 'undated')}).</p>
${headlineTable(d.headline)}
${
  ice
    ? `<h3>Months</h3>${revised.length ? monthTable(revised, `Months revised: whole in both releases, national figures (fiscal years run October–September)`) : '<p>No whole month was revised.</p>'}
${other.length ? monthTable(other, 'Months completed or first reported since the earlier release') : ''}
<h3>Facilities</h3><p>Appeared (${fac('appeared').length}): ${facList('appeared')}.</p>
<p>Disappeared (${fac('disappeared').length}): ${facList('disappeared')}.</p>
${fac('renamed').length ? `<p>Renamed or cut short (${fac('renamed').length}): ${facList('renamed')}.</p>` : ''}`
    : ''
}${
  d.source_id === 'cbp.encounters'
    ? `<h3>Months CBP revised</h3>${
        d.cbp_revisions.length
          ? `<div class="table-wrap"><table><caption class="muted">Encounters by month and land-border region; an encounter is an event, not a person</caption><thead><tr><th scope="col">Month</th><th scope="col">Region</th><th scope="col" class="num">Before</th><th scope="col" class="num">After</th><th scope="col" class="num">Change</th></tr></thead><tbody>${d.cbp_revisions
              .map((c) => `<tr><td class="date">${esc(c.month)}</td><td>${esc(c.region)}</td>${num(c.before)}${num(c.after)}<td class="num">${esc(signed(c.change))}</td></tr>`)
              .join('')}</tbody></table></div>`
          : '<p>No month reported by both files changed.</p>'
      }`
    : ''
}`;
}

function summaryCell(c: ChangeSummary): string {
  const key = c.headline.filter((h) => ['detained_total', 'adp_fy', 'book_ins_fytd', 'removals_fytd', 'encounters'].includes(h.field));
  return key.map((h) => `${esc(h.label)} ${esc(fmt(h.after))} (${esc(signed(h.change))})`).join('<br>') || (c.previous ? 'no headline change' : 'first release of its source');
}

/** The latest releases of every source, newest first, each with what changed since the release before it. */
export const changesPage: PageRoute = {
  path: '/-/changes',
  async render({ db, query, vintage }) {
    const unknown = Object.keys(query).filter((k) => k !== 'source' && k !== 'limit');
    if (unknown.length) throw new ParamError(unknown[0]!, 'unknown parameter; the parameters are source, limit, vintage');
    if (query.source !== undefined && !DATASETS.some((d) => d.id === query.source)) {
      throw new ParamError('source', `'${query.source}' is not a source; the sources are ${DATASETS.map((d) => d.id).join(', ')}`);
    }
    const limit = query.limit === undefined ? 30 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new ParamError('limit', `'${query.limit}' is not a whole number from 1 to 200`);
    const all = await listReleases(db);
    const among = vintage === 'latest' ? undefined : timeline(all, vintage, { includeSuspect: true }).map((r) => r.release_id);
    const changes = await latestChanges(db, { source: query.source, limit, among });
    const rows = changes.map(
      (c) => `<tr><td>${release(c.release.release_id)}</td><td>${esc(datasetById(c.release.source_id)?.title ?? c.release.source_id)}<br><span class="muted">${esc(c.release.file_names.join(' = '))}</span></td><td class="date">${esc(c.release.snapshot_date ?? 'undated')}</td><td>${c.previous ? release(c.previous.release_id) : 'none'}</td><td>${summaryCell(c)}</td><td class="num">${c.months_revised || ''}</td><td class="num">${c.facilities_appeared || c.facilities_disappeared ? `+${c.facilities_appeared} / −${c.facilities_disappeared}` : ''}</td><td class="num">${c.cbp_months_revised || ''}</td><td>${[...new Map(c.anomalies.map((a) => [a.code, a])).values()].map(tag).join(' ')}</td></tr>`,
    );
    const body = `<h1>Changes</h1>
<p>The latest releases of every source, newest first (by the date their data are of), each compared with the release of its source just before it: headline figures, months revised, facilities that appeared or disappeared, the months CBP revised, and what looks wrong (anomalies). Each release links to its page with the full comparison and the cells. Feeds: <a href="/feeds/releases.atom">new releases</a>, <a href="/feeds/anomalies.atom">anomalies</a>. API: <a href="/api/v1/changes">/api/v1/changes</a>.</p>
<div class="table-wrap"><table><caption class="muted">FYTD = fiscal year to date (October–September)</caption>
<thead><tr><th scope="col">Release</th><th scope="col">Source and file</th><th scope="col">Snapshot</th><th scope="col">Compared with</th><th scope="col">Headline changes</th><th scope="col" class="num">Months revised</th><th scope="col" class="num">Facilities +/−</th><th scope="col" class="num">CBP months revised</th><th scope="col">Anomalies</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
    const ids = new Set(changes.map((c) => c.release.release_id));
    return {
      title: 'Changes',
      body,
      data: { changes },
      csv: {
        rows: changes.map((c) => ({
          release_id: c.release.release_id,
          source_id: c.release.source_id,
          snapshot_date: c.release.snapshot_date,
          previous_release_id: c.previous?.release_id ?? null,
          headline: c.headline.map((h) => `${h.field} ${h.before ?? ''} -> ${h.after ?? ''}`).join('; '),
          months_revised: c.months_revised,
          facilities_appeared: c.facilities_appeared,
          facilities_disappeared: c.facilities_disappeared,
          cbp_months_revised: c.cbp_months_revised,
          anomalies: c.anomalies.map((a) => a.code).join(' '),
        })),
      },
      releases: all.filter((r) => ids.has(r.release_id)).reverse(),
    };
  },
};
