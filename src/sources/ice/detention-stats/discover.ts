import { SourceFormatError } from '../../../lib/errors.js';
import { findFileLinks } from '../../links.js';
import type { DiscoveredFile, Effects } from '../../types.js';

/** The official landing page that links the Detention Statistics workbooks. */
export const DETENTION_STATS_PAGE = 'https://www.ice.gov/detain/detention-management';

/**
 * `FY26_detentionStats_04092026.xlsx`, `FY23_detentionStats221207.xlsx`,
 * `FY22_detentionStats_03172022b.xlsx`, `FY21_detention-stats_0301.xlsx`,
 * `FY20-detentionstats.xlsx`, `FY24_detentionStats.xlsx` and the like: ICE has
 * varied separators, date formats and suffix letters over the years.
 */
const FILE_NAME = /^FY\d{2}(?:\d{2})?[_\- ]?detention[_\- ]?stats(?:[_\- ]?\d{4,8}[a-z]?)?\.xlsx$/i;

/** Is `name` (decoded, without path or query) a Detention Statistics workbook? */
export function isDetentionStatsFileName(name: string): boolean {
  return FILE_NAME.test(name);
}

/**
 * The Detention Statistics workbooks linked from `html` by `<a href>`, resolved
 * against `baseUrl`, deduplicated by absolute URL (fragment dropped), in page order.
 */
export function findDetentionStatsLinks(html: string, baseUrl: string): DiscoveredFile[] {
  return findFileLinks(html, baseUrl, isDetentionStatsFileName);
}

/**
 * Fetch the landing page and list its workbook links. Finding none is an error:
 * the page has always linked at least the current year, so an empty list means the
 * page was redesigned and the extractor needs attention.
 */
export async function discoverDetentionStats(fx: Effects, pageUrl = DETENTION_STATS_PAGE): Promise<DiscoveredFile[]> {
  const res = await fx.http.get(pageUrl);
  const html = new TextDecoder('utf-8').decode(res.body);
  const files = findDetentionStatsLinks(html, res.url || pageUrl);
  if (files.length === 0) {
    throw new SourceFormatError(
      { file: pageUrl },
      'no detentionStats workbook link (FYnn_detentionStats….xlsx) was found on the page; the page may have been redesigned',
    );
  }
  fx.logger.info(`${pageUrl}: ${files.length} detentionStats workbook link(s)`);
  return files;
}

