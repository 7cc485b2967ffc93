import type { ReleaseRecord } from '../../db/releases.js';
import { datasetById } from '../../sources/registry.js';
import { esc } from './html.js';

const NAV: Array<[string, string]> = [
  ['/', 'Overview'],
  ['/detention', 'Detention over time'],
  ['/border', 'Border'],
  ['/countries', 'Countries'],
  ['/287g', '287(g) agreements'],
  ['/reconciliation', 'ICE vs FOIA records'],
  ['/events', 'Events'],
  ['/third-country-removals', 'Third-country removals'],
  ['/deaths', 'Deaths in custody'],
  ['/facilities', 'Facilities'],
  ['/-/releases', 'Releases'],
  ['/-/changes', 'Changes'],
  ['/methodology', 'Methodology'],
  ['/api/v1/metrics', 'API'],
];

export interface LayoutInput {
  title: string;
  path: string;
  body: string;
  /** Releases whose numbers the page shows: named with their files and dates in the footer. */
  releases: ReleaseRecord[];
  /** The URL that always shows these same numbers (it names the data version). */
  permalink: string;
  /** Machine-readable forms of the page. */
  formats: Array<[string, string]>;
}

const STYLE = `
:root{--fg:#111;--muted:#555;--accent:#1f5f99;--line:#d0d7de;--warn:#8a5300}
*{box-sizing:border-box}body{font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);margin:0;background:#fff}
header,main,footer{max-width:1100px;margin:0 auto;padding:0 1rem}
header{border-bottom:1px solid var(--line)}header nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:.6rem 0}
header a{color:var(--accent);text-decoration:none}header a[aria-current=page]{font-weight:700;color:var(--fg)}
.brand{font-weight:700;color:var(--fg)!important;margin-right:1rem}
h1{font-size:1.6rem;margin:1rem 0 .3rem}h2{font-size:1.2rem;margin:1.6rem 0 .4rem}
a{color:var(--accent)}.muted{color:var(--muted)}.note{color:var(--warn)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:.8rem;margin:1rem 0}
.card{border:1px solid var(--line);border-radius:6px;padding:.7rem .8rem}.card .v{font-size:1.7rem;font-weight:700;font-variant-numeric:tabular-nums}
.card .l{font-weight:600}.card .s{font-size:.85rem;color:var(--muted)}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{padding:.3rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.table-wrap{overflow-x:auto}
td:first-child,td.date{white-space:nowrap}p code{overflow-wrap:anywhere}
figure{margin:1rem 0;overflow-x:auto}figcaption{font-size:.9rem;color:var(--muted)}svg{max-width:100%;height:auto}
figure>svg,figure>div>svg{min-width:560px}
.tag{background:#fde68a;padding:0 .3rem;border-radius:3px;font-size:.85em;white-space:nowrap}
footer{border-top:1px solid var(--line);margin-top:2rem;padding-top:.5rem;font-size:.88rem;color:var(--muted)}
label{font-weight:600}input,select{font:inherit;padding:.2rem .4rem}
`;

/** The shell of every page: navigation, the page, and a footer naming the official files behind it. */
export function layout(i: LayoutInput): string {
  const nav = NAV.map(([href, label]) => `<a href="${href}"${href === i.path ? ' aria-current="page"' : ''}>${esc(label)}</a>`).join('');
  const files = i.releases
    .slice(0, 12)
    .map((r) => {
      const names = r.file_names.map((n, k) => (r.urls[k] ? `<a href="${esc(r.urls[k])}">${esc(n)}</a>` : esc(n))).join(', ');
      return `<li>${names}: snapshot ${esc(r.snapshot_date ?? 'undated')} · release <a href="/-/releases/${esc(r.release_id)}"><code>${esc(r.release_id)}</code></a>${r.retrieved_at ? ` · retrieved ${esc(String(r.retrieved_at).slice(0, 10))}` : ''}</li>`;
    })
    .join('');
  // the publishers named are those of the releases behind the page (ICE when the page has none yet)
  const sources = [...new Set(i.releases.map((r) => r.source_id))].map((id) => datasetById(id)).filter((d) => d !== undefined);
  const credits = sources.map((d) => `${esc(d.agency)}, <a href="${esc(d.sourceUrl)}">${esc(d.title)}</a> (${esc(d.license)})`).join('; ');
  const more = i.releases.length > 12 ? `<li>… and ${i.releases.length - 12} more releases (<a href="/-/releases">all releases</a>)</li>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(i.title)} · Enforcement Tracker</title><link rel="alternate" type="application/atom+xml" title="New releases" href="/feeds/releases.atom"><style>${STYLE}</style></head>
<body><header><nav aria-label="Site"><a class="brand" href="/">Enforcement Tracker</a>${nav}</nav></header>
<main id="main">${i.body}</main>
<footer>
<p>Permalink (this data version): <a href="${esc(i.permalink)}">${esc(i.permalink)}</a> · Also as ${i.formats.map(([label, href]) => `<a href="${esc(href)}">${esc(label)}</a>`).join(', ')}</p>
${sources.length ? `<p>Source${sources.length > 1 ? 's' : ''}: ${credits}. Files behind this page:</p>
<ul>${files}${more}</ul>` : '<p>No agency file\'s numbers are on this page; its sources are named where they are used.</p>'}
<p>Fiscal years run October–September. Code: open source; every number links to the release and cell it came from.</p>
</footer>
<script src="/static/enhance.js" defer></script>
</body></html>`;
}
