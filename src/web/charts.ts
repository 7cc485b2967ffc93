import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { esc } from '../server/render/html.js';

const { document } = parseHTML('<!doctype html><html><body></body></html>');

export interface SeriesPoint {
  date: string;
  value: number;
  series?: string;
  partial?: boolean;
}

export interface ChartOptions {
  /** Accessible name of the chart. */
  title: string;
  yLabel: string;
  /** Stated on every chart: "fiscal year (Oct–Sep)" or "calendar date". */
  xLabel: string;
  height?: number;
  width?: number;
  /** Draw bars instead of a line (monthly flows). */
  bars?: boolean;
  /** Dated notes drawn as vertical rules with a label. */
  annotations?: Array<{ date: string; label: string }>;
  /**
   * Break the line where this key changes: a fiscal-year-to-date series restarts every
   * October, and joining September to October would draw a fall that did not happen.
   */
  segment?: (p: SeriesPoint) => string | number;
}

const toDate = (d: string) => new Date(d.length === 7 ? `${d}-01T00:00:00Z` : `${d}T00:00:00Z`);

/**
 * One series as a line (or monthly bars), rendered to SVG on the server with Observable
 * Plot, so it shows without JavaScript. Partial periods are drawn hollow; several series
 * go through lineChart, which draws its own legend.
 */
export function timeChart(points: SeriesPoint[], o: ChartOptions): string {
  const data = points.map((p) => ({ ...p, d: toDate(p.date), seg: o.segment ? o.segment(p) : 0 }));
  const marks: Plot.Markish[] = [Plot.ruleY([0])];
  if (o.bars) {
    marks.push(
      Plot.rectY(data, {
        x: 'd',
        y: 'value',
        interval: 'month',
        fill: '#1f5f99',
        fillOpacity: (p: { partial?: boolean }) => (p.partial ? 0.35 : 1),
        title: (p: SeriesPoint) => `${p.series ? p.series + ', ' : ''}${p.date}: ${Math.round(p.value).toLocaleString('en-US')}${p.partial ? ' (partial)' : ''}`,
      }),
    );
  } else {
    marks.push(Plot.lineY(data, { x: 'd', y: 'value', z: 'seg', stroke: '#1f5f99', strokeWidth: 2 }));
    marks.push(
      Plot.dot(data, {
        x: 'd',
        y: 'value',
        r: 2.5,
        fill: (p: { partial?: boolean }) => (p.partial ? 'white' : '#1f5f99'),
        stroke: '#1f5f99',
        title: (p: SeriesPoint) => `${p.series ? p.series + ', ' : ''}${p.date}: ${Math.round(p.value).toLocaleString('en-US')}${p.partial ? ' (partial)' : ''}`,
      }),
    );
  }
  for (const a of o.annotations ?? []) {
    marks.push(Plot.ruleX([toDate(a.date)], { stroke: '#a33', strokeDasharray: '3,3' }));
    marks.push(Plot.text([a], { x: () => toDate(a.date), frameAnchor: 'top', text: 'label', dy: -2, fill: '#a33', textAnchor: 'start', dx: 3 }));
  }
  const svg = Plot.plot({
    document,
    width: o.width ?? 720,
    height: o.height ?? 260,
    marginLeft: 56,
    style: { fontSize: '12px' },
    x: { type: 'utc', label: o.xLabel },
    y: { label: o.yLabel, grid: true, tickFormat: '~s' },
    marks,
  }) as unknown as { outerHTML: string; setAttribute: (k: string, v: string) => void };
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', o.title);
  return svg.outerHTML;
}

/** A small trend line for a headline figure. */
export function sparkline(values: number[], label: string): string {
  if (values.length < 2) return '';
  const w = 120;
  const h = 28;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const pts = values.map((v, i) => `${((i / (values.length - 1)) * (w - 4) + 2).toFixed(1)},${(h - 2 - ((v - min) / span) * (h - 4)).toFixed(1)}`);
  return `<svg class="spark" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${label}"><polyline fill="none" stroke="#1f5f99" stroke-width="1.5" points="${pts.join(' ')}"/></svg>`;
}

export interface Point {
  date: string;
  value: number;
  series: string;
  partial?: boolean;
}

export interface Line {
  key: string;
  label: string;
  color: string;
  width?: number;
}

const tip = (label: string, p: Point) => `${label}, ${p.date}: ${Math.round(p.value).toLocaleString('en-US')}${p.partial ? ' (partial)' : ''}`;

function finish(svg: unknown, title: string): string {
  const el = svg as { outerHTML: string; setAttribute: (k: string, v: string) => void };
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', title);
  return el.outerHTML;
}

/** The legend as text above a chart (readable at any width, unlike one drawn inside the SVG). */
function legend(lines: Line[], partial: string | undefined): string {
  const items = lines.map(
    (l) =>
      `<span style="white-space:nowrap;margin-right:1em"><span aria-hidden="true" style="display:inline-block;width:1.4em;height:${l.width && l.width > 2 ? 4 : 3}px;vertical-align:middle;background:${l.color}"></span> ${esc(l.label)}</span>`,
  );
  if (partial) {
    items.push(
      `<span style="white-space:nowrap"><span aria-hidden="true" style="display:inline-block;width:.7em;height:.7em;border:2px solid #555;border-radius:50%;vertical-align:middle;background:#fff"></span> ${esc(partial)}</span>`,
    );
  }
  return `<p class="muted" style="margin:.2rem 0;font-size:.88rem">${items.join(' ')}</p>`;
}

/**
 * Several lines over calendar time; partial periods as hollow dots. (Each line is its own
 * mark with its own colour, so a hollow dot never enters a colour scale or the legend.)
 */
/** Several series on one time axis, with its legend above; partial points hollow, gaps not bridged. */
export function lineChart(points: Point[], lines: Line[], o: { title: string; yLabel: string; xLabel: string; partialLabel?: string; maxGapDays: number }): string {
  const marks: Plot.Markish[] = [Plot.ruleY([0])];
  for (const l of lines) {
    const data = points.filter((p) => p.series === l.key).map((p) => ({ ...p, d: toDate(p.date), seg: 0 }));
    if (!data.length) continue;
    // a gap in the data (no release for months) breaks the line rather than bridging it
    data.forEach((p, i) => {
      const prev = data[i - 1];
      p.seg = prev ? prev.seg + (p.d.getTime() - prev.d.getTime() > o.maxGapDays * 86_400_000 ? 1 : 0) : 0;
    });
    marks.push(Plot.lineY(data, { x: 'd', y: 'value', z: 'seg', stroke: l.color, strokeWidth: l.width ?? 2 }));
    marks.push(Plot.dot(data.filter((p) => !p.partial), { x: 'd', y: 'value', r: 2.2, fill: l.color, title: (p: Point) => tip(l.label, p) }));
    marks.push(Plot.dot(data.filter((p) => p.partial), { x: 'd', y: 'value', r: 3.5, fill: 'white', stroke: l.color, strokeWidth: 2, title: (p: Point) => tip(l.label, p) }));
  }
  const svg = Plot.plot({
    document,
    width: 720,
    height: 300,
    marginLeft: 56,
    style: { fontSize: '12px' },
    x: { type: 'utc', label: o.xLabel },
    y: { label: o.yLabel, grid: true, tickFormat: '~s' },
    marks,
  });
  const hasPartial = points.some((p) => p.partial);
  return legend(lines, hasPartial ? (o.partialLabel ?? 'partial period') : undefined) + finish(svg, o.title);
}

export interface FyBar {
  period: string;
  value: number;
  /** Ends before September 30 (the metric's partial flag). */
  partial: boolean;
  /** The fiscal year still running at the newest snapshot: drawn hollow. */
  open: boolean;
}

/** One bar per fiscal year (an ordinal axis: FY2025 is a year, not a date); the running year hollow. */
export function fyBars(rows: FyBar[], o: { title: string; yLabel: string }): string {
  const tipFy = (r: FyBar) => `${r.period}: ${Math.round(r.value).toLocaleString('en-US')}${r.open ? ' (year to date)' : r.partial ? ' (to the last release of the year)' : ''}`;
  const svg = Plot.plot({
    document,
    width: 720,
    height: 290,
    marginLeft: 56,
    marginTop: 24,
    marginBottom: 44,
    style: { fontSize: '12px' },
    x: { type: 'band', label: 'fiscal year (October–September)', labelAnchor: 'center', labelOffset: 38, domain: rows.map((r) => r.period), padding: 0.25 },
    y: { label: o.yLabel, grid: true, tickFormat: '~s' },
    marks: [
      Plot.barY(rows.filter((r) => !r.open), { x: 'period', y: 'value', fill: '#1f5f99', title: tipFy }),
      Plot.barY(rows.filter((r) => r.open), { x: 'period', y: 'value', fill: 'white', stroke: '#1f5f99', strokeWidth: 2, strokeDasharray: '5,3', title: tipFy }),
      Plot.text(rows, { x: 'period', y: 'value', text: (r: FyBar) => `${Math.round(r.value / 1000).toLocaleString('en-US')}k${r.partial ? '*' : ''}`, dy: -7 }),
      Plot.ruleY([0]),
    ],
  });
  return finish(svg, o.title);
}
