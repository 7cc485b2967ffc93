import { SourceFormatError } from '../../../lib/errors.js';
import { findFileLinks } from '../../links.js';
import type { DiscoveredFile, Effects } from '../../types.js';

/** The OHSS page that links the current monthly tables workbook. */
export const OHSS_MONTHLY_PAGE = 'https://ohss.dhs.gov/topics/immigration/immigration-enforcement/immigration-enforcement-and-legal-processes-monthly';

/**
 * `24-0809_ohss_immigration-enforcement-and-legal-processes-tables-april-2024.xlsx`,
 * `2024_1206_ohss_immigration-enforcement-and-legal-processes-tables-august-2024.xlsx`,
 * `24-1011_…-june-2024_2.xlsx`: a date prefix (YY-MMDD_ until October 2024, YYYY_MMDD_ since),
 * the data month, and sometimes a `_2` for a re-upload. The prefix is optional, as is the `_`
 * or `-` a server may substitute.
 */
const FILE_NAME = /^(?:\d{2,4}[-_]\d{4}[-_])?ohss[-_]immigration[-_]enforcement[-_]and[-_]legal[-_]processes[-_]tables?[-_][a-z]+[-_]\d{4}(?:[-_]\d+)?\.xlsx$/i;

export function isOhssMonthlyFileName(name: string): boolean {
  return FILE_NAME.test(name);
}

/**
 * Fetch the page and list its workbook links. Finding none is an error: the page links the
 * current release, so an empty list means it was redesigned or renamed its files.
 */
export async function discoverOhssMonthly(fx: Effects, pageUrl = OHSS_MONTHLY_PAGE): Promise<DiscoveredFile[]> {
  const res = await fx.http.get(pageUrl);
  const files = findFileLinks(new TextDecoder('utf-8').decode(res.body), res.url || pageUrl, isOhssMonthlyFileName);
  if (files.length === 0) {
    throw new SourceFormatError(
      { file: pageUrl },
      'no "…_ohss_immigration-enforcement-and-legal-processes-tables-<month>-<year>.xlsx" link was found on the page; the page may have been redesigned',
    );
  }
  fx.logger.info(`${pageUrl}: ${files.length} monthly tables workbook link(s)`);
  return files;
}
