import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

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
}

const toDate = (d: string) => new Date(d.length === 7 ? `${d}-01T00:00:00Z` : `${d}T00:00:00Z`);

/**
 * A line (or bar) chart rendered to SVG on the server with Observable Plot, so it shows
 * without JavaScript. Partial periods are drawn hollow and named in the legend text.
 */
export function timeChart(points: SeriesPoint[], o: ChartOptions): string {
  const data = points.map((p) => ({ ...p, d: toDate(p.date) }));
  const multi = new Set(points.map((p) => p.series ?? '')).size > 1;
  const marks: Plot.Markish[] = [Plot.ruleY([0])];
  if (o.bars) {
    marks.push(
      Plot.rectY(data, {
        x: 'd',
        y: 'value',
        interval: 'month',
        fill: multi ? 'series' : '#1f5f99',
        fillOpacity: (p: { partial?: boolean }) => (p.partial ? 0.35 : 1),
        title: (p: SeriesPoint) => `${p.series ? p.series + ', ' : ''}${p.date}: ${Math.round(p.value).toLocaleString('en-US')}${p.partial ? ' (partial)' : ''}`,
      }),
    );
  } else {
    marks.push(Plot.lineY(data, { x: 'd', y: 'value', stroke: multi ? 'series' : '#1f5f99', strokeWidth: 2 }));
    marks.push(
      Plot.dot(data, {
        x: 'd',
        y: 'value',
        r: 2.5,
        fill: (p: { partial?: boolean; series?: string }) => (p.partial ? 'white' : multi ? p.series : '#1f5f99'),
        stroke: multi ? 'series' : '#1f5f99',
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
    color: multi ? { legend: true, scheme: 'tableau10' } : undefined,
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
