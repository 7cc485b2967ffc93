import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../types.js';
import { discoverYearbook, isYearbookFileName, YEARBOOK_PAGE, yearbookTableUrl } from './discover.js';
import { parseYearbook, YEARBOOK_TABLE } from './parse.js';

const here = dirname(fileURLToPath(import.meta.url));

export const dhsYearbook: Dataset = {
  id: 'dhs.yearbook',
  title: 'DHS Yearbook of Immigration Statistics: enforcement tables',
  agency: 'DHS Office of Homeland Security Statistics (OHSS)',
  sourceUrl: YEARBOOK_PAGE,
  license: 'U.S. federal government work (public domain, 17 U.S.C. §105); the CSVs are exports of the OHSS web tables',
  cadence: 'yearly; each yearbook revises the fiscal years it repeats',
  claims: (fileName) => isYearbookFileName(fileName),
  discover: (fx) => discoverYearbook(fx),
  parse: parseYearbook,
  schemaSql: readFileSync(join(here, 'schema.sql'), 'utf8'),
  tables: [YEARBOOK_TABLE],
  describeFile: (fileName) => ({ fileName, url: yearbookTableUrl(fileName), retrievedAt: null }),
};
