/**
 * Child process for test/ingest/kill.test.ts:
 *   node --import tsx test/helpers/ingest-child.ts DB_PATH ARCHIVE_DIR PATH...
 * Prints `started` once the database is open, `begin` / `commit` as the load
 * transaction starts and is committed, `committed` once COMMIT has returned (so the
 * parent can kill it inside or around one), and `done {report}` at the end.
 */
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { DATASETS } from '../../src/sources/registry.js';

const [dbPath, archiveDir, ...paths] = process.argv.slice(2);
if (dbPath === undefined || archiveDir === undefined || paths.length === 0) {
  process.stderr.write('usage: ingest-child.ts DB_PATH ARCHIVE_DIR PATH...\n');
  process.exit(2);
}

// stdout to a pipe is synchronous on Linux: a line is out before the next statement runs
const say = (line: string) => process.stdout.write(`${line}\n`);

const db = await Database.open(dbPath, { schemas: DATASETS.map((d) => d.schemaSql) });
const exec = db.exec.bind(db);
db.exec = async (sql, params) => {
  const m = /^\s*(BEGIN|COMMIT)\b/i.exec(sql);
  if (m) say(m[1]!.toLowerCase());
  await exec(sql, params);
  if (m?.[1]!.toUpperCase() === 'COMMIT') say('committed');
};
say('started');
const report = await ingestPaths(paths, { db, archive: new Archive(archiveDir), origin: 'file' });
db.close();
const { ingested, duplicates, skipped, errors } = report;
const failures = report.outcomes.flatMap((o) => (o.status === 'error' ? [`${o.path}: ${o.error}`] : []));
say(`done ${JSON.stringify({ ingested, duplicates, skipped, errors, failures })}`);
