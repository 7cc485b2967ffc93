import Fastify, { type FastifyInstance } from 'fastify';
import type { Database } from '../db/connection.js';
import { listReleases } from '../db/releases.js';
import { TrackerError } from '../lib/errors.js';
import { DATASETS } from '../sources/registry.js';
import { releasesPage } from './render/releases-page.js';

/**
 * Builds the HTTP app over a database. It never listens: `tracker serve` does, and
 * tests call `app.inject`.
 */
export function buildApp(db: Database): FastifyInstance {
  const app = Fastify({ logger: false });

  app.setErrorHandler((err, _req, reply) => {
    const status = err instanceof TrackerError ? 500 : ((err as { statusCode?: number }).statusCode ?? 500);
    void reply.status(status).send({ ok: false, error: err instanceof Error ? err.message : String(err), status });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ ok: false, error: `not found: ${req.url}`, status: 404 });
  });

  const releasesJson = async () => ({ ok: true, releases: await listReleases(db) });
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(releasesPage(await listReleases(db), DATASETS)));
  app.get('/-/releases', async (_req, reply) => reply.type('text/html; charset=utf-8').send(releasesPage(await listReleases(db), DATASETS)));
  app.get('/-/releases.json', releasesJson);
  return app;
}
