import { cbpEncounters } from './cbp/encounters/index.js';
import { ddpFacilityPopulation } from './ddp/facility-population/index.js';
import { ddpRecordDatasets } from './ddp/records/index.js';
import { dhsOhssEncounters } from './dhs/ohss-encounters/index.js';
import { dhsOhssMonthly } from './dhs/ohss-monthly/index.js';
import { dhsYearbook } from './dhs/yearbook/index.js';
import { iceDetaineeDeaths } from './ice/deaths/index.js';
import { iceDetentionStats } from './ice/detention-stats/index.js';
import { iceFacilityLists } from './ice/facility-lists/index.js';
import { iceFoiaDatasets } from './ice/foia/index.js';
import { ice287g } from './ice/g287/index.js';
import { iceRemovalsByCitizenship } from './ice/removals-by-citizenship/index.js';
import type { Dataset } from './types.js';
import { uwchrFacilities } from './uwchr/facilities/index.js';
import { uwchrHeadcount } from './uwchr/headcount/index.js';

/** Every dataset the tracker knows. Adding one is one folder and one line here. */
export const DATASETS: Dataset[] = [iceDetentionStats, iceFacilityLists, uwchrFacilities, cbpEncounters, dhsOhssEncounters, dhsOhssMonthly, dhsYearbook, iceRemovalsByCitizenship, iceDetaineeDeaths, ice287g, ...iceFoiaDatasets, ...ddpRecordDatasets, ddpFacilityPopulation, uwchrHeadcount];

export function datasetById(id: string): Dataset | undefined {
  return DATASETS.find((d) => d.id === id);
}
