import type { Database } from '../../db/connection.js';
import { downloadNew } from '../../ingest/download.js';
import { createHttpClient, OfflineError } from '../../ingest/http.js';
import { ingestFile, summarise, type Outcome } from '../../ingest/pipeline.js';
import { CliError } from '../../lib/errors.js';
import { DATASETS, datasetById } from '../../sources/registry.js';
import type { Effects } from '../../sources/types.js';
import type { CommandContext } from '../context.js';
import { printReport } from './ingest.js';
import { locallyOrViaServer } from '../delegate.js';
import type { Archive } from '../../ingest/archive.js';

export function defaultEffects(quiet: boolean): Effects {
  return {
    http: createHttpClient(),
    logger: { info: (m) => (quiet ? undefined : process.stderr.write(m + '\n')), warn: (m) => process.stderr.write(m + '\n') },
    now: () => new Date(),
  };
}

/**
 * For each source: read its official page, download the files not seen before
 * (conditional requests for those seen), archive and ingest them.
 */
export async function fetchSources(db: Database, archive: Archive, fx: Effects, sourceId?: string, pauseMs = 1000): Promise<Outcome[]> {
  const datasets = sourceId ? [datasetById(sourceId)] : DATASETS;
  if (datasets.some((d) => d === undefined)) throw new CliError(`unknown source '${sourceId}'; known: ${DATASETS.map((d) => d.id).join(', ')}`);
  const known = new Map<string, { etag?: string; lastModified?: string }>();
  for (const r of await db.all(`SELECT url, any_value(etag) AS etag, any_value(last_modified) AS lm FROM release_files WHERE origin = 'fetch' GROUP BY url`)) {
    known.set(r.url as string, { etag: (r.etag as string | null) ?? undefined, lastModified: (r.lm as string | null) ?? undefined });
  }
  const outcomes: Outcome[] = [];
  for (const dataset of datasets) {
    let files;
    try {
      files = await dataset!.discover(fx);
    } catch (err) {
      // one publisher's page being down or redesigned must not stop the others; offline stops all
      if (err instanceof OfflineError) throw err;
      const error = `${dataset!.sourceUrl}: ${err instanceof Error ? err.message : String(err)}`;
      fx.logger.warn(`${dataset!.id}: could not list files: ${error}`);
      outcomes.push({ status: 'error', path: dataset!.sourceUrl, source: dataset!.id, error });
      continue;
    }
    fx.logger.info(`${dataset!.id}: ${files.length} files listed on ${dataset!.sourceUrl}`);
    const results = await downloadNew(fx, files, archive, (url) => known.get(url), undefined, { pauseMs });
    for (const r of results) {
      if (r.status === 'failed') {
        outcomes.push({ status: 'error', path: r.file.url, source: dataset!.id, error: `${r.file.url}: ${r.error}` });
        continue;
      }
      if (r.status === 'not-modified' || !r.sha256) continue;
      const bytes = await archive.read(r.sha256);
      outcomes.push(
        await ingestFile(
          { path: r.file.fileName, bytes, origin: 'fetch', explicit: true, url: r.file.url, retrievedAt: r.retrievedAt, etag: r.etag, lastModified: r.lastModified },
          { db, archive, origin: 'fetch' },
        ),
      );
    }
  }
  return outcomes;
}

export async function fetchCommand(ctx: CommandContext, sourceId?: string): Promise<number> {
  try {
    const report = await locallyOrViaServer(
      ctx.dbPath,
      async () => {
        const db = await ctx.openDb();
        try {
          return summarise(await fetchSources(db, ctx.archive(), defaultEffects(ctx.quiet), sourceId));
        } finally {
          db.close();
        }
      },
      { path: '/-/admin/fetch', body: sourceId ? { source: sourceId } : {} },
      (text) => ctx.printer.warn(text),
    );
    printReport(ctx, report);
    return report.errors > 0 ? 3 : 0;
  } catch (err) {
    if (err instanceof OfflineError) throw new CliError(err.message, 6);
    throw err;
  }
}
