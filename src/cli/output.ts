/**
 * The one print path for CLI commands: rows as a table for people, or as
 * JSON, NDJSON or CSV for machines; plain lines to stdout; warnings to stderr.
 */

import { CliError } from '../lib/errors.js';

export type OutputFormat = 'table' | 'json' | 'csv' | 'ndjson';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv', 'ndjson'];

export interface FormatOptions {
  /** Columns to print, in order. Defaults to the union of row keys in first-seen order. */
  columns?: string[];
}

/**
 * Resolves a `--format` value. Without one, people at a terminal get a table
 * and pipes get JSON. Throws a `CliError` (exit code 2) for an unknown value.
 */
export function parseFormat(value: string | undefined, isTty: boolean): OutputFormat {
  if (value === undefined) return isTty ? 'table' : 'json';
  const wanted = value.trim().toLowerCase();
  const found = OUTPUT_FORMATS.find((format) => format === wanted);
  if (found === undefined) {
    throw new CliError(`unknown --format '${value}': expected one of ${OUTPUT_FORMATS.join(', ')}`, 2);
  }
  return found;
}

/**
 * Makes a value printable in every format: a `bigint` becomes a number when it
 * is a safe integer, else a string; a `Date` becomes `YYYY-MM-DD` at midnight
 * UTC, else a full ISO timestamp. Arrays and plain objects are converted deeply.
 */
export function toPlainValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) return dateText(value);
  if (Array.isArray(value)) return value.map(toPlainValue);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, toPlainValue(v)]));
  }
  return value;
}

function dateText(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) return 'Invalid Date';
  const iso = date.toISOString();
  // Date-only values (DuckDB DATE, report dates) arrive as midnight UTC.
  return time % 86_400_000 === 0 ? (iso.split('T')[0] ?? iso) : iso;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The union of row keys in first-seen order. */
function columnsOf(rows: Array<Record<string, unknown>>): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

/**
 * Renders rows in the given format. Every non-empty result ends in a newline.
 * JSON and NDJSON keep each row's own keys unless `columns` is given, in which
 * case rows are projected onto those columns (missing values become null).
 */
export function formatRows(
  rows: Array<Record<string, unknown>>,
  format: OutputFormat,
  options: FormatOptions = {},
): string {
  switch (format) {
    case 'json':
      return JSON.stringify(jsonRows(rows, options.columns), null, 2) + '\n';
    case 'ndjson':
      return jsonRows(rows, options.columns)
        .map((row) => JSON.stringify(row) + '\n')
        .join('');
    case 'csv':
      return formatCsv(rows, options.columns);
    case 'table':
      return formatTable(rows, options.columns ?? columnsOf(rows));
  }
}

function jsonRows(rows: Array<Record<string, unknown>>, columns: string[] | undefined): unknown[] {
  if (columns === undefined) return rows.map(toPlainValue);
  return rows.map((row) => Object.fromEntries(columns.map((c) => [c, toPlainValue(row[c]) ?? null])));
}

// --- CSV ---------------------------------------------------------------------

function formatCsv(rows: Array<Record<string, unknown>>, given: string[] | undefined): string {
  const columns = given ?? columnsOf(rows);
  if (columns.length === 0) return '';
  const lines = [columns.map(csvField)];
  for (const row of rows) lines.push(columns.map((c) => csvField(csvText(toPlainValue(row[c])))));
  return lines.map((fields) => fields.join(',') + '\n').join('');
}

function csvText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// --- Table -------------------------------------------------------------------

const MAX_CELL = 60;
const GAP = '  ';
const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0, signDisplay: 'negative' });
const decimalFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, signDisplay: 'negative' });

interface Cell {
  text: string;
  right: boolean;
}

function formatTable(rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (rows.length === 0 || columns.length === 0) return '(no rows)\n';
  // years and ids are labels, not quantities: no thousands separators
  const plain = columns.map((c) => /(year|_id|^id)$/i.test(c));
  const body: Cell[][] = rows.map((row) => columns.map((c, i) => tableCell(toPlainValue(row[c]), plain[i] === true)));
  // A column of numbers gets a right-aligned header so it sits over its digits.
  const numeric = columns.map(
    (_, i) => body.some((r) => r[i]?.right) && body.every((r) => r[i]?.right || r[i]?.text === ''),
  );
  const header: Cell[] = columns.map((c, i) => ({ text: truncate(oneLine(c)), right: numeric[i] === true }));
  const widths = columns.map((_, i) => Math.max(...[header, ...body].map((r) => width(r[i]?.text ?? ''))));
  const separator = widths.map((w) => '-'.repeat(w)).join(GAP);
  const render = (cells: Cell[]): string =>
    cells
      .map((cell, i) => pad(cell.text, widths[i] ?? 0, cell.right))
      .join(GAP)
      .trimEnd();
  return [render(header), separator, ...body.map(render)].map((line) => line + '\n').join('');
}

function tableCell(value: unknown, plain = false): Cell {
  if (typeof value === 'number') return { text: plain ? String(value) : tableNumber(value), right: true };
  return { text: truncate(oneLine(tableText(value))), right: false };
}

function tableNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return (Number.isInteger(n) ? integerFormat : decimalFormat).format(n);
}

function tableText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    return value.map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : tableText(v))).join(', ');
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Line breaks and tabs inside a cell would break the column alignment. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}

/** Widths count code points, so astral characters are not counted twice. */
function width(text: string): number {
  return [...text].length;
}

function truncate(text: string): string {
  const chars = [...text];
  return chars.length > MAX_CELL ? chars.slice(0, MAX_CELL - 1).join('') + '…' : text;
}

function pad(text: string, to: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, to - width(text)));
  return right ? fill + text : text + fill;
}

// --- Printer -----------------------------------------------------------------

/**
 * The one print path for all commands: rows and lines go to `out` (stdout),
 * warnings to `err` (stderr) so they never mix into machine-readable output.
 */
export class Printer {
  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  /** Writes rows in the given format. */
  rows(rows: Array<Record<string, unknown>>, format: OutputFormat, options?: FormatOptions): void {
    const text = formatRows(rows, format, options);
    if (text !== '') this.out.write(text);
  }

  /** Writes one line of text (a newline is appended). */
  line(text: string): void {
    this.out.write(text + '\n');
  }

  /** Writes `warning: <text>` to stderr. */
  warn(text: string): void {
    this.err.write(`warning: ${text}\n`);
  }
}
