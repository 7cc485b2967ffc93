import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One row of ice-detention-stats/INVENTORY.md: values read independently with openpyxl. */
export interface InventoryRow {
  file: string;
  sha12: string;
  detSheet: string;
  snapshot: string[];
  total: number | null;
  ice: number | null;
  cbp: number | null;
  adp: number | null;
  removals: number | null;
  bookIns: number | null;
  atd: number | null;
  facRows: number | null;
  identicalTo: string;
}

function num(cell: string): number | null {
  const m = /^\s*(-?[\d.]+)/.exec(cell);
  return m ? Number(m[1]) : null;
}

function isoFromUs(d: string): string {
  const [m, day, y] = d.trim().split('/');
  return `${y}-${m}-${day}`;
}

export function readInventory(dataDir: string): InventoryRow[] {
  const text = readFileSync(join(dataDir, 'ice-detention-stats', 'INVENTORY.md'), 'utf8');
  const rows: InventoryRow[] = [];
  for (const line of text.split('\n')) {
    if (!/^\| (raw|carwilb)\//.test(line)) continue;
    const c = line.split('|').map((s) => s.trim());
    // c[0] is empty (leading pipe)
    rows.push({
      file: c[1]!,
      sha12: c[3]!,
      detSheet: c[5]!.replace(/^'|'$/g, ''),
      snapshot: c[6]! === '' ? [] : c[6]!.split(',').map(isoFromUs),
      total: num(c[7]!),
      ice: num(c[8]!),
      cbp: num(c[9]!),
      adp: num(c[10]!),
      removals: num(c[11]!),
      bookIns: num(c[12]!),
      atd: num(c[13]!),
      facRows: num(c[15]!),
      identicalTo: c[18] ?? '',
    });
  }
  return rows;
}

export interface CriminalityRow {
  file: string;
  convicted: number;
  pending: number;
  other: number;
}

export function readCriminality(dataDir: string): Map<string, CriminalityRow> {
  const out = new Map<string, CriminalityRow>();
  for (const line of readFileSync(join(dataDir, 'ice-detention-stats', 'CRIMINALITY.tsv'), 'utf8').split('\n')) {
    if (line.startsWith('#') || line.startsWith('file\t') || line.trim() === '') continue;
    const [file, sha12, convicted, pending, other] = line.split('\t');
    // keyed by content: the file lists byte-identical workbooks under one of their names
    out.set(sha12!, { file: file!, convicted: Number(convicted), pending: Number(pending), other: Number(other) });
  }
  return out;
}
