import * as Plot from '@observablehq/plot';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseHTML } from 'linkedom';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';
import { esc } from '../server/render/html.js';

const { document } = parseHTML('<!doctype html><html><body></body></html>');

/**
 * U.S. state shapes from the `us-atlas` package (Census Bureau cartographic boundaries,
 * 1:10,000,000), bundled with the app: nothing is fetched when a page is drawn. The
 * `states-albers-10m.json` file is already projected with d3's Albers USA projection
 * (Alaska and Hawaii inset, 975×610), so Plot draws it with the identity projection: the
 * same picture as `projection: 'albers-usa'` on the unprojected file, in a fifth of the
 * time. It has the 50 states and DC; territories (Guam, Puerto Rico…) are not on it, and
 * the map's caller lists them beside the map.
 */
interface Atlas {
  states: FeatureCollection<Geometry, { name: string }>;
  nation: Feature;
  /** Planar bounding box of each state, by FIPS code, to decide where a label fits. */
  boxes: Map<string, [number, number, number, number]>;
}

let atlas: Atlas | undefined;

function loadAtlas(): Atlas {
  if (atlas) return atlas;
  const path = createRequire(import.meta.url).resolve('us-atlas/states-albers-10m.json');
  const topo = JSON.parse(readFileSync(path, 'utf8')) as Topology<{ states: GeometryCollection<{ name: string }>; nation: GeometryCollection }>;
  const states = feature(topo, topo.objects.states) as FeatureCollection<Geometry, { name: string }>;
  const nationFc = feature(topo, topo.objects.nation) as FeatureCollection;
  const boxes = new Map<string, [number, number, number, number]>();
  for (const f of states.features) {
    const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
    const visit = (c: unknown): void => {
      if (Array.isArray(c) && typeof c[0] === 'number') {
        const [x, y] = c as Position;
        box[0] = Math.min(box[0], x!);
        box[1] = Math.min(box[1], y!);
        box[2] = Math.max(box[2], x!);
        box[3] = Math.max(box[3], y!);
      } else if (Array.isArray(c)) for (const x of c) visit(x);
    };
    if (f.geometry && 'coordinates' in f.geometry) visit(f.geometry.coordinates);
    boxes.set(String(f.id), box);
  }
  atlas = { states, nation: nationFc.features[0]!, boxes };
  return atlas;
}

/** FIPS codes of the shapes on the map (the 50 states and DC). */
export function mappedFips(): Set<string> {
  return new Set(loadAtlas().states.features.map((f) => String(f.id)));
}

export interface StateFigure {
  /** Census FIPS code, two digits ('48' = Texas). */
  fips: string;
  /** Shown in the tooltip and as the label: 'TX'. */
  label: string;
  value: number;
}

/** Upper bounds of the colour classes: a class is [break, next break). */
const STEPS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];
const BLUES = ['#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];
const ZERO = '#f4f4f4';

/** Class breaks for values up to `max`: at most seven classes above zero. */
export function classBreaks(max: number): number[] {
  let breaks = STEPS.filter((s) => s <= Math.max(1, max));
  while (breaks.length > 7) breaks = breaks.filter((_, i) => i === 0 || i % 2 === 1);
  return breaks;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Round the numbers of every path's `d` to 0.1 px: a third of the bytes, no visible change. */
function roundPaths(svg: string): string {
  return svg.replace(/ d="([^"]*)"/g, (_m, d: string) => ` d="${d.replace(/-?\d+\.\d+/g, (n) => String(Math.round(Number(n) * 10) / 10))}"`);
}

/**
 * A choropleth of the states, drawn on the server (no script, no tiles): one class colour
 * per state, states with no value in light grey, the value printed on states large enough
 * to hold it, and a tooltip on each. Returns the legend (HTML, above) and the SVG.
 */
export function stateChoropleth(figures: StateFigure[], o: { title: string; unit: string; width?: number }): string {
  const { states, nation, boxes } = loadAtlas();
  const byFips = new Map(figures.map((f) => [f.fips, f]));
  const max = Math.max(0, ...figures.map((f) => f.value));
  const breaks = classBreaks(max);
  const colours = BLUES.slice(1, 1 + breaks.length);
  const colourOf = (v: number) => {
    if (v <= 0) return ZERO;
    let i = 0;
    while (i + 1 < breaks.length && v >= breaks[i + 1]!) i++;
    return colours[i]!;
  };
  const valueOf = (f: Feature) => byFips.get(String(f.id))?.value ?? 0;
  const nameOf = (f: Feature) => (f.properties as { name: string }).name;
  const labelled = states.features.filter((f) => {
    const b = boxes.get(String(f.id));
    return b !== undefined && b[2] - b[0] > 34 && b[3] - b[1] > 24 && valueOf(f) > 0;
  });
  const svg = Plot.plot({
    document,
    width: o.width ?? 720,
    projection: { type: 'identity', domain: nation },
    style: { fontSize: '10px' },
    marks: [
      Plot.geo(states, {
        fill: (f: Feature) => colourOf(valueOf(f)),
        stroke: '#ffffff',
        strokeWidth: 0.6,
        title: (f: Feature) => `${nameOf(f)}: ${fmt(valueOf(f))} ${o.unit}`,
      }),
      Plot.geo(nation, { stroke: '#888', strokeWidth: 0.5, fill: 'none' }),
      Plot.text(
        labelled,
        Plot.centroid({
          text: (f: Feature) => `${byFips.get(String(f.id))?.label ?? ''} ${fmt(valueOf(f))}`,
          fill: '#111',
          // a white halo keeps the label readable on the darkest class and where it runs past the coast
          stroke: '#fff',
          strokeWidth: 2.5,
          paintOrder: 'stroke',
          fontWeight: 600,
        }),
      ),
    ],
  }) as unknown as { outerHTML: string; setAttribute: (k: string, v: string) => void };
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', o.title);
  const classes = breaks.map((b, i) => {
    const next = breaks[i + 1];
    const label = next === undefined ? `${fmt(b)} or more` : next - 1 === b ? fmt(b) : `${fmt(b)}–${fmt(next - 1)}`;
    return [colours[i]!, label] as const;
  });
  const legend = [[ZERO, 'none'] as const, ...classes]
    .map(
      ([c, l]) =>
        `<span style="white-space:nowrap;margin-right:1em"><span aria-hidden="true" style="display:inline-block;width:.9em;height:.9em;vertical-align:middle;background:${c};border:1px solid #ccc"></span> ${esc(l)}</span>`,
    )
    .join(' ');
  return `<p class="muted" style="margin:.2rem 0;font-size:.88rem">${esc(o.unit)}: ${legend}</p>${roundPaths(svg.outerHTML)}`;
}
