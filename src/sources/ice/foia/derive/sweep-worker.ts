import { parentPort } from 'node:worker_threads';
import { walkClaimed, type AccumulatorShape, type SweepColumns } from './sweep-walk.js';

/**
 * Ranges of the sweep's stints to walk (sweep-walk.ts's walkClaimed). The columns and the counters
 * are in shared memory; the job is sent before the rows are all copied (`copied`).
 */
export interface WalkJob {
  cols: SweepColumns;
  parts: number;
  next: Int32Array;
  copied: Int32Array;
  firstDay: number;
  lastDay: number;
  shape: AccumulatorShape;
}

export type WalkReply = { ok: true; deltas: Int32Array; seen: Uint8Array; books: Int32Array; recomputed: number } | { ok: false; error: string };

parentPort!.on('message', (job: WalkJob) => {
  try {
    const { acc, recomputed } = walkClaimed(job.cols, job.parts, job.next, job.copied, job.firstDay, job.lastDay, job.shape);
    const reply: WalkReply = { ok: true, deltas: acc.deltas, seen: acc.seen, books: acc.books, recomputed };
    parentPort!.postMessage(reply, [acc.deltas.buffer as ArrayBuffer, acc.seen.buffer as ArrayBuffer, acc.books.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies WalkReply);
  }
});
