import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../src/db/connection.js';
import { Archive } from '../src/ingest/archive.js';
import { ingestPaths } from '../src/ingest/pipeline.js';
import { DATASETS } from '../src/sources/registry.js';
import { TABLE_OF, type Kind } from '../src/sources/ice/foia/layouts.js';
import { writeLesaXlsx, type LesaKind } from './generate/lesa-xlsx.js';
import { measureXlsxStream, type XlsxStreamResult } from './xlsx-stream.js';

/**
 * End-to-end ingest of an ERO-LESA FOIA workbook (hash, archive, header and layout checks,
 * typed load with redaction flags, sheet and row, derived facts) beside exceljs's
 * streaming reader on the same file.
 *
 *   tsx bench/foia-xlsx.ts ours FILE.xlsx KIND DIR     one measured ingest into a fresh database in DIR; one JSON line
 *   tsx bench/foia-xlsx.ts compare --generate ROWS [--kind arrests] [--runs 3] [--rows-per-sheet N]
 *   tsx bench/foia-xlsx.ts compare FILE.xlsx KIND [--runs 3]
 *
 * `compare` runs each side in a child process (so peak RSS is its own), interleaved, and
 * prints every run and the medians. Cells are the non-empty cells of the record rows, as
 * the generator counts them and exceljs sees them (less the banner and header rows).
 */

export interface FoiaXlsxResult {
  wall_ms: number;
  cpu_ms: number;
  rows: number;
  peak_rss_mb: number;
}

const GENERATED: Record<Kind, LesaKind | undefined> = { arrests: 'arrests', detentions: 'detention-stints', removals: 'removals', detainers: undefined, encounters: undefined };
/** The productions' file names, which the FOIA datasets claim files by. */
export const FILE_NAME: Record<LesaKind, string> = {
  arrests: '2025-ICLI-00019_2024-ICFO-39357_Admin Arrests_LESA-STU_FINAL Redacted.xlsx',
  'detention-stints': '2025-ICLI-00019_2024-ICFO-39357_Detention Stints_LESA-STU_FINAL Redacted.xlsx',
  removals: '2025-ICLI-00019_2024-ICFO-39357_Removals_LESA-STU_FINAL Redacted.xlsx',
};

async function ingestOnce(file: string, kind: Kind, dir: string): Promise<FoiaXlsxResult> {
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const db = await Database.open(join(dir, 'bench.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  const report = await ingestPaths([file], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
  await db.checkpoint();
  if (report.errors > 0) throw new Error(JSON.stringify(report.outcomes));
  const rows = Number((await db.one(`SELECT count(*) AS n FROM ${TABLE_OF[kind]}`))!.n);
  db.close();
  clearInterval(sample);
  const cpu = process.cpuUsage(cpu0);
  // maxRSS also counts threads' (DuckDB's, the workers') peaks between samples
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  return { wall_ms: Math.round(performance.now() - t0), cpu_ms: Math.round((cpu.user + cpu.system) / 1000), rows, peak_rss_mb: Math.round(peak / 1e6) };
}

/** One measured ingest in a child process, in a fresh temporary folder. */
export function measureFoiaXlsx(file: string, kind: Kind): FoiaXlsxResult {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-bench-foia-xlsx-'));
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'foia-xlsx.ts'), 'ours', file, kind, dir], { encoding: 'utf8', maxBuffer: 1 << 24 });
    return JSON.parse(out.trim().split('\n').pop()!) as FoiaXlsxResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A generated workbook of `rows` records of `kind` in `dir`, named as ICE names its productions. */
export async function generateFoiaXlsx(dir: string, kind: Kind, rows: number, rowsPerSheet?: number): Promise<{ file: string; cells: number; line: string }> {
  const lesa = GENERATED[kind];
  if (!lesa) throw new Error(`no generator for ${kind}`);
  const file = join(dir, FILE_NAME[lesa]);
  const g = await writeLesaXlsx(file, lesa, rows, rowsPerSheet ? { rowsPerSheet } : {});
  return {
    file,
    cells: g.cells,
    line: `${g.rows} ${kind}: ${(g.cells / 1e6).toFixed(1)} M cells on ${g.sheets.length - 1} sheet(s) + footnotes, ${Math.round(g.xmlBytes / 1e6)} MB of sheet XML, ${Math.round(g.bytes / 1e6)} MB xlsx`,
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Tracker ingest and exceljs's streaming read of `file`, interleaved, `runs` times each; prints each run and the medians. */
export function compareFoiaXlsx(file: string, kind: Kind, cells: number, runs: number, log: (line: string) => void = console.log): { ours: FoiaXlsxResult[]; exceljs: XlsxStreamResult[] } {
  const ours: FoiaXlsxResult[] = [];
  const ref: XlsxStreamResult[] = [];
  for (let i = 0; i < runs; i++) {
    const o = measureFoiaXlsx(file, kind);
    ours.push(o);
    log(`tracker ingest run ${i + 1}: ${JSON.stringify({ ...o, cells_per_s: Math.round(cells / (o.wall_ms / 1000)) })}`);
    const e = measureXlsxStream('exceljs', file);
    ref.push(e);
    log(`exceljs read   run ${i + 1}: ${JSON.stringify({ wall_ms: e.wall_ms, cpu_ms: e.cpu_ms, cells: e.cells, cells_per_s: e.cells_per_s, peak_rss_mb: e.peak_rss_mb })}`);
  }
  const o = median(ours.map((r) => r.wall_ms));
  const e = median(ref.map((r) => r.wall_ms));
  log(
    `tracker ingest   ${o} ms  ${(cells / (o / 1000) / 1e6).toFixed(2)} M cells/s  peak RSS ${median(ours.map((r) => r.peak_rss_mb))} MB  ` +
      `(${ours[0]!.rows} rows stored; runs: ${ours.map((r) => r.wall_ms).join(', ')} ms; target ≥ 3 M cells/s, < 1.5 GB)`,
  );
  log(
    `exceljs stream   ${e} ms  ${(median(ref.map((r) => r.cells_per_s)) / 1e6).toFixed(2)} M cells/s  peak RSS ${median(ref.map((r) => r.peak_rss_mb))} MB  ` +
      `(read only, nothing stored; ${ref[0]!.cells} cells with banner and header; runs: ${ref.map((r) => r.wall_ms).join(', ')} ms)`,
  );
  return { ours, exceljs: ref };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const [, v] = args.splice(i, 2);
    return v;
  };
  if (args[0] === 'ours') {
    const [, file, kind, dir] = args as [string, string, Kind, string];
    console.log(JSON.stringify(await ingestOnce(file, kind, dir)));
  } else if (args[0] === 'compare') {
    const runs = Number(option('--runs') ?? 3);
    const generate = option('--generate');
    const kind = (option('--kind') ?? args[2] ?? 'arrests') as Kind;
    const rowsPerSheet = option('--rows-per-sheet');
    let dir: string | undefined;
    let file = args[1];
    let cells: number;
    try {
      if (generate !== undefined) {
        dir = mkdtempSync(join(tmpdir(), 'tracker-bench-foia-xlsx-'));
        const g = await generateFoiaXlsx(dir, kind, Number(generate), rowsPerSheet ? Number(rowsPerSheet) : undefined);
        file = g.file;
        cells = g.cells;
        console.log(`generated ${g.line}`);
      } else {
        if (!file) throw new Error('usage: foia-xlsx.ts compare FILE.xlsx KIND | --generate ROWS [--kind KIND]');
        // without the generator's count: every non-empty cell, banner and header included
        cells = measureXlsxStream('ours', file).cells;
      }
      const t0 = performance.now();
      let x = 0;
      for (let i = 0; i < 3e8; i++) x += i % 7;
      console.log(`machine speed reference: a fixed 3e8-step loop took ${Math.round(performance.now() - t0)} ms (${x > 0 ? 'done' : ''}; 560–640 ms at full speed)`);
      compareFoiaXlsx(file, kind, cells, runs);
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  } else {
    console.error('usage: foia-xlsx.ts ours FILE.xlsx KIND DIR | compare (FILE.xlsx KIND | --generate ROWS [--kind KIND]) [--runs N]');
    process.exit(2);
  }
}
