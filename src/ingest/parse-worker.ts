import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { Database } from '../db/connection.js';
import { errorMessage, TrackerError } from '../lib/errors.js';
import type { Dataset, Row } from '../sources/types.js';
import type { ParseJob, ParseReply, ThreadMessage, WorkerInit } from './parse-pool.js';

/**
 * A parse thread (loaded as CommonJS by parse-worker-entry.cjs, so no top-level await):
 * parses the files it is sent and stages their rows in a database of its own, written to
 * a file when the run ends; the main thread copies them from there in one statement per
 * table. Only small facts (dates, summary, anomalies, row counts) travel back as
 * messages: cloning the rows would cost the main thread more than parsing them.
 */
const init = workerData as WorkerInit;
const port = parentPort!;
const load = createRequire(import.meta.url);
const datasets = new Map<string, Dataset>();

/**
 * Rows are appended many releases at a time: an appender and its transaction cost about
 * 2 ms however few rows they carry, which for 134 workbooks of 6 tables was seconds.
 */
const FLUSH_ROWS = 250_000;
let pending: Array<{ releaseId: string; tables: Record<string, Row[]> }> = [];
let pendingRows = 0;
/** Releases whose rows the staging database refused, with the reason. */
const failed: Record<string, string> = {};

async function appendTables(db: Database, batch: typeof pending): Promise<void> {
  const byTable = new Map<string, Row[]>();
  for (const p of batch) {
    for (const [table, rows] of Object.entries(p.tables)) {
      const list = byTable.get(table) ?? [];
      for (const r of rows) list.push(r);
      byTable.set(table, list);
    }
  }
  await db.transaction(async () => {
    for (const [table, rows] of byTable) await db.append(table, rows);
  });
}

async function flush(db: Database): Promise<void> {
  const batch = pending;
  pending = [];
  pendingRows = 0;
  if (batch.length === 0) return;
  try {
    await appendTables(db, batch);
  } catch {
    // one release's rows spoil the batch: stage them release by release to find which
    for (const p of batch) {
      try {
        await appendTables(db, [p]);
      } catch (err) {
        failed[p.releaseId] = errorMessage(err);
      }
    }
  }
}

function datasetOf(job: ParseJob): Dataset {
  const key = `${job.module}#${job.exportName}`;
  let d = datasets.get(key);
  if (!d) {
    d = (load(fileURLToPath(job.module)) as Record<string, Dataset>)[job.exportName];
    if (!d) throw new Error(`${job.module} has no export ${job.exportName}`);
    datasets.set(key, d);
  }
  return d;
}

async function run(db: Database, job: ParseJob): Promise<ParseReply> {
  try {
    const dataset = datasetOf(job);
    const parsed = await dataset.parse({ path: job.path, fileName: job.fileName, bytes: job.bytes, releaseId: job.releaseId });
    if (parsed.directLoads?.length) throw new Error(`${dataset.id} returned direct loads, which run on the main thread only`);
    const rows: Record<string, number> = {};
    for (const [table, list] of Object.entries(parsed.tables)) rows[table] = list.length;
    pending.push({ releaseId: job.releaseId, tables: parsed.tables });
    pendingRows += Object.values(rows).reduce((n, c) => n + c, 0);
    if (pendingRows >= FLUSH_ROWS) await flush(db);
    return { id: job.id, ok: true, snapshotDate: parsed.snapshotDate, fiscalYear: parsed.fiscalYear, summary: parsed.summary, anomalies: parsed.anomalies, rows };
  } catch (err) {
    return { id: job.id, ok: false, error: errorMessage(err), trackerError: err instanceof TrackerError };
  }
}

async function close(db: Database): Promise<ThreadMessage> {
  await flush(db);
  await db.checkpoint();
  db.close();
  return { closed: true, failed };
}

// a file, not memory: commits are few (see FLUSH_ROWS), and the main thread attaches it as it is
void Database.open(init.stagingPath, { schemas: init.schemas }).then(
  (db) => {
    // one job at a time: the pool sends the next only after the reply
    port.on('message', (msg: ParseJob | 'close') => {
      if (msg === 'close') void close(db).then((m) => port.postMessage(m));
      else void run(db, msg).then((reply) => port.postMessage(reply));
    });
    port.postMessage({ ready: true } satisfies ThreadMessage);
  },
  (err: unknown) => {
    throw err;
  },
);
