import type { Database } from '../../db/connection.js';
import { buildApp } from '../../server/app.js';
import type { CommandContext } from '../context.js';

export interface ServeOptions {
  port: number;
  host: string;
}

/** Serves until SIGINT/SIGTERM, then closes the server and the database. */
export async function serveDb(ctx: CommandContext, db: Database, options: ServeOptions): Promise<number> {
  const app = await buildApp(db);
  await app.listen({ port: options.port, host: options.host });
  ctx.printer.line(`serving on http://${options.host === '127.0.0.1' ? 'localhost' : options.host}:${options.port}/ (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.close();
  db.close();
  return 0;
}

export async function serveCommand(ctx: CommandContext, options: ServeOptions): Promise<number> {
  const db = await ctx.openDb();
  return serveDb(ctx, db, options);
}
