import type { IngestReport } from '../../ingest/pipeline.js';
import { RunLock, runUpdate, type UpdateResult } from '../../ingest/update.js';
import { CliError } from '../../lib/errors.js';
import type { CommandContext } from '../context.js';
import { locallyOrViaServer } from '../delegate.js';
import { defaultEffects } from './fetch.js';
import { printReport } from './ingest.js';

export interface UpdateCommandOptions {
  source?: string;
  /** Overrides $TRACKER_WEBHOOK_URL. */
  webhook?: string;
}

/**
 * `tracker update [--source ID] [--webhook URL]`: fetch what is new from every official
 * page, as a cron job would. With --quiet it prints nothing unless something was
 * ingested or went wrong (cron mails any output). Exit codes: 0, 3 (some source or file
 * failed), 6 (no official host reachable), 7 (the database or the update lock is held).
 */
export async function updateCommand(ctx: CommandContext, options: UpdateCommandOptions = {}): Promise<number> {
  const webhookUrl = options.webhook ?? (process.env.TRACKER_WEBHOOK_URL || undefined);
  if (webhookUrl !== undefined && !/^https?:\/\/[^/]/i.test(webhookUrl)) throw new CliError(`the webhook must be an http(s) URL, not '${webhookUrl}'`);
  // a clear message when cron starts a run while the last one still works (it holds the database too)
  const running = RunLock.holder(`${ctx.dbPath}.update.lock`);
  if (running) throw new CliError(`another ${running.command} is running (pid ${running.pid} on ${running.host}, since ${running.started_at})`, 7);
  const report = (await locallyOrViaServer(
    ctx.dbPath,
    async () => {
      const db = await ctx.openDb();
      try {
        return await runUpdate(db, ctx.archive(), defaultEffects(ctx.quiet), { sourceId: options.source, webhookUrl });
      } finally {
        db.close();
      }
    },
    { path: '/-/admin/update', body: { ...(options.source ? { source: options.source } : {}), ...(options.webhook ? { webhook: options.webhook } : {}) } },
    (text) => ctx.printer.warn(text),
  )) as IngestReport & Partial<UpdateResult>;
  printUpdate(ctx, report);
  if (report.offline) {
    ctx.printer.warn(report.offline);
    return 6;
  }
  return report.errors > 0 ? 3 : 0;
}

function printUpdate(ctx: CommandContext, report: IngestReport & Partial<UpdateResult>): void {
  if (!report.sources) return printReport(ctx, report);
  const news = report.sources.flatMap((s) => s.releases);
  if (ctx.quiet && news.length === 0 && report.errors === 0) return;
  const rows = report.sources.map((s) => ({
    ...(ctx.format === 'table' ? {} : { run_id: report.run_id }),
    source: s.source,
    status: s.status,
    listed: s.listed,
    downloaded: s.downloaded,
    not_modified: s.not_modified,
    ingested: s.ingested,
    duplicates: s.duplicates,
    errors: s.errors.length,
    releases: s.releases.join(' '),
  }));
  ctx.printer.rows(rows, ctx.format);
  for (const s of report.sources) for (const e of s.errors) ctx.printer.warn(`${s.source}: ${e}`);
  if (report.webhook && !report.webhook.ok) {
    const last = report.webhook.attempts.at(-1);
    ctx.printer.warn(`webhook ${report.webhook.target} not delivered after ${report.webhook.attempts.length} attempts (${last?.error ?? `HTTP ${last?.status}`})`);
  }
  if (ctx.format === 'table') {
    const hook = report.webhook ? `; webhook ${report.webhook.ok ? 'delivered' : 'failed'}` : '';
    ctx.printer.line(`update ${report.run_id}: ${news.length} new release${news.length === 1 ? '' : 's'}, ${report.errors} error${report.errors === 1 ? '' : 's'}${hook}`);
  }
}
