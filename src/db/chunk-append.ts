/**
 * Appending many rows a vector at a time. DuckDB's appender, a value at a time, crosses from
 * JavaScript to C++ once per value (about 0.4 µs); here numbers and dates are written into a
 * vector's memory directly, and so is text of up to 12 ASCII characters, which DuckDB keeps
 * inside the string's 16-byte slot (as node-api itself reads it, dataAccessors' getStringBytes):
 * release ids, agencies, states, criminality codes. Longer text still crosses once per distinct
 * value in a vector (its repeats share the first copy's bytes).
 * Only what converts exactly as the appender's cast would is taken; anything else (a text in a
 * number column, a date that is not YYYY-MM-DD, JSON that does not parse) sends the whole
 * append down the value-at-a-time path, so that DuckDB gives its own error or cast.
 */
import { DuckDBDataChunk, type DuckDBAppender } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import { isoDateToDays } from '../lib/dates.js';

export type Cell = string | number | boolean | null | Date | undefined;

export interface TargetColumn {
  column: string;
  /** The column's declared type, as duckdb_columns() gives it. */
  type: string;
}

/** Rows in one of DuckDB's vectors. */
export const VECTOR_ROWS = bindings.vector_size();
const DAY_MS = 86_400_000;
const INLINE_MAX = 12;

type Prepared =
  | { kind: 'number'; type: bindings.Type; values: Float64Array | Int32Array | Uint8Array; nulls: Uint8Array | undefined }
  | { kind: 'text'; values: Array<string | null> };

// one function per column type, each with its own kind of typed array: one function for all three was compiled
// again each time it met another (five times over the detention workbooks)

function doubles(cells: Cell[]): Prepared | undefined {
  const values = new Float64Array(cells.length);
  let nulls: Uint8Array | undefined;
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (v === null || v === undefined) (nulls ??= new Uint8Array(cells.length))[i] = 1;
    else if (typeof v === 'number' && !Number.isNaN(v)) values[i] = v;
    else return undefined;
  }
  return { kind: 'number', type: bindings.Type.DOUBLE, values, nulls };
}

function integers(cells: Cell[]): Prepared | undefined {
  const values = new Int32Array(cells.length);
  let nulls: Uint8Array | undefined;
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (v === null || v === undefined) (nulls ??= new Uint8Array(cells.length))[i] = 1;
    else if (typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) values[i] = v;
    else return undefined;
  }
  return { kind: 'number', type: bindings.Type.INTEGER, values, nulls };
}

function dates(cells: Cell[]): Prepared | undefined {
  const values = new Int32Array(cells.length);
  let nulls: Uint8Array | undefined;
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (v === null || v === undefined) {
      (nulls ??= new Uint8Array(cells.length))[i] = 1;
      continue;
    }
    const days = typeof v === 'string' ? isoDateToDays(v) : v instanceof Date ? Math.floor(v.getTime() / DAY_MS) : undefined;
    if (days === undefined || Number.isNaN(days)) return undefined;
    values[i] = days;
  }
  return { kind: 'number', type: bindings.Type.DATE, values, nulls };
}

function texts(cells: Cell[], json: boolean): Prepared | undefined {
  const values: Array<string | null> = new Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (v === null || v === undefined) values[i] = null;
    else if (typeof v === 'string') values[i] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') values[i] = String(v);
    else return undefined;
    if (json && values[i] !== null) {
      try {
        JSON.parse(values[i]!);
      } catch {
        return undefined;
      }
    }
  }
  return { kind: 'text', values };
}

function booleans(cells: Cell[]): Prepared | undefined {
  const values = new Uint8Array(cells.length);
  let nulls: Uint8Array | undefined;
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (v === null || v === undefined) (nulls ??= new Uint8Array(cells.length))[i] = 1;
    else if (typeof v === 'boolean') values[i] = v ? 1 : 0;
    else return undefined;
  }
  return { kind: 'number', type: bindings.Type.BOOLEAN, values, nulls };
}

/** Splits rows into one array per column, with a function made for the column list (cached). */
type Splitter = (rows: ReadonlyArray<Record<string, Cell>>) => Cell[][];
const splitters = new Map<string, Splitter>();

/**
 * A function that reads each row's columns by name, written out: a loop over column names reads
 * every property through V8's slowest lookup (about 150 ns a value over the detention workbooks'
 * 2.3 million), where a written-out name is one load from a known place. The names are the
 * table's own, from DuckDB's catalog, and are quoted as JSON strings.
 */
function splitterFor(columns: readonly TargetColumn[]): Splitter {
  const key = JSON.stringify(columns.map((c) => c.column));
  let split = splitters.get(key);
  if (!split) {
    const names = columns.map((c) => JSON.stringify(c.column));
    const body =
      `const n = rows.length;\n` +
      // filled first, so that every column's array has the same elements kind whatever it holds: the loops below
      // then see one map (arrays of only integers, only doubles or mixed made V8 compile them again and again)
      names.map((_, k) => `const c${k} = new Array(n).fill(null);`).join('\n') +
      `\nfor (let i = 0; i < n; i++) {\n  const r = rows[i];\n` +
      names.map((name, k) => `  c${k}[i] = r[${name}];`).join('\n') +
      `\n}\nreturn [${names.map((_, k) => `c${k}`).join(', ')}];`;
    split = new Function('rows', body) as Splitter;
    splitters.set(key, split);
  }
  return split;
}

/** The rows as columns ready for vectors, or undefined when a column or a value is not one this path takes. */
export function prepareColumns(rows: ReadonlyArray<Record<string, Cell>>, columns: readonly TargetColumn[]): Prepared[] | undefined {
  if (columns.some((c) => !TAKEN.has(c.type))) return undefined;
  const split = splitterFor(columns)(rows);
  const out: Prepared[] = [];
  for (let k = 0; k < columns.length; k++) {
    const { type } = columns[k]!;
    const cells = split[k]!;
    const p =
      type === 'DOUBLE'
        ? doubles(cells)
        : type === 'INTEGER'
          ? integers(cells)
          : type === 'DATE'
            ? dates(cells)
            : type === 'VARCHAR' || type === 'JSON'
              ? texts(cells, type === 'JSON')
              : booleans(cells);
    if (!p) return undefined;
    out.push(p);
  }
  return out;
}

/** Columns of INTEGERs without NULLs, the first `rows` of each, as appendPrepared takes them. */
export function integerColumns(columns: Int32Array[], rows: number): Prepared[] {
  return columns.map((c) => ({ kind: 'number', type: bindings.Type.INTEGER, values: c.subarray(0, rows), nulls: undefined }));
}

/** The column types this path writes. */
const TAKEN = new Set(['DOUBLE', 'INTEGER', 'DATE', 'VARCHAR', 'JSON', 'BOOLEAN']);

/** Writes `text` into string slot `i` when DuckDB keeps it inline (12 ASCII characters or fewer). */
function writeInline(slots: Uint8Array, lengths: DataView, i: number, text: string): boolean {
  if (text.length > INLINE_MAX) return false;
  const at = i * 16 + 4;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c > 127) return false;
    slots[at + k] = c;
  }
  // the unused bytes are zero: DuckDB compares inline strings over the whole slot
  slots.fill(0, at + text.length, at + INLINE_MAX);
  lengths.setUint32(i * 16, text.length, true);
  return true;
}

/** Marks row `i` NULL in DuckDB's validity mask (a bit per row, set when the row has a value). */
const setNull = (mask: Uint8Array, i: number) => (mask[i >> 3]! &= ~(1 << (i & 7)));

/**
 * A long text met again in the same vector gets the slot of its first copy: a slot is the
 * length, a prefix and a pointer into the vector's string heap, and DuckDB copies the bytes
 * when it stores the vector. Facility names, addresses and notes come back in release after
 * release (ten or more times in a vector of facility rows), and each copy was a call into
 * DuckDB of about 0.3 µs. `repeats` holds pairs: the row, then the row of the first copy.
 * vector_get_data hands back a copy of the slots, which is written back whole.
 */
function shareRepeats(vector: bindings.Vector, n: number, repeats: number[]): void {
  const data = bindings.vector_get_data(vector, n * 16);
  for (let k = 0; k < repeats.length; k += 2) {
    const from = repeats[k + 1]! * 16;
    data.copyWithin(repeats[k]! * 16, from, from + 16);
  }
  bindings.copy_data_to_vector(vector, 0, data.buffer as ArrayBuffer, data.byteOffset, n * 16);
}

/**
 * Appends prepared columns of `rowCount` rows through one data chunk, filled and reset a
 * vector's worth of rows at a time (a chunk per vector held about 40 MB until collected).
 */
export function appendPrepared(appender: DuckDBAppender, prepared: Prepared[], rowCount: number): void {
  const firstAt = new Map<string, number>();
  const chunk = bindings.create_data_chunk(prepared.map((p) => bindings.create_logical_type(p.kind === 'number' ? p.type : bindings.Type.VARCHAR)));
  const wrapper = new DuckDBDataChunk(chunk);
  const slots = new Uint8Array(VECTOR_ROWS * 16);
  const slotView = new DataView(slots.buffer);
  const mask = new Uint8Array(Math.ceil(VECTOR_ROWS / 64) * 8);
  for (let from = 0; from < rowCount; from += VECTOR_ROWS) {
    const n = Math.min(VECTOR_ROWS, rowCount - from);
    bindings.data_chunk_reset(chunk);
    bindings.data_chunk_set_size(chunk, n);
    prepared.forEach((p, c) => {
      const vector = bindings.data_chunk_get_vector(chunk, c);
      let nulls = false;
      mask.fill(0xff);
      if (p.kind === 'number') {
        const size = p.values.BYTES_PER_ELEMENT;
        bindings.copy_data_to_vector(vector, 0, p.values.buffer as ArrayBuffer, p.values.byteOffset + from * size, n * size);
        if (p.nulls) {
          for (let i = 0; i < n; i++) {
            if (p.nulls[from + i] !== 1) continue;
            setNull(mask, i);
            nulls = true;
          }
        }
      } else {
        const long: number[] = [];
        const repeats: number[] = [];
        firstAt.clear();
        for (let i = 0; i < n; i++) {
          const text = p.values[from + i]!;
          if (text !== null && writeInline(slots, slotView, i, text)) continue;
          slotView.setBigUint64(i * 16, 0n, true);
          if (text === null) {
            setNull(mask, i);
            nulls = true;
            continue;
          }
          const first = firstAt.get(text);
          if (first === undefined) {
            firstAt.set(text, i);
            long.push(i);
          } else repeats.push(i, first);
        }
        bindings.copy_data_to_vector(vector, 0, slots.buffer, 0, n * 16);
        // longer texts are copied into the vector's own string heap, one call per distinct text
        for (const i of long) bindings.vector_assign_string_element(vector, i, p.values[from + i]!);
        if (repeats.length > 0) shareRepeats(vector, n, repeats);
      }
      if (nulls) {
        bindings.vector_ensure_validity_writable(vector);
        bindings.copy_data_to_vector_validity(vector, 0, mask.buffer, 0, Math.ceil(n / 64) * 8);
      }
    });
    appender.appendDataChunk(wrapper);
  }
}
