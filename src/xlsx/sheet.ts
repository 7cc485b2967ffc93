import { cellRef } from './cell-ref.js';

/** An Excel error value such as `#N/A` or `#DIV/0!`, kept apart from text. */
export class CellError {
  constructor(readonly code: string) {}
  toString(): string {
    return this.code;
  }
}

export type CellValue = string | number | boolean | Date | CellError;

export interface MergedRange {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/**
 * One worksheet's cached cell values. Rows and columns are 1-based, as in Excel,
 * so error messages and provenance columns can quote them without translation.
 */
export class Sheet {
  readonly rows: Array<Array<CellValue | undefined> | undefined> = [];
  readonly merged: MergedRange[] = [];
  maxRow = 0;
  maxCol = 0;

  constructor(
    readonly name: string,
    readonly hidden: boolean,
  ) {}

  set(row: number, col: number, value: CellValue): void {
    let r = this.rows[row];
    if (r === undefined) {
      r = [];
      this.rows[row] = r;
    }
    r[col] = value;
    if (row > this.maxRow) this.maxRow = row;
    if (col > this.maxCol) this.maxCol = col;
  }

  get(row: number, col: number): CellValue | undefined {
    return this.rows[row]?.[col];
  }

  /** Trimmed text of a cell ('' for empty, numbers as written). */
  text(row: number, col: number): string {
    const v = this.get(row, col);
    if (v === undefined) return '';
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    return String(v).trim();
  }

  number(row: number, col: number): number | undefined {
    const v = this.get(row, col);
    return typeof v === 'number' ? v : undefined;
  }

  /** Every non-empty cell in row-major order. */
  *cells(): Generator<{ row: number; col: number; value: CellValue }> {
    for (let r = 1; r <= this.maxRow; r++) {
      const cols = this.rows[r];
      if (!cols) continue;
      for (let c = 1; c < cols.length; c++) {
        const value = cols[c];
        if (value !== undefined) yield { row: r, col: c, value };
      }
    }
  }

  /** Last non-empty column of a row (0 if the row is empty). */
  rowWidth(row: number): number {
    const cols = this.rows[row];
    if (!cols) return 0;
    for (let c = cols.length - 1; c >= 1; c--) if (cols[c] !== undefined) return c;
    return 0;
  }

  ref(row: number, col: number): string {
    return cellRef(row, col);
  }
}
