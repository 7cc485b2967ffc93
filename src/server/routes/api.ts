import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/connection.js';
import { listReleases } from '../../db/releases.js';
import { parseQuery, ParamError, QUERY_PARAMS, type RawQuery } from '../../metrics/params.js';
import { runMetric } from '../../metrics/query.js';
import { cbpRevisions } from '../../sources/cbp/encounters/revisions.js';
import { METRICS, metricById } from '../../metrics/registry.js';
import { toCsv } from '../render/csv.js';
import { sendError } from '../errors.js';
import { openApiDocument } from './openapi.js';

/** Splits a trailing .json or .csv off a path segment: Datasette-style formats by suffix. */
export function splitFormat(segment: string): { name: string; format: 'json' | 'csv' } {
  if (segment.endsWith('.csv')) return { name: segment.slice(0, -4), format: 'csv' };
  if (segment.endsWith('.json')) return { name: segment.slice(0, -5), format: 'json' };
  return { name: segment, format: 'json' };
}

function rawQuery(req: FastifyRequest): RawQuery {
  const q = req.query as Record<string, string | string[] | undefined>;
  for (const key of Object.keys(q)) {
    if (!(QUERY_PARAMS as readonly string[]).includes(key)) {
      throw new ParamError(key, `unknown parameter; the parameters are ${QUERY_PARAMS.join(', ')}`);
    }
  }
  for (const key of ['from', 'to', 'grain', 'vintage'] as const) {
    if (Array.isArray(q[key])) throw new ParamError(key, 'given more than once');
  }
  return q as RawQuery;
}

function sendRows(reply: FastifyReply, format: 'json' | 'csv', rows: Array<Record<string, unknown>>, body: object, columns?: string[]) {
  if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(rows, columns));
  return reply.type('application/json; charset=utf-8').send(body);
}

export function registerApi(app: FastifyInstance, db: Database): void {
  app.get('/api/v1/openapi.json', async () => openApiDocument());

  app.get('/api/v1/metrics', async () => ({
    ok: true,
    metrics: METRICS.map((m) => ({
      id: m.id,
      title: m.title,
      description: m.description,
      unit: m.unit,
      grains: m.grains,
      default_grain: m.defaultGrain,
      dimensions: Object.fromEntries(Object.entries(m.dimensions).map(([k, d]) => [k, d.description])),
      sources: m.sources,
      caveats: m.caveats,
      url: `/api/v1/metrics/${m.id}`,
    })),
  }));

  app.get('/api/v1/metrics/:id', async (req, reply) => {
    const { name, format } = splitFormat((req.params as { id: string }).id);
    const def = metricById(name);
    if (!def) return sendError(reply, 404, `unknown metric '${name}'; see /api/v1/metrics`);
    const query = parseQuery(def, rawQuery(req));
    const result = await runMetric(db, def, query);
    return sendRows(
      reply,
      format,
      result.rows,
      {
        ok: true,
        metric: def.id,
        title: def.title,
        unit: def.unit,
        query: result.query,
        rows: result.rows,
        partial_periods: result.partialPeriods,
        releases: result.releases,
        caveats: def.caveats,
      },
      ['period', ...query.by, 'value'],
    );
  });

  // months a later release changed; CBP republishes its CSVs with revised months
  app.get('/api/v1/revisions/:source', async (req, reply) => {
    const { name, format } = splitFormat((req.params as { source: string }).source);
    if (name !== 'cbp.encounters') return sendError(reply, 404, `no revision listing for '${name}' (available: cbp.encounters)`);
    const release = (req.query as Record<string, string>).release;
    if (release !== undefined && !/^[0-9a-f]{12}$/.test(release)) throw new ParamError('release', `'${release}' is not a release id (12 hex digits)`);
    const revisions = await cbpRevisions(db, release ? { release } : {});
    return sendRows(reply, format, revisions, { ok: true, source: name, revisions });
  });

  app.get('/api/v1/releases', async (_req, reply) => {
    const releases = await listReleases(db);
    return sendRows(reply, 'json', releases, { ok: true, releases });
  });
  app.get('/api/v1/releases.csv', async (_req, reply) => {
    const releases = await listReleases(db);
    return sendRows(reply, 'csv', releases, {});
  });
}
