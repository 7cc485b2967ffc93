import { parseArgs } from 'node:util';
import { CliError, errorMessage, TrackerError } from '../lib/errors.js';
import { DATASETS } from '../sources/registry.js';
import { parseEvery } from '../ingest/update-scheduler.js';
import { anomaliesCommand } from './commands/anomalies.js';
import { backfillCommand } from './commands/backfill.js';
import { diffCommand } from './commands/diff.js';
import { fetchCommand } from './commands/fetch.js';
import { ingestCommand } from './commands/ingest.js';
import { releasesCommand } from './commands/releases.js';
import { serveCommand } from './commands/serve.js';
import { sqlCommand } from './commands/sql.js';
import { startCommand } from './commands/start.js';
import { updateCommand } from './commands/update.js';
import { makeContext } from './context.js';
import { metricCommand, metricsCommand } from './commands/metric.js';

export const USAGE = `Enforcement Tracker — U.S. immigration enforcement from the government's own data

Usage: tracker COMMAND [options]

Commands:
  start [--from DIR] [--port N]   load every source (or a folder of official files), then serve the site
  fetch [--source ID]             download new releases from the official sites, archive and ingest them
  update [--source ID] [--webhook URL]
                                  fetch, for cron: polite, locked, one ingest_runs row per run; POSTs a summary of
                                  new releases to --webhook or $TRACKER_WEBHOOK_URL
  backfill [--from-wayback] [--from-ddp] [--limit N] [--cdx-url URL]
                                  recover past ICE detention-statistics releases from the Wayback Machine and
                                  the Deportation Data Project's mirror
  ingest PATH…                    ingest files or folders (recursive); the dataset is recognised from each file
  releases [--source ID]          list the release ledger
  anomalies [--source ID] [--release ID] [--severity info|warning|error] [--code C[,C]]
                                  what looks wrong in the releases: {release_id, code, severity, subject, detail}
  diff [A] B                      what changed from release A to B of one source (one id: since the release before it)
  sql "SELECT …"                  run a read-only SQL query
  serve [--port N] [--host H] [--update-every 6h]
                                  serve the site and API (default http://localhost:8080); update every period
  sources                         list the datasets
  metrics                         list every metric with its grains and dimensions
  metric ID [--from P] [--to P] [--grain day|month|fy|cy|snapshot] [--by DIM[,DIM]]
            [--filter DIM=VALUE]… [--vintage latest|RELEASE_ID|YYYY-MM-DD]
                                  one metric's rows: {period, <each --by dimension>, value}

Options:
  --db FILE           database file (default ./data/tracker.duckdb, or $TRACKER_DB)
  --format F          table | json | csv | ndjson (default: table on a terminal, json otherwise)
  --quiet             no progress bar or skipped-file lines

Exit codes: 0 ok · 1 unexpected failure · 2 usage error · 3 some files could not be ingested ·
            6 network failure (no internet: use --from DIR or TRACKER_MIRROR) · 7 database unavailable or another update running`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      format: { type: 'string' },
      quiet: { type: 'boolean' },
      source: { type: 'string' },
      from: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      grain: { type: 'string' },
      by: { type: 'string' },
      filter: { type: 'string', multiple: true },
      vintage: { type: 'string' },
      to: { type: 'string' },
      webhook: { type: 'string' },
      release: { type: 'string' },
      severity: { type: 'string' },
      code: { type: 'string' },
      'from-wayback': { type: 'boolean' },
      'from-ddp': { type: 'boolean' },
      limit: { type: 'string' },
      'cdx-url': { type: 'string' },
      'update-every': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command === undefined && !values.help ? 2 : 0;
  }
  const ctx = makeContext(values);
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a number from 0 to 65535, not '${values.port}'`);
  const updateEveryMs = values['update-every'] === undefined ? undefined : parseEvery(values['update-every']);
  const serve = { port, host: values.host ?? '127.0.0.1', updateEveryMs };
  switch (command) {
    case 'start':
      return startCommand(ctx, { ...serve, from: values.from });
    case 'fetch':
      return fetchCommand(ctx, values.source);
    case 'anomalies':
      return anomaliesCommand(ctx, { source: values.source, release: values.release, severity: values.severity, code: values.code });
    case 'diff':
      return diffCommand(ctx, args);
    case 'update':
      return updateCommand(ctx, { source: values.source, webhook: values.webhook });
    case 'backfill':
      return backfillCommand(ctx, { fromWayback: values['from-wayback'], fromDdp: values['from-ddp'], limit: values.limit, cdxUrl: values['cdx-url'] });
    case 'ingest':
      return ingestCommand(ctx, args);
    case 'releases':
      return releasesCommand(ctx, values.source);
    case 'sql':
      return sqlCommand(ctx, args.join(' ') || undefined);
    case 'serve':
      return serveCommand(ctx, serve);
    case 'metrics':
      return metricsCommand(ctx);
    case 'metric':
      return metricCommand(ctx, args[0], {
        from: values.from,
        to: values.to,
        grain: values.grain,
        by: values.by,
        filter: values.filter,
        vintage: values.vintage,
      });
    case 'sources':
      ctx.printer.rows(
        DATASETS.map((d) => ({ id: d.id, title: d.title, agency: d.agency, source_url: d.sourceUrl, cadence: d.cadence })),
        ctx.format,
      );
      return 0;
    default:
      throw new CliError(`unknown command '${command}'\n\n${USAGE}`);
  }
}

// the one top-level catch: every failure becomes a message and an exit code
run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tracker: ${errorMessage(err)}\n`);
    process.exitCode = err instanceof TrackerError ? err.exitCode : err instanceof TypeError && /parseArgs|option/i.test(String(err)) ? 2 : 1;
  },
);
