import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { LAYOUTS, type FoiaLayout } from '../../src/sources/ice/foia/layouts.js';

/**
 * Writes a synthetic ICE ERO-LESA table as CSV in the raw layout: the six banner lines,
 * the header on line 7 (a layout of src/sources/ice/foia/layouts.ts, i.e. the columns
 * DDP documents), then one line per record with values shaped like the real ones:
 * M/D/YYYY dates (date-times with a time), redaction codes where ICE redacts, quoted
 * country names with commas, person identifiers shared by a person's records.
 * Deterministic: the same arguments give the same bytes.
 */
const COUNTRIES = ['MEXICO', 'GUATEMALA', 'HONDURAS', 'EL SALVADOR', 'VENEZUELA', 'CUBA', 'IRAN', 'INDIA', 'CHINA, PEOPLES REPUBLIC OF', 'COLOMBIA', 'ECUADOR', 'HAITI', 'NICARAGUA', 'BRAZIL', 'KOREA, SOUTH', 'BURMA', 'CONGO (KINSHASA)', 'IVORY COAST'];
const AORS = ['Atlanta Area of Responsibility', 'Chicago Area of Responsibility', 'Dallas Area of Responsibility', 'Houston Area of Responsibility', 'Los Angeles Area of Responsibility', 'Miami Area of Responsibility', 'New Orleans Area of Responsibility', 'Phoenix Area of Responsibility', 'San Antonio Area of Responsibility', 'Seattle Area of Responsibility'];
const FACILITIES: Array<[string, string]> = [['STWRTGA', 'STEWART DETENTION CENTER'], ['ADLNTCA', 'ADELANTO ICE PROCESSING CENTER'], ['KRNCCTX', 'KARNES COUNTY IMMIGRATION PROCESSING CENTER'], ['OTRDCNM', 'OTERO COUNTY PROCESSING CENTER'], ['CSCNWWA', 'NORTHWEST ICE PROCESSING CENTER (NWIPC)'], ['BROWARD', 'BROWARD TRANSITIONAL CENTER']];

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

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const pad = (n: number) => String(n).padStart(2, '0');

function usDate(ms: number, withTime: boolean): string {
  const d = new Date(ms);
  const date = `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
  return withTime ? `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` : date;
}

export async function writeLesaCsv(path: string, layout: FoiaLayout, rows: number): Promise<{ rows: number; bytes: number }> {
  const random = rng(20251129);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const out = createWriteStream(path);
  const start = Date.UTC(2022, 9, 1);
  const span = Date.UTC(2026, 2, 31) - start;
  const banner = ['ERO-LESA Statistical Tracking Unit', 'For Official Use Only (FOUO)/Pre-decisional', '2025-ICLI-00019 2024-ICFO-39357 (synthetic)', 'Please review the last tab for footnotes.', '', `FY2023 - FY2026 YTD ICE ${layout.kind} (synthetic, generated for benchmarks)`];
  const width = layout.columns.length;
  let chunk = banner.map((b) => b + ','.repeat(width - 1)).join('\n') + '\n' + layout.columns.map((c) => csvField(c.header)).join(',') + '\n';
  let bytes = 0;
  for (let i = 0; i < rows; i++) {
    const when = start + Math.floor(random() * span);
    const person = `P${Math.floor(i / 3) + 1}`;
    const citizenship = pick(COUNTRIES);
    const [code, facility] = pick(FACILITIES);
    const fields = layout.columns.map((c) => {
      const h = c.header;
      if (h === 'Birth Date' || h === 'Date of Birth' || h === 'Alien File Number' || h === 'EID Case ID' || h === 'EID Subject ID') return '"(b)(6), (b)(7)(c)"';
      if (h === 'Event Number') return '(b)(7)(E)';
      if (c.type === 'datetime') return usDate(when + (h.includes('Out') ? Math.floor(random() * 40) * 86400000 : 0), true);
      if (c.type === 'date') return usDate(when, false);
      if (c.type === 'int') return String(1960 + Math.floor(random() * 45));
      if (h === 'Unique Identifier' || h === 'Anonymized Identifier') return person;
      if (h === 'Citizenship Country' || h === 'Country of Citizenship' || h === 'Birth Country') return csvField(citizenship);
      if (h === 'Departure Country') return csvField(random() < 0.05 ? pick(COUNTRIES) : citizenship);
      if (h.includes('AOR')) return pick(AORS);
      if (h === 'Detention Facility Code' || h === 'Detainer Facility Code') return code;
      if (h === 'Detention Facility' || h === 'Detainer Facility') return facility;
      if (h === 'Gender') return random() < 0.85 ? 'Male' : 'Female';
      if (h.endsWith('Criminality')) return pick(['1 Convicted Criminal', '2 Pending Criminal Charges', '3 Other Immigration Violator']);
      if (h === 'Apprehension Method') return random() < 0.1 ? 'ERO Reprocessed Arrest' : pick(['CAP Local Incarceration', 'Located', 'Non-Custodial Arrest']);
      if (h.endsWith('Yes No')) return random() < 0.5 ? 'YES' : 'NO';
      return random() < 0.3 ? '' : pick(['A', 'B', 'C', 'D']);
    });
    chunk += fields.join(',') + '\n';
    if (chunk.length > 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, 'finish');
  return { rows, bytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [layoutId, n, path] = process.argv.slice(2);
  const layout = LAYOUTS.find((l) => l.id === layoutId);
  if (!layout || !path) throw new Error(`usage: lesa-csv.ts LAYOUT ROWS OUT.csv (layouts: ${LAYOUTS.map((l) => l.id).join(', ')})`);
  console.log(JSON.stringify(await writeLesaCsv(path, layout, Number(n))));
}
