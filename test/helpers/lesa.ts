/** Small ERO-LESA files for tests, written in the raw layout, and a repeatable random generator. */
import type { FoiaLayout } from '../../src/sources/ice/foia/layouts.js';

/** A small repeatable generator (mulberry32), so a failing draw can be replayed. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An ERO-LESA CSV's text: the six banner lines (the sixth is `title`), the header of `layout` on
 * line 7, then one line per entry of `rows`, each cell as given (quote it yourself where needed).
 */
export function lesaCsvText(layout: FoiaLayout, title: string, rows: string[][]): string {
  const n = layout.columns.length;
  const banner = ['ERO-LESA Statistical Tracking Unit', 'For Official Use Only (FOUO)/Pre-decisional', '2025-ICLI-00019', 'Please review the last tab for footnotes.', '', title];
  const header = layout.columns.map((c) => (c.header.includes(',') ? `"${c.header}"` : c.header)).join(',');
  return [...banner.map((b) => b + ','.repeat(n - 1)), header, ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

/** A US date-time as ERO-LESA writes it (MM/DD/YYYY HH:MM:00) of an epoch-ms time, in UTC. */
export function lesaStamp(ms: number): string {
  const d = new Date(ms);
  const p = (x: number) => String(x).padStart(2, '0');
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:00`;
}
