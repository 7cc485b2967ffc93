import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Database } from '../../db/connection.js';
import { summarise } from '../../ingest/pipeline.js';
import { runUpdate } from '../../ingest/update.js';
import { startUpdateScheduler } from '../../ingest/update-scheduler.js';
import { removeServerFile, writeServerFile } from '../../server/server-file.js';
import { defaultEffects, fetchSources } from './fetch.js';
import { buildApp } from '../../server/app.js';
import type { CommandContext } from '../context.js';

export interface ServeOptions {
  port: number;
  host: string;
  /** `--update-every`: run `tracker update` in the server this often. */
  updateEveryMs?: number;
}

/** Serves until SIGINT/SIGTERM, then closes the server and the database. */
export async function serveDb(ctx: CommandContext, db: Database, options: ServeOptions): Promise<number> {
  const token = randomBytes(24).toString('hex');
  const archive = ctx.archive();
  const app = await buildApp(db, {
    admin: {
      archive,
      token,
      fetch: async (session, source) => summarise(await fetchSources(session, archive, defaultEffects(true), source)),
      update: (session, o) => runUpdate(session, archive, defaultEffects(true), { sourceId: o.source, webhookUrl: o.webhook }),
    },
  });
  await app.listen({ port: options.port, host: options.host });
  const port = (app.server.address() as AddressInfo).port;
  const info = writeServerFile(ctx.dbPath, port, token);
  const updates = options.updateEveryMs
    ? startUpdateScheduler(db, archive, defaultEffects(ctx.quiet), options.updateEveryMs, { onRun: () => app.dataVersion.invalidate() })
    : undefined;
  ctx.printer.line(`serving on http://${options.host === '127.0.0.1' ? 'localhost' : options.host}:${port}/ (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await updates?.stop();
  removeServerFile(ctx.dbPath, info);
  await app.close();
  db.close();
  return 0;
}

export async function serveCommand(ctx: CommandContext, options: ServeOptions): Promise<number> {
  const db = await ctx.openDb();
  return serveDb(ctx, db, options);
}
