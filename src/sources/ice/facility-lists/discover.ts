import { findFileLinks } from '../../links.js';
import type { DiscoveredFile, Effects } from '../../types.js';

/** The page that links the over-72-hour list (the same page as the detention statistics). */
export const FACILITY_LISTS_PAGE = 'https://www.ice.gov/detain/detention-management';

/**
 * ICE's facility lists by file name: `ICE_Facility_List_11-06-2017-web.xlsx`,
 * `2015IceDetentionFacilityListing.xlsx`, `Over72HourFacilities.xlsx` and the 2009 FOIA
 * list `09foia5638detentionfacilitylist.xls`. The detention-statistics workbooks
 * (`FY26_detentionStats….xlsx`) never match.
 */
const FILE_NAMES = [/^ICE_Facility_List_[\d-]+(?:-web)?\.xlsx$/i, /^\d{4}IceDetentionFacilityListing\.xlsx$/i, /^Over72HourFacilities\.xlsx$/i, /detentionfacilitylist\.xlsx?$/i];

export function isFacilityListFileName(name: string): boolean {
  return FILE_NAMES.some((re) => re.test(name));
}

/** Where ICE published the lists it still links or once linked at a known address. */
const KNOWN_URLS: Record<string, string> = {
  'over72hourfacilities.xlsx': 'https://www.ice.gov/doclib/detention/Over72HourFacilities.xlsx',
  '2015icedetentionfacilitylisting.xlsx': 'https://www.ice.gov/doclib/foia/dfs/2015IceDetentionFacilityListing.xlsx',
};

export function facilityListUrl(fileName: string): string | null {
  return KNOWN_URLS[fileName.toLowerCase()] ?? null;
}

/**
 * The facility lists linked from the detention-management page (today the over-72-hour
 * list). The older lists are historical FOIA releases that no page links any more: they
 * are ingested from files. A page without a list link is logged, not an error: the page's
 * purpose is the detention statistics, whose own discovery fails when it is redesigned.
 */
export async function discoverFacilityLists(fx: Effects, pageUrl = FACILITY_LISTS_PAGE): Promise<DiscoveredFile[]> {
  const res = await fx.http.get(pageUrl);
  const files = findFileLinks(new TextDecoder('utf-8').decode(res.body), res.url || pageUrl, isFacilityListFileName);
  if (files.length === 0) fx.logger.warn(`${pageUrl}: no facility list link (Over72HourFacilities.xlsx) found`);
  else fx.logger.info(`${pageUrl}: ${files.length} facility list link(s)`);
  return files;
}
