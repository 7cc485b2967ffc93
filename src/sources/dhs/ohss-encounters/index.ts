import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../types.js';
import { discoverOhssEncounters, isOhssEncountersFileName, OHSS_ENCOUNTERS_PAGE } from './discover.js';
import { parseOhssEncounters, TABLE } from './parse.js';

const here = dirname(fileURLToPath(import.meta.url));

export const dhsOhssEncounters: Dataset = {
  id: 'dhs.ohss-encounters',
  title: 'DHS OHSS KHSM Encounters (U.S. Border Patrol)',
  agency: 'DHS Office of Homeland Security Statistics (OHSS)',
  sourceUrl: OHSS_ENCOUNTERS_PAGE,
  license: 'U.S. federal government work (public domain, 17 U.S.C. §105)',
  cadence: 'monthly; each file (fyNNmMM) holds the whole series from FY2000 to its latest month',
  // by name even when the bytes are not a zip, so a broken download is an error, not a skip
  claims: (fileName) => isOhssEncountersFileName(fileName),
  discover: (fx) => discoverOhssEncounters(fx),
  parse: parseOhssEncounters,
  schemaSql: readFileSync(join(here, 'schema.sql'), 'utf8'),
  tables: [TABLE],
  // OHSS serves files from dated upload folders (/sites/default/files/YYYY-MM/…) that the name does not reveal
  describeFile: (fileName) => ({ fileName, url: null, retrievedAt: null }),
};
