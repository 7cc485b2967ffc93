import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../types.js';
import { discoverOhssMonthly, isOhssMonthlyFileName, OHSS_MONTHLY_PAGE } from './discover.js';
import { FACTS_TABLE, parseOhssMonthly } from './parse.js';

const here = dirname(fileURLToPath(import.meta.url));

export const dhsOhssMonthly: Dataset = {
  id: 'dhs.ohss-monthly',
  title: 'DHS OHSS Immigration Enforcement and Legal Processes Monthly Tables',
  agency: 'DHS Office of Homeland Security Statistics (OHSS)',
  sourceUrl: OHSS_MONTHLY_PAGE,
  license: 'U.S. federal government work (public domain, 17 U.S.C. §105)',
  cadence: 'monthly, about three months after the data month; each workbook holds FY2014 to its data month and revises earlier months',
  // by name even when the bytes are not a zip, so a broken download is an error, not a skip
  claims: (fileName) => isOhssMonthlyFileName(fileName),
  discover: (fx) => discoverOhssMonthly(fx),
  parse: parseOhssMonthly,
  schemaSql: readFileSync(join(here, 'schema.sql'), 'utf8'),
  tables: [FACTS_TABLE],
  // OHSS serves the files from upload folders (/sites/default/files/YYYY-MM/…) that the name does not reveal
  describeFile: (fileName) => ({ fileName, url: null, retrievedAt: null }),
};
