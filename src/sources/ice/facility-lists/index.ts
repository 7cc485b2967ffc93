import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../types.js';
import { discoverFacilityLists, FACILITY_LISTS_PAGE, facilityListUrl, isFacilityListFileName } from './discover.js';
import { parseFacilityList } from './parse.js';

const here = dirname(fileURLToPath(import.meta.url));

export const iceFacilityLists: Dataset = {
  id: 'ice.facility-lists',
  title: 'ICE detention facility lists (facility codes, names, places, types)',
  agency: 'U.S. Immigration and Customs Enforcement (ICE), ERO Custody Management Division',
  sourceUrl: FACILITY_LISTS_PAGE,
  license: 'U.S. federal government work (public domain, 17 U.S.C. §105)',
  cadence: 'irregular: lists released under FOIA (2009, 2015, 2017) and the over-72-hour list on ice.gov',
  // by name even when the bytes are not a workbook, so a broken download is an error, not a skip
  claims: (fileName) => isFacilityListFileName(fileName),
  discover: (fx) => discoverFacilityLists(fx),
  parse: parseFacilityList,
  schemaSql: readFileSync(join(here, 'schema.sql'), 'utf8'),
  tables: ['ice_facility_lists', 'ice_facility_list_rows'],
  describeFile: (fileName) => ({ fileName, url: facilityListUrl(fileName), retrievedAt: null }),
};
