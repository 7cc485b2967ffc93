import { STAY_LINK_MINUTES } from './detention.js';

/**
 * The sweep's walk (sweep.ts has the method), apart so that a worker thread can load it without
 * DuckDB: on two cores the walk of 10 million stints takes 3–4 s on one thread, while DuckDB,
 * which has finished its sort, idles. The rows are cut into ranges at people's boundaries; each
 * thread walks the ranges it claims into accumulators of its own, which are then added up (every
 * person's events fall in one range).
 */

const DAY_US = 86_400_000_000;

/**
 * The unit and origin of the times as read: `perDay` and `link` (STAY_LINK_MINUTES) in that unit,
 * `none` the value of a missing time, `baseDay` the origin's day number (days since 1970-01-01).
 */
export interface TimeScale {
  name: 'seconds' | 'microseconds';
  perDay: number;
  link: number;
  none: number;
  baseDay: number;
}

/** Whole seconds since 2000-01-01 in 32 bits (1931-12-13 20:45:53 to 2068-01-19 03:14:07 UTC), the usual case: 12 bytes a row fewer to sort and copy than doubles. */
export const SECONDS: TimeScale = { name: 'seconds', perDay: 86_400, link: STAY_LINK_MINUTES * 60, none: -(2 ** 31), baseDay: 10_957 };
/** Epoch microseconds as doubles, exact below 2^53 (the year 2255): for releases with fractions of a second or years outside SECONDS's range. */
export const MICROSECONDS: TimeScale = { name: 'microseconds', perDay: DAY_US, link: STAY_LINK_MINUTES * 60_000_000, none: -Infinity, baseDay: 0 };

/** A column of times in a TimeScale's unit. */
export type Times = Int32Array | Float64Array;

/** The stints as read, sorted on the person's hash: what a thread needs to walk a range of them. */
export interface SweepColumns {
  rows: number;
  /** The person's hash in two halves, as signed (only compared for equality). */
  hi: Int32Array;
  lo: Int32Array;
  /** Times in `scale`'s unit, `scale.none` where there is none (no book-out, no stay start). */
  tIn: Times;
  ord: Float64Array;
  tOut: Times;
  tStay: Times;
  scale: TimeScale;
  /** One column of codes per breakdown, or one packed column (mixed radix, the first breakdown lowest). */
  codeColumns: Int32Array[];
  packed: boolean;
  /** The number of codes of each breakdown. */
  dimCodes: number[];
  /** The rows are sorted on `hi >>> keyShift` only (0 in use; tests sort on fewer bits, so that many people share a key). */
  keyShift: number;
}

/** The shape of the accumulators: what a thread needs to make its own. */
export interface AccumulatorShape {
  days: number;
  stride: number;
  facilityDim: number;
  first: Int32Array;
}

export function accumulators(shape: AccumulatorShape): Accumulators {
  const codes = shape.first[shape.first.length - 1]!;
  return { ...shape, deltas: new Int32Array(codes * 2 * shape.stride), seen: new Uint8Array(codes), books: new Int32Array(codes * 2 * shape.days) };
}

/** Adds `b`'s counts into `a`'s. */
export function addInto(a: Accumulators, b: Pick<Accumulators, 'deltas' | 'seen' | 'books'>): void {
  for (let i = 0; i < a.deltas.length; i++) a.deltas[i]! += b.deltas[i]!;
  for (let i = 0; i < a.seen.length; i++) a.seen[i]! |= b.seen[i]!;
  for (let i = 0; i < a.books.length; i++) a.books[i]! += b.books[i]!;
}

/**
 * Waits until at least `n` rows are in the columns (`copied[0]`, which the thread copying them
 * raises as it goes, and sets to -1 if the copy fails); returns how many are. The wait has a
 * timeout, so a lost wake-up costs a tenth of a second, not the process.
 */
export function waitCopied(copied: Int32Array, n: number): number {
  for (;;) {
    const have = Atomics.load(copied, 0);
    if (have < 0) throw new Error('the copy of the stints failed');
    if (have >= n) return have;
    Atomics.wait(copied, 0, have, 100);
  }
}

/**
 * The first row at or after row `at` (`rows` if none) that starts a new sort key (the upper half of
 * the person's hash): where the stints can be cut (people sharing a key may be interleaved). It
 * reads only rows already copied, waiting for more while the key's run goes on.
 */
export function personBoundary(cols: SweepColumns, at: number, copied: Int32Array): number {
  const { hi, keyShift, rows } = cols;
  let r = Math.max(at, 1);
  for (;;) {
    const have = waitCopied(copied, Math.min(r + 1, rows));
    while (r < have && hi[r]! >>> keyShift === hi[r - 1]! >>> keyShift) r++;
    if (r < have || have >= rows) return Math.min(r, rows);
  }
}

/** Where range `k` of `parts` starts: the first row of a new key at or after its share of the rows (monotone in k). */
function cut(cols: SweepColumns, k: number, parts: number, copied: Int32Array): number {
  if (k === 0) return 0;
  if (k >= parts) {
    waitCopied(copied, cols.rows);
    return cols.rows;
  }
  return personBoundary(cols, Math.floor((cols.rows * k) / parts), copied);
}

/** Rows [from, to) ready for the walk: the codes row by row (one typed array in its inner loop) and the walk's order. */
export function rangeStints(cols: SweepColumns, from: number, to: number): Stints {
  const rows = to - from;
  const nDims = cols.dimCodes.length;
  const codes = new Int32Array(rows * nDims);
  if (cols.packed) {
    const packed = cols.codeColumns[0]!;
    const radix = Int32Array.from(cols.dimCodes, (n) => Math.max(n, 1));
    for (let r = 0, o = 0; r < rows; r++) {
      let v = packed[from + r]!;
      for (let d = 0; d < nDims; d++, o++) {
        // exact for whole numbers below 2^31 (the rounding error is far below 1/n), and twice as fast as %
        const q = (v / radix[d]!) | 0;
        codes[o] = v - q * radix[d]!;
        v = q;
      }
    }
  } else {
    cols.codeColumns.forEach((col, d) => {
      for (let r = 0; r < rows; r++) codes[r * nDims + d] = col[from + r]!;
    });
  }
  const hi = cols.hi.subarray(from, to);
  const lo = cols.lo.subarray(from, to);
  const tIn = cols.tIn.subarray(from, to);
  return {
    rows,
    hi,
    lo,
    tIn,
    tOut: cols.tOut.subarray(from, to),
    tStay: cols.tStay.subarray(from, to),
    scale: cols.scale,
    nDims,
    codes,
    order: bookInOrder(hi, lo, tIn, cols.ord.subarray(from, to), rows, cols.keyShift),
  };
}

/**
 * Walks the rows, cut into `parts` ranges at people's boundaries, into new accumulators, claiming
 * the next range from the shared counter `next[0]` until none is left, so that a thread slowed by
 * the machine takes fewer. The rows may still be arriving (`copied`, see waitCopied): a range is
 * walked once its rows, and the key run that ends it, are in, so a second thread starts on the
 * first ranges while the main thread copies the rest from DuckDB. `firstDay` and `lastDay` are day
 * numbers since 1970-01-01. Returns the accumulators and the people recomputed (walk's count).
 */
export function walkClaimed(cols: SweepColumns, parts: number, next: Int32Array, copied: Int32Array, firstDay: number, lastDay: number, shape: AccumulatorShape) {
  const acc = accumulators(shape);
  let recomputed = 0;
  const { baseDay } = cols.scale;
  for (let k = Atomics.add(next, 0, 1); k < parts; k = Atomics.add(next, 0, 1)) {
    const from = cut(cols, k, parts, copied);
    const to = cut(cols, k + 1, parts, copied);
    if (to > from) recomputed += walk(rangeStints(cols, from, to), firstDay - baseDay, lastDay - baseDay, acc);
  }
  return { acc, recomputed };
}

/**
 * The walk's order. The rows come sorted on the upper half of the person's hash only (`hi >>>
 * keyShift`, a sort on one 32-bit key: 0.4–0.9 s less than on the 64-bit hash at 10 million
 * stints, itself 1.7 s less than on three keys), so the rows of a run with the same key are put in
 * person (hash), book-in, then `ord` order here. Two people share an upper half rarely (about 0.1%
 * of 5 million), so most runs are one person's few stints.
 */
export function bookInOrder(hi: Int32Array, lo: Int32Array, tIn: Times, ord: Float64Array, rows: number, keyShift = 0): Int32Array {
  const order = new Int32Array(rows);
  for (let r = 0; r < rows; r++) order[r] = r;
  const later = (a: number, b: number) => tIn[a]! > tIn[b]! || (tIn[a] === tIn[b] && ord[a]! > ord[b]!);
  let from = 0;
  while (from < rows) {
    let to = from + 1;
    let people = false;
    while (to < rows && hi[to]! >>> keyShift === hi[from]! >>> keyShift) {
      if (hi[to] !== hi[from] || lo[to] !== lo[from]) people = true;
      to++;
    }
    if (people || to - from > 64) {
      const byPerson = (a: number, b: number) => (hi[a] !== hi[b] ? hi[a]! - hi[b]! : lo[a] !== lo[b] ? lo[a]! - lo[b]! : later(a, b) ? 1 : later(b, a) ? -1 : 0);
      order.set(Array.from(order.subarray(from, to)).sort(byPerson), from);
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

export interface Stints {
  rows: number;
  hi: Int32Array;
  lo: Int32Array;
  tIn: Times;
  tOut: Times;
  tStay: Times;
  scale: TimeScale;
  nDims: number;
  /** [row][breakdown] */
  codes: Int32Array;
  /** The rows in walk order: person, book-in, ord. */
  order: Int32Array;
}

/** The day number of a time, counted from the origin of its unit (`perDay`), as DuckDB casts a timestamp to a date: by default epoch µs, days since 1970-01-01. */
export function dayOf(t: number, perDay = DAY_US): number {
  let d = Math.floor(t / perDay);
  // the division is rounded; the products are exact below 2^53
  if (d * perDay > t) d--;
  else if ((d + 1) * perDay <= t) d++;
  return d;
}

export interface Accumulators {
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
 * `first` and `last` are day numbers from the origin of the stints' time scale. Returns the people
 * whose stints the one-sort SQL pass trusts wrongly (it then recomputes them), counted for the record.
 */
export function walk(st: Stints, first: number, last: number, acc: Accumulators): number {
  const { rows, hi: his, lo: los, tIn: tIns, tOut: tOuts, tStay: tStays, codes, nDims, order } = st;
  const { perDay, link, none } = st.scale;
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
    const inDay = dayOf(tIn, perDay);
    const open = tOut === none;
    const outDay = open ? 0 : dayOf(tOut, perDay);
    const sd = Math.max(inDay, first) - first;
    const ae = Math.min(Math.max(open ? last : outDay, inDay), last) - first;
    const me = open ? lastDay : Math.min(outDay - 1, last) - first;
    const hasStay = ts !== none;
    const af = n === 0 ? sd : Math.max(sd, amax + 1);
    const mf = n === 0 ? sd : Math.max(sd, mmax + 1);
    // the one-sort SQL pass trusts the previous stint alone; where that is wrong it recomputes the person
    if (n > 0 && (prevA > ae || prevM > me || (n > 1 && prev2A >= sd))) inexact = true;
    const newStay = n === 0 || (hasStay ? prevStay !== ts : tIn > prevLink);
    const atStayStart = !hasStay || tIn <= ts + link;
    let bookIn: number;
    if (newStay && atStayStart) {
      const d = covered(hasStay ? dayOf(ts, perDay) : inDay);
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
    prevLink = open ? Infinity : tOut + link;
    prevStay = ts;
    n++;
  }
  if (inexact) recomputed++;
  return recomputed;
}

/** A copy of twice the length. */
export function grow(a: Int32Array): Int32Array {
  const g = new Int32Array(2 * a.length);
  g.set(a);
  return g;
}

