import { dirname } from 'node:path';
import { CliError } from '../../lib/errors.js';
import { absolute, locallyOrViaServer } from '../delegate.js';
import { ingestPaths, type IngestReport, type Origin } from '../../ingest/pipeline.js';
import type { Database } from '../../db/connection.js';
import type { CommandContext } from '../context.js';
import { ProgressBar } from '../progress.js';
import type { Archive } from '../../ingest/archive.js';

/** Ingests with a progress bar on stderr; returns the report. */
export async function ingestWithProgress(db: Database, archive: Archive, paths: string[], origin: Origin, quiet: boolean): Promise<IngestReport> {
  // the pipeline knows the file count once it has walked the folders; the bar starts then
  let bar: ProgressBar | undefined;
  const report = await ingestPaths(paths, {
    db,
    archive,
    origin,
    onFile: (_d, total, o) => {
      bar ??= new ProgressBar({ total, label: 'ingest', enabled: !quiet });
      bar.tick(o.path.split('/').pop());
    },
  });
  bar?.done();
  return report;
}

/** Prints one line per file that was not simply ingested, then a summary. */
export function printReport(ctx: CommandContext, report: IngestReport): void {
  if (ctx.format !== 'table') {
    ctx.printer.rows(report.outcomes as unknown as Array<Record<string, unknown>>, ctx.format);
    // errors also go to stderr, so a script that only keeps stdout still sees why the exit code is not 0
    for (const o of report.outcomes) if (o.status === 'error') ctx.printer.warn(`error: ${o.error}`);
    return;
  }
  const skippedByFolder = new Map<string, { count: number; reason: string }>();
  for (const o of report.outcomes) {
    if (o.status === 'error') ctx.printer.warn(`error: ${o.error}`);
    else if (o.status === 'skipped') {
      const folder = dirname(o.path);
      const entry = skippedByFolder.get(folder) ?? { count: 0, reason: o.reason };
      entry.count++;
      skippedByFolder.set(folder, entry);
    }
  }
  // one line per folder keeps a walk over a large mirror readable; every skipped file is in --format json
  for (const [folder, { count, reason }] of skippedByFolder) {
    ctx.printer.line(`skipped ${count} file${count === 1 ? '' : 's'} in ${folder}: ${reason}`);
  }
  ctx.printer.line(
    `${report.ingested} releases ingested, ${report.duplicates} already known or duplicates, ` +
      `${report.skipped} files skipped (no source), ${report.errors} errors`,
  );
}

export async function ingestCommand(ctx: CommandContext, paths: string[]): Promise<number> {
  if (paths.length === 0) throw new CliError('usage: tracker ingest PATH… (files or folders)');
  const report = await locallyOrViaServer(
    ctx.dbPath,
    async () => {
      const db = await ctx.openDb();
      try {
        return await ingestWithProgress(db, ctx.archive(), paths, 'file', ctx.quiet);
      } finally {
        db.close();
      }
    },
    { path: '/-/admin/ingest', body: { paths: absolute(paths), origin: 'file' } },
    (text) => ctx.printer.warn(text),
  );
  printReport(ctx, report);
  return report.errors > 0 ? 3 : 0;
}
