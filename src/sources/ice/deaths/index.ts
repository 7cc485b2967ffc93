import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../types.js';
import { deathFile, DEATHS_REPO, discoverDeaths } from './discover.js';
import { parseDeaths } from './parse.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Deaths in ICE custody. ICE publishes them as PDFs only; these are the CSVs a research
 * repository extracted from them, not agency files (docs/sources/ice-deaths.md).
 */
export const iceDetaineeDeaths: Dataset = {
  id: 'ice.detainee-deaths',
  title: "Deaths in ICE custody: ICE's FOIA death list 2003–2017 and its death reports from FY2018, as extracted to CSV",
  agency: "etchin/ice-detention-mortality (research repository), from ICE's detainee death list and death reports",
  sourceUrl: DEATHS_REPO,
  license: 'CC BY 4.0 (the repository\'s data files; credit etchin et al.); the underlying documents are ICE records (U.S. government works)',
  cadence: 'irregular: the repository updates its files as ICE posts death reports',
  // by name even when the bytes are not what the name says, so a broken download is an error, not a skip
  claims: (fileName) => deathFile(fileName) !== undefined,
  discover: (fx) => discoverDeaths(fx),
  parse: parseDeaths,
  schemaSql: readFileSync(join(here, 'schema.sql'), 'utf8'),
  tables: ['ice_deaths'],
  describeFile: (fileName) => ({ fileName, url: deathFile(fileName)?.url ?? null, retrievedAt: null }),
};
