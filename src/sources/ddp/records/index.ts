import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../../../db/connection.js';
import { QueryError, SourceFormatError } from '../../../lib/errors.js';
import { summarise } from '../../ice/foia/csv-load.js';
import { DERIVED_TABLES } from '../../ice/foia/derive/refresh.js';
import { LAYOUTS, TABLE_OF, type ColumnType, type FoiaLayout, type Kind } from '../../ice/foia/layouts.js';
import type { Dataset, DirectLoadResult, ParsedRelease, SourceFile } from '../../types.js';

const FOIA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'ice', 'foia');
const FOIA_SCHEMA = readFileSync(join(FOIA_DIR, 'schema.sql'), 'utf8') + '\n' + readFileSync(join(FOIA_DIR, 'derived.sql'), 'utf8');

/**
 * The Deportation Data Project's processed ICE tables (parquet): the same records as the
 * raw ERO-LESA workbooks, cleaned and stacked, with DDP's column names (the raw header in
 * snake case: "Apprehension Date" → apprehension_date) and the raw file's sheet and row
 * kept in sheet_original and row_original. They load into the same canonical tables as
 * the raw files, under their own source ids, so a page can show either or both.
 */
const FILE: Record<Kind, RegExp> = {
  arrests: /^arrests[-_].*\.parquet$/i,
  detainers: /^detainers[-_].*\.parquet$/i,
  detentions: /^detention[-_]stints[-_].*\.parquet$/i,
  encounters: /^encounters[-_].*\.parquet$/i,
  removals: /^removals[-_].*\.parquet$/i,
};

const snake = (h: string) =>
  h
    .toLowerCase()
    .replace(/\([^)]*\)/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

/** For one kind: every DDP column name (from every known raw layout) → canonical column and type. */
function columnsOf(kind: Kind): Map<string, { canonical: string; type: ColumnType }> {
  const out = new Map<string, { canonical: string; type: ColumnType }>();
  for (const l of LAYOUTS.filter((x) => x.kind === kind)) {
    for (const c of l.columns) if (c.canonical && !out.has(snake(c.header))) out.set(snake(c.header), { canonical: c.canonical, type: c.type });
  }
  return out;
}

const CAST: Record<ColumnType, string> = { text: 'VARCHAR', date: 'DATE', datetime: 'TIMESTAMP', int: 'INTEGER' };

async function loadParquet(db: Database, file: SourceFile, kind: Kind, path: string): Promise<DirectLoadResult> {
  const src = `read_parquet('${path.replace(/'/g, "''")}', file_row_number = true)`;
  let described;
  try {
    described = await db.all(`DESCRIBE SELECT * FROM ${src}`);
  } catch (err) {
    const msg = (err instanceof QueryError ? err.cause : err) as Error;
    throw new SourceFormatError({ file: file.path }, `DuckDB cannot read the parquet file: ${String(msg?.message ?? msg).split('\n')[0]}`);
  }
  const found = new Map(described.map((r) => [String(r.column_name), String(r.column_type)]));
  const known = columnsOf(kind);
  const mapped = [...found.keys()].filter((c) => known.has(c));
  const layout = LAYOUTS.find((l) => l.kind === kind)!;
  const dateColumn = layout.columns.find((c) => c.type === 'date' || c.type === 'datetime')!;
  if (!found.has(snake(dateColumn.header))) {
    throw new SourceFormatError(
      { file: file.path, column: snake(dateColumn.header) },
      `this does not look like DDP's ${kind} table: no '${snake(dateColumn.header)}' column (columns: ${[...found.keys()].slice(0, 12).join(', ')}${found.size > 12 ? ', …' : ''})`,
    );
  }
  const canonical = mapped.map((c) => ({ column: c, ...known.get(c)! }));
  const table = TABLE_OF[kind];
  const sheet = found.has('sheet_original') ? 'sheet_original::VARCHAR' : 'NULL';
  // DDP keeps the raw row; without it, the parquet row (from 1) is the best citation there is
  const row = found.has('row_original') ? 'TRY_CAST(row_original AS INTEGER)' : 'CAST(file_row_number + 1 AS INTEGER)';
  const rows = await db.run(
    `INSERT INTO ${table} (release_id, sheet, row, ${canonical.map((c) => c.canonical).join(', ')}, redacted)
     SELECT '${file.releaseId}', ${sheet}, ${row}, ${canonical.map((c) => `TRY_CAST("${c.column}" AS ${CAST[c.type]})`).join(', ')}, []::VARCHAR[]
       FROM ${src}`,
  );
  const meta = await db.one(`SELECT sum(num_rows) AS n FROM parquet_file_metadata('${path.replace(/'/g, "''")}')`);
  if (Number(meta?.n) !== rows) throw new SourceFormatError({ file: file.path }, `${rows} rows stored, the parquet footer says ${String(meta?.n)}`);
  const pseudoLayout: FoiaLayout = { ...layout, id: `ddp-${kind}` };
  const result = await summarise(db, { table, layout: pseudoLayout, releaseId: file.releaseId, title: `Deportation Data Project, ${kind}`, rows });
  const unmapped = [...found.keys()].filter((c) => !known.has(c) && !['sheet_original', 'row_original', 'file_original', 'file_row_number'].includes(c));
  return {
    rows,
    ...result,
    anomalies: [
      ...(result.anomalies ?? []),
      ...(unmapped.length ? [{ code: 'columns-not-stored', severity: 'info' as const, subject: `${unmapped.length} columns`, detail: `read and not stored (kept in the archived file): ${unmapped.join(', ')}` }] : []),
    ],
  };
}

function ddpDataset(kind: Kind): Dataset {
  return {
    id: `ddp.${kind === 'detentions' ? 'detention-stints' : kind}`,
    title: `Deportation Data Project: ICE ${kind} (processed FOIA records)`,
    agency: 'Deportation Data Project (UC Berkeley), from ICE FOIA productions',
    sourceUrl: 'https://deportationdata.org/data/ice.html',
    license: 'DDP data: CC0 1.0; the underlying ICE records are U.S. government works',
    cadence: 'with each new ICE FOIA production DDP processes',
    claims: (fileName) => FILE[kind].test(fileName),
    discover: async () => {
      throw new SourceFormatError({ file: 'https://deportationdata.org/data/ice.html' }, `DDP's ${kind} files are ingested from files: download them and run \`tracker ingest FILE\``);
    },
    async parse(file: SourceFile): Promise<ParsedRelease> {
      const b = file.bytes;
      const magic = (at: number) => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
      if (b.length < 12 || magic(0) !== 'PAR1' || magic(b.length - 4) !== 'PAR1') {
        throw new SourceFormatError({ file: file.path }, 'not a complete parquet file (the PAR1 marker is missing at its start or end: a cut download?)');
      }
      return { snapshotDate: null, fiscalYear: null, summary: { kind }, tables: {}, anomalies: [], directLoads: [{ run: (db, path) => loadParquet(db, file, kind, path) }] };
    },
    schemaSql: FOIA_SCHEMA,
    tables: [TABLE_OF[kind], 'foia_files', ...DERIVED_TABLES],
    describeFile: (fileName) => ({ fileName, url: null, retrievedAt: null }),
  };
}

export const ddpRecordDatasets: Dataset[] = (['arrests', 'detainers', 'detentions', 'encounters', 'removals'] as Kind[]).map(ddpDataset);
export { snake as ddpColumnName };
