import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/connection.js';
import type { Archive } from '../../ingest/archive.js';
import { ingestPaths, type IngestReport, type Origin } from '../../ingest/pipeline.js';
import type { DataVersion } from '../data-version.js';
import { sendError } from '../errors.js';

export interface AdminOptions {
  db: Database;
  archive: Archive;
  version: DataVersion;
  token: string;
  /** Runs `tracker fetch` inside the server (given the session to write with). */
  fetch?: (session: Database, source?: string) => Promise<IngestReport>;
  /** Runs `tracker update` inside the server. */
  update?: (session: Database, options: { source?: string; webhook?: string }) => Promise<IngestReport>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Ingest inside the serving process, for `tracker ingest` and `tracker fetch` run while
 * the server holds the database. Loopback only, with the token of the server file;
 * one ingest at a time, on its own connection, so pages keep answering from the
 * committed data and show the new releases when the ingest commits.
 */
export function registerAdmin(app: FastifyInstance, o: AdminOptions): void {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/-/admin/')) return;
    const given = Buffer.from(String(req.headers.authorization ?? '').replace(/^Bearer /, ''));
    const want = Buffer.from(o.token);
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '') || given.length !== want.length || !timingSafeEqual(given, want)) {
      return sendError(reply, 403, 'admin endpoints answer only the local tracker CLI');
    }
  });
  const withSession = async (job: (session: Database) => Promise<IngestReport>) =>
    serial(async () => {
      const session = await o.db.session();
      try {
        return await job(session);
      } finally {
        session.close();
        o.version.invalidate();
      }
    });
  app.post('/-/admin/ingest', async (req) => {
    const body = req.body as { paths?: unknown; origin?: unknown };
    const paths = Array.isArray(body?.paths) ? body.paths.filter((p): p is string => typeof p === 'string') : [];
    const origin = (['file', 'mirror', 'fetch'] as const).find((x) => x === body?.origin) ?? 'file';
    return withSession((session) => ingestPaths(paths, { db: session, archive: o.archive, origin: origin as Origin }));
  });
  app.post('/-/admin/fetch', async (req, reply) => {
    if (!o.fetch) return sendError(reply, 501, 'this server cannot fetch');
    const source = (req.body as { source?: string } | undefined)?.source;
    return withSession((session) => o.fetch!(session, source));
  });
  app.post('/-/admin/update', async (req, reply) => {
    if (!o.update) return sendError(reply, 501, 'this server cannot update');
    const body = (req.body ?? {}) as { source?: unknown; webhook?: unknown };
    const source = typeof body.source === 'string' ? body.source : undefined;
    const webhook = typeof body.webhook === 'string' ? body.webhook : undefined;
    return withSession((session) => o.update!(session, { source, webhook }));
  });
}
