import { listReleases, timeline } from '../../db/releases.js';
import { timeChart } from '../../web/charts.js';
import { esc, fmt } from '../render/html.js';
import {
  checkVintage,
  CSV_COLUMNS,
  inferredStates,
  inspectionDate,
  releaseLink,
  round1,
  SELECT,
  SOURCE,
  td,
  text,
  toFacility,
  type FacilityRow,
} from './facilities.js';
import { isSlug } from './facility-slug.js';
import type { PageRoute } from './types.js';


// where and what the facility is stays in `facility`; each history row keeps what a release says
// (crim and noncrim are male + female sums of the columns kept)
const NOT_PER_RELEASE = new Set(['slug', 'address', 'city', 'state', 'state_effective', 'zip', 'aor', 'type', 'gender', 'crim', 'noncrim']);
function historyRow(r: FacilityRow): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).filter(([k]) => !NOT_PER_RELEASE.has(k)));
}

/** Values of one release for the chart: identical duplicate rows once, different rows of one release added. */
function releaseAdp(rows: FacilityRow[]): number | null {
  const seen = new Set<string>();
  let total: number | null = null;
  for (const r of rows) {
    const key = JSON.stringify([r.address, r.male_crim, r.male_noncrim, r.female_crim, r.female_noncrim]);
    if (seen.has(key) || r.adp === null) continue;
    seen.add(key);
    total = (total ?? 0) + r.adp;
  }
  return total;
}

function fyStarts(from: string, to: string): Array<{ date: string; label: string }> {
  const out: Array<{ date: string; label: string }> = [];
  for (let y = Number(from.slice(0, 4)) - 1; y <= Number(to.slice(0, 4)); y++) {
    const d = `${y}-10-01`;
    if (d > from && d <= to) out.push({ date: d, label: `FY${String(y + 1).slice(2)}` });
  }
  return out;
}

/** One facility across every release that lists it. */
export const facilityPage: PageRoute = {
  path: '/facilities/:slug',
  async render({ db, vintage, params }) {
    const slug = params.slug ?? '';
    if (!isSlug(slug)) return undefined;
    const all = await listReleases(db, SOURCE);
    checkVintage(all, vintage);
    const allowed = timeline(all, vintage, { includeSuspect: true });
    const byId = new Map(allowed.map((r) => [r.release_id, r]));
    const order = new Map(allowed.map((r, i) => [r.release_id, i]));
    const st = slug.slice(slug.lastIndexOf('-') + 1);
    const inferred = await inferredStates(db);
    const rows = (
      await db.all(`${SELECT} WHERE lower(trim(f.state)) = $1 OR coalesce(trim(f.state), '') = '' ORDER BY f.release_id, f."row"`, [st])
    )
      .filter((r) => byId.has(String(r.release_id)))
      .map((r) => toFacility(r, byId.get(String(r.release_id)), inferred))
      .filter((f) => f.slug === slug)
      .sort((a, b) => order.get(a.release_id)! - order.get(b.release_id)! || a.row - b.row);
    const latest = rows.find((r) => !r.date_suspect) ?? rows[0];
    if (!latest) return undefined;

    const perRelease = new Map<string, FacilityRow[]>();
    for (const r of rows) perRelease.set(r.release_id, [...(perRelease.get(r.release_id) ?? []), r]);
    // one point per snapshot date: of releases sharing a date, the one known last (as the metrics choose)
    const byDate = new Map<string, number>();
    for (const rel of allowed) {
      const rs = perRelease.get(rel.release_id);
      const value = rs ? releaseAdp(rs) : null;
      if (!rs || rel.date_suspect || value === null || typeof rel.effective_date !== 'string' || byDate.has(rel.effective_date)) continue;
      byDate.set(rel.effective_date, value);
    }
    const points = [...byDate.entries()].map(([date, value]) => ({ date, value })).sort((a, b) => a.date.localeCompare(b.date));
    const first = points[0]?.date;
    const last = points.at(-1)?.date;
    const chart =
      points.length > 1
        ? timeChart(points, {
            title: `Average daily population of ${latest.name}, fiscal year to date, at each release`,
            yLabel: 'people (average per day, FYTD)',
            xLabel: 'snapshot date (calendar); dashed lines: fiscal years begin; one line per fiscal year',
            annotations: first && last ? fyStarts(first, last) : [],
            // one line per fiscal year: the figure is a year-to-date average that restarts on October 1
            segment: (p) => Number(p.date.slice(0, 4)) + (Number(p.date.slice(5, 7)) >= 10 ? 1 : 0),
          })
        : '<p class="muted">Only one release lists this facility: no chart.</p>';
    const dupes = [...perRelease.values()].some((rs) => rs.length > 1);
    const names = [...new Set(rows.map((r) => r.name))];

    const attr: Array<[string, string]> = [
      ['Name', esc(latest.name)],
      ['Address', esc([latest.address, latest.city, [latest.state_effective, latest.zip].filter(Boolean).join(' ')].filter(Boolean).join(', '))],
      ['Area of responsibility (AOR)', esc(latest.aor ?? '')],
      ['Type', esc(latest.type ?? '')],
      ['Gender', esc(latest.gender ?? '')],
      ['Average daily population (FYTD)', esc(fmt(round1(latest.adp)))],
      ['Criminal / non-criminal', `${esc(fmt(round1(latest.crim)))} / ${esc(fmt(round1(latest.noncrim)))}`],
      ['Men criminal / non-criminal', `${esc(fmt(round1(latest.male_crim)))} / ${esc(fmt(round1(latest.male_noncrim)))}`],
      ['Women criminal / non-criminal', `${esc(fmt(round1(latest.female_crim)))} / ${esc(fmt(round1(latest.female_noncrim)))}`],
      ['Classification level A / B / C / D', [latest.level_a, latest.level_b, latest.level_c, latest.level_d].map((v) => esc(fmt(round1(v)))).join(' / ')],
      ['ICE threat level 1 / 2 / 3 / none', [latest.threat_level_1, latest.threat_level_2, latest.threat_level_3, latest.threat_level_none].map((v) => esc(fmt(round1(v)))).join(' / ')],
      ['Mandatory detention', esc(fmt(round1(latest.mandatory)))],
      ['Average length of stay (days)', esc(fmt(round1(latest.alos)))],
      ['Guaranteed minimum (beds)', esc(fmt(latest.guaranteed_minimum))],
      ['Last inspection', [latest.last_inspection_type, latest.last_inspection_date ?? latest.last_inspection_note, latest.last_inspection_standard, latest.last_inspection_rating].filter(Boolean).map((v) => esc(v)).join(' · ')],
      ['Pending inspection', esc(latest.pending_inspection ?? '')],
    ];
    const head: Array<[string, boolean]> = [
      ['Snapshot', false], ['Release', false], ['FY', false], ['ADP (FYTD)', true], ['Criminal', true], ['Non-criminal', true],
      ['Threat level 1', true], ['Threat level 2', true], ['Threat level 3', true], ['No threat level', true], ['Guaranteed minimum', true],
      ['Last inspection', false], ['Inspection date', false], ['Rating', false],
    ];
    const trs = rows.map(
      (f) =>
        `<tr><td>${esc(f.snapshot_date ?? '')}${f.date_suspect ? ' <span class="tag">date suspect</span>' : ''}</td><td>${releaseLink(f.release_id)}</td><td>${f.fiscal_year ? `FY${f.fiscal_year}` : ''}</td>${td(f.adp)}${td(f.crim)}${td(f.noncrim)}${td(f.threat_level_1)}${td(f.threat_level_2)}${td(f.threat_level_3)}${td(f.threat_level_none)}${td(f.guaranteed_minimum, 0)}${text(f.last_inspection_type)}<td>${inspectionDate(f)}</td>${text(f.last_inspection_rating)}</tr>`,
    );
    const relList = allowed.filter((r) => perRelease.has(r.release_id));
    const body = `<p><a href="/facilities">← All facilities</a></p>
<h1>${esc(latest.name)}</h1>
<p>${esc([latest.city, latest.state_effective].filter(Boolean).join(', '))} · AOR ${esc(latest.aor ?? '?')} · ${esc(latest.type ?? 'type not given')} · listed in ${esc(fmt(perRelease.size))} release${perRelease.size === 1 ? '' : 's'} from ${esc(rows.at(-1)?.snapshot_date ?? '?')} to ${esc(latest.snapshot_date ?? '?')}.</p>
${names.length > 1 ? `<p class="muted">Written as: ${names.map((n) => `“${esc(n)}”`).join(', ')}.</p>` : ''}
<h2>Average daily population over time</h2>
<figure>${chart}
<figcaption><p>Each point is a release, at its snapshot date (calendar dates); fiscal years run October–September. Unit: people (average per day). ICE gives each facility's average daily population for the fiscal year to date, so the series restarts every October 1 (the dashed lines) and a value early in a year averages only a few weeks. The facility's average is the sum of ICE's four criminality-by-gender columns.${dupes ? ' Where a release lists the facility twice, identical rows are counted once and different rows are added.' : ''} Where two releases share a snapshot date the chart shows the one published last; releases whose snapshot date is suspect are left out of the chart. The table lists every row.</p>
<p>Download: <a href="/facilities/${esc(slug)}.csv${vintage !== 'latest' ? `?vintage=${esc(vintage)}` : ''}">CSV of every release row</a></p></figcaption></figure>
<h2>In the latest release (snapshot ${esc(latest.snapshot_date ?? '?')})</h2>
<div class="table-wrap"><table><tbody>${attr.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table></div>
<p class="muted">Figures are people per day, ${latest.fiscal_year ? `FY${latest.fiscal_year}` : 'fiscal year'} to date. Criminal = convicted criminal. ICE threat levels: 1 is the most serious. Guaranteed minimum: beds ICE pays for whether used or not.</p>
<h2>Every release</h2>
<p class="muted">Every row of every release that lists this facility, newest first; people per day, fiscal year to date.</p>
<div class="table-wrap"><table data-sortable><caption class="muted" style="text-align:left">${esc(latest.name)} in each release</caption>
<thead><tr>${head.map(([h, isNum]) => `<th scope="col"${isNum ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${trs.join('\n')}</tbody></table></div>`;

    return {
      title: latest.name,
      body,
      data: { slug, facility: latest, names, releases: relList.map((r) => r.release_id), rows: rows.map(historyRow) },
      csv: { rows: rows as unknown as Array<Record<string, unknown>>, columns: CSV_COLUMNS },
      releases: relList,
    };
  },
};
