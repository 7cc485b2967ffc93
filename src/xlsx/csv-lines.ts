/**
 * The line buffer of sheet-csv.ts's writer: a CSV line per sheet row, assembled field by
 * field (the row number, the fields in order with the commas between them, the flags), a
 * line of a row without a value dropped, whole lines handed to the sink when the buffer
 * fills. The writer's scanner keeps the hot fields in locals and writes them back here
 * before it calls these methods.
 */
import { columnLetters } from './cell-ref.js';
import { csvField, NEEDS_QUOTES, writeInt } from './csv-text.js';

/** Where the lines go: whole lines, `rows` of them; the bytes are only valid until the sink returns. */
export type CsvSink = (bytes: Buffer, rows: number) => void;

const OUT_SIZE = 1 << 21;

/** What the line buffer needs of a sheet's spec (sheet-csv.ts's SheetCsvSpec). */
export interface CsvLineSpec {
  headerRow: number;
  /** For each sheet column, its field, or -1. */
  fieldOf: number[];
  fields: number;
  /** For each sheet column, its name in the flags field (without '|'). */
  flagNames: string[];
}

export abstract class CsvLines {
  /** Lines written. */
  rows = 0;
  protected out = Buffer.allocUnsafe(OUT_SIZE + 4096);
  protected o = 0;
  /** Lines in `out`. */
  protected pending = 0;

  // the row being written
  protected row = 0;
  protected open = false;
  protected skip = false;
  protected lineStart = 0;
  /** Commas written on this line: field f starts after comma f + 1. */
  protected commas = 0;
  protected col = 0;
  /** The column of the last cell read, with a value or not: a cell without `r` is in the next. */
  protected refCol = 0;
  protected hasValue = false;
  /** Digits of the row number: those of the cell references on the row, skipped without a look. */
  protected rowDigits = 0;
  protected readonly flagged: Int32Array;
  protected nFlagged = 0;

  protected readonly fieldOf: Int32Array;
  private readonly flagBytes: Buffer[];
  private readonly flagQuoted: boolean[];

  constructor(
    private readonly lineSpec: CsvLineSpec,
    private readonly sink: CsvSink,
  ) {
    this.fieldOf = Int32Array.from(lineSpec.fieldOf);
    this.flagged = new Int32Array(lineSpec.flagNames.length + 1);
    if (lineSpec.flagNames.some((n) => n.includes('|'))) throw new Error(`a flag name holds '|': ${lineSpec.flagNames.join(', ')}`);
    this.flagBytes = lineSpec.flagNames.map((n) => Buffer.from(csvField(n).replace(/^"|"$/g, ''), 'utf8'));
    this.flagQuoted = lineSpec.flagNames.map((n) => NEEDS_QUOTES.test(n));
  }

  /** Gives the sink the lines still held. */
  finish(): void {
    this.endRow();
    this.flush();
  }

  protected flush(): void {
    if (this.pending === 0) return;
    this.sink(this.out.subarray(0, this.lineStart), this.pending);
    this.pending = 0;
    this.out.copyWithin(0, this.lineStart, this.o);
    this.o -= this.lineStart;
    this.lineStart = 0;
  }

  /** Room for `n` more bytes: the whole lines held go to the sink, and a row longer than the buffer grows it. */
  protected room(n: number): void {
    if (this.o + n <= this.out.length) return;
    this.flush();
    if (this.o + n > this.out.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.o + n + 4096));
      this.out.copy(bigger, 0, 0, this.o);
      this.out = bigger;
    }
  }

  protected startRow(row: number): void {
    this.endRow();
    this.row = row;
    this.open = true;
    this.col = 0;
    this.refCol = 0;
    this.skip = row <= this.lineSpec.headerRow;
    if (this.skip) return;
    if (this.o >= OUT_SIZE) this.flush();
    this.lineStart = this.o;
    this.o = writeInt(this.out, this.o, row);
    this.rowDigits = this.o - this.lineStart;
    this.commas = 0;
    this.hasValue = false;
    this.nFlagged = 0;
  }

  protected endRow(): void {
    if (!this.open) return;
    this.open = false;
    if (this.skip) return;
    if (!this.hasValue) {
      this.o = this.lineStart;
      return;
    }
    let size = this.lineSpec.fields + 4;
    let quoted = false;
    for (let k = 0; k < this.nFlagged; k++) {
      size += this.flagBytes[this.flagged[k]!]!.length + 1;
      quoted ||= this.flagQuoted[this.flagged[k]!]!;
    }
    this.room(size);
    const out = this.out;
    let o = this.o;
    for (let c = this.commas; c <= this.lineSpec.fields; c++) out[o++] = 44;
    if (quoted) out[o++] = 34;
    for (let k = 0; k < this.nFlagged; k++) {
      if (k > 0) out[o++] = 124; /* | */
      const b = this.flagBytes[this.flagged[k]!]!;
      for (let q = 0; q < b.length; q++) out[o++] = b[q]!;
    }
    if (quoted) out[o++] = 34;
    out[o++] = 10;
    this.o = this.lineStart = o;
    this.rows++;
    this.pending++;
  }

  /** Commas up to where field `f` starts, with room for `n` bytes of it. */
  protected field(f: number, n: number): void {
    this.room(f + 2 - this.commas + n);
    const out = this.out;
    let o = this.o;
    while (this.commas <= f) {
      out[o++] = 44;
      this.commas++;
    }
    this.o = o;
  }

  /** A cell at `col` with a value: its field, or only its flag. Returns the field, or -1 when nothing is to be written. */
  protected cellAt(col: number, flag: boolean): number {
    if (col <= this.col) throw new Error(`cell ${columnLetters(col)}${this.row} comes after a cell to its right (cells out of order)`);
    this.col = col;
    this.hasValue = true;
    if (flag) {
      this.flagged[this.nFlagged++] = col;
      return -1;
    }
    return this.fieldOf[col]!;
  }

  protected text(f: number, s: string): void {
    const field = csvField(s.trim());
    this.field(f, field.length * 3);
    this.o += this.out.write(field, this.o, 'utf8');
  }
}
