import type { Database } from '../../../../db/connection.js';
import { ORD_SQL, PERSON_KEY_SQL, STAY_LINK_MINUTES, STINT_DIMENSIONS, labelSql, type StintDimension } from './detention.js';

/**
 * The daily population and book-ins of a release in one pass in JavaScript, instead of the lag
 * pass, the exact passes and a dozen aggregations in DuckDB (refresh.ts keeps those as the
 * fallback and the reference). DuckDB reads the stints once, as numbers only (the person's hash,
 * times, dictionary codes through ENUM casts) and sorts them by person on all its threads; each
 * person's few stints are put in book-in order here, and the walk goes through them, keeping the exact running maximum of a
 * person's earlier ends (nationally and per facility), so nobody needs recomputing, and adds each
 * stint's +1/−1 events into one array of [breakdown value][count kind][day]; running sums of those
 * are the daily values. The rules are detention.ts's (effective ranges, attribution, the stay
 * rule, the coverage's day numbers) and the results equal the SQL passes' row for row
 * (test/sources/foia-derive.test.ts compares them on messy releases, and both engines).
 *
 * Tried and left: a bucket sort in JavaScript into packed 64-byte records (about as fast on a quiet
 * machine, more CPU and 640 MB more memory at 10 million stints); gathering unsorted columns by a
 * sorted index (random reads: 6 s at 10 million).
 *
 * Times travel as doubles of epoch microseconds, exact below 2^53 µs (the year 2255); a release
 * with a time beyond that, more than four breakdowns, or so many breakdown values × days that the
 * arrays would not fit, is left to the SQL passes (`sweepDerive` returns undefined).
 */

/** Breakdown values × count kinds × days, summed over the breakdowns, above which the arrays are not built (about 240 MB). */
const MAX_CELLS = 60_000_000;
const EXACT_US = 2 ** 53;
const DAY_US = 86_400_000_000;
const LINK_US = STAY_LINK_MINUTES * 60_000_000;
/** Breakdowns the walk takes (the stint dimensions). */
const MAX_DIMS = 4;

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

/** The name of the ENUM type of a breakdown's labels (the dictionary's, in code order) while the sweep runs. */
const enumType = (releaseId: string, d: StintDimension) => `foia_tmp_labels_${releaseId.replace(/\W/g, '')}_${d}`;

/**
 * The stints matching `where` with a book-in: the person's hash in two halves, times as epoch µs
 * (NaN for none), the tie-break and the breakdown codes. A code is its label cast to an ENUM of the
 * dictionary's labels in code order (a third of the time of a join with the dictionary). The codes
 * come packed in one INTEGER (mixed radix, the first breakdown lowest) when their combinations fit
 * in 31 bits, as they do for ICE's 300-odd facilities, 25 AORs, 3 classes and 200-odd countries:
 * three columns fewer to sort and to read (each column read costs a buffer per 2,048 rows).
 */
function stintsSql(where: string, releaseId: string, input: SweepInput): string {
  const us = (t: string) => `coalesce(CAST(epoch_us(${t}) AS DOUBLE), 'nan'::DOUBLE)`;
  const codes = input.dims.map(({ name: d }) => `CAST(enum_code(CAST(${labelSql(`s.${STINT_DIMENSIONS[d]}`, STINT_DIMENSIONS[d])} AS ${enumType(releaseId, d)})) AS INTEGER)`);
  let radix = 1;
  const packed = codes.map((c, k) => {
    const term = radix === 1 ? c : `${c} * ${radix}`;
    radix *= Math.max(input.dims[k]!.codes, 1);
    return term;
  });
  const codeColumns = packsCodes(input) ? `CAST(${packed.join(' + ')} AS INTEGER) AS codes` : codes.map((c, k) => `${c} AS ${input.dims[k]!.name}`).join(', ');
  const codeNames = packsCodes(input) ? 'codes' : input.dims.map(({ name }) => name).join(', ');
  return `SELECT CAST(h >> 32 AS UINTEGER), CAST(h & 4294967295 AS UINTEGER), t_in, ord, t_out, t_stay, ${codeNames}
    FROM (SELECT hash(${PERSON_KEY_SQL}) AS h, CAST(epoch_us(s.book_in_at) AS DOUBLE) AS t_in, CAST(${ORD_SQL} AS DOUBLE) AS ord,
                 ${us('s.book_out_at')} AS t_out, ${us('s.stay_book_in_at')} AS t_stay, ${codeColumns}
            FROM ${input.from} s
           WHERE s.book_in_at IS NOT NULL AND (${where}))
   ORDER BY h`;
}

/** Whether every combination of the breakdowns' codes fits in one non-negative INTEGER. */
function packsCodes(input: SweepInput): boolean {
  return input.dims.length > 1 && input.dims.reduce((n, d) => n * Math.max(d.codes, 1), 1) < 2 ** 31;
}

/** Reads the stints through the ENUM types of the labels, created for the read and dropped after it. */
async function readStints(db: Database, where: string, params: unknown[], releaseId: string, input: SweepInput) {
  try {
    for (const { name: d } of input.dims) {
      await db.exec(`CREATE TYPE ${enumType(releaseId, d)} AS ENUM (SELECT label FROM ${input.dict} WHERE dimension = '${d}' ORDER BY code)`);
    }
    return await db.readNumberColumns(stintsSql(where, releaseId, input), params as never, input.rowsHint);
  } finally {
    for (const { name: d } of input.dims) await db.exec(`DROP TYPE IF EXISTS ${enumType(releaseId, d)}`);
  }
}

/** The stints in the walk's order (person, book-in, ord: DuckDB's parallel sort), or undefined when a time is beyond the doubles' exact range. */
async function readSorted(db: Database, where: string, params: unknown[], releaseId: string, input: SweepInput): Promise<Stints | undefined> {
  const { columns, rows } = await readStints(db, where, params, releaseId, input);
  const [hi, lo, tIn, ord, tOut, tStay, ...codeColumns] = columns as [Uint32Array, Uint32Array, Float64Array, Float64Array, Float64Array, Float64Array, ...Int32Array[]];
  const limit = EXACT_US - LINK_US;
  // NaN (no time) passes: it compares false
  for (let r = 0; r < rows; r++) if (Math.abs(tIn[r]!) >= limit || Math.abs(tOut[r]!) >= limit || Math.abs(tStay[r]!) >= limit) return undefined;
  // the codes row by row (one typed array in the walk's inner loop), the hash halves as signed (only compared for equality)
  const nDims = input.dims.length;
  const rowCodes = new Int32Array(rows * nDims);
  if (packsCodes(input)) {
    const packed = codeColumns[0]!;
    for (let r = 0; r < rows; r++) {
      let v = packed[r]!;
      for (let d = 0; d < nDims; d++) {
        const n = Math.max(input.dims[d]!.codes, 1);
        rowCodes[r * nDims + d] = v % n;
        v = (v - (v % n)) / n;
      }
    }
  } else {
    codeColumns.forEach((col, d) => {
      for (let r = 0; r < rows; r++) rowCodes[r * nDims + d] = col[r]!;
    });
  }
  const his = new Int32Array(hi.buffer, hi.byteOffset, rows);
  const los = new Int32Array(lo.buffer, lo.byteOffset, rows);
  return { rows, hi: his, lo: los, tIn, tOut, tStay, nDims, codes: rowCodes, order: bookInOrder(his, los, tIn, ord, rows) };
}

/**
 * The walk's order: the rows come sorted by person only (a sort on one 64-bit key, 1.7 s less than
 * on three at 10 million), so each person's few stints are put in book-in, then `ord`, order here.
 */
function bookInOrder(hi: Int32Array, lo: Int32Array, tIn: Float64Array, ord: Float64Array, rows: number): Int32Array {
  const order = new Int32Array(rows);
  for (let r = 0; r < rows; r++) order[r] = r;
  const later = (a: number, b: number) => tIn[a]! > tIn[b]! || (tIn[a] === tIn[b] && ord[a]! > ord[b]!);
  let from = 0;
  while (from < rows) {
    let to = from + 1;
    while (to < rows && hi[to] === hi[from] && lo[to] === lo[from]) to++;
    if (to - from > 64) {
      const sorted = Array.from(order.subarray(from, to)).sort((a, b) => (later(a, b) ? 1 : later(b, a) ? -1 : 0));
      order.set(sorted, from);
    } else {
      for (let k = from + 1; k < to; k++) {
        const x = order[k]!;
        let j = k - 1;
        while (j >= from && later(order[j]!, x)) {
          order[j + 1] = order[j]!;
          j--;
        }
        order[j + 1] = x;
      }
    }
    from = to;
  }
  return order;
}

interface Stints {
  rows: number;
  hi: Int32Array;
  lo: Int32Array;
  tIn: Float64Array;
  tOut: Float64Array;
  tStay: Float64Array;
  nDims: number;
  /** [row][breakdown] */
  codes: Int32Array;
  /** The rows in walk order: person, book-in, ord. */
  order: Int32Array;
}

/** The day number (days since 1970-01-01) of an epoch-µs time, as DuckDB casts a timestamp to a date. */
function dayOf(us: number): number {
  let d = Math.floor(us / DAY_US);
  // the division is rounded; the products are exact below 2^53
  if (d * DAY_US > us) d--;
  else if ((d + 1) * DAY_US <= us) d++;
  return d;
}

interface Accumulators {
  days: number;
  stride: number;
  facilityDim: number;
  /** Where each breakdown's codes start in the arrays below (in codes; the breakdowns follow each other). */
  first: Int32Array;
  /** +1/−1 events [code][day 0 … days][kind], every breakdown's codes in one array (one typed array in the hot loop). */
  deltas: Int32Array;
  /** Whether a code has a non-empty range of either kind. */
  seen: Uint8Array;
  /** Stints per [code][book-in code]. */
  books: Int32Array;
}

/**
 * Walks the records person by person in book-in order (detention.ts has the rules): a stint's day
 * ranges inside the coverage, its effective ranges from the running maximum of the person's
 * earlier ends (nationally, and per facility for the facility breakdown), its events, its book-in.
 * Returns the people whose stints the one-sort SQL pass trusts wrongly (it then recomputes them),
 * counted for the record.
 */
function walk(st: Stints, first: number, last: number, acc: Accumulators): number {
  const { rows, hi: his, lo: los, tIn: tIns, tOut: tOuts, tStay: tStays, codes, nDims, order } = st;
  const { stride, days, facilityDim, first: firstCode, deltas, seen, books } = acc;
  const lastDay = last - first;
  const covered = (d: number) => (d >= first && d <= last ? d - first : -1);
  // the person's facilities so far, with the latest end of each kind there
  let facilities: Int32Array = new Int32Array(16);
  let facA: Int32Array = new Int32Array(16);
  let facM: Int32Array = new Int32Array(16);
  let nFac = 0;
  let n = 0;
  let hi = 0;
  let lo = 0;
  let amax = 0;
  let mmax = 0;
  let prevA = 0;
  let prevM = 0;
  let prev2A = 0;
  let prevLink = 0;
  let prevStay = 0;
  let inexact = false;
  let recomputed = 0;
  for (let p = 0; p < rows; p++) {
    const r = order[p]!;
    if (p === 0 || his[r] !== hi || los[r] !== lo) {
      if (inexact) recomputed++;
      inexact = false;
      n = 0;
      nFac = 0;
      hi = his[r]!;
      lo = los[r]!;
    }
    const tIn = tIns[r]!;
    const tOut = tOuts[r]!;
    const ts = tStays[r]!;
    const inDay = dayOf(tIn);
    const open = tOut !== tOut;
    const outDay = open ? 0 : dayOf(tOut);
    const sd = Math.max(inDay, first) - first;
    const ae = Math.min(Math.max(open ? last : outDay, inDay), last) - first;
    const me = open ? lastDay : Math.min(outDay - 1, last) - first;
    const hasStay = ts === ts;
    const af = n === 0 ? sd : Math.max(sd, amax + 1);
    const mf = n === 0 ? sd : Math.max(sd, mmax + 1);
    // the one-sort SQL pass trusts the previous stint alone; where that is wrong it recomputes the person
    if (n > 0 && (prevA > ae || prevM > me || (n > 1 && prev2A >= sd))) inexact = true;
    const newStay = n === 0 || (hasStay ? prevStay !== ts : tIn > prevLink);
    const atStayStart = !hasStay || tIn <= ts + LINK_US;
    let bookIn: number;
    if (newStay && atStayStart) {
      const d = covered(hasStay ? dayOf(ts) : inDay);
      bookIn = d >= 0 ? 2 * d + 1 : -1;
    } else {
      const d = covered(inDay);
      bookIn = d >= 0 ? 2 * d : -1;
    }
    // per facility: the latest end of the person's earlier stints in the same facility
    let faf = sd;
    let fmf = sd;
    if (facilityDim >= 0) {
      const fc = codes[r * nDims + facilityDim]!;
      let j = 0;
      while (j < nFac && facilities[j] !== fc) j++;
      if (j < nFac) {
        faf = Math.max(sd, facA[j]! + 1);
        fmf = Math.max(sd, facM[j]! + 1);
        if (ae > facA[j]!) facA[j] = ae;
        if (me > facM[j]!) facM[j] = me;
      } else {
        if (nFac === facilities.length) {
          facilities = grow(facilities);
          facA = grow(facA);
          facM = grow(facM);
        }
        facilities[nFac] = fc;
        facA[nFac] = ae;
        facM[nFac] = me;
        nFac++;
      }
    }
    // the national count is summed from an attributed breakdown's afterwards (sweepDerive), as the SQL pass does
    for (let d = 0; d < nDims; d++) {
      const code = firstCode[d]! + codes[r * nDims + d]!;
      const a0 = d === facilityDim ? faf : af;
      const m0 = d === facilityDim ? fmf : mf;
      // [code][day][kind]: a stint's two kinds start on the same day and end a day apart at most, in one cache line
      const base = code * 2 * stride;
      if (a0 <= ae) {
        deltas[base + 2 * a0]!++;
        deltas[base + 2 * (ae + 1)]!--;
        seen[code] = 1;
      }
      if (m0 <= me) {
        deltas[base + 2 * m0 + 1]!++;
        deltas[base + 2 * (me + 1) + 1]!--;
        seen[code] = 1;
      }
      if (bookIn >= 0) books[code * 2 * days + bookIn]!++;
    }
    prev2A = prevA;
    prevA = ae;
    prevM = me;
    amax = n === 0 || ae > amax ? ae : amax;
    mmax = n === 0 || me > mmax ? me : mmax;
    prevLink = open ? Infinity : tOut + LINK_US;
    prevStay = ts;
    n++;
  }
  if (inexact) recomputed++;
  return recomputed;
}

/** A copy of twice the length. */
function grow(a: Int32Array): Int32Array {
  const g = new Int32Array(2 * a.length);
  g.set(a);
  return g;
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
  const sorted = await readSorted(db, where, params, releaseId, input);
  if (!sorted) return undefined;
  step('sweep_read');
  const firstCode = new Int32Array(dims.length + 1);
  dims.forEach((d, x) => (firstCode[x + 1] = firstCode[x]! + d.codes));
  const codes = firstCode[dims.length]!;
  const acc: Accumulators = {
    days,
    stride,
    facilityDim: dims.findIndex((d) => d.name === 'facility'),
    first: firstCode,
    deltas: new Int32Array(codes * 2 * stride),
    seen: new Uint8Array(codes),
    books: new Int32Array(codes * 2 * days),
  };
  const recomputed = walk(sorted, first, first + days - 1, acc);
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
