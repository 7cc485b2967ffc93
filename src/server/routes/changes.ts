import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/connection.js';
import { ParamError } from '../../metrics/params.js';
import { DIFF_COLUMNS, diffReleases, diffRows, latestChanges } from '../../releases/diff.js';
import { DATASETS } from '../../sources/registry.js';
import { toCsv } from '../render/csv.js';
import { sendError } from '../errors.js';
import { splitFormat } from './api.js';

function onlyParams(query: Record<string, unknown>, allowed: string[]): Record<string, string> {
  for (const [k, v] of Object.entries(query)) {
    if (!allowed.includes(k)) throw new ParamError(k, `unknown parameter; the parameters are ${allowed.join(', ') || 'none'}`);
    if (Array.isArray(v)) throw new ParamError(k, 'given more than once');
  }
  return query as Record<string, string>;
}

/**
 * What changed between releases: `GET /api/v1/releases/:a/diff/:b` (append .csv for one row
 * per change) and `GET /api/v1/changes` (the latest releases, each against the one before it;
 * `source`, `limit`).
 */
export function registerChangesRoutes(app: FastifyInstance, db: Database): void {
  app.get('/api/v1/releases/:a/diff/:b', async (req, reply) => {
    const params = req.params as { a: string; b: string };
    const { name: b, format } = splitFormat(params.b);
    onlyParams(req.query as Record<string, unknown>, []);
    const diff = await diffReleases(db, params.a, b);
    if (!diff) return sendError(reply, 404, `no release ${params.a} or ${b}; see /api/v1/releases`);
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(diffRows(diff), DIFF_COLUMNS));
    return reply.type('application/json; charset=utf-8').send({ ok: true, diff });
  });

  const changes = (format: 'json' | 'csv') => async (req: FastifyRequest, reply: FastifyReply) => {
    const q = onlyParams(req.query as Record<string, unknown>, ['source', 'limit']);
    if (q.source !== undefined && !DATASETS.some((d) => d.id === q.source)) {
      throw new ParamError('source', `'${q.source}' is not a source; the sources are ${DATASETS.map((d) => d.id).join(', ')}`);
    }
    const limit = q.limit === undefined ? 20 : Number(q.limit);
    if (!/^\d+$/.test(q.limit ?? '20') || limit < 1 || limit > 200) throw new ParamError('limit', `'${q.limit}' is not a whole number from 1 to 200`);
    const list = await latestChanges(db, { source: q.source, limit });
    if (format === 'csv') {
      const rows = list.map((c) => ({
        release_id: c.release.release_id,
        source_id: c.release.source_id,
        snapshot_date: c.release.snapshot_date,
        previous_release_id: c.previous?.release_id ?? null,
        headline_changes: c.headline.length,
        months_revised: c.months_revised,
        facilities_appeared: c.facilities_appeared,
        facilities_disappeared: c.facilities_disappeared,
        cbp_months_revised: c.cbp_months_revised,
        anomalies: c.anomalies.map((a) => a.code).join(' '),
      }));
      return reply.type('text/csv; charset=utf-8').send(toCsv(rows));
    }
    return reply.type('application/json; charset=utf-8').send({ ok: true, changes: list });
  };
  app.get('/api/v1/changes', changes('json'));
  app.get('/api/v1/changes.csv', changes('csv'));
}
