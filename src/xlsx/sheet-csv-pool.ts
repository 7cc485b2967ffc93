/**
 * Sheets to CSV for a loader that reads each one while it is written. With `stream`,
 * every sheet goes through a named pipe, which the loader (DuckDB's read_csv, on one
 * thread) reads while worker threads (sheet-csv-worker.ts) write it, so that the cores
 * work at once and nothing is written to disk. One worker (on two cores: the other is
 * DuckDB's) reads the sheet part itself; several share it: this thread inflates the part,
 * cuts it into blocks of rows (row-blocks.ts) for them, and writes the lines they send
 * back to the pipe. The lines of a sheet then come in no particular order (each names its
 * row). Without `stream`, or where named pipes cannot be made, each sheet is written here
 * to a file first.
 *
 * A generator: the loader reads what it yields, and awaits its `rows`, before asking for
 * the next sheet; if the loader fails it calls `abort`, which stops the writing.
 *
 * A worker starts from sheet-csv-thread.mjs, which loads the TypeScript through tsx
 * however the process was started.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SourceFormatError } from '../lib/errors.js';
import type { CsvStrings } from './csv-text.js';
import { RowBlocks } from './row-blocks.js';
import { entryChunks, QueuedWrites, sheetError, writeSheetCsv, type SheetCsvTask } from './sheet-csv-file.js';
import type { FromWorker, ToWorker } from './sheet-csv-worker.js';

export interface SheetCsv {
  sheet: string;
  /** The CSV: a named pipe being written, to be read now, or a file already written. */
  path: string;
  /** The lines written, once the writers are done; rejects with their error (a SheetCsvAborted after `abort`). */
  rows: Promise<number>;
  /** Stops the writing (the reader failed). */
  abort(): void;
}

/** The writing stopped because the reader failed: the reader's error is the one to report. */
export class SheetCsvAborted extends Error {}

export interface PoolOptions {
  stream: boolean;
  /** Worker threads (default: one per core but one, which DuckDB's read of the pipe takes). */
  workers?: number;
}

/** Blocks of rows per worker sent and not yet written. */
const IN_FLIGHT = 2;

/** `strings` may be a function: it is then called while the workers start, so that both happen at once. */
export async function* sheetsToCsv(tasks: SheetCsvTask[], strings: CsvStrings | (() => CsvStrings), options: PoolOptions): AsyncGenerator<SheetCsv> {
  if (!options.stream || tasks.length === 0 || !tryPipe(tasks[0]!.out)) {
    const s = typeof strings === 'function' ? strings() : strings;
    for (const task of tasks) {
      const rows = await writeSheetCsv(task, s);
      try {
        yield { sheet: task.sheet, path: task.out, rows: Promise.resolve(rows), abort: () => undefined };
      } finally {
        rmSync(task.out, { force: true });
      }
    }
    return;
  }
  const n = Math.max(1, options.workers ?? availableParallelism() - 1);
  const free: Uint8Array[] = [];
  const workers = Array.from({ length: n }, () => new Pipe(takeWorker(), (b) => free.push(b)));
  try {
    const shared = typeof strings === 'function' ? strings() : strings;
    for (const task of tasks) {
      if (task !== tasks[0]) makePipe(task.out);
      // the writer opens the pipe with a blocking open, which returns once DuckDB has opened it to read: so the
      // writer cannot close it (a sheet without records) before DuckDB opens it, which would then wait for ever
      const state = { aborted: false };
      const abort = (): void => {
        if (state.aborted) return;
        state.aborted = true;
        // a reader for a moment: a writer still waiting in its open goes on, and then fails (EPIPE) with DuckDB gone
        try {
          closeSync(openSync(task.out, constants.O_RDONLY | constants.O_NONBLOCK));
        } catch {
          // the pipe is gone already
        }
      };
      const rows = workers.length === 1 ? whole(task, shared, workers[0]!, state) : feed(task, shared, workers, state, free);
      rows.catch(() => undefined);
      try {
        yield { sheet: task.sheet, path: task.out, rows, abort };
        await rows;
      } finally {
        abort();
        await rows.catch(() => undefined);
        rmSync(task.out, { force: true });
      }
    }
    for (const w of workers) w.post({ type: 'stop' });
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

const WORKER_URL = new URL('./sheet-csv-thread.mjs', import.meta.url);
let spare: { worker: Worker; timer: NodeJS.Timeout; exited: boolean } | undefined;

/**
 * Starts a worker thread ahead of a load that will want one, so that it loads its modules
 * (some 0.4 s of CPU through tsx) while the caller does other work, on another core; an
 * idle one neither keeps the process alive nor lives more than a minute.
 */
export function warmSheetCsvWorker(): void {
  if (spare) return;
  const worker = new Worker(WORKER_URL);
  worker.unref();
  const timer = setTimeout(() => {
    spare = undefined;
    void worker.terminate();
  }, 60_000);
  timer.unref();
  const s = { worker, timer, exited: false };
  // until a pool takes it: a worker that failed to start is replaced then by a new one, whose error the pool sees
  worker.on('error', () => undefined);
  worker.once('exit', () => (s.exited = true));
  spare = s;
}

function takeWorker(): Worker {
  const s = spare;
  spare = undefined;
  if (s) clearTimeout(s.timer);
  if (!s || s.exited) return new Worker(WORKER_URL);
  s.worker.ref();
  s.worker.removeAllListeners('error');
  return s.worker;
}

/** Writes one sheet through one worker, which reads it from the file itself (no blocks to copy and send); returns the lines written. */
async function whole(task: SheetCsvTask, strings: CsvStrings, worker: Pipe, state: { aborted: boolean }): Promise<number> {
  worker.opened = -1;
  try {
    worker.post({ type: 'whole', task, strings });
    return await worker.done();
  } catch (err) {
    // a worker that died with the pipe open: closed here, so that DuckDB sees the pipe end
    if (worker.opened >= 0 && worker.dead) closeQuietly(worker.opened);
    if (state.aborted) throw new SheetCsvAborted('the loader stopped reading');
    throw sheetError(task, err);
  }
}

/** Writes one sheet through the workers to its pipe, this thread inflating and cutting it into blocks; returns the lines written. */
async function feed(task: SheetCsvTask, strings: CsvStrings, workers: Pipe[], state: { aborted: boolean }, free: Uint8Array[]): Promise<number> {
  // opened on the thread pool: the open waits for DuckDB's
  const handle = await openFile(task.out, 'w');
  try {
    if (state.aborted) throw new SheetCsvAborted('the loader stopped reading');
    const out = new QueuedWrites(handle.fd);
    for (const w of workers) {
      w.lines = (bytes) => {
        // after a failed write (the reader gone) the lines are dropped: the failure comes out of out.room() or out.done()
        if (!out.failed) out.write(bytes, true);
      };
      w.post({ type: 'sheet', spec: task.spec, strings });
    }
    const blocks = new RowBlocks();
    const send = async (block: Buffer): Promise<void> => {
      await out.room();
      for (;;) {
        if (state.aborted) throw new SheetCsvAborted('the loader stopped reading');
        const w = workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
        if (w.inFlight < IN_FLIGHT) {
          w.inFlight++;
          w.post({ type: 'rows', block }, [block.buffer as ArrayBuffer]);
          return;
        }
        await Promise.race(workers.map((x) => x.next()));
      }
    };
    try {
      for await (const chunk of entryChunks(task.path, task.entry)) {
        for (const b of free.splice(0)) blocks.recycle(b);
        for (const block of blocks.push(chunk)) await send(block);
      }
      blocks.end(task.entry.name);
      for (const w of workers) w.post({ type: 'end' });
      const counts = await Promise.all(workers.map((w) => w.done()));
      await out.done();
      return counts.reduce((a, b) => a + b, 0);
    } catch (err) {
      if (state.aborted) throw new SheetCsvAborted('the loader stopped reading');
      throw sheetError(task, err);
    }
  } finally {
    // the pipe ends for DuckDB once its one writer, here, closes it
    await handle.close();
  }
}

/** One worker and its messages: acknowledgements of blocks, the end of a sheet, errors. */
class Pipe {
  inFlight = 0;
  /** Where the lines the worker sends go. */
  lines: (bytes: Uint8Array) => void = () => undefined;
  /** The descriptor of the pipe the worker opened for a whole sheet, or -1. */
  opened = -1;
  /** The worker stopped or failed to start. */
  dead = false;
  private waiting: Array<{ resolve(msg: FromWorker): void; reject(err: Error): void }> = [];
  private failure: Error | undefined;

  constructor(
    private readonly worker: Worker,
    private readonly recycle: (block: Uint8Array) => void,
  ) {
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'lines') {
        this.lines(msg.bytes);
        return;
      }
      if (msg.type === 'opened') {
        this.opened = msg.fd;
        return;
      }
      if (msg.type === 'ack') {
        this.inFlight--;
        this.recycle(msg.block);
      }
      if (msg.type === 'error') this.fail(msg.location ? new SourceFormatError(msg.location, msg.reason) : Object.assign(new Error(msg.reason), { code: msg.code }));
      else for (const w of this.waiting.splice(0)) w.resolve(msg);
    });
    worker.on('error', (err) => {
      this.dead = true;
      this.fail(err);
    });
    worker.on('exit', (code) => {
      this.dead = true;
      this.fail(new Error(`a sheet-to-CSV worker stopped (exit code ${code})`));
    });
  }

  post(msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(msg, transfer);
  }

  /** The worker's next message. */
  next(): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** The lines the worker wrote of the sheet, once it has written them all. */
  async done(): Promise<number> {
    for (;;) {
      const msg = await this.next();
      if (msg.type === 'done') return msg.rows;
    }
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }
}

function makePipe(path: string): void {
  rmSync(path, { force: true });
  execFileSync('mkfifo', ['-m', '600', path], { stdio: 'ignore' });
}

/** Makes the first sheet's pipe, or finds that named pipes cannot be made here (no POSIX mkfifo). */
function tryPipe(path: string): boolean {
  try {
    makePipe(path);
    return true;
  } catch {
    return false;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
