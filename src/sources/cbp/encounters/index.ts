import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../types.js';
import { CBP_PAGES, discoverCbpEncounters, isCbpEncountersFileName } from './discover.js';
import { parseCbpEncounters } from './parse.js';

const here = dirname(fileURLToPath(import.meta.url));

export const cbpEncounters: Dataset = {
  id: 'cbp.encounters',
  title: 'CBP encounters (Nationwide and Southwest Land Border)',
  agency: 'U.S. Customs and Border Protection (CBP)',
  sourceUrl: CBP_PAGES[0]!,
  license: 'U.S. federal government work (public domain, 17 U.S.C. §105)',
  cadence: 'monthly, mid-month; each file covers three fiscal years and the current one to date, with earlier months revised',
  claims: (fileName) => isCbpEncountersFileName(fileName),
  discover: (fx) => discoverCbpEncounters(fx),
  parse: parseCbpEncounters,
  schemaSql: readFileSync(join(here, 'schema.sql'), 'utf8'),
  tables: ['cbp_encounters', 'cbp_files', 'cbp_month_totals'],
  // CBP files sit under /sites/default/files/<year-month of upload>/, which the name does not say
  describeFile: (fileName) => ({ fileName, url: null, retrievedAt: null }),
};
