import { dirname, join } from 'node:path';
import { Database } from '../db/connection.js';
import { Archive } from '../ingest/archive.js';
import { DATASETS } from '../sources/registry.js';
import { Printer, parseFormat, type OutputFormat } from './output.js';

export const DEFAULT_DB = './data/tracker.duckdb';

/** What every command gets: parsed global options and the one print path. */
export interface CommandContext {
  dbPath: string;
  format: OutputFormat;
  printer: Printer;
  quiet: boolean;
  openDb(options?: { readOnly?: boolean }): Promise<Database>;
  archive(): Archive;
}

export function makeContext(options: { db?: string; format?: string; quiet?: boolean }, printer = new Printer()): CommandContext {
  const dbPath = options.db ?? process.env.TRACKER_DB ?? DEFAULT_DB;
  return {
    dbPath,
    format: parseFormat(options.format, process.stdout.isTTY === true),
    printer,
    quiet: options.quiet ?? false,
    openDb: (o = {}) => Database.open(dbPath, { readOnly: o.readOnly, schemas: DATASETS.map((d) => d.schemaSql) }),
    // the archive of raw files sits beside the database
    archive: () => new Archive(join(dirname(dbPath), 'archive')),
  };
}
