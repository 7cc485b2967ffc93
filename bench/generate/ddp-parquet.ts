import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ddpColumnName } from '../../src/sources/ddp/records/index.js';
import { LAYOUTS, type FoiaLayout } from '../../src/sources/ice/foia/layouts.js';
import { writeLesaCsv } from './lesa-csv.js';

/**
 * Writes a synthetic table in the Deportation Data Project's processed layout (parquet): the
 * records of writeLesaCsv, with DDP's column names (the raw header in snake case), typed
 * dates and years, redaction codes as nulls, and the raw file's name, sheet and row kept in
 * file_original, sheet_original and row_original. DuckDB writes it (ZSTD, as DDP's files
 * are); the records are the generated CSV's, so the two formats hold the same data.
 */
export async function writeDdpParquet(path: string, layout: FoiaLayout, rows: number, fromCsv?: string): Promise<{ rows: number; bytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-ddp-gen-'));
  try {
    // the CSV writeLesaCsv made of the same layout and rows, when the caller has it already
    const csv = fromCsv ?? join(dir, 'raw.csv');
    if (!fromCsv) await writeLesaCsv(csv, layout, rows);
    const redacted = (c: string) => `CASE WHEN starts_with(trim("${c}"), '(b)(') THEN NULL ELSE "${c}" END`;
    const columns = layout.columns.map((c) => {
      const v = redacted(c.header);
      const typed =
        c.type === 'date' ? `try_strptime(${v}, '%m/%d/%Y')::DATE` : c.type === 'datetime' ? `try_strptime(${v}, '%m/%d/%Y %H:%M:%S')` : c.type === 'int' ? `TRY_CAST(${v} AS INTEGER)` : v;
      return `${typed} AS ${ddpColumnName(c.header)}`;
    });
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await conn.run(
        `COPY (SELECT ${columns.join(', ')}, 'synthetic.xlsx' AS file_original, 'Sheet1' AS sheet_original,
                      CAST(row_number() OVER () + 7 AS INTEGER) AS row_original
                 FROM read_csv('${csv}', skip = 6, header = true, all_varchar = true))
           TO '${path.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION zstd)`,
      );
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
    return { rows, bytes: statSync(path).size };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [layoutId, n, path] = process.argv.slice(2);
  const layout = LAYOUTS.find((l) => l.id === layoutId);
  if (!layout || !path) throw new Error(`usage: ddp-parquet.ts LAYOUT ROWS OUT.parquet (layouts: ${LAYOUTS.map((l) => l.id).join(', ')})`);
  console.log(JSON.stringify(await writeDdpParquet(path, layout, Number(n))));
}
