import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../types.js';
import { DDP_ICE_PAGE, discoverDdpFacilityPopulation, isDdpFacilityPopulationFileName } from './discover.js';
import { DDP_TABLE } from './load.js';
import { parseDdpFacilityPopulation } from './parse.js';

const here = dirname(fileURLToPath(import.meta.url));

export const ddpFacilityPopulation: Dataset = {
  id: 'ddp.facility-population',
  title: 'Deportation Data Project: daily population per ICE detention facility',
  agency: 'Deportation Data Project (UC Berkeley / UCLA law schools), from ICE FOIA records',
  sourceUrl: DDP_ICE_PAGE,
  license: 'CC0 1.0 (Deportation Data Project); the underlying records are ICE FOIA productions',
  cadence: 'irregular: rebuilt when ICE produces new FOIA records; each file holds the whole series since October 2022',
  // by name even when the bytes are not parquet, so an HTML page saved under the name is an error, not a skip
  claims: (fileName) => isDdpFacilityPopulationFileName(fileName),
  discover: (fx) => discoverDdpFacilityPopulation(fx),
  parse: parseDdpFacilityPopulation,
  schemaSql: readFileSync(join(here, 'schema.sql'), 'utf8'),
  tables: [DDP_TABLE],
  // the page links the file by a URL the name alone does not give; a fetch records it
  describeFile: (fileName) => ({ fileName, url: null, retrievedAt: null }),
};
