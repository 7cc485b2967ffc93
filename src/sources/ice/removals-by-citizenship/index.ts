import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../types.js';
import { discoverIceRemovalsByCitizenship, ICE_REPORTS_PAGE, isIceRemovalsByCitizenshipFileName } from './discover.js';
import { ICE_REMOVALS_TABLE, parseIceRemovalsByCitizenship } from './parse.js';

const here = dirname(fileURLToPath(import.meta.url));

export const iceRemovalsByCitizenship: Dataset = {
  id: 'ice.removals-by-citizenship',
  title: 'ICE removals by country of citizenship, FY2017–FY2018 (ICE ERO annual report table)',
  agency: 'U.S. Immigration and Customs Enforcement (ICE), Enforcement and Removal Operations',
  sourceUrl: ICE_REPORTS_PAGE,
  license: 'U.S. federal government work (public domain, 17 U.S.C. §105); CSV transcription by UWCHR (UWCHR/ice-air)',
  cadence: 'one table, in the FY2018 annual report',
  claims: (fileName) => isIceRemovalsByCitizenshipFileName(fileName),
  discover: (fx) => discoverIceRemovalsByCitizenship(fx),
  parse: parseIceRemovalsByCitizenship,
  schemaSql: readFileSync(join(here, 'schema.sql'), 'utf8'),
  tables: [ICE_REMOVALS_TABLE],
  // a transcription of a table in ICE's Fiscal Year 2018 ERO report (a PDF): no file of that name at ICE
  describeFile: (fileName) => ({ fileName, url: null, retrievedAt: null }),
};
