/**
 * The sweep's walk on two threads while the rows are still arriving (sweep-walk.ts's waitCopied):
 * the thread is handed the columns before they are filled, and must walk each range only once its
 * rows, and the key run that ends it, are in. Hand-made stints, many people per sort key.
 */
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { test } from 'node:test';
import { MICROSECONDS, SECONDS, addInto, dayOf, walkClaimed, type AccumulatorShape, type SweepColumns, type TimeScale } from '../../src/sources/ice/foia/derive/sweep-walk.js';
import type { WalkJob, WalkReply } from '../../src/sources/ice/foia/derive/sweep-worker.js';

const DAY_US = 86_400_000_000;
const FIRST = dayOf(Date.parse('2025-01-01') * 1000);
const DAYS = 90;
const FACILITIES = 7;
const CRIMINALITY = 3;

/** `n` stints of n/3 people, in shared memory, times in `scale`'s unit, sorted on the top 4 bits of the person's hash only (so people are interleaved). */
function stints(n: number, scale: TimeScale = MICROSECONDS): SweepColumns {
  const shared = <T>(C: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }) => new C(new SharedArrayBuffer(n * C.BYTES_PER_ELEMENT));
  const rows = Array.from({ length: n }, (_, i) => {
    const person = Math.floor(i / 3);
    const hi = Math.imul(person + 1, 2654435761) | 0;
    const start = FIRST * DAY_US + ((Math.imul(i, 40503) >>> 0) % (DAYS * 2)) * (DAY_US / 2) - 10 * DAY_US;
    const open = i % 11 === 0;
    // half days and whole days: whole seconds, so both scales hold them
    const time = (us: number | null) => (us === null ? scale.none : scale === SECONDS ? us / 1e6 - SECONDS.baseDay * 86_400 : us);
    return {
      hi,
      lo: person,
      tIn: time(start),
      ord: i,
      tOut: time(open ? null : start + (1 + (i % 17)) * DAY_US),
      tStay: time(i % 5 === 0 ? null : start - (i % 3) * DAY_US),
      code: (i % FACILITIES) + FACILITIES * (person % CRIMINALITY),
    };
  });
  // DuckDB's order: the key only; within a key, rows of different people interleave
  rows.sort((a, b) => (a.hi >>> 28) - (b.hi >>> 28) || ((a.ord * 7919) % 101) - ((b.ord * 7919) % 101));
  const times = (): Int32Array | Float64Array => (scale === SECONDS ? shared(Int32Array) : shared(Float64Array));
  const cols = { hi: shared(Int32Array), lo: shared(Int32Array), tIn: times(), ord: shared(Float64Array), tOut: times(), tStay: times(), codes: shared(Int32Array) };
  rows.forEach((r, i) => {
    cols.hi[i] = r.hi;
    cols.lo[i] = r.lo;
    cols.tIn[i] = r.tIn;
    cols.ord[i] = r.ord;
    cols.tOut[i] = r.tOut;
    cols.tStay[i] = r.tStay;
    cols.codes[i] = r.code;
  });
  const { codes, ...rest } = cols;
  return { rows: n, ...rest, scale, codeColumns: [codes], packed: true, dimCodes: [FACILITIES, CRIMINALITY], keyShift: 28 };
}

const shape: AccumulatorShape = { days: DAYS, stride: DAYS + 1, facilityDim: 0, first: Int32Array.from([0, FACILITIES, FACILITIES + CRIMINALITY]) };
const counter = (v = 0) => new Int32Array(new SharedArrayBuffer(4)).fill(v);

function walkOnThread(job: WalkJob): { reply: Promise<WalkReply>; stop: () => Promise<number> } {
  const worker = new Worker(new URL('../../src/sources/ice/foia/derive/sweep-worker-entry.cjs', import.meta.url));
  const reply = new Promise<WalkReply>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  worker.postMessage(job);
  return { reply, stop: () => worker.terminate() };
}

test('the same stints in whole seconds since 2000 (32 bits) and in epoch microseconds (doubles) walk to the same counts', () => {
  const inSeconds = stints(9000, SECONDS);
  const inMicros = stints(9000, MICROSECONDS);
  assert.ok(inSeconds.tIn instanceof Int32Array && inSeconds.tOut.includes(SECONDS.none) && inSeconds.tStay.includes(SECONDS.none));
  const s = walkClaimed(inSeconds, 1, counter(), counter(inSeconds.rows), FIRST, FIRST + DAYS - 1, shape);
  const us = walkClaimed(inMicros, 1, counter(), counter(inMicros.rows), FIRST, FIRST + DAYS - 1, shape);
  assert.ok(s.acc.deltas.some((v) => v !== 0) && s.acc.books.some((v) => v !== 0), 'the stints fall in the coverage');
  assert.equal(s.recomputed, us.recomputed);
  assert.deepEqual(s.acc.deltas, us.acc.deltas);
  assert.deepEqual(s.acc.books, us.acc.books);
  // a day is counted from each scale's origin: 2000-01-01 is day 10,957 since 1970
  assert.equal(dayOf(0, SECONDS.perDay) + SECONDS.baseDay, dayOf(Date.parse('2000-01-01') * 1000));
  assert.equal(dayOf(-1, SECONDS.perDay), -1);
});

for (const scale of [MICROSECONDS, SECONDS]) {
  test(`a thread handed the columns before they are filled walks its ranges as the rows arrive, and the sums equal one thread over all rows (${scale.name})`, async () => {
    const cols = stints(9000, scale);
    const whole = walkClaimed(cols, 1, counter(), counter(cols.rows), FIRST, FIRST + DAYS - 1, shape);
    assert.ok(whole.acc.deltas.some((v) => v !== 0) && whole.acc.books.some((v) => v !== 0), 'the stints fall in the coverage');

    // the rows "arrive" in pieces of 700 every 5 ms; the columns already hold them, only the counter says what is in
    const next = counter();
    const copied = counter();
    const { reply, stop } = walkOnThread({ cols, parts: 16, next, copied, firstDay: FIRST, lastDay: FIRST + DAYS - 1, shape });
    let replied = false;
    void reply.then(() => (replied = true));
    try {
      // the rows start arriving once the thread is up and waiting on its first range
      for (const t0 = Date.now(); Atomics.load(next, 0) === 0; ) {
        assert.ok(Date.now() - t0 < 20_000, 'the thread did not start');
        await new Promise((r) => setTimeout(r, 5));
      }
      for (let have = 700; have < cols.rows; have += 700) {
        Atomics.store(copied, 0, have);
        Atomics.notify(copied, 0);
        await new Promise((r) => setTimeout(r, 5));
      }
      // before the last piece the thread cannot be done: the last range ends at the last row
      assert.equal(replied, false, 'the thread finished before all rows were in');
      Atomics.store(copied, 0, cols.rows);
      Atomics.notify(copied, 0);
      const mine = walkClaimed(cols, 16, next, copied, FIRST, FIRST + DAYS - 1, shape);
      const theirs = await reply;
      assert.ok(theirs.ok, theirs.ok ? '' : theirs.error);
      addInto(mine.acc, theirs);
      assert.equal(mine.recomputed + theirs.recomputed, whole.recomputed);
      assert.deepEqual(mine.acc.deltas, whole.acc.deltas);
      assert.deepEqual(mine.acc.books, whole.acc.books);
      assert.deepEqual(mine.acc.seen, whole.acc.seen);
    } finally {
      await stop();
    }
  });
}

test('a copy that fails (the counter set to -1) makes the waiting thread give up with that reason, not hang', async () => {
  const cols = stints(3000);
  const copied = counter(500);
  const { reply, stop } = walkOnThread({ cols, parts: 16, next: counter(), copied, firstDay: FIRST, lastDay: FIRST + DAYS - 1, shape });
  try {
    await new Promise((r) => setTimeout(r, 50));
    Atomics.store(copied, 0, -1);
    Atomics.notify(copied, 0);
    const r = await reply;
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, /the copy of the stints failed/);
  } finally {
    await stop();
  }
});
