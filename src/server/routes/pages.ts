import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/connection.js';
import { ParamError } from '../../metrics/params.js';
import type { DataVersion } from '../data-version.js';
import { sendError } from '../errors.js';
import { PAGES } from '../pages/index.js';
import type { PageRoute } from '../pages/types.js';
import { toCsv } from '../render/csv.js';
import { layout } from '../render/layout.js';
import { splitFormat } from './api.js';

const STATIC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'static');
const VINTAGE = /^(latest|[0-9a-f]{12}|\d{4}-\d{2}-\d{2})$/;

function handler(page: PageRoute, db: Database, fixedFormat?: 'json' | 'csv') {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const raw = req.params as Record<string, string>;
    const params: Record<string, string> = {};
    let format: 'html' | 'json' | 'csv' = fixedFormat ?? 'html';
    for (const [k, v] of Object.entries(raw)) {
      const split = splitFormat(v);
      if (split.name !== v) format = split.format;
      params[k] = split.name;
    }
    const query = { ...(req.query as Record<string, string>) };
    const vintage = query.vintage ?? 'latest';
    delete query.vintage;
    if (!VINTAGE.test(vintage)) throw new ParamError('vintage', `'${vintage}' is not 'latest', a release id or YYYY-MM-DD`);
    const result = await page.render({ db, vintage, params, query });
    if (!result) return sendError(reply, 404, `not found: ${req.url}`);
    if (format === 'json') return reply.type('application/json; charset=utf-8').send({ ok: true, ...result.data });
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(result.csv.rows, result.csv.columns));
    const path = req.url.split('?')[0]!;
    const pinned = vintage !== 'latest' ? vintage : result.releases[0]?.release_id;
    const qs = new URLSearchParams({ ...query, ...(pinned ? { vintage: pinned } : {}) }).toString();
    const base = path === '/' ? '/overview' : path;
    return reply.type('text/html; charset=utf-8').send(
      layout({
        title: result.title,
        path,
        body: result.body,
        releases: result.releases,
        permalink: `${path}${qs ? `?${qs}` : ''}`,
        formats: [
          ['JSON', `${base}.json${qs ? `?${qs}` : ''}`],
          ['CSV', `${base}.csv${qs ? `?${qs}` : ''}`],
        ],
      }),
    );
  };
}

/** Every page, with its .json and .csv forms. */
export function registerPages(app: FastifyInstance, db: Database, _version: DataVersion): void {
  for (const page of PAGES) {
    app.get(page.path, handler(page, db));
    if (!page.path.includes(':')) {
      const base = page.path === '/' ? '/overview' : page.path;
      if (page.path === '/') app.get('/overview', handler(page, db));
      app.get(`${base}.json`, handler(page, db, 'json'));
      app.get(`${base}.csv`, handler(page, db, 'csv'));
    }
  }
  app.get('/static/:file', async (req, reply) => {
    const file = (req.params as { file: string }).file;
    if (!/^[a-z0-9-]+\.(js|css)$/.test(file)) return sendError(reply, 404, `not found: ${req.url}`);
    try {
      const body = readFileSync(join(STATIC, file), 'utf8');
      return reply.type(file.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8').send(body);
    } catch {
      return sendError(reply, 404, `not found: ${req.url}`);
    }
  });
}
