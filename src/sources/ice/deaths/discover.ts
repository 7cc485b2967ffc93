import type { DiscoveredFile, Effects } from '../../types.js';
import { layoutOf, type Layout } from './columns.js';

export const DEATHS_REPO = 'https://github.com/etchin/ice-detention-mortality';

/**
 * The two CSVs and where the research repository keeps them. ICE publishes the deaths as
 * PDFs (a FOIA list for 2003–2017, one report per death from FY2018); the repository
 * extracted them to CSV. They are fixed paths, not a listing that grows: a fetch asks for
 * each with a conditional request and ingests it only when it changed.
 */
export const DEATH_FILES: ReadonlyArray<{ fileName: string; url: string; layout: Layout }> = [
  { fileName: '_extracted_foia_2003_2017.csv', url: 'https://raw.githubusercontent.com/etchin/ice-detention-mortality/HEAD/data/_extracted_foia_2003_2017.csv', layout: 'foia-list' },
  { fileName: 'detailed_death_data.csv', url: 'https://raw.githubusercontent.com/etchin/ice-detention-mortality/HEAD/data/detailed_death_data.csv', layout: 'report-index' },
];

export function deathFile(fileName: string): { fileName: string; url: string | null; layout: Layout } | undefined {
  const known = DEATH_FILES.find((f) => f.fileName.toLowerCase() === fileName.toLowerCase());
  if (known) return known;
  const layout = layoutOf(fileName);
  return layout ? { fileName, url: null, layout } : undefined;
}

export async function discoverDeaths(fx: Effects): Promise<DiscoveredFile[]> {
  fx.logger.info(`${DEATHS_REPO}: ${DEATH_FILES.length} death lists (fixed paths)`);
  return DEATH_FILES.map(({ fileName, url }) => ({ fileName, url }));
}
