import { SourceFormatError } from '../../../lib/errors.js';
import { findFileLinks } from '../../links.js';
import type { DiscoveredFile, Effects } from '../../types.js';

/** The OHSS Knowledge of Homeland Security Management page for CBP encounters. */
export const OHSS_ENCOUNTERS_PAGE = 'https://ohss.dhs.gov/khsm/cbp-encounters';

/**
 * `KHSM Encounters (USBP) fy25m11.xlsx`; also the forms a web server may give the
 * same name (`KHSM_Encounters_USBP_fy25m11.xlsx`). The page also links other KHSM
 * downloads (OFO, nationwide), which are other datasets.
 */
const FILE_NAME = /^KHSM[\s_-]+Encounters[\s_-]*\(?USBP\)?(?:[\s_-].*)?\.xlsx$/i;

/** Is `name` (decoded, without path or query) a KHSM USBP encounters workbook? */
export function isOhssEncountersFileName(name: string): boolean {
  return FILE_NAME.test(name);
}

/**
 * Fetch the page and list its USBP workbook links. Finding none is an error: the
 * page links the current file, so an empty list means it was redesigned.
 */
export async function discoverOhssEncounters(fx: Effects, pageUrl = OHSS_ENCOUNTERS_PAGE): Promise<DiscoveredFile[]> {
  const res = await fx.http.get(pageUrl);
  const html = new TextDecoder('utf-8').decode(res.body);
  const files = findFileLinks(html, res.url || pageUrl, isOhssEncountersFileName);
  if (files.length === 0) {
    throw new SourceFormatError(
      { file: pageUrl },
      'no "KHSM Encounters (USBP) ….xlsx" link was found on the page; the page may have been redesigned',
    );
  }
  fx.logger.info(`${pageUrl}: ${files.length} KHSM USBP encounters workbook link(s)`);
  return files;
}
