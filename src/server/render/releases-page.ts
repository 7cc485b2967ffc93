import type { ReleaseRecord } from '../../db/releases.js';
import type { Dataset } from '../../sources/types.js';
import { esc, fmt } from './html.js';

const COLUMNS: Array<[string, string]> = [
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

/** The release ledger as a plain, accessible HTML page. */
export function releasesPage(releases: ReleaseRecord[], datasets: Dataset[]): string {
  const rows = [...releases].reverse().map((r) => {
    const cells = COLUMNS.map(([k]) => `<td${typeof r[k] === 'number' ? ' class="num"' : ''}>${esc(fmt(r[k]))}</td>`).join('');
    const names = r.file_names.map((n, i) => (r.urls[i] ? `<a href="${esc(r.urls[i])}">${esc(n)}</a>` : esc(n))).join('<br>');
    const anomalies = (r.anomalies as string[]).map((a) => `<span class="tag">${esc(a)}</span>`).join(' ');
    return `<tr>${cells}<td>${names}</td><td><code>${esc(r.release_id)}</code></td><td>${anomalies}</td></tr>`;
  });
  const sources = datasets.map((d) => `<li><a href="${esc(d.sourceUrl)}">${esc(d.title)}</a> (${esc(d.agency)}), ${esc(d.license)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Enforcement Tracker: releases</title>
<style>body{font:15px/1.4 system-ui,sans-serif;margin:1rem;color:#111}table{border-collapse:collapse}th,td{padding:.25rem .5rem;border-bottom:1px solid #ccc;vertical-align:top}td.num{text-align:right;font-variant-numeric:tabular-nums}.tag{background:#fde68a;padding:0 .3rem;border-radius:3px;font-size:.85em}</style>
</head><body>
<h1>Enforcement Tracker</h1>
<p>${releases.length} releases loaded. Snapshot dates are the dates ICE's footnotes give for the currently-detained tables; fiscal years run October–September; FYTD = fiscal year to date.</p>
<table><caption>ICE detention-statistics releases, newest first</caption>
<thead><tr>${COLUMNS.map(([, h]) => `<th scope="col">${esc(h)}</th>`).join('')}<th scope="col">Files</th><th scope="col">Release</th><th scope="col">Anomalies</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<footer><p>Sources:</p><ul>${sources}</ul><p>Machine-readable: <a href="/-/releases.json">/-/releases.json</a></p></footer>
</body></html>`;
}
