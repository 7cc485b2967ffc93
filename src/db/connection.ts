import { readFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, DuckDBTypeId, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import { CliError, QueryError } from '../lib/errors.js';
import { appendPrepared, integerColumns, prepareColumns, type Cell } from './chunk-append.js';
import { ident } from './sql.js';
import { toJsRow, type JsValue } from './values.js';

const MIGRATIONS = ['001-core.sql', '002-release-sources.sql'].map((f) => join(dirname(fileURLToPath(import.meta.url)), 'migrations', f));

export type Params = DuckDBValue[] | Record<string, DuckDBValue>;
export type DbRow = Record<string, JsValue>;
export type NumberColumn = Int32Array | Uint32Array | Float64Array | Int16Array | Uint16Array | Int8Array | Uint8Array;
type NumberArray = { new (n: number): NumberColumn; new (b: ArrayBufferLike, offset: number, length: number): NumberColumn; BYTES_PER_ELEMENT: number };

/** The typed array of each column type readNumberColumns takes, whose vectors hold exactly its elements. */
const NUMBER_ARRAYS = new Map<DuckDBTypeId, NumberArray>([
  [DuckDBTypeId.TINYINT, Int8Array],
  [DuckDBTypeId.SMALLINT, Int16Array],
  [DuckDBTypeId.INTEGER, Int32Array],
  [DuckDBTypeId.UTINYINT, Uint8Array],
  [DuckDBTypeId.USMALLINT, Uint16Array],
  [DuckDBTypeId.UINTEGER, Uint32Array],
  [DuckDBTypeId.DOUBLE, Float64Array],
]);
type Write = (a: DuckDBAppender, v: NonNullable<Cell>) => void;
interface ColumnWriter {
  column: string;
  type: string;
  write: Write;
}

/** Bytes of fresh memory touched between turns of the event loop while a query runs (touchWhile). */
const TOUCH_SLICE = 4 << 20;
const PAGE = 4096;

// text goes through appendVarchar, which DuckDB casts to the column's type (DATE, TIMESTAMP, JSON, BIGINT)
const asText: Write = (a, v) => a.appendVarchar(v instanceof Date ? v.toISOString() : String(v));

function writerFor(type: string): Write {
  switch (type) {
    case 'DOUBLE':
      return (a, v) => (typeof v === 'number' ? a.appendDouble(v) : asText(a, v));
    case 'INTEGER':
      return (a, v) => (typeof v === 'number' ? a.appendInteger(v) : asText(a, v));
    case 'BOOLEAN':
      return (a, v) => (typeof v === 'boolean' ? a.appendBoolean(v) : asText(a, v));
    default:
      return asText;
  }
}

/**
 * The DuckDB store. One process holds the file at a time (DuckDB's own lock);
 * opening a file another process holds fails with a message naming that process.
 */
export class Database {
  private readonly writerCache = new Map<string, ColumnWriter[]>();
  private catalogRead: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly readOnly: boolean,
    /** A session shares its parent's instance and closes only its own connection. */
    private readonly ownsInstance = true,
  ) {}

  /**
   * A second connection to the same database, with its own transactions: an ingest
   * runs on a session while the server keeps answering from the committed data.
   */
  async session(): Promise<Database> {
    const conn = await this.instance.connect();
    const s = new Database(this.path, this.instance, conn, this.readOnly, false);
    for (const [table, writers] of this.writerCache) s.writerCache.set(table, writers);
    return s;
  }

  static async open(path: string, options: { readOnly?: boolean; schemas?: string[] } = {}): Promise<Database> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      // a commit that brings the log past 1 MB (an ingest) is checkpointed at once, which skips writing its rows to the
      // log and then again to the file: loading the 139 detention workbooks, commit and checkpoint took 0.41 s, now 0.31 s
      instance = await DuckDBInstance.create(path, options.readOnly ? { access_mode: 'READ_ONLY' } : { checkpoint_threshold: '1MB' });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (/lock/i.test(msg)) {
        throw new CliError(`the database ${path} is in use by another tracker process (${msg.replace(/\s+/g, ' ')})`, 7);
      }
      throw new CliError(`cannot open the database ${path}: ${msg}`, 7);
    }
    const conn = await instance.connect();
    const db = new Database(path, instance, conn, options.readOnly ?? false);
    if (!db.readOnly) {
      // one transaction: on its own, each CREATE … IF NOT EXISTS was a commit of its own, written and synced to the log
      try {
        await db.transaction(async () => {
          for (const file of MIGRATIONS) await db.exec(readFileSync(file, 'utf8'));
          for (const sql of options.schemas ?? []) await db.exec(sql);
        });
      } catch (err) {
        db.close();
        throw err;
      }
    }
    return db;
  }

  /** Runs one or more statements without results. */
  async exec(sql: string, params?: Params): Promise<void> {
    try {
      await this.conn.run(sql, params);
    } catch (err) {
      throw new QueryError(sql, err);
    }
  }

  /**
   * Runs `fn` with a DuckDB setting changed for this connection, and resets it after, also when
   * `fn` throws. `value` is SQL (a quoted string or a number).
   */
  async withSetting<T>(name: string, value: string, fn: () => Promise<T>): Promise<T> {
    await this.exec(`SET ${name} = ${value}`);
    try {
      return await fn();
    } finally {
      await this.exec(`RESET ${name}`);
    }
  }

  /** Runs one statement and returns the number of rows it inserted, updated or deleted. */
  async run(sql: string, params?: Params): Promise<number> {
    try {
      return (await this.conn.run(sql, params)).rowsChanged;
    } catch (err) {
      throw new QueryError(sql, err);
    }
  }

  async all(sql: string, params?: Params): Promise<DbRow[]> {
    try {
      const reader = await this.conn.runAndReadAll(sql, params);
      return reader.getRowObjectsJS().map(toJsRow);
    } catch (err) {
      throw new QueryError(sql, err);
    }
  }

  /**
   * Like `all`, for large results of plain columns (text, numbers, dates, lists of them):
   * DuckDB writes each row as JSON and JavaScript parses them all at once, about three times
   * faster than converting value by value. Dates come back as 'YYYY-MM-DD', numbers as
   * numbers; not for timestamps or integers beyond 2^53.
   */
  async allJson<T = DbRow>(sql: string, params?: Params): Promise<T[]> {
    const wrapped = `SELECT to_json(q)::VARCHAR AS j FROM (${sql}) q`;
    try {
      const reader = await this.conn.runAndReadAll(wrapped, params);
      const column = reader.getColumnsJS()[0] ?? [];
      return JSON.parse(`[${column.join(',')}]`) as T[];
    } catch (err) {
      throw new QueryError(sql, err);
    }
  }

  async one(sql: string, params?: Params): Promise<DbRow | undefined> {
    return (await this.all(sql, params))[0];
  }

  /** Runs `fn` in a transaction: all of it is committed, or none of it. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.exec('BEGIN TRANSACTION');
    try {
      const out = await fn();
      await this.exec('COMMIT');
      return out;
    } catch (err) {
      await this.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /**
   * Appends rows to a table through DuckDB's appender, matching columns by name: a vector at a
   * time (chunk-append.ts), or a value at a time for a column or value that path does not take
   * (`byValue` forces the latter: the tests compare the two).
   */
  async append(table: string, rows: Array<Record<string, Cell>>, options: { byValue?: boolean } = {}): Promise<void> {
    if (rows.length === 0) return;
    const writers = await this.writersFor(table);
    const prepared = options.byValue ? undefined : prepareColumns(rows, writers);
    const appender = await this.conn.createAppender(table);
    let failed: unknown;
    try {
      if (prepared) appendPrepared(appender, prepared, rows.length);
      else {
        for (const row of rows) {
          for (const w of writers) {
            const v = row[w.column];
            if (v === null || v === undefined) appender.appendNull();
            else w.write(appender, v);
          }
          appender.endRow();
        }
      }
      appender.flushSync();
    } catch (err) {
      failed = err;
    }
    // closing flushes again and throws the same error after a failed flush (a NOT NULL column): the first one is reported
    try {
      appender.closeSync();
    } catch (err) {
      failed ??= err;
    }
    if (failed !== undefined) throw new QueryError(`append ${rows.length} rows to ${ident(table)}`, failed);
  }

  /**
   * One writer per column, chosen from its declared type (the hot loop of every ingest); read
   * for every table at once, since each look-up in the catalog costs about 10 ms.
   */
  private async writersFor(table: string): Promise<ColumnWriter[]> {
    if (this.catalogRead) await this.catalogRead;
    if (!this.writerCache.has(table)) await this.readWriters();
    const writers = this.writerCache.get(table);
    if (!writers) throw new QueryError(`append to ${table}`, new Error(`no table ${table}`));
    return writers;
  }

  private async readWriters(): Promise<void> {
    const cols = await this.all(
      `SELECT table_name, column_name, data_type FROM duckdb_columns()
        WHERE database_name = current_database() AND schema_name = current_schema() AND NOT internal ORDER BY table_name, column_index`,
    );
    this.writerCache.clear();
    for (const c of cols) {
      const list = this.writerCache.get(c.table_name as string) ?? [];
      list.push({ column: c.column_name as string, type: c.data_type as string, write: writerFor(c.data_type as string) });
      this.writerCache.set(c.table_name as string, list);
    }
  }

  /**
   * Reads the column types the appends need now, in DuckDB's thread, while the caller goes on:
   * an ingest asks before it parses (the read took 50-70 ms at the start of its load). A failure
   * here is left to the append that needs the types, which reads them again. The caller awaits
   * the promise (it never rejects) before it lets the database be closed: closing while the read
   * ran left the process hanging.
   */
  prefetchColumnTypes(): Promise<void> {
    if (this.writerCache.size > 0) return Promise.resolve();
    this.catalogRead ??= this.readWriters()
      .catch(() => undefined)
      .finally(() => (this.catalogRead = undefined));
    return this.catalogRead;
  }

  /**
   * Reads a result of number columns (INTEGER, UINTEGER, DOUBLE, …) into one typed array per
   * column, a chunk at a time, for passes in JavaScript over millions of rows; `rowsHint` sizes
   * the arrays. NULLs have no representation: the query must replace them (coalesce). With
   * `progress`, the caller knows the exact number of rows (`progress.rows`; another count is an
   * error): the arrays are in shared memory at that size, handed to `onColumns` once the first
   * chunk is in, and `copied[0]` (shared) says how many rows are in so far (-1 if the copy fails),
   * so that a worker thread can work on the first rows while the rest are copied.
   *
   * The result is streamed, not materialised: DuckDB hands over its sorted output chunk by chunk
   * instead of first writing all of it to a result collection. The arrays are allocated before the
   * query runs and their pages touched while it does, so that the copy does not wait on the kernel
   * for fresh memory (about 3 ms per MB on this machine, 320 MB for the sweep's 10 million stints).
   * Both together took the sweep's derivation of those stints from 9.4 to 8.0 s (medians of three
   * interleaved processes); the touching alone was not measured apart.
   */
  async readNumberColumns(
    sql: string,
    params?: Params,
    rowsHint = 1 << 16,
    progress?: { copied: Int32Array; rows: number; onColumns: (columns: NumberColumn[]) => void },
  ): Promise<{ rows: number; columns: NumberColumn[] }> {
    let rows = 0;
    let columns: NumberColumn[] = [];
    const allocate = (Column: NumberArray, n: number): NumberColumn =>
      progress ? new Column(new SharedArrayBuffer(n * Column.BYTES_PER_ELEMENT), 0, n) : new Column(n);
    const report = (n: number) => {
      Atomics.store(progress!.copied, 0, n);
      Atomics.notify(progress!.copied, 0);
    };
    const fail = (err: unknown) => {
      if (progress) report(-1);
      return err instanceof QueryError ? err : new QueryError(sql, err);
    };
    let result;
    const kinds: NumberArray[] = [];
    try {
      const prepared = await this.conn.prepare(sql);
      if (params) prepared.bind(params);
      for (let c = 0; c < prepared.columnCount; c++) {
        const kind = NUMBER_ARRAYS.get(prepared.columnTypeId(c));
        if (!kind) throw new QueryError(sql, new Error(`column ${c + 1} is not a column of numbers (${prepared.columnType(c).toString()})`));
        kinds.push(kind);
      }
      columns = kinds.map((k) => allocate(k, progress ? progress.rows : rowsHint));
      const running = prepared.stream();
      await touchWhile(columns, running);
      result = await running;
    } catch (err) {
      throw fail(err);
    }
    try {
      for (;;) {
        const chunk = await result.fetchChunk();
        const n = chunk?.rowCount ?? 0;
        if (!chunk || n === 0) break;
        if (progress && rows + n > progress.rows) throw new QueryError(sql, new Error(`more rows than the ${progress.rows} expected`));
        for (let c = 0; c < kinds.length; c++) {
          const Column = kinds[c]!;
          const size = Column.BYTES_PER_ELEMENT;
          // the vector's numbers as they are: through node-api's vector objects (a type look-up and a validity mask
          // per vector) the copy of 10 million rows of 7 columns took 1.2 s, this way 0.9 s
          const data = bindings.vector_get_data(bindings.data_chunk_get_vector(chunk.chunk, c), n * size);
          let col = columns[c]!;
          if (rows + n > col.length) {
            const grown = allocate(Column, Math.max(2 * col.length, rows + n));
            grown.set(col.subarray(0, rows) as never);
            columns[c] = col = grown;
          }
          // as bytes: the copy the bindings hand back need not sit at a multiple of the element size
          new Uint8Array(col.buffer, col.byteOffset + rows * size, n * size).set(data);
        }
        if (rows === 0) progress?.onColumns(columns);
        rows += n;
        if (progress) report(rows);
      }
      if (progress && rows !== progress.rows) throw new QueryError(sql, new Error(`${rows} rows where ${progress.rows} were expected`));
    } catch (err) {
      throw fail(err);
    }
    columns = columns.map((c) => c.subarray(0, rows) as NumberColumn);
    return { rows, columns };
  }

  /**
   * Appends `rows` rows of INTEGERs, one array per column in the table's order, to a table (of
   * the `temp` catalog for a temporary one), each vector's worth copied in one call (chunk-append.ts).
   */
  async appendIntegerColumns(table: string, columns: Int32Array[], rows: number, catalog?: string): Promise<void> {
    const appender = await this.conn.createAppender(table, null, catalog ?? null);
    try {
      appendPrepared(appender, integerColumns(columns, rows), rows);
      appender.flushSync();
    } catch (err) {
      throw new QueryError(`append ${rows} rows to ${ident(table)}`, err);
    } finally {
      appender.closeSync();
    }
  }

  async checkpoint(): Promise<void> {
    if (!this.readOnly) await this.exec('CHECKPOINT');
  }

  close(): void {
    this.conn.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }
}

/**
 * Writes a zero into every page of the arrays, a slice per turn of the event loop, until `running`
 * settles: the kernel hands out fresh pages while DuckDB's threads run the query, not while the
 * rows are being copied. Stops where it is when the query is done (the copy then writes the rest).
 */
async function touchWhile(columns: NumberColumn[], running: Promise<unknown>): Promise<void> {
  let done = false;
  running.then(
    () => (done = true),
    () => (done = true),
  );
  for (const col of columns) {
    const bytes = new Uint8Array(col.buffer, col.byteOffset, col.byteLength);
    for (let from = 0; from < bytes.length && !done; from += TOUCH_SLICE) {
      const to = Math.min(bytes.length, from + TOUCH_SLICE);
      for (let b = from; b < to; b += PAGE) bytes[b] = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
