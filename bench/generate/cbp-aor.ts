import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Writes a synthetic CBP "Nationwide Encounters … by area of responsibility" CSV in the
 * official layout (MANIFEST.md §"Found but not copied"): same header, same value
 * vocabularies, `Fiscal Year` as text with "(FYTD)" for the current year, the FYTD /
 * Remaining month grouping, quoted citizenship names with commas, CRLF line ends.
 * Deterministic: the same row count gives the same bytes.
 */
export const AOR_HEADER =
  'Fiscal Year,Month Grouping,Month (abbv),Component,Land Border Region,Area of Responsibility,AOR (Abbv),Demographic,Citizenship,Title of Authority,Encounter Type,Encounter Count';

const MONTHS = ['OCT', 'NOV', 'DEC', 'JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP'];
const AORS: Array<[component: string, region: string, aor: string, abbv: string]> = [
  ['U.S. Border Patrol', 'Southwest Land Border', 'Big Bend Sector', 'Big Bend'],
  ['U.S. Border Patrol', 'Southwest Land Border', 'Del Rio Sector', 'Del Rio'],
  ['U.S. Border Patrol', 'Southwest Land Border', 'El Centro Sector', 'El Centro'],
  ['U.S. Border Patrol', 'Southwest Land Border', 'El Paso Sector', 'El Paso'],
  ['U.S. Border Patrol', 'Southwest Land Border', 'Laredo Sector', 'Laredo'],
  ['U.S. Border Patrol', 'Southwest Land Border', 'Rio Grande Valley Sector', 'Rio Grande Valley'],
  ['U.S. Border Patrol', 'Southwest Land Border', 'San Diego Sector', 'San Diego'],
  ['U.S. Border Patrol', 'Southwest Land Border', 'Tucson Sector', 'Tucson'],
  ['U.S. Border Patrol', 'Southwest Land Border', 'Yuma Sector', 'Yuma'],
  ['U.S. Border Patrol', 'Northern Land Border', 'Swanton Sector', 'Swanton'],
  ['U.S. Border Patrol', 'Northern Land Border', 'Blaine Sector', 'Blaine'],
  ['U.S. Border Patrol', 'Other', 'Miami Sector', 'Miami'],
  ['Office of Field Operations', 'Southwest Land Border', 'San Diego Field Office', 'San Diego'],
  ['Office of Field Operations', 'Southwest Land Border', 'Laredo Field Office', 'Laredo'],
  ['Office of Field Operations', 'Southwest Land Border', 'El Paso Field Office', 'El Paso'],
  ['Office of Field Operations', 'Southwest Land Border', 'Tucson Field Office', 'Tucson'],
  ['Office of Field Operations', 'Northern Land Border', 'Buffalo Field Office', 'Buffalo'],
  ['Office of Field Operations', 'Northern Land Border', 'Detroit Field Office', 'Detroit'],
  ['Office of Field Operations', 'Northern Land Border', 'Seattle Field Office', 'Seattle'],
  ['Office of Field Operations', 'Other', 'New York Field Office', 'New York'],
  ['Office of Field Operations', 'Other', 'Miami Field Office', 'Miami'],
  ['Office of Field Operations', 'Other', 'Los Angeles Field Office', 'Los Angeles'],
];
const DEMOGRAPHICS = ['Single Adults', 'FMUA', 'Accompanied Minors', 'UAC'];
const CITIZENSHIPS = [
  'MEXICO', 'GUATEMALA', 'HONDURAS', 'EL SALVADOR', 'VENEZUELA', 'CUBA', 'NICARAGUA', 'COLOMBIA', 'ECUADOR', 'HAITI',
  'BRAZIL', 'PERU', 'INDIA', '"CHINA, PEOPLES REPUBLIC OF"', 'RUSSIA', 'UKRAINE', 'TURKEY', 'CANADA', 'PHILIPPINES',
  'MYANMAR (BURMA)', 'OTHER',
];

/** Deterministic pseudo-random numbers (mulberry32), so generated files are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function writeCbpAorCsv(path: string, rows: number): Promise<{ rows: number; bytes: number; total: number }> {
  const out = createWriteStream(path);
  const random = rng(20251130);
  let bytes = 0;
  let total = 0;
  let chunk = AOR_HEADER + '\r\n';
  for (let i = 0; i < rows; i++) {
    // four fiscal years, the last one to date (through November), as in a FYTD release
    const fyIndex = Math.floor((i / rows) * 4);
    const fy = 2023 + fyIndex;
    const current = fyIndex === 3;
    const m = current ? Math.floor(random() * 2) : Math.floor(random() * 12);
    const [component, region, aor, abbv] = AORS[Math.floor(random() * AORS.length)]!;
    const title = fy === 2023 && m <= 7 && random() < 0.3 ? 'Title 42' : 'Title 8';
    const type = title === 'Title 42' ? 'Expulsions' : component === 'U.S. Border Patrol' ? 'Apprehensions' : 'Inadmissibles';
    const count = 1 + Math.floor(random() * random() * 400);
    total += count;
    const grouping = current || m <= 1 ? 'FYTD' : 'Remaining';
    chunk +=
      `${current ? `${fy} (FYTD)` : fy},${grouping},${MONTHS[m]},${component},${region},${aor},${abbv},` +
      `${DEMOGRAPHICS[Math.floor(random() * DEMOGRAPHICS.length)]},${CITIZENSHIPS[Math.floor(random() * CITIZENSHIPS.length)]},${title},${type},${count}\r\n`;
    if (chunk.length > 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, 'finish');
  return { rows, bytes, total };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, n] = process.argv.slice(2);
  if (!path) throw new Error('usage: cbp-aor.ts OUT.csv [ROWS]');
  console.log(JSON.stringify(await writeCbpAorCsv(path, Number(n ?? 5_000_000))));
}
