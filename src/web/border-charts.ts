import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { esc } from '../server/render/html.js';

const { document } = parseHTML('<!doctype html><html><body></body></html>');

export interface StackKey {
  key: string;
  label: string;
  color: string;
}

export interface MonthPoint {
  /** YYYY-MM */
  month: string;
  key: string;
  value: number;
  partial?: boolean;
}

/** A dated stretch drawn as a shaded band with a label (Title 42: 2020-03-01 to 2023-05-11). */
export interface Band {
  from: string;
  /** Last day, inclusive. */
  to: string;
  label: string;
}

const monthStart = (m: string) => new Date(`${m}-01T00:00:00Z`);
const nextMonth = (m: string) => {
  const d = monthStart(m);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
};
const int = (v: number) => Math.round(v).toLocaleString('en-US');

function finish(svg: unknown, title: string): string {
  const el = svg as { outerHTML: string; setAttribute: (k: string, v: string) => void };
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', title);
  return el.outerHTML;
}

/** Swatches as HTML above the chart, readable at any width. */
export function swatches(keys: StackKey[], extra: string[] = []): string {
  const items = keys.map(
    (k) => `<span style="white-space:nowrap;margin-right:1em"><span aria-hidden="true" style="display:inline-block;width:.9em;height:.9em;vertical-align:middle;background:${k.color}"></span> ${esc(k.label)}</span>`,
  );
  return `<p class="muted" style="margin:.2rem 0;font-size:.88rem">${[...items, ...extra].join(' ')}</p>`;
}

const BAND_SWATCH = (label: string) =>
  `<span style="white-space:nowrap;margin-right:1em"><span aria-hidden="true" style="display:inline-block;width:1.4em;height:.9em;vertical-align:middle;background:#efe3cf;border:1px solid #c9a86a"></span> ${esc(label)}</span>`;
const PARTIAL_SWATCH = `<span style="white-space:nowrap"><span aria-hidden="true" style="display:inline-block;width:.9em;height:.9em;vertical-align:middle;background:#1f5f99;opacity:.35"></span> partial month (pale)</span>`;

/**
 * Monthly bars stacked by a dimension (the parts add up to the whole, so a stack shows
 * both), partial months pale, and an optional dated band behind them. The x domain is
 * the data's own months: a band that began earlier is cut at the first month rather
 * than stretching the axis over months with no data.
 */
export function stackedMonths(points: MonthPoint[], keys: StackKey[], o: { title: string; yLabel: string; band?: Band; height?: number }): string {
  const months = [...new Set(points.map((p) => p.month))].sort();
  const first = months[0];
  const last = months.at(-1);
  if (!first || !last) return '';
  const x0 = monthStart(first);
  const x1 = nextMonth(last);
  const present = keys.filter((k) => points.some((p) => p.key === k.key));
  const label = new Map(keys.map((k) => [k.key, k.label]));
  const data = points.map((p) => ({ ...p, d: monthStart(p.month), series: label.get(p.key) ?? p.key }));
  const marks: Plot.Markish[] = [];
  let bandShown = false;
  if (o.band) {
    const from = new Date(Math.max(new Date(`${o.band.from}T00:00:00Z`).getTime(), x0.getTime()));
    const to = new Date(Math.min(new Date(`${o.band.to}T00:00:00Z`).getTime() + 86_400_000, x1.getTime()));
    if (from < to) {
      bandShown = true;
      marks.push(Plot.rectX([{ from, to }], { x1: 'from', x2: 'to', fill: '#efe3cf', fillOpacity: 0.8 }));
      marks.push(Plot.text([{ from }], { x: 'from', frameAnchor: 'top', text: () => o.band!.label, textAnchor: 'start', dx: 4, dy: 4, fill: '#7a5a1e', fontWeight: 600 }));
    }
  }
  marks.push(
    Plot.rectY(data, {
      x: 'd',
      y: 'value',
      interval: 'month',
      fill: 'key',
      z: 'key',
      order: present.map((k) => k.key),
      fillOpacity: (p: MonthPoint) => (p.partial ? 0.35 : 1),
      title: (p: MonthPoint & { series: string }) => `${p.series}, ${p.month}: ${int(p.value)}${p.partial ? ' (partial month)' : ''}`,
    }),
  );
  marks.push(Plot.ruleY([0]));
  const svg = Plot.plot({
    document,
    width: 720,
    height: o.height ?? 300,
    marginLeft: 56,
    marginTop: 22,
    marginBottom: 44,
    style: { fontSize: '12px' },
    x: { type: 'utc', domain: [x0, x1], label: 'calendar month', labelAnchor: 'center', labelOffset: 38 },
    y: { label: o.yLabel, grid: true, tickFormat: '~s' },
    color: { domain: present.map((k) => k.key), range: present.map((k) => k.color) },
    marks,
  });
  const extra = [...(bandShown && o.band ? [BAND_SWATCH(o.band.label)] : []), ...(points.some((p) => p.partial) ? [PARTIAL_SWATCH] : [])];
  return swatches(present, extra) + finish(svg, o.title);
}

export interface YearBar {
  period: string;
  value: number;
  /** Fewer than twelve months in the data (or the year's last month incomplete). */
  partial: boolean;
}

const short = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : `${Math.round(v / 1000).toLocaleString('en-US')}k`);

/**
 * One bar per year on an ordinal axis (FY2025 is a year, not a date); partial years
 * hollow and starred. A long series (OHSS since FY2000) labels every few years and
 * leaves the values to the table, or the labels would run into each other.
 */
export function yearBars(rows: YearBar[], o: { title: string; yLabel: string; xLabel: string }): string {
  const tip = (r: YearBar) => `${r.period}: ${int(r.value)}${r.partial ? ' (partial year)' : ''}`;
  const step = Math.ceil(rows.length / 12);
  const shown = new Set(rows.filter((_, i) => (rows.length - 1 - i) % step === 0).map((r) => r.period));
  const marks: Plot.Markish[] = [
    Plot.barY(rows.filter((r) => !r.partial), { x: 'period', y: 'value', fill: '#1f5f99', title: tip }),
    Plot.barY(rows.filter((r) => r.partial), { x: 'period', y: 'value', fill: 'white', stroke: '#1f5f99', strokeWidth: 2, strokeDasharray: '5,3', title: tip }),
    Plot.ruleY([0]),
  ];
  if (step === 1) marks.push(Plot.text(rows, { x: 'period', y: 'value', text: (r: YearBar) => `${short(r.value)}${r.partial ? '*' : ''}`, dy: -7 }));
  else marks.push(Plot.text(rows.filter((r) => r.partial), { x: 'period', y: 'value', text: () => '*', dy: -7 }));
  const svg = Plot.plot({
    document,
    width: 720,
    height: 280,
    marginLeft: 56,
    marginTop: 24,
    marginBottom: 44,
    style: { fontSize: '12px' },
    x: { type: 'band', label: o.xLabel, labelAnchor: 'center', labelOffset: 38, domain: rows.map((r) => r.period), padding: step === 1 ? 0.25 : 0.15, tickFormat: (d: string) => (shown.has(d) ? d : '') },
    y: { label: o.yLabel, grid: true, tickFormat: '~s' },
    marks,
  });
  return finish(svg, o.title);
}

export interface NamedValue {
  label: string;
  value: number;
  /** Drawn in grey: a remainder such as CBP's OTHER, not one country. */
  remainder?: boolean;
}

/** Horizontal bars, largest first, for a ranking (countries of citizenship). */
export function rankBars(rows: NamedValue[], o: { title: string; xLabel: string }): string {
  if (rows.length === 0) return '';
  const svg = Plot.plot({
    document,
    width: 720,
    height: 40 + rows.length * 24,
    marginLeft: 200,
    marginRight: 70,
    style: { fontSize: '12px' },
    x: { label: o.xLabel, grid: true, tickFormat: '~s' },
    y: { label: null, domain: rows.map((r) => r.label) },
    marks: [
      Plot.barX(rows, { y: 'label', x: 'value', fill: (r: NamedValue) => (r.remainder ? '#9aa5b1' : '#1f5f99'), title: (r: NamedValue) => `${r.label}: ${int(r.value)}` }),
      Plot.text(rows, { y: 'label', x: 'value', text: (r: NamedValue) => int(r.value), textAnchor: 'start', dx: 4 }),
      Plot.ruleX([0]),
    ],
  });
  return finish(svg, o.title);
}
