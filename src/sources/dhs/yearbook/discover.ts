import type { DiscoveredFile, Effects } from '../../types.js';
import { parseYearbookFileName } from './layouts.js';

/** The OHSS page of the Yearbook of Immigration Statistics (one page per yearbook, one per table). */
export const YEARBOOK_PAGE = 'https://ohss.dhs.gov/topics/immigration/yearbook';

/** The OHSS web page of one table, which the CSV is an export of: `…/yearbook/2022/table42`. */
export function yearbookTableUrl(fileName: string): string | null {
  const name = parseYearbookFileName(fileName);
  return name ? `${YEARBOOK_PAGE}/${name.yearbook}/table${name.tableNumber}` : null;
}

/** `Yearbook2022_Table42…_D.csv`: the name a table part's CSV export has (see layouts.ts). */
export function isYearbookFileName(name: string): boolean {
  return parseYearbookFileName(name) !== undefined;
}

/**
 * Lists nothing: OHSS publishes these tables as HTML tables on its web pages (and as xlsx
 * downloads not yet read by the tracker); the CSVs are exports of those HTML tables made outside
 * the tracker. They are ingested from a folder (`tracker ingest DIR`, `start --from DIR`).
 */
export async function discoverYearbook(fx: Effects): Promise<DiscoveredFile[]> {
  fx.logger.info(`${YEARBOOK_PAGE}: the yearbook enforcement tables are HTML pages, not files; ingest their CSV exports from a folder`);
  return [];
}
