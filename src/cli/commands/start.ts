import { OfflineError } from '../../ingest/http.js';
import { summarise } from '../../ingest/pipeline.js';
import { CliError } from '../../lib/errors.js';
import type { CommandContext } from '../context.js';
import { defaultEffects, fetchSources } from './fetch.js';
import { ingestWithProgress, printReport } from './ingest.js';
import { serveDb, type ServeOptions } from './serve.js';

/**
 * The main job: load every source (from the official sites, or from a mirror folder
 * of official files given by --from or TRACKER_MIRROR), then serve the site.
 */
export async function startCommand(ctx: CommandContext, options: ServeOptions & { from?: string }): Promise<number> {
  const mirror = options.from ?? process.env.TRACKER_MIRROR;
  // the main job talks to a person: a readable report whatever stdout is
  const human = { ...ctx, format: 'table' as const };
  const db = await ctx.openDb();
  try {
    if (mirror) {
      ctx.printer.line(`loading official files from ${mirror}`);
      printReport(human, await ingestWithProgress(db, ctx.archive(), [mirror], 'mirror', ctx.quiet));
    } else {
      ctx.printer.line('fetching releases from the official sites');
      try {
        printReport(human, summarise(await fetchSources(db, ctx.archive(), defaultEffects(ctx.quiet))));
      } catch (err) {
        if (!(err instanceof OfflineError)) throw err;
        const count = (await db.one('SELECT count(*) AS n FROM releases'))?.n as number;
        if (count === 0) throw new CliError(err.message, 6);
        ctx.printer.warn(`${err.message}\nServing the ${count} releases already in ${ctx.dbPath}.`);
      }
    }
  } catch (err) {
    db.close();
    throw err;
  }
  return serveDb(ctx, db, options);
}
