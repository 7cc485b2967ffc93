import { SourceFormatError } from '../../../lib/errors.js';
import { findFileLinks } from '../../links.js';
import type { DiscoveredFile, Effects } from '../../types.js';

/** The Deportation Data Project's ICE data page, which links its derived tables. */
export const DDP_ICE_PAGE = 'https://deportationdata.org/data/ice.html';

/**
 * `facilities-daily-population-latest.parquet`, and a dated or versioned copy of it
 * (`facilities-daily-population-2026-04-01.parquet`) should DDP link one. The page also
 * links the same table as CSV, Stata and Excel, and other tables: those are not this dataset.
 */
const FILE_NAME = /^facilities-daily-population(?:-[a-z0-9][a-z0-9_.-]*)?\.parquet$/i;

export function isDdpFacilityPopulationFileName(name: string): boolean {
  return FILE_NAME.test(name);
}

/** Reads the page and lists its daily-population parquet links; none means the page changed. */
export async function discoverDdpFacilityPopulation(fx: Effects, page = DDP_ICE_PAGE): Promise<DiscoveredFile[]> {
  const res = await fx.http.get(page);
  const files = findFileLinks(new TextDecoder('utf-8').decode(res.body), res.url || page, isDdpFacilityPopulationFileName);
  if (files.length === 0) {
    throw new SourceFormatError({ file: page }, 'no facilities-daily-population….parquet link was found on the page; it may have been redesigned or the file renamed');
  }
  fx.logger.info(`${page}: ${files.length} daily facility population parquet link(s)`);
  return files;
}
