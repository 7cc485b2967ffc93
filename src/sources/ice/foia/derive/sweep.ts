import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Database, NumberColumn } from '../../../../db/connection.js';
import { ORD_SQL, PERSON_KEY_SQL, STINT_DIMENSIONS, labelSql, type StintDimension } from './detention.js';
import { MICROSECONDS, SECONDS, addInto, dayOf, grow, walkClaimed, type Accumulators, type SweepColumns, type TimeScale, type Times } from './sweep-walk.js';
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
 * Times travel as whole seconds since 2000-01-01 in 32 bits when every time of the release is one
 * (sweep-walk.ts's SECONDS; a row of 32 bytes, where doubles of microseconds made 44: the derivation
 * of 10 million stints 9.7 → 9.4 s, medians of three interleaved processes), otherwise as doubles of epoch
 * microseconds, exact below 2^53 µs (the year 2255). A release with a time beyond that, two
 * combinations of labels under one hash, more than four breakdowns, or so many breakdown values ×
 * days that the arrays would not fit, is left to the SQL passes (`sweepDerive` returns undefined).
 */

/** Breakdown values × count kinds × days, summed over the breakdowns, above which the arrays are not built (about 240 MB). */
const MAX_CELLS = 60_000_000;
/** The stints' times in µs lie strictly inside (-EXACT_US, EXACT_US) for MICROSECONDS (the link added to them stays exact). */
const EXACT_US = 2 ** 53 - MICROSECONDS.link;
/** The latest time SECONDS holds, in its unit (its earliest is one above its `none`). */
const SECONDS_MAX = 2 ** 31 - 1;
const SECOND_US = 1_000_000;
const BASE_US = SECONDS.baseDay * 86_400 * SECOND_US;
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
  /** Stints expected (whether the walk takes a second thread). */
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
  /** The unit the times were read in. */
  timeScale: TimeScale['name'];
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
 * SQL passes). The same scan finds the scale the stints' times fit (undefined for none) and the
 * number of stints the read will return (each joins its own combination).
 */
async function buildCombos(db: Database, where: string, params: unknown[], input: SweepInput): Promise<{ scale: TimeScale; rows: number } | undefined> {
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
     SELECT c.h, c.n, c.merged, c.seconds, c.exact, ${codeColumns}
       FROM (SELECT ${comboKey(input)} AS h, count(*) AS n, min(${check}) <> max(${check}) AS merged,
                    bool_and(${TIMES.map((t) => fitsSeconds(`s.${t}`)).join(' AND ')}) AS seconds,
                    bool_and(${TIMES.map((t) => fitsMicroseconds(`s.${t}`)).join(' AND ')}) AS exact,
                    ${labels.map((l, k) => `any_value(${l}) AS l${k}`).join(', ')}
               FROM ${input.from} s
              WHERE s.book_in_at IS NOT NULL AND (${where})
              GROUP BY 1) c
       ${input.dims.map(({ name }, k) => `JOIN ${input.dict} d${k} ON d${k}.dimension = '${name}' AND d${k}.label = c.l${k}`).join('\n       ')}`,
    params as never,
  );
  const found = await db.one(
    `SELECT count(*) FILTER (WHERE merged) AS merged, coalesce(bool_and(seconds), true) AS seconds, coalesce(bool_and(exact), true) AS exact, coalesce(sum(n), 0) AS n FROM ${COMBOS}`,
  );
  if (Number(found!.merged) > 0) return undefined;
  const scale = found!.seconds ? SECONDS : found!.exact ? MICROSECONDS : undefined;
  return scale && { scale, rows: Number(found!.n) };
}

/** The stints' times the sweep reads. */
const TIMES = ['book_in_at', 'book_out_at', 'stay_book_in_at'] as const;

/** Whether a time is none or a whole second that SECONDS holds (above its `none`). */
const fitsSeconds = (t: string) =>
  `(${t} IS NULL OR (epoch_us(${t}) % ${SECOND_US} = 0 AND epoch_us(${t}) BETWEEN ${BASE_US + (SECONDS.none + 1) * SECOND_US} AND ${BASE_US + SECONDS_MAX * SECOND_US}))`;

/** Whether a time is none or exact as a double of µs with the stay link added. */
const fitsMicroseconds = (t: string) => `(${t} IS NULL OR abs(epoch_us(${t})) < ${EXACT_US})`;

/** A time as the scale has it. */
function timeSql(t: string, scale: TimeScale): string {
  return scale === SECONDS
    ? `coalesce(CAST((epoch_us(${t}) - ${BASE_US}) // ${SECOND_US} AS INTEGER), ${SECONDS.none})`
    : `coalesce(CAST(epoch_us(${t}) AS DOUBLE), '-infinity'::DOUBLE)`;
}

/**
 * The stints matching `where` with a book-in: the person's hash in two halves, times in `scale`'s
 * unit (its `none` for none), the tie-break and the breakdown codes (COMBOS's, joined on the labels' hash).
 */
function stintsSql(where: string, input: SweepInput, scale: TimeScale): string {
  const codeNames = packsCodes(input) ? ['codes'] : input.dims.map(({ name }) => name);
  return `SELECT CAST(h >> 32 AS UINTEGER), CAST(h & 4294967295 AS UINTEGER), t_in, ord, t_out, t_stay, ${codeNames.join(', ')}
    FROM (SELECT hash(${PERSON_KEY_SQL}) AS h, ${timeSql('s.book_in_at', scale)} AS t_in, CAST(${ORD_SQL} AS DOUBLE) AS ord,
                 ${timeSql('s.book_out_at', scale)} AS t_out, ${timeSql('s.stay_book_in_at', scale)} AS t_stay, ${codeNames.map((c) => `c.${c}`).join(', ')}
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

/**
 * The stints sorted on the person's hash (DuckDB's parallel sort), with their codes (COMBOS, made
 * for the read and dropped after it), or undefined when two combinations of labels share a hash or
 * a time is beyond the doubles' exact range.
 */
async function readStints(db: Database, where: string, params: unknown[], input: SweepInput, pipe: Pipe | undefined): Promise<SweepColumns | undefined> {
  try {
    const combos = await buildCombos(db, where, params, input);
    if (!combos) return undefined;
    const { scale, rows } = combos;
    let cols: SweepColumns | undefined;
    const read = await db.readNumberColumns(
      stintsSql(where, input, scale),
      params as never,
      rows,
      pipe && { copied: pipe.copied, rows, onColumns: (columns) => pipe.onColumns((cols = sweepColumns(columns, rows, input, scale))) },
    );
    return cols ?? sweepColumns(read.columns, read.rows, input, scale);
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${COMBOS}`);
  }
}

/** The read's columns as the walk takes them (the hash's halves as signed: they are only compared). */
function sweepColumns(columns: NumberColumn[], rows: number, input: SweepInput, scale: TimeScale): SweepColumns {
  const [hi, lo, tIn, ord, tOut, tStay, ...codeColumns] = columns as [Uint32Array, Uint32Array, Times, Float64Array, Times, Times, ...Int32Array[]];
  const signed = (a: Uint32Array) => new Int32Array(a.buffer, a.byteOffset, rows);
  const cut = <A extends Times>(a: A) => a.subarray(0, rows) as A;
  return {
    rows,
    hi: signed(hi),
    lo: signed(lo),
    tIn: cut(tIn),
    ord: cut(ord),
    tOut: cut(tOut),
    tStay: cut(tStay),
    scale,
    codeColumns: codeColumns.map((c) => c.subarray(0, rows)),
    packed: packsCodes(input),
    dimCodes: input.dims.map((d) => d.codes),
    keyShift: 32 - (input.keyBits ?? 32),
  };
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
  let scale: TimeScale['name'];
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
    const cols = await readStints(db, where, params, input, pipe);
    if (!cols) return undefined;
    scale = cols.scale.name;
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
  return { values: values.done(), bookIns: bookIns.done(), peopleRecomputed: recomputed, timeScale: scale, timings };
}
