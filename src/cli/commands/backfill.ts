import { runBackfill } from '../../ingest/backfill.js';
import { CliError } from '../../lib/errors.js';
import type { CommandContext } from '../context.js';
import { defaultEffects } from './fetch.js';

export interface BackfillCommandOptions {
  fromWayback?: boolean;
  fromDdp?: boolean;
  /** Text of --limit: at most this many downloads per archive. */
  limit?: string;
  cdxUrl?: string;
}

/**
 * `tracker backfill [--from-wayback] [--from-ddp] [--limit N] [--cdx-url URL]`: recover
 * the past ICE detention-statistics releases from the Wayback Machine and the
 * Deportation Data Project's mirror (both unless one is named). Run it with the server
 * stopped: it is a long, one-time job. Exit codes as `tracker ingest`.
 */
export async function backfillCommand(ctx: CommandContext, options: BackfillCommandOptions = {}): Promise<number> {
  let limit: number | undefined;
  if (options.limit !== undefined) {
    limit = Number(options.limit);
    if (!Number.isInteger(limit) || limit < 0) throw new CliError(`--limit must be a whole number, not '${options.limit}'`);
  }
  if (options.cdxUrl !== undefined && !/^https?:\/\/[^/]/i.test(options.cdxUrl)) throw new CliError(`--cdx-url must be an http(s) URL, not '${options.cdxUrl}'`);
  const only = options.fromWayback || options.fromDdp;
  const db = await ctx.openDb();
  let result;
  try {
    result = await runBackfill(db, ctx.archive(), defaultEffects(ctx.quiet), {
      ...(only ? { wayback: options.fromWayback === true, ddp: options.fromDdp === true } : {}),
      limit,
      cdxUrl: options.cdxUrl,
    });
  } finally {
    db.close();
  }
  ctx.printer.rows(
    result.archives.map((a) => ({
      ...(ctx.format === 'table' ? {} : { run_id: result.run_id }),
      archive: a.kind,
      listed: a.listed,
      already_known: a.known,
      downloaded: a.downloaded,
      ingested: a.ingested,
      duplicates: a.duplicates,
      errors: a.errors.length,
      limited: a.limited,
    })),
    ctx.format,
  );
  for (const a of result.archives) for (const e of a.errors) ctx.printer.warn(`${a.kind}: ${e}`);
  if (ctx.format === 'table') {
    const more = result.archives.some((a) => a.limited) ? ' (stopped at --limit: run it again to continue)' : '';
    ctx.printer.line(`backfill ${result.run_id}: ${result.ingested} past releases recovered, ${result.duplicates} copies of known releases, ${result.errors} errors${more}`);
  }
  if (result.offline) {
    ctx.printer.warn(result.offline);
    return 6;
  }
  return result.errors > 0 ? 3 : 0;
}
