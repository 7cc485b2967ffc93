import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../types.js';
import { discoverG287, G287_PAGE, g287FileUrl, isG287FileName, parseListFileName } from './discover.js';
import { AGREEMENTS_TABLE, LISTS_TABLE, parseG287 } from './parse.js';

const here = dirname(fileURLToPath(import.meta.url));

export const ice287g: Dataset = {
  id: 'ice.287g',
  title: 'ICE 287(g) participating and pending agencies',
  agency: 'U.S. Immigration and Customs Enforcement (ICE), Enforcement and Removal Operations',
  sourceUrl: G287_PAGE,
  license: 'U.S. federal government work (public domain, 17 U.S.C. §105)',
  cadence: 'irregular, often weekly since February 2025: each posting replaces the lists (participatingAgencies<MMDDYYYY><am|pm>.xlsx, pendingAgencies…)',
  // by name even when the bytes are not a workbook, so a broken download is an error, not a skip
  claims: (fileName) => isG287FileName(fileName),
  discover: (fx) => discoverG287(fx),
  parse: parseG287,
  schemaSql: readFileSync(join(here, 'schema.sql'), 'utf8'),
  tables: [LISTS_TABLE, AGREEMENTS_TABLE],
  describeFile(fileName) {
    const name = parseListFileName(fileName);
    // the archive's names carry the Wayback capture time: when the file was retrieved
    return { fileName, url: g287FileUrl(fileName), retrievedAt: name?.capturedAt ?? null };
  },
};
