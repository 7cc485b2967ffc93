import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../types.js';
import { discoverUwchrHeadcount, isUwchrHeadcountFileName, UWCHR_REPO_URL, uwchrRawUrl } from './discover.js';
import { UWCHR_TABLE } from './load.js';
import { parseUwchrHeadcount } from './parse.js';

const here = dirname(fileURLToPath(import.meta.url));

export const uwchrHeadcount: Dataset = {
  id: 'uwchr.headcount',
  title: 'UWCHR: daily headcount per ICE detention facility, FY2012 to January 2024',
  agency: 'University of Washington Center for Human Rights (UWCHR), from ICE FOIA records',
  sourceUrl: UWCHR_REPO_URL,
  license: 'GPL-3.0 (UWCHR/ice-detain); the underlying records are ICE FOIA productions',
  cadence: 'frozen: one file for the FOIA production covering FY2012 to 4 January 2024',
  // by name even when the bytes are not gzip, so a broken download is an error, not a skip
  claims: (fileName) => isUwchrHeadcountFileName(fileName),
  discover: (fx) => discoverUwchrHeadcount(fx),
  parse: parseUwchrHeadcount,
  schemaSql: readFileSync(join(here, 'schema.sql'), 'utf8'),
  tables: [UWCHR_TABLE],
  describeFile: (fileName) => ({ fileName, url: uwchrRawUrl(fileName), retrievedAt: null }),
};
