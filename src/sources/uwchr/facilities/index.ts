import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../types.js';
import { discoverUwchrFacilities, UWCHR_FACILITY_FILES, UWCHR_ICE_DETAIN, uwchrFacilityFile } from './discover.js';
import { parseUwchrFacilities } from './parse.js';

const here = dirname(fileURLToPath(import.meta.url));

export const uwchrFacilities: Dataset = {
  id: 'uwchr.facilities',
  title: 'UWCHR: ICE facility master list, county-to-AOR and AOR-to-field-office crosswalks',
  agency: 'University of Washington Center for Human Rights (UWCHR), from ICE facility lists',
  sourceUrl: UWCHR_ICE_DETAIN,
  license: 'GPL-3.0 (UWCHR/ice-detain, UWCHR/ice-enforce); the facility data are ICE records',
  cadence: 'irregular: hand-kept files, changed when UWCHR updates its analyses',
  // by name even when the bytes are not what the name says, so a broken download is an error, not a skip
  claims: (fileName) => uwchrFacilityFile(fileName) !== undefined,
  discover: (fx) => discoverUwchrFacilities(fx),
  parse: parseUwchrFacilities,
  schemaSql: readFileSync(join(here, 'schema.sql'), 'utf8'),
  tables: UWCHR_FACILITY_FILES.map((f) => f.table),
  describeFile: (fileName) => ({ fileName, url: uwchrFacilityFile(fileName)?.url ?? null, retrievedAt: null }),
};
