import { dayOf, type SweepColumns } from './sweep-walk.js';

/**
 * What refresh.ts's coverage needs, counted from the sweep's columns instead of another scan of
 * the stints (it took 0.4–0.9 s and 0.8–1.9 s of CPU at 10 million): the rows, those without a
 * person or a book-in, and the candidate ends of the coverage as day numbers (days since
 * 1970-01-01), by the rules of refresh.ts's `countsAndCoverage`, which the SQL passes still use
 * and which this must equal (tests compare the two):
 * - first: the first book-out day whose book-outs are at least `share` of the median book-out
 *   day's (median as DuckDB's, interpolated), else the first day with a book-in or a book-out;
 * - last: the last day whose book-ins and book-outs are at least `share` of the median such day's.
 */
export interface CoverageCounts {
  rows: number;
  withoutPerson: number;
  withoutStart: number;
  firstOut: number | null;
  firstDated: number | null;
  lastDated: number | null;
}

/** DuckDB's median (quantile_cont 0.5) of whole numbers. */
function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const pos = (v.length - 1) / 2;
  const lo = Math.floor(pos);
  return v[lo]! + (v[Math.ceil(pos)]! - v[lo]!) * (pos - lo);
}

/**
 * Counts from the columns: `tIn` is +Infinity for a stint without a book-in, `tOut` NaN without a
 * book-out, and `ord` negative for a row without a person.
 */
export function coverageCounts(cols: SweepColumns, share: number): CoverageCounts {
  const { rows, tIn, tOut, ord } = cols;
  let withoutPerson = 0;
  let withoutStart = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < rows; r++) {
    if (ord[r]! < 0) withoutPerson++;
    const i = tIn[r]!;
    if (i === Infinity) withoutStart++;
    else {
      if (i < min) min = i;
      if (i > max) max = i;
    }
    const o = tOut[r]!;
    if (o === o) {
      if (o < min) min = o;
      if (o > max) max = o;
    }
  }
  if (min === Infinity) return { rows, withoutPerson, withoutStart, firstOut: null, firstDated: null, lastDated: null };
  const first = dayOf(min);
  const span = dayOf(max) - first + 1;
  const ins = new Int32Array(span);
  const outs = new Int32Array(span);
  for (let r = 0; r < rows; r++) {
    const i = tIn[r]!;
    if (i !== Infinity) ins[dayOf(i) - first]!++;
    const o = tOut[r]!;
    if (o === o) outs[dayOf(o) - first]!++;
  }
  const outDays: number[] = [];
  const dated: number[] = [];
  let firstDated: number | null = null;
  for (let d = 0; d < span; d++) {
    if (outs[d]! > 0) outDays.push(outs[d]!);
    if (ins[d]! + outs[d]! > 0) {
      dated.push(ins[d]! + outs[d]!);
      firstDated ??= first + d;
    }
  }
  let firstOut: number | null = null;
  if (outDays.length > 0) {
    const least = share * median(outDays);
    for (let d = 0; d < span && firstOut === null; d++) if (outs[d]! > 0 && outs[d]! >= least) firstOut = first + d;
  }
  let lastDated: number | null = null;
  const least = share * median(dated);
  for (let d = span - 1; d >= 0 && lastDated === null; d--) {
    const n = ins[d]! + outs[d]!;
    if (n > 0 && n >= least) lastDated = first + d;
  }
  return { rows, withoutPerson, withoutStart, firstOut, firstDated, lastDated };
}
