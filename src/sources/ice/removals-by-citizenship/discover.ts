import type { DiscoveredFile, Effects } from '../../types.js';
import { FILE_NAME } from './columns.js';

/** ICE's page of annual enforcement reports; the FY2018 report (a PDF) has the table as an appendix. */
export const ICE_REPORTS_PAGE = 'https://www.ice.gov/spotlights/statistics';

export function isIceRemovalsByCitizenshipFileName(name: string): boolean {
  return FILE_NAME.test(name);
}

/**
 * Lists nothing: ICE publishes the table only inside a PDF report; the CSV is a transcription
 * (UWCHR/ice-air), ingested from a folder.
 */
export async function discoverIceRemovalsByCitizenship(fx: Effects): Promise<DiscoveredFile[]> {
  fx.logger.info(`${ICE_REPORTS_PAGE}: ICE removals by country of citizenship are published in PDF reports; ingest the CSV transcription from a folder`);
  return [];
}
