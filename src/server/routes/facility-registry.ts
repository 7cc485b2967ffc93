import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/connection.js';
import {
  listsNotRead,
  matchSummary,
  newestReleaseCoverage,
  REGISTRY_COLUMNS,
  registryBuilt,
  registryRows,
  UNMATCHED_COLUMNS,
  unmatchedRows,
} from '../../facilities/queries.js';
import { ParamError } from '../../metrics/params.js';
import { sendError } from '../errors.js';
import { toCsv } from '../render/csv.js';
import { splitFormat } from './api.js';

const EMPTY = 'the facility registry is empty: ingest ICE\'s facility lists (ice.facility-lists) or UWCHR\'s facilities.csv.gz (uwchr.facilities)';

/** The query parameters each listing accepts: anything else is a 400 naming it. */
const PARAMS: Record<string, Record<string, RegExp>> = {
  registry: { detloc: /^[A-Za-z0-9]{3,8}$/, state: /^[A-Za-z]{2}$/, source: /^[a-z]+\.[a-z0-9-]+$/ },
  unmatched: { source: /^[a-z]+\.[a-z0-9-]+(\/[a-z0-9-]+)?$/ },
};

function query(req: FastifyRequest, listing: string): Record<string, string> {
  const q = req.query as Record<string, string | string[] | undefined>;
  const allowed = PARAMS[listing]!;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(q)) {
    const pattern = allowed[key];
    if (!pattern) throw new ParamError(key, `unknown parameter; the parameters are ${Object.keys(allowed).join(', ')}`);
    if (Array.isArray(value)) throw new ParamError(key, 'given more than once');
    if (value === undefined || !pattern.test(value)) throw new ParamError(key, `'${String(value)}' is not a valid ${key}`);
    out[key] = value;
  }
  return out;
}

function send(reply: FastifyReply, format: 'json' | 'csv', rows: Array<Record<string, unknown>>, columns: string[], body: object) {
  if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(rows, columns));
  return reply.type('application/json; charset=utf-8').send(body);
}

/**
 * `GET /api/v1/facilities/registry(.json|.csv)`: one row per ICE facility code (DETLOC),
 * filterable by `detloc`, `state` and `source` (a source that knows the code).
 * `GET /api/v1/facilities/unmatched(.json|.csv)`: the published facility names no code was
 * matched to, with the closest codes as review hints; `source` filters.
 */
export function registerFacilityRegistryRoutes(app: FastifyInstance, db: Database): void {
  app.get('/api/v1/facilities/:listing', async (req, reply) => {
    const { name, format } = splitFormat((req.params as { listing: string }).listing);
    if (name !== 'registry' && name !== 'unmatched') {
      return sendError(reply, 404, `no facility listing '${name}' (available: registry, unmatched)`);
    }
    const q = query(req, name);
    if (!(await registryBuilt(db))) return sendError(reply, 404, EMPTY);
    if (name === 'registry') {
      const rows = await registryRows(db, q);
      return send(reply, format, rows, REGISTRY_COLUMNS, { ok: true, facilities: rows.length, query: q, not_read: await listsNotRead(db), rows });
    }
    const rows = await unmatchedRows(db, q.source);
    return send(reply, format, rows, UNMATCHED_COLUMNS, {
      ok: true,
      unmatched: rows.length,
      query: q,
      newest_detention_stats_release: (await newestReleaseCoverage(db)) ?? null,
      methods: await matchSummary(db),
      rows,
    });
  });
}
