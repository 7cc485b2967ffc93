/**
 * Typed errors. Each carries the context a reader needs to find the problem
 * (file, sheet, cell or table; check and observed value; SQL), so that catch-all
 * handlers at the CLI top level and the server error hook can report them as-is.
 */

export interface SourceLocation {
  file: string;
  sheet?: string;
  table?: string;
  /** A1-style cell reference, or a row number for CSV. */
  cell?: string;
  row?: number;
  /** 1-based line of a text file (CSV), the header being line 1. */
  line?: number;
  column?: string;
}

export class TrackerError extends Error {
  readonly exitCode: number = 1;
}

function describeLocation(loc: SourceLocation): string {
  const parts = [loc.file];
  if (loc.sheet !== undefined) parts.push(`sheet '${loc.sheet}'`);
  if (loc.table !== undefined) parts.push(`table '${loc.table}'`);
  if (loc.cell !== undefined) parts.push(`cell ${loc.cell}`);
  if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.column !== undefined) parts.push(`column '${loc.column}'`);
  return parts.join(', ');
}

/** The file does not have the shape its source expects. */
export class SourceFormatError extends TrackerError {
  override readonly exitCode = 3;
  constructor(
    readonly location: SourceLocation,
    readonly reason: string,
  ) {
    super(`${describeLocation(location)}: ${reason}`);
    this.name = 'SourceFormatError';
  }
}

/** A data check failed after parsing. */
export class CheckFailedError extends TrackerError {
  override readonly exitCode = 4;
  constructor(
    readonly check: string,
    readonly threshold: string,
    readonly observed: string,
    readonly location?: SourceLocation,
  ) {
    super(
      `check '${check}' failed: expected ${threshold}, observed ${observed}` +
        (location ? ` (${describeLocation(location)})` : ''),
    );
    this.name = 'CheckFailedError';
  }
}

export class QueryError extends TrackerError {
  override readonly exitCode = 5;
  constructor(
    readonly sql: string,
    override readonly cause: unknown,
  ) {
    super(`query failed: ${cause instanceof Error ? cause.message : String(cause)}\nSQL: ${sql}`);
    this.name = 'QueryError';
  }
}

export class HttpError extends TrackerError {
  override readonly exitCode = 6;
  constructor(
    readonly url: string,
    readonly status: number | undefined,
    reason: string,
  ) {
    super(`${url}: ${reason}`);
    this.name = 'HttpError';
  }
}

/** A usage error or another failure the CLI reports with a specific exit code. */
export class CliError extends TrackerError {
  override readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
