import { SourceFormatError } from '../../../lib/errors.js';
import { findFileLinks } from '../../links.js';
import type { DiscoveredFile, Effects } from '../../types.js';

/** The CBP pages that link the encounter CSVs (each file one release). */
export const CBP_PAGES = [
  'https://www.cbp.gov/document/stats/nationwide-encounters',
  'https://www.cbp.gov/document/stats/southwest-land-border-encounters',
];

/**
 * `nationwide-encounters-fy23-fy26-nov-state.csv`, `nationwide-encounters-fy22-fy25-aor.csv`,
 * `sbo-encounters-fy22-fy25-aug.csv`: a span of fiscal years, an optional month for a
 * year-to-date release, and the breakdown.
 */
const FILE_NAME = /^(?:nationwide-encounters-fy\d{2}-fy\d{2}(?:-[a-z]{3,4})?-(?:state|aor)|sbo-encounters-fy\d{2}-fy\d{2}(?:-[a-z]{3,4})?)\.csv$/i;

export function isCbpEncountersFileName(name: string): boolean {
  return FILE_NAME.test(name);
}

/** Both pages are read; finding no CSV on either means the pages were redesigned. */
export async function discoverCbpEncounters(fx: Effects, pages = CBP_PAGES): Promise<DiscoveredFile[]> {
  const out: DiscoveredFile[] = [];
  for (const page of pages) {
    const res = await fx.http.get(page);
    const files = findFileLinks(new TextDecoder('utf-8').decode(res.body), res.url || page, isCbpEncountersFileName);
    fx.logger.info(`${page}: ${files.length} encounter CSV link(s)`);
    out.push(...files);
  }
  if (out.length === 0) {
    throw new SourceFormatError({ file: pages.join(', ') }, 'no encounter CSV link (nationwide-encounters-…csv, sbo-encounters-…csv) was found; the pages may have been redesigned');
  }
  return out;
}
