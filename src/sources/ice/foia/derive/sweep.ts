import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Database, NumberColumn } from '../../../../db/connection.js';
import { ORD_SQL, PERSON_KEY_SQL, STAY_LINK_MINUTES, STINT_DIMENSIONS, labelSql, type StintDimension } from './detention.js';
import { addInto, dayOf, grow, walkClaimed, type Accumulators, type SweepColumns } from './sweep-walk.js';
import type { WalkJob, WalkReply } from './sweep-worker.js';

/**
 * The daily population and book-ins of a release in one pass in JavaScript, instead of the lag
 * pass, the exact passes and a dozen aggregations in DuckDB (refresh.ts keeps those as the
 * fallback and the reference). DuckDB reads the stints once, as numbers only (the person's hash,
 * times, dictionary codes through the combinations of labels) and sorts them on the person's hash on all its
 * threads; each person's few stints are put in book-in order here (sweep-walk.ts), and the walk
 * goes through them, keeping the exact running maximum of a person's earlier ends (nationally and
 * per facility), so nobody needs recomputing, and adds each stint's +1/−1 events into one array of [breakdown value][count kind][day]; running sums of those
 * are the daily values. The rules are detention.ts's (effective ranges, attribution, the stay
 * rule, the coverage's day numbers) and the results equal the SQL passes' row for row
 * (test/sources/foia-derive.test.ts compares them on messy releases, and both engines).
 *
 * With two cores or more, a large release is walked on two threads, the main one and a worker,
 * each taking ranges of people as it goes (the worker from the first rows the main thread copies
 * out of DuckDB's result): the walk is the one step DuckDB does not spread over the cores.
 *
 * Tried and left: a bucket sort in JavaScript into packed 64-byte records (about as fast on a quiet
 * machine, more CPU and 640 MB more memory at 10 million stints); gathering unsorted columns by a
 * sorted index (random reads: 6 s at 10 million).
 *
 * Times travel as doubles of epoch microseconds, exact below 2^53 µs (the year 2255); a release
 * with a time beyond that, two combinations of labels under one hash, more than four breakdowns, or so many breakdown values × days that the
 * arrays would not fit, is left to the SQL passes (`sweepDerive` returns undefined).
 */

/** Breakdown values × count kinds × days, summed over the breakdowns, above which the arrays are not built (about 240 MB). */
const MAX_CELLS = 60_000_000;
const EXACT_US = 2 ** 53;
const LINK_US = STAY_LINK_MINUTES * 60_000_000;
/** Breakdowns the walk takes (the stint dimensions). */
const MAX_DIMS = 4;
/** Stints from which the walk takes a second thread (below, the thread's start-up costs more than it saves). */
const THREAD_MIN_ROWS = 1_000_000;
/** Ranges the walk is cut into when two threads share it. */
const WALK_PARTS = 16;

export interface SweepInput {
  /** First and last day of the coverage, YYYY-MM-DD. */
  firstDay: string;
  lastDay: string;
  /** Table of the dictionary's codes (dimension, label, code). */
  dict: string;
  /** The breakdowns, in the order of their dimension numbers (1, 2, …; 0 is the national total), and their number of codes. */
  dims: ReadonlyArray<{ name: StintDimension; codes: number }>;
  /** Stints expected (sizes the arrays). */
  rowsHint: number;
  /** Where the stints are read: foia_detention_stints, or a relation with its columns (RefreshOptions.staged). */
  from: string;
  /** Threads for the walk, 1 or 2 (default: 2 from THREAD_MIN_ROWS stints on two cores or more). */
  threads?: number;
  /** Bits of the person's hash DuckDB sorts on, 32 (default) or fewer: tests use fewer, so that many people share a key. */
  keyBits?: number;
  /** The SQL of a combination's key from its labels, instead of their hash: tests use a weak one, so that combinations meet. */
  comboKey?: (labels: string[]) => string;
}

/** Rows as columns of whole numbers. */
export interface IntRows {
  columns: Int32Array[];
  rows: number;
}

export interface SweepResult {
  /** (dim, code, kind, day, people) for every day of every breakdown value seen, both kinds (0 any, 1 midnight). */
  values: IntRows;
  /** (dim, code, book_in, n): stints per breakdown value and book-in code (2 × day + 1 initial, 2 × day transfer). */
  bookIns: IntRows;
  /** People whose stints the one-sort SQL pass could not count exactly (nested or overlapping stints), for the record. */
  peopleRecomputed: number;
  /** Milliseconds per step. */
  timings: Record<string, number>;
}

/** The release's combinations of breakdown labels while the sweep reads: their hash and codes. */
const COMBOS = 'foia_tmp_combos';

/** The breakdowns' labels of a stint (alias s), as the dictionary has them. */
const labelsOf = (input: SweepInput) => input.dims.map(({ name: d }) => labelSql(`s.${STINT_DIMENSIONS[d]}`, STINT_DIMENSIONS[d]));

/** The hash of a stint's combination of labels, the key of COMBOS. */
const comboKey = (input: SweepInput) => input.comboKey?.(labelsOf(input)) ?? `hash(${labelsOf(input).join(', ')})`;

/**
 * COMBOS: one row per hash of a combination of labels among the stints, with the dictionary's codes
 * of its labels, packed in one INTEGER (mixed radix, the first breakdown lowest) when their
 * combinations fit in 31 bits, as they do for ICE's 300-odd facilities, 25 AORs, 3 classes and
 * 200-odd countries: three columns fewer to sort and to read (each column read costs a buffer per
 * 2,048 rows). Some 45,000 combinations at 10 million stints: grouping on one hash and joining on
 * it take 0.8 s, where casting each label to an ENUM of the dictionary took 1.1 s and the joins on
 * labels about 3 s. Returns false when two combinations met under one hash: a second hash, of the
 * labels in reverse order, then differs within the group (the sweep then leaves the release to the
 * SQL passes).
 */
async function buildCombos(db: Database, where: string, params: unknown[], input: SweepInput): Promise<boolean> {
  const labels = labelsOf(input);
  const check = `hash(${[...labels].reverse().join(', ')})`;
  const codes = input.dims.map((_, k) => `CAST(d${k}.code AS INTEGER)`);
  let radix = 1;
  const packed = codes.map((c, k) => {
    const term = radix === 1 ? c : `${c} * ${radix}`;
    radix *= Math.max(input.dims[k]!.codes, 1);
    return term;
  });
  const codeColumns = packsCodes(input) ? `CAST(${packed.join(' + ')} AS INTEGER) AS codes` : codes.map((c, k) => `${c} AS ${input.dims[k]!.name}`).join(', ');
  await db.exec(
    `CREATE OR REPLACE TEMP TABLE ${COMBOS} AS
     SELECT c.h, c.merged, ${codeColumns}
       FROM (SELECT ${comboKey(input)} AS h, min(${check}) <> max(${check}) AS merged, ${labels.map((l, k) => `any_value(${l}) AS l${k}`).join(', ')}
               FROM ${input.from} s
              WHERE s.book_in_at IS NOT NULL AND (${where})
              GROUP BY 1) c
       ${input.dims.map(({ name }, k) => `JOIN ${input.dict} d${k} ON d${k}.dimension = '${name}' AND d${k}.label = c.l${k}`).join('\n       ')}`,
    params as never,
  );
  return Number((await db.one(`SELECT count(*) FILTER (WHERE merged) AS n FROM ${COMBOS}`))!.n) === 0;
}

/**
 * The stints matching `where` with a book-in: the person's hash in two halves, times as epoch µs
 * (NaN for none), the tie-break and the breakdown codes (COMBOS's, joined on the labels' hash).
 */
function stintsSql(where: string, input: SweepInput): string {
  const us = (t: string) => `coalesce(CAST(epoch_us(${t}) AS DOUBLE), 'nan'::DOUBLE)`;
  const codeNames = packsCodes(input) ? ['codes'] : input.dims.map(({ name }) => name);
  return `SELECT CAST(h >> 32 AS UINTEGER), CAST(h & 4294967295 AS UINTEGER), t_in, ord, t_out, t_stay, ${codeNames.join(', ')}
    FROM (SELECT hash(${PERSON_KEY_SQL}) AS h, CAST(epoch_us(s.book_in_at) AS DOUBLE) AS t_in, CAST(${ORD_SQL} AS DOUBLE) AS ord,
                 ${us('s.book_out_at')} AS t_out, ${us('s.stay_book_in_at')} AS t_stay, ${codeNames.map((c) => `c.${c}`).join(', ')}
            FROM ${input.from} s
            JOIN ${COMBOS} c ON c.h = ${comboKey(input)}
           WHERE s.book_in_at IS NOT NULL AND (${where}))
   ORDER BY CAST(h >> ${64 - (input.keyBits ?? 32)} AS UINTEGER)`;
}

/** Whether every combination of the breakdowns' codes fits in one non-negative INTEGER. */
function packsCodes(input: SweepInput): boolean {
  return input.dims.length > 1 && input.dims.reduce((n, d) => n * Math.max(d.codes, 1), 1) < 2 ** 31;
}

/** The columns' copy shared with a thread that walks them as they arrive (sweep-walk.ts's waitCopied). */
interface Pipe {
  copied: Int32Array;
  /** Called once, with the columns at their final size, when the first rows are in. */
  onColumns: (cols: SweepColumns) => void;
}

/** Reads the stints with their codes (COMBOS, made for the read and dropped after it), or undefined when two combinations of labels share a hash. */
async function readStints(db: Database, where: string, params: unknown[], input: SweepInput, pipe: Pipe | undefined) {
  try {
    if (!(await buildCombos(db, where, params, input))) return undefined;
    let cols: SweepColumns | undefined;
    const read = await db.readNumberColumns(
      stintsSql(where, input),
      params as never,
      input.rowsHint,
      pipe && { copied: pipe.copied, onColumns: (columns, rows) => pipe.onColumns((cols = sweepColumns(columns, rows, input))) },
    );
    return cols ?? sweepColumns(read.columns, read.rows, input);
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${COMBOS}`);
  }
}

/** The read's columns as the walk takes them (the hash's halves as signed: they are only compared). */
function sweepColumns(columns: NumberColumn[], rows: number, input: SweepInput): SweepColumns {
  const [hi, lo, tIn, ord, tOut, tStay, ...codeColumns] = columns as [Uint32Array, Uint32Array, Float64Array, Float64Array, Float64Array, Float64Array, ...Int32Array[]];
  const signed = (a: Uint32Array) => new Int32Array(a.buffer, a.byteOffset, rows);
  const f64 = (a: Float64Array) => a.subarray(0, rows);
  return {
    rows,
    hi: signed(hi),
    lo: signed(lo),
    tIn: f64(tIn),
    ord: f64(ord),
    tOut: f64(tOut),
    tStay: f64(tStay),
    codeColumns: codeColumns.map((c) => c.subarray(0, rows)),
    packed: packsCodes(input),
    dimCodes: input.dims.map((d) => d.codes),
    keyShift: 32 - (input.keyBits ?? 32),
  };
}

/**
 * The stints sorted on the person's hash (DuckDB's parallel sort), or undefined when a time is
 * beyond the doubles' exact range (a thread already walking them is then stopped by the caller).
 */
async function readColumns(db: Database, where: string, params: unknown[], input: SweepInput, pipe: Pipe | undefined): Promise<SweepColumns | undefined> {
  const cols = await readStints(db, where, params, input, pipe);
  if (!cols) return undefined;
  const { rows, tIn, tOut, tStay } = cols;
  const limit = EXACT_US - LINK_US;
  // NaN (no time) passes: it compares false
  for (let r = 0; r < rows; r++) if (Math.abs(tIn[r]!) >= limit || Math.abs(tOut[r]!) >= limit || Math.abs(tStay[r]!) >= limit) return undefined;
  return cols;
}

/** A worker thread that walks a range of the stints (sweep-worker.ts), stopped by `close`. */
class WalkThread {
  private readonly worker = new Worker(new URL('./sweep-worker-entry.cjs', import.meta.url));
  private failed?: Error;

  constructor() {
    this.worker.on('error', (err) => (this.failed = err));
  }

  walk(job: WalkJob): Promise<Extract<WalkReply, { ok: true }>> {
    return new Promise((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      const onExit = (code: number) => reject(this.failed ?? new Error(`the sweep's thread exited with code ${code}`));
      this.worker.once('exit', onExit);
      this.worker.once('message', (m: WalkReply) => {
        this.worker.off('exit', onExit);
        if (m.ok) resolve(m);
        else reject(new Error(`the sweep's thread failed: ${m.error}`));
      });
      this.worker.postMessage(job);
    });
  }

  close(): void {
    void this.worker.terminate();
  }
}

/** A growable set of rows of four or five whole numbers. */
class RowBuffer {
  columns: Int32Array[];
  rows = 0;
  constructor(width: number, capacity: number) {
    this.columns = Array.from({ length: width }, () => new Int32Array(Math.max(capacity, 16)));
  }
  push(a: number, b: number, c: number, d: number, e = 0): void {
    if (this.rows === this.columns[0]!.length) this.columns = this.columns.map(grow);
    const cols = this.columns;
    const r = this.rows++;
    cols[0]![r] = a;
    cols[1]![r] = b;
    cols[2]![r] = c;
    cols[3]![r] = d;
    if (cols.length > 4) cols[4]![r] = e;
  }
  done(): IntRows {
    return { columns: this.columns.map((c) => c.subarray(0, this.rows)), rows: this.rows };
  }
}

export async function sweepDerive(db: Database, releaseId: string, input: SweepInput): Promise<SweepResult | undefined> {
  const where = 's.release_id = $1';
  const params = [releaseId];
  const { dims } = input;
  const first = dayOf(Date.parse(input.firstDay) * 1000);
  const days = dayOf(Date.parse(input.lastDay) * 1000) - first + 1;
  const stride = days + 1;
  const cells = dims.reduce((n, d) => n + d.codes * (2 * stride + 2 * days), 0);
  if (cells > MAX_CELLS || dims.length > MAX_DIMS) return undefined;
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - mark);
    mark = now;
  };
  const firstCode = new Int32Array(dims.length + 1);
  dims.forEach((d, x) => (firstCode[x + 1] = firstCode[x]! + d.codes));
  let acc: Accumulators;
  let recomputed: number;
  const threads = input.threads ?? (input.rowsHint >= THREAD_MIN_ROWS && availableParallelism() >= 2 ? 2 : 1);
  // started before the read, so that its start-up (tsx, about 0.3 s) is over when the rows are
  const thread = threads > 1 ? new WalkThread() : undefined;
  const shape = { days, stride, facilityDim: dims.findIndex((d) => d.name === 'facility'), first: firstCode };
  const last = first + days - 1;
  const parts = thread ? WALK_PARTS : 1;
  // the counters of claimed ranges and of rows copied so far, shared with the thread
  const next = new Int32Array(new SharedArrayBuffer(4));
  const copied = new Int32Array(new SharedArrayBuffer(4));
  let other: Promise<Extract<WalkReply, { ok: true }>> | undefined;
  try {
    // the thread starts walking the first ranges while this one copies the rest from DuckDB
    const pipe = thread && {
      copied,
      onColumns: (cols: SweepColumns) => {
        other = thread.walk({ cols, parts, next, copied, firstDay: first, lastDay: last, shape });
        // awaited below; if this thread's walk throws first, the thread is stopped and its rejection is moot
        other.catch(() => {});
      },
    };
    const cols = await readColumns(db, where, params, input, pipe);
    if (!cols) return undefined;
    step('sweep_read');
    Atomics.store(copied, 0, cols.rows);
    ({ acc, recomputed } = walkClaimed(cols, parts, next, copied, first, last, shape));
    if (other) {
      const theirs = await other;
      addInto(acc, theirs);
      recomputed += theirs.recomputed;
    }
  } finally {
    thread?.close();
  }
  step('sweep_walk');
  const values = new RowBuffer(5, 1 << 16);
  const emit = (dim: number, code: number, arr: Int32Array, base: number) => {
    for (let kind = 0; kind < 2; kind++) {
      let people = 0;
      for (let day = 0; day < days; day++) {
        people += arr[base + 2 * day + kind]!;
        values.push(dim, code, kind, day, people);
      }
    }
  };
  // the national total: the events of an attributed breakdown (each person-day once), summed over its codes
  const attributed = dims.findIndex((d) => d.name !== 'facility');
  const national = new Int32Array(2 * stride);
  let nationalSeen = false;
  for (let c = firstCode[attributed]!; c < firstCode[attributed + 1]!; c++) {
    if (!acc.seen[c]) continue;
    nationalSeen = true;
    for (let k = 0; k < 2 * stride; k++) national[k]! += acc.deltas[c * 2 * stride + k]!;
  }
  if (nationalSeen) emit(0, 0, national, 0);
  dims.forEach((d, x) => {
    for (let code = 0; code < d.codes; code++) if (acc.seen[firstCode[x]! + code]) emit(x + 1, code, acc.deltas, (firstCode[x]! + code) * 2 * stride);
  });
  const bookIns = new RowBuffer(4, 1 << 12);
  for (let j = 0; j < acc.books.length; j++) {
    if (acc.books[j]! === 0) continue;
    const code = Math.floor(j / (2 * days));
    let x = 0;
    while (code >= firstCode[x + 1]!) x++;
    bookIns.push(x + 1, code - firstCode[x]!, j % (2 * days), acc.books[j]!);
  }
  step('sweep_values');
  return { values: values.done(), bookIns: bookIns.done(), peopleRecomputed: recomputed, timings };
}
