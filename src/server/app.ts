import { registerChangesRoutes } from './routes/changes.js';
import { registerFeedRoutes } from './routes/feeds.js';
import { registerFacilityRegistryRoutes } from './routes/facility-registry.js';
import compress from '@fastify/compress';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { Database } from '../db/connection.js';
import { TrackerError } from '../lib/errors.js';
import { ParamError } from '../metrics/params.js';
import { DataVersion } from './data-version.js';
import { sendError } from './errors.js';
import { encodedBody, ResponseCache } from './response-cache.js';

type CacheMark = FastifyRequest & { renders?: boolean; served?: boolean };

const CACHE_CONTROL = 'public, max-age=300, must-revalidate';

/** The data change only when a release is ingested: the ETag is the data version and the URL. */
const etagFor = (version: string, url: string) => `W/"${version}-${createHash('sha1').update(url).digest('hex').slice(0, 10)}"`;
import { registerAdmin, type AdminOptions } from './routes/admin.js';
import { registerApi } from './routes/api.js';
import { registerPages } from './routes/pages.js';

export interface AppOptions {
  /** Shared with the ingest that runs in the same process, which invalidates it. */
  dataVersion?: DataVersion;
  /** Ingest endpoints for the local CLI (see routes/admin.ts); off unless given. */
  admin?: Omit<AdminOptions, 'db' | 'version'>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'cross-origin-opener-policy': 'same-origin',
  // pages work without JavaScript; the small enhancement scripts are served from this origin
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

/**
 * Builds the HTTP app over a database. It never listens: `tracker serve` does, and
 * tests call `app.inject`.
 */
export async function buildApp(db: Database, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    routerOptions: { ignoreTrailingSlash: true },
    // a malformed URL is answered by Fastify before any hook runs: give it the same body and headers
    frameworkErrors: (err, _req, reply) => {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
      void sendError(reply, 400, err.message);
    },
  });
  const version = options.dataVersion ?? new DataVersion(db);
  app.decorate('dataVersion', version);
  const cache = new ResponseCache();
  const cacheable = (req: FastifyRequest) => req.method === 'GET' && !req.url.startsWith('/-/admin') && !req.url.startsWith('/static/');
  app.addHook('onRequest', async (req, reply) => {
    if (!cacheable(req)) return;
    const v = await version.get();
    const hit = await cache.lookup(v, req.url);
    if (hit) {
      // a hit is answered here with every header at once: the hot path of a busy server
      (req as CacheMark).served = true;
      hit.etag ??= etagFor(v, req.url);
      reply.headers({ ...SECURITY_HEADERS, etag: hit.etag, 'cache-control': CACHE_CONTROL, vary: 'accept-encoding', 'x-cache': 'hit' });
      if (req.headers['if-none-match'] === hit.etag) return reply.code(304).send('');
      const { encoding, body } = encodedBody(hit, req.headers['accept-encoding']);
      if (encoding) reply.header('content-encoding', encoding);
      return reply.type(hit.type).send(body);
    }
    (req as CacheMark).renders = true;
  });
  // registered before compression, so it sees the rendered text, not the compressed stream
  app.addHook('onSend', async (req, reply, payload) => {
    if (!(req as CacheMark).renders) return payload;
    (req as CacheMark).renders = false;
    const ok = reply.statusCode === 200 && typeof payload === 'string';
    cache.settle(await version.get(), req.url, ok ? { type: String(reply.getHeader('content-type')), body: payload } : undefined);
    return payload;
  });
  app.addHook('onResponse', async (req) => {
    // a render that ended without onSend (an aborted request) must not leave waiters behind
    if ((req as CacheMark).renders) cache.settle(await version.get(), req.url, undefined);
  });
  await app.register(compress, { global: true, threshold: 1024 });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof ParamError) return sendError(reply, 400, err.message);
    const status = (err as { statusCode?: number }).statusCode;
    if (!(err instanceof TrackerError) && status && status >= 400 && status < 500) {
      return sendError(reply, status, err instanceof Error ? err.message : String(err));
    }
    return sendError(reply, 500, err instanceof Error ? err.message : String(err));
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, `not found: ${req.url}`));

  app.addHook('onSend', async (req, reply, payload) => {
    if ((req as CacheMark).served) return payload;
    reply.headers(SECURITY_HEADERS);
    if (req.method !== 'GET' || reply.statusCode !== 200 || req.url.startsWith('/-/admin')) return payload;
    const etag = etagFor(await version.get(), req.url);
    reply.header('etag', etag);
    reply.header('cache-control', CACHE_CONTROL);
    if (req.headers['if-none-match'] === etag) {
      reply.code(304);
      return '';
    }
    return payload;
  });

  if (options.admin) registerAdmin(app, { ...options.admin, db, version });
  registerApi(app, db);
  registerFacilityRegistryRoutes(app, db);
  registerChangesRoutes(app, db);
  registerFeedRoutes(app, db);
  registerPages(app, db, version);
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    dataVersion: DataVersion;
  }
}
