import { listReleases, type ReleaseRecord } from '../../db/releases.js';
import { diffReleases, previousReleaseId } from '../../releases/diff.js';
import { diffSection } from './changes.js';
import { esc, fmt } from '../render/html.js';
import type { PageRoute } from './types.js';

const LEDGER_COLUMNS: Array<[string, string]> = [
  ['snapshot_date', 'Snapshot'],
  ['fiscal_year', 'FY'],
  ['detained_total', 'Detained'],
  ['detained_ice', 'ICE-arrested'],
  ['detained_cbp', 'CBP-arrested'],
  ['adp_fy', 'ADP (FYTD)'],
  ['removals_fytd', 'Removals (FYTD)'],
  ['book_ins_fytd', 'Book-ins (FYTD)'],
  ['atd_total', 'On ATD'],
  ['facility_rows', 'Facilities'],
];


function cell(r: ReleaseRecord, k: string): string {
  const v = r[k];
  const cls = typeof v === 'number' ? ' class="num"' : k === 'snapshot_date' ? ' class="date"' : '';
  return `<td${cls}>${esc(k === 'fiscal_year' ? String(v ?? '') : fmt(v))}</td>`;
}

/** The release ledger: every release, newest first, with its anomalies. */
export const releasesPage: PageRoute = {
  path: '/-/releases',
  async render({ db }) {
    const releases = (await listReleases(db)).reverse();
    const rows = releases.map((r) => {
      const anomalies = (r.anomalies as string[]).map((a) => `<span class="tag">${esc(a)}</span>`).join(' ');
      return `<tr>${LEDGER_COLUMNS.map(([k]) => cell(r, k)).join('')}<td>${r.file_names.map(esc).join('<br>')}</td><td><a href="/-/releases/${esc(r.release_id)}"><code>${esc(r.release_id)}</code></a></td><td>${anomalies}</td></tr>`;
    });
    const body = `<h1>Releases</h1>
<p>${releases.length} releases of ICE's Detention Statistics, one per distinct file (sha256), newest snapshot first. Identical files published under several names are one release. Snapshot dates are those of ICE's footnotes; a <span class="tag">tag</span> marks an anomaly found in the release.</p>
<div class="table-wrap"><table data-sortable><caption class="muted">Headline values as each release published them (FYTD = fiscal year to date)</caption>
<thead><tr>${LEDGER_COLUMNS.map(([k, h]) => `<th scope="col"${k === 'snapshot_date' || k === 'fiscal_year' ? '' : ' class="num"'}>${esc(h)}</th>`).join('')}<th scope="col">File names</th><th scope="col">Release</th><th scope="col">Anomalies</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
    return { title: 'Releases', body, data: { releases }, csv: { rows: releases }, releases: releases.slice(0, 12) };
  },
};

/** One release: its files, checksum, tables, anomalies and what changed since the release before it. */
export const releasePage: PageRoute = {
  path: '/-/releases/:id',
  async render({ db, params }) {
    const all = await listReleases(db);
    const i = all.findIndex((r) => r.release_id === params.id);
    if (i < 0) return undefined;
    const r = all[i]!;
    const prevId = await previousReleaseId(db, r.release_id);
    const files = await db.all(
      `SELECT file_name, url, origin, local_path, strftime(retrieved_at, '%Y-%m-%d %H:%M') AS retrieved_at FROM release_files WHERE release_id = $1 ORDER BY retrieved_at NULLS LAST, file_name`,
      [r.release_id],
    );
    const anomalies = await db.all(`SELECT code, severity, subject, detail FROM release_anomalies WHERE release_id = $1 ORDER BY severity, code, subject`, [r.release_id]);
    const tables = await db.all(`SELECT sheet, cell, title, table_id, facts FROM release_tables WHERE release_id = $1 ORDER BY sheet, first_row, cell`, [r.release_id]);
    const sheets = await db.all(`SELECT sheet, hidden, status FROM release_sheets WHERE release_id = $1 ORDER BY position`, [r.release_id]);
    const diff = prevId ? await diffReleases(db, prevId, r.release_id) : undefined;
    const tr = (cells: unknown[]) => `<tr>${cells.map((c) => `<td${typeof c === 'number' ? ' class="num"' : ''}>${esc(fmt(c))}</td>`).join('')}</tr>`;
    const body = `<h1>Release <code>${esc(r.release_id)}</code></h1>
<p>ICE Detention Statistics, fiscal year ${esc(r.fiscal_year ?? '?')}, snapshot ${esc(r.snapshot_date ?? 'not stated')}${r.date_suspect ? ' <span class="tag">date suspect: placed by its retrieval date</span>' : ''}.</p>
<p>sha256 <code>${esc(r.sha256)}</code> · ${esc(fmt(r.bytes))} bytes</p>
<h2>Files</h2><div class="table-wrap"><table><thead><tr><th>Name</th><th>Official URL</th><th>How it came</th><th>Retrieved</th></tr></thead>
<tbody>${files.map((f) => `<tr><td>${esc(f.file_name)}</td><td>${f.url ? `<a href="${esc(f.url)}">${esc(f.url)}</a>` : ''}</td><td>${esc(f.origin)}</td><td>${esc(f.retrieved_at ?? 'unknown')}</td></tr>`).join('')}</tbody></table></div>
<h2 id="anomalies">Anomalies</h2>${anomalies.length ? `<div class="table-wrap"><table><thead><tr><th>Code</th><th>Severity</th><th>Where</th><th>What</th></tr></thead><tbody>${anomalies.map((a) => tr([a.code, a.severity, a.subject, a.detail])).join('')}</tbody></table></div>` : '<p>None found.</p>'}
<h2 id="changes">Changes since the previous release</h2>${diff ? diffSection(diff) : '<p>This is the first release of its source loaded.</p>'}
<h2>Tables</h2><div class="table-wrap"><table><thead><tr><th>Sheet</th><th>Cell</th><th>Title</th><th>Crosswalk id</th><th class="num">Numbers</th></tr></thead><tbody>${tables.map((t) => tr([t.sheet, t.cell, t.title, t.table_id, t.facts])).join('')}</tbody></table></div>
<h2>Sheets</h2><ul>${sheets.map((s) => `<li>${esc(JSON.stringify(s.sheet))}: ${esc(s.status)}</li>`).join('')}</ul>`;
    return {
      title: `Release ${r.release_id}`,
      body,
      data: { release: r, files, anomalies, tables, sheets, previous: prevId ?? null, diff: diff ?? null },
      csv: { rows: tables },
      releases: [r],
    };
  },
};
