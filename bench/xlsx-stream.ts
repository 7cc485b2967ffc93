import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { streamSheetRows, XlsxFile } from '../src/xlsx/stream-rows.js';
import { Workbook } from '../src/xlsx/workbook.js';
import { writeLesaXlsx } from './generate/lesa-xlsx.js';

/**
 * The streaming xlsx reader against exceljs's streaming reader on the same workbook.
 *
 *   tsx bench/xlsx-stream.ts READER FILE.xlsx       one measured run in this process; prints one JSON line
 *       READER: ours (XlsxFile: positioned reads from the file), ours-buffer (the file read into memory,
 *       Workbook.open, then streamed), exceljs (ExcelJS.stream.xlsx.WorkbookReader, shared strings cached)
 *   tsx bench/xlsx-stream.ts compare FILE.xlsx [--runs 3] [--readers ours,exceljs]
 *   tsx bench/xlsx-stream.ts compare --generate ROWS [--runs 3] …   a detention-stints workbook in a temp folder
 *
 * Every reader visits every sheet and counts the non-empty cells; `compare` runs each reader in a
 * child process (so peak RSS is its own), interleaved, and prints the medians.
 */

export interface XlsxStreamResult {
  reader: string;
  file: string;
  sheets: number;
  rows: number;
  cells: number;
  wall_ms: number;
  /** CPU time of the process (all threads: the zlib thread pool too), less sensitive than wall time to a busy machine. */
  cpu_ms: number;
  cells_per_s: number;
  peak_rss_mb: number;
}

type Counts = { sheets: number; rows: number; cells: number };

async function ours(path: string): Promise<Counts> {
  const wb = await XlsxFile.open(path);
  try {
    return await countAll(wb, wb.sheets);
  } finally {
    await wb.close();
  }
}

async function oursBuffer(path: string): Promise<Counts> {
  const wb = await Workbook.open(readFileSync(path), path);
  return countAll(wb, wb.sheets);
}

async function countAll(source: XlsxFile | Workbook, sheets: XlsxFile['sheets']): Promise<Counts> {
  let rows = 0;
  let cells = 0;
  for (const info of sheets) {
    for await (const batch of streamSheetRows(source, info)) {
      rows += batch.length;
      for (const r of batch) {
        const cs = r.cells;
        for (let c = 1; c < cs.length; c++) if (cs[c] !== undefined) cells++;
      }
    }
  }
  return { sheets: sheets.length, rows, cells };
}

async function exceljs(path: string): Promise<Counts> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, { sharedStrings: 'cache', worksheets: 'emit', hyperlinks: 'ignore', styles: 'cache', entries: 'ignore' });
  let sheets = 0;
  let rows = 0;
  let cells = 0;
  for await (const ws of reader) {
    sheets++;
    for await (const row of ws) {
      rows++;
      row.eachCell(() => {
        cells++;
      });
    }
  }
  return { sheets, rows, cells };
}

const READERS: Record<string, (path: string) => Promise<Counts>> = { ours, 'ours-buffer': oursBuffer, exceljs };

async function measureHere(reader: string, path: string): Promise<XlsxStreamResult> {
  const run = READERS[reader];
  if (!run) throw new Error(`unknown reader ${reader} (${Object.keys(READERS).join(', ')})`);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const counts = await run(path);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    reader,
    file: path,
    ...counts,
    wall_ms: Math.round(wall),
    cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
    cells_per_s: Math.round(counts.cells / (wall / 1000)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** One run of `reader` on `path` in a child process. */
export function measureXlsxStream(reader: string, path: string): XlsxStreamResult {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'xlsx-stream.ts'), reader, path], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as XlsxStreamResult;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs the readers interleaved, `runs` times each, printing every run and the medians. */
export function compareXlsxReaders(path: string, runs: number, readers: string[], log: (line: string) => void = console.log): Record<string, XlsxStreamResult[]> {
  const results: Record<string, XlsxStreamResult[]> = Object.fromEntries(readers.map((r) => [r, []]));
  for (let i = 0; i < runs; i++) {
    for (const reader of readers) {
      const r = measureXlsxStream(reader, path);
      results[reader]!.push(r);
      log(JSON.stringify(r));
    }
  }
  for (const reader of readers) {
    const rs = results[reader]!;
    log(
      `${reader.padEnd(12)} median of ${runs}: ${median(rs.map((r) => r.wall_ms))} ms, ` +
        `${(median(rs.map((r) => r.cells_per_s)) / 1e6).toFixed(2)} M cells/s, peak RSS ${median(rs.map((r) => r.peak_rss_mb))} MB ` +
        `(${rs[0]!.cells} cells in ${rs[0]!.rows} rows, ${rs[0]!.sheets} sheets; runs: ${rs.map((r) => r.wall_ms).join(', ')} ms)`,
    );
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const [, v] = args.splice(i, 2);
    return v;
  };
  if (args[0] === 'compare') {
    const runs = Number(option('--runs') ?? 3);
    const readers = (option('--readers') ?? 'ours,exceljs').split(',');
    const generate = option('--generate');
    let dir: string | undefined;
    let path = args[1];
    if (generate !== undefined) {
      dir = mkdtempSync(join(tmpdir(), 'tracker-bench-xlsx-'));
      path = join(dir, '2025-ICLI-00019_2024-ICFO-39357_Detention Stints_LESA-STU_FINAL Redacted.xlsx');
      const g = await writeLesaXlsx(path, 'detention-stints', Number(generate));
      console.log(`generated ${g.rows} detention stints: ${g.cells} cells on ${g.sheets.length - 1} sheets + footnotes, ${(g.xmlBytes / 1e6).toFixed(0)} MB of sheet XML, ${(g.bytes / 1e6).toFixed(0)} MB xlsx`);
    }
    if (!path || !existsSync(path)) {
      console.error('usage: xlsx-stream.ts compare FILE.xlsx|--generate ROWS [--runs N] [--readers ours,ours-buffer,exceljs]');
      process.exit(2);
    }
    // this machine's speed varies over the day: a reference loop, as bench/run.ts prints
    const t0 = performance.now();
    let x = 0;
    for (let i = 0; i < 3e8; i++) x += i % 7;
    console.log(`machine speed reference: a fixed 3e8-step loop took ${Math.round(performance.now() - t0)} ms (${x > 0 ? 'done' : ''}; 560–640 ms at full speed)`);
    try {
      compareXlsxReaders(path, runs, readers);
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  } else {
    const [reader, path] = args;
    if (!reader || !path) {
      console.error('usage: xlsx-stream.ts ours|ours-buffer|exceljs FILE.xlsx');
      process.exit(2);
    }
    console.log(JSON.stringify(await measureHere(reader, path)));
  }
}
