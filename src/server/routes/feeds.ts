import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/connection.js';
import { codeInfo, listAnomalies } from '../../anomalies/detectors.js';
import { latestChanges, type ChangeSummary } from '../../releases/diff.js';
import { datasetById } from '../../sources/registry.js';
import { ICE_DETENTION_STATS } from '../../sources/ice/detention-stats/source-id.js';

/** How many entries a feed holds: every release and anomaly a reader could have missed, within reason. */
export const FEED_ENTRIES = 200;

const ATOM = 'application/atom+xml; charset=utf-8';

/** Text for XML content and attributes: escaped, without the control characters XML 1.0 forbids. */
export function xmlText(v: unknown): string {
  return String(v ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const n = (v: unknown, digits = 0) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: digits }) : null);

/** Headline values of a release in a sentence (ICE's named figures; other sources' numeric summary fields). */
function headlineText(sourceId: string, s: Record<string, unknown>): string {
  if (sourceId === ICE_DETENTION_STATS) {
    const parts = [
      n(s.detained_total) && `${n(s.detained_total)} people detained (ICE-arrested ${n(s.detained_ice) ?? 'n/a'}, CBP-arrested ${n(s.detained_cbp) ?? 'n/a'})`,
      n(s.adp_fy) && `average daily population ${n(s.adp_fy)} (fiscal year to date)`,
      n(s.book_ins_fytd) && `${n(s.book_ins_fytd)} initial book-ins (FYTD)`,
      n(s.removals_fytd) && `${n(s.removals_fytd)} removals (FYTD)`,
      n(s.atd_total) && `${n(s.atd_total)} people on ATD`,
      n(s.facility_rows) && `${n(s.facility_rows)} facilities listed`,
    ];
    return parts.filter((p) => p).join('; ');
  }
  return Object.entries(s)
    .filter(([, v]) => typeof v === 'number' || (typeof v === 'string' && v.length < 40))
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${n(v) ?? String(v)}`)
    .join('; ');
}

function changeText(c: ChangeSummary): string {
  if (!c.previous) return 'The first release of its source in the tracker.';
  const parts = [`Since ${c.previous.release_id} (snapshot ${c.previous.snapshot_date ?? 'undated'}):`];
  const head = c.headline.filter((h) => h.change !== null && h.field !== 'facility_rows').slice(0, 4);
  if (head.length) parts.push(head.map((h) => `${h.label} ${h.change! > 0 ? '+' : ''}${n(h.change, 1)}`).join(', ') + '.');
  if (c.months_revised) parts.push(`${c.months_revised} months revised.`);
  if (c.facilities_appeared || c.facilities_disappeared) parts.push(`${c.facilities_appeared} facilities appeared, ${c.facilities_disappeared} disappeared.`);
  if (c.cbp_months_revised) parts.push(`${c.cbp_months_revised} months revised by CBP.`);
  if (c.anomalies.length) parts.push(`Anomalies: ${[...new Set(c.anomalies.map((a) => a.code))].join(', ')}.`);
  return parts.join(' ');
}

interface Entry {
  id: string;
  title: string;
  updated: string;
  link: string;
  summary: string;
  category?: string;
}

function feed(f: { id: string; title: string; self: string; alternate: string; subtitle: string }, entries: Entry[]): string {
  const updated = entries.reduce((m, e) => (e.updated > m ? e.updated : m), '1970-01-01T00:00:00Z');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>${xmlText(f.id)}</id>
<title>${xmlText(f.title)}</title>
<subtitle>${xmlText(f.subtitle)}</subtitle>
<updated>${xmlText(updated)}</updated>
<link rel="self" type="application/atom+xml" href="${xmlText(f.self)}"/>
<link rel="alternate" type="text/html" href="${xmlText(f.alternate)}"/>
<author><name>Enforcement Tracker</name></author>
${entries
  .map(
    (e) => `<entry>
<id>${xmlText(e.id)}</id>
<title>${xmlText(e.title)}</title>
<updated>${xmlText(e.updated)}</updated>
<link rel="alternate" type="text/html" href="${xmlText(e.link)}"/>
${e.category ? `<category term="${xmlText(e.category)}"/>\n` : ''}<summary type="text">${xmlText(e.summary)}</summary>
</entry>`,
  )
  .join('\n')}
</feed>
`;
}

/**
 * Atom feeds (RFC 4287): `/feeds/releases.atom`, one entry per release, newest ingested
 * first, with its headline values and what changed since the release before it; and
 * `/feeds/anomalies.atom`, one entry per warning or error. Links are relative to the feed's
 * own address, so no Host header ends up in a cached response.
 */
export function registerFeedRoutes(app: FastifyInstance, db: Database): void {
  app.get('/feeds/releases.atom', async (_req, reply) => {
    const changes = await latestChanges(db, { order: 'ingested', limit: FEED_ENTRIES });
    const summaries = new Map(
      (await db.all(`SELECT release_id, summary::VARCHAR AS s FROM releases`)).map((r) => [r.release_id as string, JSON.parse((r.s as string | null) ?? '{}') as Record<string, unknown>]),
    );
    const entries = changes.map((c): Entry => {
      const r = c.release;
      const title = datasetById(r.source_id)?.title ?? r.source_id;
      return {
        id: `urn:tracker:release:${r.release_id}`,
        title: `${title}: snapshot ${r.snapshot_date ?? 'undated'} (${r.file_names.join(' = ') || r.release_id})`,
        updated: r.ingested_at,
        link: `/-/releases/${r.release_id}`,
        category: r.source_id,
        summary: `${headlineText(r.source_id, summaries.get(r.release_id) ?? {})}. ${changeText(c)}`,
      };
    });
    return reply.type(ATOM).send(
      feed(
        { id: 'urn:tracker:feed:releases', title: 'Enforcement Tracker: new releases', subtitle: 'Every official file the tracker has loaded, newest first, with its headline figures and what changed since the one before it.', self: '/feeds/releases.atom', alternate: '/-/changes' },
        entries,
      ),
    );
  });

  app.get('/feeds/anomalies.atom', async (_req, reply) => {
    const anomalies = (await listAnomalies(db, { severity: 'warning' }))
      .sort((a, b) => b.ingested_at.localeCompare(a.ingested_at))
      .slice(0, FEED_ENTRIES);
    const entries = anomalies.map((a): Entry => {
      const info = codeInfo(a.code);
      const source = datasetById(a.source_id)?.title ?? a.source_id;
      return {
        id: `urn:tracker:anomaly:${a.release_id}:${a.code}:${createHash('sha1').update(a.subject).digest('hex').slice(0, 12)}`,
        title: `[${a.severity}] ${info?.title ?? a.code}: ${a.subject} (${source}, release ${a.release_id})`,
        updated: a.ingested_at,
        link: `/-/releases/${a.release_id}#anomalies`,
        category: a.code,
        summary: `${a.detail}${info ? `\n\n${info.explain}` : ''}`,
      };
    });
    return reply.type(ATOM).send(
      feed(
        { id: 'urn:tracker:feed:anomalies', title: 'Enforcement Tracker: anomalies', subtitle: 'What looks wrong in the official files (warnings and errors), with the cells to check.', self: '/feeds/anomalies.atom', alternate: '/-/changes' },
        entries,
      ),
    );
  });
}
