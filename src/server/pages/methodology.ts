import type { Database } from '../../db/connection.js';
import { listReleases, timeline, type ReleaseRecord } from '../../db/releases.js';
import { METRICS } from '../../metrics/registry.js';
import type { MetricDefinition } from '../../metrics/types.js';
import { esc, fmt } from '../render/html.js';
import type { PageRoute } from './types.js';
import { ICE_DETENTION_STATS } from '../../sources/ice/detention-stats/source-id.js';

/** Topics of ICE's Footnotes sheet whose notes qualify the figures of the metrics. */
const FOOTNOTE_TOPICS = /removals|book-?ins|average daily population|currently detained|\bATD\b|alternatives to detention/i;

/** What each anomaly code means; a code the ingest adds later is listed without one. */
const ANOMALY_MEANING: Record<string, string> = {
  'agency-columns-swapped':
    'Two releases with the same snapshot date have the ICE and CBP arresting-agency columns exchanged; one of them is wrong.',
  'duplicate-content': 'The same bytes were published under several file names; they are one release.',
  'filename-fy-mismatch': 'The file name names one fiscal year, the tables inside another.',
  'hidden-sheet-ignored': 'A hidden sheet (ICE leaves stale sheets hidden in some releases) was not read.',
  'invalid-date': 'A facility inspection date is not a calendar date; the text is kept as a note.',
  'missing-snapshot-date': 'The Footnotes sheet gives no "snapshot as of" date; the release is placed by the date it was retrieved.',
  'snapshot-outside-fiscal-year':
    "The footnote's snapshot date lies outside the fiscal year of the tables, so it is probably stale; the release is placed by the date it was retrieved and left out of snapshot series.",
  'stale-sheet': 'The release carries two ATD sheets; the older one was not used.',
  'stale-snapshot':
    'Releases claim the same snapshot date with different numbers; this release\'s footnote date is probably stale, so it is placed by the date it was retrieved and left out of snapshot series.',
  'unrecognised-facility-column': 'A Facilities column is not in the crosswalk; its values are kept under their raw header.',
  'unrecognised-label': 'A row or column label of a known table is not in the crosswalk.',
  'unrecognised-table': 'A titled table is not in the crosswalk; its numbers are stored with their raw labels but feed no metric.',
};

interface Footnote {
  release_id: string;
  sheet: string;
  row: number;
  cell: string;
  topic: string;
  note: string;
}

interface AnomalyCount {
  code: string;
  severity: string;
  count: number;
  releases: number;
  meaning: string;
}

/** A metric definition as data: every field but the SQL functions. */
function definition(m: MetricDefinition): Record<string, unknown> {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => typeof v !== 'function'));
}

async function footnotesOf(db: Database, release: ReleaseRecord | undefined): Promise<Footnote[]> {
  if (!release) return [];
  const rows = await db.all(`SELECT sheet, "row", topic, note FROM ice_footnotes WHERE release_id = $1 ORDER BY "row"`, [release.release_id]);
  return rows
    .filter((r) => FOOTNOTE_TOPICS.test(String(r.topic)))
    .map((r) => ({ release_id: release.release_id, sheet: String(r.sheet), row: Number(r.row), cell: `${String(r.sheet)}!B${Number(r.row)}`, topic: String(r.topic), note: String(r.note) }));
}

async function anomalyCounts(db: Database): Promise<AnomalyCount[]> {
  const rows = await db.all(
    `SELECT code, min(severity) AS severity, count(*) AS count, count(DISTINCT release_id) AS releases
       FROM release_anomalies GROUP BY code ORDER BY code`,
  );
  return rows.map((r) => ({
    code: String(r.code),
    severity: String(r.severity),
    count: Number(r.count),
    releases: Number(r.releases),
    meaning: ANOMALY_MEANING[String(r.code)] ?? '',
  }));
}

function metricSection(m: MetricDefinition): string {
  const dims = Object.entries(m.dimensions);
  const grains = m.grains.map((g) => `<code>${esc(g)}</code>${g === m.defaultGrain ? ' (default)' : ''}`).join(', ');
  const dimTable = dims.length
    ? `<div class="table-wrap"><table><thead><tr><th scope="col">Dimension (<code>by</code>, <code>filter</code>)</th><th scope="col">Meaning</th></tr></thead>
<tbody>${dims.map(([name, d]) => `<tr><td><code>${esc(name)}</code></td><td>${esc(d.description)}</td></tr>`).join('')}</tbody></table></div>`
    : '<p>No dimensions: one value per period.</p>';
  const mode = !dims.length
    ? ''
    : m.dimensionMode === 'coded'
      ? "Breakdowns are ICE's own: each value is a cell of an ICE table, not a sum made here."
      : 'Breakdowns are sums over the units of the table (facilities), made here.';
  return `<section id="metric-${esc(m.id)}">
<h3>${esc(m.title)} <code>${esc(m.id)}</code></h3>
<p>${esc(m.description)}</p>
<p><strong>Unit:</strong> ${esc(m.unit)}. <strong>Grains:</strong> ${grains}. <strong>Sources:</strong> ${m.sources.map((s) => `<code>${esc(s)}</code>`).join(', ')}.</p>
${dimTable}
${mode ? `<p class="muted">${esc(mode)}</p>\n` : ''}<p><strong>Caveats</strong></p>
<ul>${m.caveats.map((c) => `<li>${esc(c)}</li>`).join('')}</ul>
<p>API: <a href="/api/v1/metrics/${esc(m.id)}"><code>/api/v1/metrics/${esc(m.id)}</code></a> (<a href="/api/v1/metrics/${esc(m.id)}.csv">CSV</a>) · CLI: <code>tracker metric ${esc(m.id)}</code></p>
</section>`;
}

function footnoteSection(release: ReleaseRecord | undefined, notes: Footnote[], vintage: string): string {
  if (!release) {
    return `<p>No ICE detention-statistics release is loaded${vintage !== 'latest' ? ` for vintage ${esc(vintage)}` : ''}, so ICE's footnotes cannot be shown.</p>`;
  }
  const where = `release <a href="/-/releases/${esc(release.release_id)}"><code>${esc(release.release_id)}</code></a> (snapshot ${esc(release.snapshot_date ?? 'undated')}, ${release.file_names.map(esc).join(', ')})`;
  if (notes.length === 0) return `<p>The newest release, ${where}, has no footnotes on these topics.</p>`;
  // ICE repeats the same note under several topics: show each note once, under its first topic, naming every row
  const byNote = new Map<string, Footnote[]>();
  for (const n of notes) byNote.set(n.note, [...(byNote.get(n.note) ?? []), n]);
  const byTopic = new Map<string, Footnote[][]>();
  for (const same of byNote.values()) byTopic.set(same[0]!.topic, [...(byTopic.get(same[0]!.topic) ?? []), same]);
  const groups = [...byTopic]
    .map(
      ([topic, list]) => `<h3>${esc(topic)}</h3>
<ul>${list.map((same) => `<li>${esc(same[0]!.note)} <span class="muted">(${same.map((n) => esc(n.cell)).join(', ')})</span></li>`).join('\n')}</ul>`,
    )
    .join('\n');
  return `<p>Verbatim from the Footnotes sheet of the newest release, ${where}: the notes whose topic concerns removals, book-ins, average daily population, the currently detained or ATD. Each note names the rows it came from (ICE repeats some notes under several topics; each is shown once).</p>
${groups}`;
}

function anomalySection(anomalies: AnomalyCount[]): string {
  const table = anomalies.length
    ? `<div class="table-wrap"><table><thead><tr><th scope="col">Code</th><th scope="col">Severity</th><th scope="col" class="num">Found</th><th scope="col" class="num">Releases</th><th scope="col">Meaning</th></tr></thead>
<tbody>${anomalies
        .map((a) => `<tr><td><code>${esc(a.code)}</code></td><td>${esc(a.severity)}</td><td class="num">${esc(fmt(a.count))}</td><td class="num">${esc(fmt(a.releases))}</td><td>${esc(a.meaning)}</td></tr>`)
        .join('')}</tbody></table></div>`
    : '<p>No anomaly has been found in the loaded releases.</p>';
  return `<p>An anomaly is something in a release that a reader of its numbers should know: a quirk of the file (a hidden stale sheet, an unknown table), a date that cannot be right, or a disagreement with another release of the same snapshot date. Anomalies are found when a release is ingested, and those that compare releases are recomputed whenever a release is added. The release is kept either way; each anomaly is listed on <a href="/-/releases">its release's page</a>. A release whose snapshot date is suspect (<code>stale-snapshot</code>, <code>snapshot-outside-fiscal-year</code>, <code>missing-snapshot-date</code>) is placed in time by the date it was retrieved and left out of snapshot series.</p>
${table}`;
}

const VINTAGES = `<p>ICE replaces its workbook every few weeks and revises earlier figures until a fiscal year is locked, so the same period can have several values. Every page and every API or CLI query takes a <code>vintage</code>:</p>
<ul>
<li><code>latest</code> (the default): each period takes its values, with every breakdown, from the latest release that reports that period. Releases are ordered by snapshot date (or, when that date is suspect, by the date the file was retrieved). Calendar-year book-ins are sums of the latest monthly values.</li>
<li>a release id (12 hex digits, e.g. <code>?vintage=bbf3a29014d6</code>): in the API and the CLI, the figures of that one release, as it published them; a page pinned to a release shows that release and the releases before it. Every page's permalink names the release behind it, so its numbers do not change when new data arrive.</li>
<li>a date <code>YYYY-MM-DD</code>: only the releases known by that date, that is, retrieved on or before it (a release whose retrieval date is unknown counts as known from its snapshot date). This answers "what did the published data say then?".</li>
</ul>
<p>A period not complete in the data is <em>partial</em>: the month of a snapshot, or a fiscal year before its final release (a year-to-date figure is not a year). The API lists them in <code>partial_periods</code>.</p>`;

/** How every figure is made: the metrics, ICE's own footnotes, vintages and anomalies. */
export const methodologyPage: PageRoute = {
  path: '/methodology',
  async render({ db, vintage }) {
    const release = timeline(await listReleases(db, ICE_DETENTION_STATS), vintage)[0];
    const notes = await footnotesOf(db, release);
    const anomalies = await anomalyCounts(db);
    const body = `<h1>Methodology</h1>
<p>Every figure on this site comes from the government's own files, read as published: nothing is estimated or modelled. Each number can be traced to its release (one official file, by checksum) and to the sheet and cell it came from. This page is generated from the metric definitions the API and the CLI use.</p>
<nav aria-label="On this page"><ul>
<li><a href="#metrics">Metrics</a>: ${METRICS.map((m) => `<a href="#metric-${esc(m.id)}"><code>${esc(m.id)}</code></a>`).join(', ')}</li>
<li><a href="#footnotes">ICE's own footnotes</a></li>
<li><a href="#vintages">Vintages</a></li>
<li><a href="#anomalies">Anomalies</a></li>
</ul></nav>
<h2 id="metrics">Metrics</h2>
<p>${METRICS.length} metrics, also listed at <a href="/api/v1/metrics"><code>/api/v1/metrics</code></a> and in the <a href="/api/v1/openapi.json">OpenAPI document</a>. Each has grains (<code>day</code>, <code>month</code>, <code>fy</code> for fiscal years October–September, <code>cy</code> for calendar years, <code>snapshot</code> for the date of each release) and dimensions to break it down by.</p>
${METRICS.map(metricSection).join('\n')}
<h2 id="footnotes">ICE's own footnotes</h2>
${footnoteSection(release, notes, vintage)}
<h2 id="vintages">Vintages</h2>
${VINTAGES}
<h2 id="anomalies">Anomalies</h2>
${anomalySection(anomalies)}`;
    const csvRows = METRICS.map((m) => ({
      id: m.id,
      title: m.title,
      description: m.description,
      unit: m.unit,
      grains: m.grains.join(' '),
      default_grain: m.defaultGrain,
      dimensions: Object.keys(m.dimensions).join(' '),
      sources: m.sources.join(' '),
      caveats: m.caveats.join(' | '),
    }));
    return {
      title: 'Methodology',
      body,
      data: {
        metrics: METRICS.map(definition),
        footnotes: release
          ? { release_id: release.release_id, snapshot_date: release.snapshot_date, notes }
          : { release_id: null, snapshot_date: null, notes: [] },
        anomalies,
      },
      csv: { rows: csvRows, columns: ['id', 'title', 'description', 'unit', 'grains', 'default_grain', 'dimensions', 'sources', 'caveats'] },
      releases: release ? [release] : [],
    };
  },
};
