import { formatRows } from '../../cli/output.js';

/** RFC 4180 CSV of rows, with the columns given (or every key, first seen first). */
export function toCsv(rows: Array<Record<string, unknown>>, columns?: string[]): string {
  return formatRows(rows, 'csv', columns ? { columns } : undefined);
}
