import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceFormatError } from '../../../lib/errors.js';
import type { Dataset } from '../../types.js';
import { TABLE_OF, type Kind } from './layouts.js';
import { isWorkbook, parseFoia, parseFoiaCsv } from './parse.js';
import { DERIVED_TABLES } from './derive/refresh.js';

const here = dirname(fileURLToPath(import.meta.url));
const SCHEMA = readFileSync(join(here, 'schema.sql'), 'utf8') + '\n' + readFileSync(join(here, 'derived.sql'), 'utf8');

const KIND_IN_NAME: Record<Kind, RegExp> = {
  arrests: /arrest/i,
  detainers: /detainer/i,
  detentions: /detention(?!.?stat)|stint|book.?in/i,
  encounters: /encounter/i,
  removals: /removal/i,
};

const TITLES: Record<Kind, string> = {
  arrests: 'ICE administrative arrests (FOIA, individual records)',
  detainers: 'ICE detainers (FOIA, individual records)',
  detentions: 'ICE detention stints (FOIA, individual records)',
  encounters: 'ICE encounters (FOIA, individual records)',
  removals: 'ICE removals (FOIA, individual records)',
};

const LESA_BANNER = new TextEncoder().encode('ERO-LESA');

/**
 * One dataset per ERO-LESA table. A file is claimed by the table named in its file name,
 * and by its form: a CSV that starts with the ERO-LESA banner, or a workbook named like
 * the productions (2025-ICLI-00019_2024-ICFO-39357_<Table>_LESA-STU_FINAL Redacted.xlsx).
 */
function foiaDataset(kind: Kind): Dataset {
  return {
    id: `ice.foia-${kind}`,
    title: TITLES[kind],
    agency: 'U.S. Immigration and Customs Enforcement (ICE), ERO-LESA Statistical Tracking Unit',
    sourceUrl: 'https://deportationdata.org/data/ice.html',
    license: 'U.S. federal government records released under FOIA (public domain, 17 U.S.C. §105)',
    cadence: 'irregular: one production per FOIA response; later productions revise earlier ones',
    claims(fileName, head) {
      if (!KIND_IN_NAME[kind].test(fileName)) return false;
      if (/\.csv$/i.test(fileName)) {
        const start = head[0] === 0xef ? 3 : 0;
        return LESA_BANNER.every((b, i) => head[start + i] === b);
      }
      return /\.xlsx$/i.test(fileName) && /LESA|ICFO|ICLI|FOIA/i.test(fileName);
    },
    discover: async () => {
      // the raw productions are linked from DDP's pages to file hosts that need a browser; they are ingested from files
      throw new SourceFormatError({ file: 'https://deportationdata.org/data/ice.html' }, `ICE ${kind} FOIA productions are not fetched automatically: download them and run \`tracker ingest FILE\``);
    },
    parse: parseFoia(kind),
    parseScanned: { accepts: (fileName, head) => !isWorkbook(fileName, head), parse: parseFoiaCsv(kind) },
    schemaSql: SCHEMA,
    tables: [TABLE_OF[kind], 'foia_files', ...DERIVED_TABLES],
    describeFile: (fileName) => ({ fileName, url: null, retrievedAt: null }),
  };
}

export const iceFoiaDatasets: Dataset[] = (['arrests', 'detainers', 'detentions', 'encounters', 'removals'] as Kind[]).map(foiaDataset);
