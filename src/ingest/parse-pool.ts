import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { errorMessage, TrackerError } from '../lib/errors.js';
import type { Anomaly } from '../sources/types.js';

export interface WorkerInit {
  stagingPath: string;
  schemas: string[];
}

export interface ParseJob {
  id: number;
  /** The module (file URL) exporting the dataset, and the export's name. */
  module: string;
  exportName: string;
  path: string;
  fileName: string;
  releaseId: string;
  bytes: Uint8Array;
}

export type ParseReply =
  | {
      id: number;
      ok: true;
      snapshotDate: string | null;
      fiscalYear: number | null;
      summary: Record<string, number | string | null>;
      anomalies: Anomaly[];
      /** Rows staged, per table. */
      rows: Record<string, number>;
    }
  | { id: number; ok: false; error: string; trackerError: boolean };

/** What else a thread says: it is ready for jobs; its staging database is written and closed. */
export type ThreadMessage = { ready: true } | { closed: true; failed: Record<string, string> };

/** What the main thread copies from: the staging files, and the releases that are not in them (id → reason). */
export interface Staging {
  paths: string[];
  failed: Map<string, string>;
}

export type StagedParse = Extract<ParseReply, { ok: true }> & { stagingPath: string };

/** How long closing waits for a thread to start (it takes about 0.3 s). */
const QUIET_WAIT_MS = 60_000;

const isIdle = (t: Thread) => t.ready && !t.busy && !t.failed;

/** Staging folders left by a process that was killed (its pid is in the name and it is gone). */
function removeOrphans(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(/^tracker-staging-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

interface Thread {
  worker: Worker;
  stagingPath: string;
  ready: boolean;
  busy?: { resolve: (r: StagedParse) => void; reject: (e: Error) => void };
  failed?: Error;
  closed?: (m: Extract<ThreadMessage, { closed: true }>) => void;
  /** Called when the thread is started and idle, or has failed (`ParsePool.quiet`). */
  waiters: Array<() => void>;
  /** Whether it was given a job (a thread without one has nothing staged). */
  used?: boolean;
}

/**
 * How many parse threads a run of `files` files gets besides the main thread, which parses
 * too: none for a handful of files (a thread takes about 0.3 s to start), none on fewer than
 * four cores, else one per further core, at most three. On this project's 2-core machine a
 * thread costs time (measured quiet, interleaved: 134 workbooks in 5.8–6.4 s with one thread,
 * 5.1–5.3 s without): the main thread's own parsing and DuckDB's threads already fill the
 * second core. TRACKER_PARSE_THREADS overrides it (0: main thread only).
 */
export function parseThreadCount(files: number): number {
  const set = process.env.TRACKER_PARSE_THREADS;
  if (set !== undefined && set !== '') {
    const n = Number(set);
    if (!Number.isInteger(n) || n < 0) throw new TrackerError(`TRACKER_PARSE_THREADS must be a whole number (0: parse on the main thread only), not '${set}'`);
    return n;
  }
  const cores = availableParallelism();
  return files < 8 || cores < 4 ? 0 : Math.min(cores - 1, 3);
}

/**
 * Parse threads beside the main thread, each staging its releases' rows in a database file
 * of its own (in a temporary folder that `dispose` removes). A file goes to a thread only
 * when one is ready and idle (`tryParse`); otherwise the main thread parses it itself, so
 * a thread's start-up is never waited for. `finish` writes the staging files, which the
 * main thread then attaches to copy the rows of the releases it loads.
 */
export class ParsePool {
  private readonly threads: Thread[] = [];
  /** Jobs waiting for a thread (`parse`), sent in order as threads become free. */
  private readonly queue: Array<{ job: ParseJob; resolve: (r: StagedParse) => void; reject: (e: Error) => void }> = [];
  private readonly dir: string;
  private nextId = 0;
  private finishing?: Promise<Staging>;

  constructor(size: number, schemas: string[]) {
    removeOrphans();
    this.dir = mkdtempSync(join(tmpdir(), `tracker-staging-${process.pid}-`));
    for (let i = 0; i < size; i++) {
      const stagingPath = join(this.dir, `thread-${i}.duckdb`);
      const worker = new Worker(new URL('./parse-worker-entry.cjs', import.meta.url), { workerData: { stagingPath, schemas } satisfies WorkerInit });
      const thread: Thread = { worker, stagingPath, ready: false, waiters: [] };
      worker.on('message', (m: ParseReply | ThreadMessage) => {
        if ('ready' in m) {
          thread.ready = true;
          this.dispatch();
        }
        else if ('closed' in m) thread.closed?.(m);
        else {
          const busy = thread.busy!;
          thread.busy = undefined;
          if (m.ok) busy.resolve({ ...m, stagingPath });
          else busy.reject(m.trackerError ? new TrackerError(m.error) : new Error(m.error));
          this.dispatch();
        }
        this.wake(thread);
      });
      // a thread that dies (out of memory, a crash in the engine) fails its job and takes no more
      worker.on('error', (err) => this.fail(thread, err));
      worker.on('exit', (code) => this.fail(thread, new Error(`parse thread exited with code ${code}`)));
      this.threads.push(thread);
    }
  }

  /** Parses one file on an idle thread (its rows are staged, not returned), or returns undefined when none is idle. */
  tryParse(job: Omit<ParseJob, 'id'>): Promise<StagedParse> | undefined {
    if (this.queue.length > 0 || !this.threads.some(isIdle)) return undefined;
    return this.parse(job);
  }

  /** Parses one file on the first thread free (its rows are staged, not returned). */
  parse(job: Omit<ParseJob, 'id'>): Promise<StagedParse> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { ...job, id: this.nextId++ }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const thread of this.threads) {
      if (this.queue.length === 0) return;
      if (!isIdle(thread)) continue;
      const { job, resolve, reject } = this.queue.shift()!;
      thread.busy = { resolve, reject };
      thread.used = true;
      thread.worker.postMessage(job);
    }
    if (this.queue.length > 0 && this.threads.every((t) => t.failed)) {
      for (const q of this.queue.splice(0)) q.reject(new Error('every parse thread has stopped'));
    }
  }

  /** Writes every staging database to its file and stops the threads (once; later calls share the first). */
  finish(): Promise<Staging> {
    return (this.finishing ??= this.close());
  }

  /**
   * Resolves when a thread has started and is idle, or has failed. A thread is never stopped
   * before that: stopping one while its DuckDB opens or runs a query aborted the whole process
   * ("terminate called after throwing an instance of 'Napi::Error'") when the file's few jobs were
   * all done before a thread was ready.
   */
  private quiet(thread: Thread): Promise<void> {
    return new Promise((resolve) => {
      thread.waiters.push(resolve);
      this.wake(thread);
    });
  }

  private wake(thread: Thread): void {
    if (thread.failed || (thread.ready && !thread.busy)) for (const w of thread.waiters.splice(0)) w();
  }

  private async close(): Promise<Staging> {
    for (const q of this.queue.splice(0)) q.reject(new Error('the parse threads are closing'));
    // a thread still not started after a minute is stuck: it is stopped as it is
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<void>((resolve) => (timer = setTimeout(resolve, QUIET_WAIT_MS)));
    await Promise.race([Promise.all(this.threads.map((t) => this.quiet(t))), stuck]);
    clearTimeout(timer);
    for (const t of this.threads) if (!t.ready && !t.failed) this.fail(t, new Error('parse thread did not start'));
    const failed = new Map<string, string>();
    const written = await Promise.all(
      this.threads.map(
        (t) =>
          new Promise<string | undefined>((resolve) => {
            if (t.failed) return resolve(undefined);
            t.closed = (m) => {
              for (const [id, reason] of Object.entries(m.failed)) failed.set(id, reason);
              resolve(t.used ? t.stagingPath : undefined);
            };
            t.worker.once('exit', () => resolve(undefined));
            t.worker.postMessage('close');
          }),
      ),
    );
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
    return { paths: written.filter((p) => p !== undefined), failed };
  }

  /** Stops the threads (closing their databases first, unless `finish` did) and removes the staging folder. */
  async dispose(): Promise<void> {
    await this.finish().catch(() => undefined);
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private fail(thread: Thread, err: unknown): void {
    if (thread.failed) return;
    thread.failed = err instanceof Error ? err : new Error(errorMessage(err));
    thread.busy?.reject(new Error(`parse thread failed: ${thread.failed.message}`));
    thread.busy = undefined;
    this.dispatch();
    this.wake(thread);
  }
}
