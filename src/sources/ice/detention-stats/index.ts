import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../types.js';
import { DETENTION_STATS_PAGE, discoverDetentionStats, isDetentionStatsFileName } from './discover.js';
import { parseDetentionStats } from './parse.js';
import { ICE_DETENTION_STATS } from './source-id.js';

const here = dirname(fileURLToPath(import.meta.url));

// Vera's archive prefixes each ICE name with its own download date: 2019-10-06_FY19-detentionstats.xlsx
const MIRROR_PREFIX = /^(\d{4}-\d{2}-\d{2})_(.+)$/;

export const iceDetentionStats: Dataset = {
  id: ICE_DETENTION_STATS,
  title: 'ICE Detention Statistics',
  agency: 'U.S. Immigration and Customs Enforcement (ICE)',
  sourceUrl: DETENTION_STATS_PAGE,
  license: 'U.S. federal government work (public domain, 17 U.S.C. §105)',
  cadence: 'about every two weeks; each file replaces the previous one on ice.gov',
  claims(fileName, head) {
    const isZip = head[0] === 0x50 && head[1] === 0x4b;
    const name = MIRROR_PREFIX.exec(fileName)?.[2] ?? fileName;
    // claimed by name even when the bytes are not a zip, so a broken download is an error, not a skip
    return isDetentionStatsFileName(name) || (isZip && /detention.?stat/i.test(name) && /\.xlsx$/i.test(name));
  },
  discover: (fx) => discoverDetentionStats(fx),
  parse: parseDetentionStats,
  parseOffThread: { module: import.meta.url, exportName: 'iceDetentionStats' },
  schemaSql: readFileSync(join(here, 'schema.sql'), 'utf8'),
  tables: ['ice_tables', 'ice_table_rows', 'ice_table_cols', 'ice_table_cells', 'ice_facilities', 'ice_footnotes'],
  describeFile(fileName) {
    const m = MIRROR_PREFIX.exec(fileName);
    const name = m?.[2] ?? fileName;
    return {
      fileName: name,
      url: `https://www.ice.gov/doclib/detention/${encodeURIComponent(name)}`,
      retrievedAt: m?.[1] ?? null,
    };
  },
};
