import * as Plot from '@observablehq/plot';
import type { EventAnnotation } from '../events/events.js';

export interface EventMarkOptions {
  /** Width of the plot area in pixels (the chart's width less its left and right margins); default 640. */
  plotWidth?: number;
  /** Most rows of labels above the frame; default 3. Give the chart `marginTop: eventMarginTop(rows)`. */
  rows?: number;
  color?: string;
}

const ROW_HEIGHT = 13;
const FONT_SIZE = 11;
/** A generous average advance of an 11px sans-serif character, so estimated labels do not collide. */
const CHAR_WIDTH = 6.3;
const GAP = 6;

/** Top margin a chart needs for `rows` rows of event labels (Plot's default is 20). */
export const eventMarginTop = (rows = 3) => 8 + rows * ROW_HEIGHT;

const toDate = (d: string | Date) => (d instanceof Date ? d : new Date(d.length === 7 ? `${d}-01T00:00:00Z` : `${d}T00:00:00Z`));

interface Placed extends EventAnnotation {
  d: Date;
  tip: string;
  row: number;
  /** Written leftwards from its rule (it would run past the right edge otherwise). */
  leftwards: boolean;
}

/**
 * Places labels in date order: each is written rightwards from its rule when it fits before the
 * right edge (else leftwards), on the first row where it does not overlap a label already there.
 * When every row is taken, the row where it overlaps least.
 */
function place(events: Array<EventAnnotation & { d: Date }>, x0: number, x1: number, width: number, rows: number): Placed[] {
  const taken: Array<Array<[number, number]>> = Array.from({ length: rows }, () => []);
  return events.map((e) => {
    const x = x1 > x0 ? ((e.d.getTime() - x0) / (x1 - x0)) * width : 0;
    const w = e.label.length * CHAR_WIDTH;
    const leftwards = x + 3 + w > width && x - 3 - w >= 0 ? true : x + 3 + w > width ? x > width - x : false;
    const span: [number, number] = leftwards ? [x - 3 - w, x - 3] : [x + 3, x + 3 + w];
    const overlaps = (r: number) => taken[r]!.filter(([a, b]) => span[0] < b + GAP && a < span[1] + GAP).length;
    let row = taken.findIndex((_, r) => overlaps(r) === 0);
    if (row < 0) row = taken.map((_, r) => r).sort((a, b) => overlaps(a) - overlaps(b) || a - b)[0]!;
    taken[row]!.push(span);
    return { ...e, tip: `${e.date}: ${e.label}`, row, leftwards };
  });
}

/**
 * Plot marks for dated events on a time chart: a dashed rule at each event's date and its label
 * above the frame, both linking to the event and titled with its date and label (a tooltip).
 * Only events inside the chart's x domain are drawn, so an event never stretches the axis.
 * Labels are stacked on up to `rows` rows so that events a few days apart stay readable; give
 * the chart a top margin of `eventMarginTop(rows)`.
 */
export function eventMarks(domain: readonly [string | Date, string | Date], events: readonly EventAnnotation[], o: EventMarkOptions = {}): Plot.Markish[] {
  const x0 = toDate(domain[0]).getTime();
  const x1 = toDate(domain[1]).getTime();
  const rows = Math.max(1, Math.floor(o.rows ?? 3));
  const color = o.color ?? '#a33';
  const inside = events
    .map((e) => ({ ...e, d: toDate(e.date) }))
    .filter((e) => !Number.isNaN(e.d.getTime()) && e.d.getTime() >= x0 && e.d.getTime() <= x1)
    .sort((a, b) => a.d.getTime() - b.d.getTime() || a.label.localeCompare(b.label));
  if (!inside.length) return [];
  const data = place(inside, x0, x1, o.plotWidth ?? 640, rows);
  const marks: Plot.Markish[] = [Plot.ruleX(data, { x: 'd', stroke: color, strokeDasharray: '3,3', strokeWidth: 1.2, href: 'url', title: 'tip' })];
  for (let row = 0; row < rows; row++) {
    for (const leftwards of [false, true]) {
      const group = data.filter((e) => e.row === row && e.leftwards === leftwards);
      if (!group.length) continue;
      marks.push(
        Plot.text(group, {
          x: 'd',
          frameAnchor: 'top',
          lineAnchor: 'bottom',
          text: 'label',
          // row 0 just above the frame, the next rows above it
          dy: -2 - row * ROW_HEIGHT,
          dx: leftwards ? -3 : 3,
          textAnchor: leftwards ? 'end' : 'start',
          fill: color,
          fontSize: FONT_SIZE,
          href: 'url',
          title: 'tip',
        }),
      );
    }
  }
  return marks;
}
