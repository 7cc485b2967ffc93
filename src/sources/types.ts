import type { Database } from '../db/connection.js';
import type { TextScan } from '../lib/text-scan.js';

/**
 * The Dataset contract. Every official dataset is one folder under src/sources with
 * the same files (index.ts, discover.ts, parse.ts, columns.ts, schema.sql) and one
 * line in registry.ts.
 */

/** Injected effects, so fetchers and the pipeline run against recorded pages in tests. */
export interface Effects {
  http: HttpClient;
  logger: Logger;
  now: () => Date;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export interface HttpGetOptions {
  /** Abort the request after this many milliseconds without completion. */
  timeoutMs?: number;
  /** Refuse bodies larger than this (checked on Content-Length and while streaming). */
  maxBytes?: number;
  /** Conditional request validators from an earlier download. */
  etag?: string;
  lastModified?: string;
}

export interface HttpResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  /** True when the server answered 304 to a conditional request. */
  notModified: boolean;
}

export interface HttpClient {
  get(url: string, options?: HttpGetOptions): Promise<HttpResponse>;
}

/** A file an official page links to. */
export interface DiscoveredFile {
  url: string;
  /** The last path segment of the URL, decoded: the name the agency gave the file. */
  fileName: string;
}

/** A file as read from the archive or from a mirror folder. */
export interface SourceFile {
  /** Path or name shown in messages. */
  path: string;
  /** Original file name as published. */
  fileName: string;
  bytes: Uint8Array;
  /** The id the release will have (derived from the sha256 by the pipeline). */
  releaseId: string;
}

/** A text file known by a scan of its bytes (lib/text-scan.ts), not by its bytes: see Dataset.parseScanned. */
export interface ScannedFile {
  path: string;
  fileName: string;
  scan: TextScan;
  releaseId: string;
}

export type Severity = 'info' | 'warning' | 'error';

/** Something in a release that a reader should know; never a silent drop. */
export interface Anomaly {
  code: string;
  severity: Severity;
  subject: string;
  detail: string;
}

export type Row = Record<string, string | number | boolean | null | Date>;

/** What a direct load stored, and what it learned that parsing could not (dates, totals). */
export interface DirectLoadResult {
  rows: number;
  snapshotDate?: string | null;
  fiscalYear?: number | null;
  summary?: Record<string, number | string | null>;
  anomalies?: Anomaly[];
}

/**
 * Rows DuckDB reads straight from the archived file (large CSVs and parquet), inside
 * the release's transaction. `run` gets the path of the archived copy and throws a
 * SourceFormatError naming line and column when the file is bad.
 *
 * `stage`, when given, runs first, before the transaction begins: it reads the file into a
 * TEMP table that `run` then copies from. DuckDB scans a table created in the still-open
 * transaction on fewer threads, so a stage made inside it made the copy slower (2 million
 * arrests: 4.9 s against 3.0 s). A stage holds no stored data, so making it outside the
 * transaction loses no atomicity; `unstage` drops it after the transaction, whatever the outcome.
 */
export interface DirectLoad {
  run(db: Database, path: string): Promise<DirectLoadResult>;
  stage?(db: Database, path: string): Promise<void>;
  unstage?(db: Database): Promise<void>;
}

export interface ParsedRelease {
  /** Date the data describe, read from the content (YYYY-MM-DD), or null. */
  snapshotDate: string | null;
  fiscalYear: number | null;
  /** Headline values shown in the release ledger. */
  summary: Record<string, number | string | null>;
  /** Rows per canonical table (table name → rows); provenance columns included. */
  tables: Record<string, Row[]>;
  anomalies: Anomaly[];
  /** Loads run by DuckDB itself after the rows above are appended. */
  directLoads?: DirectLoad[];
}

export interface Dataset {
  id: string;
  title: string;
  agency: string;
  /** The official page the files are published on. */
  sourceUrl: string;
  license: string;
  cadence: string;
  /** Does a file belong to this dataset? `head` is its first bytes. */
  claims(fileName: string, head: Uint8Array): boolean;
  discover(fx: Effects): Promise<DiscoveredFile[]>;
  parse(file: SourceFile): Promise<ParsedRelease>;
  /**
   * For sources of large text files that DuckDB loads from disk (a FOIA CSV can be 3 GB): the
   * files `accepts` picks are parsed from a scan of their bytes, so that the pipeline can stream
   * a large one through its hash, its checks and its archive copy in one pass without holding it.
   */
  parseScanned?: { accepts(fileName: string, head: Uint8Array): boolean; parse(file: ScannedFile): Promise<ParsedRelease> };
  /**
   * Where a parse thread finds this dataset: the module that exports it (its
   * `import.meta.url`) and the export's name. Only for datasets whose parse returns rows
   * and no direct loads; a run of many files parses them on every core (src/ingest/parse-pool.ts).
   */
  parseOffThread?: { module: string; exportName: string };
  /** SQL that creates the dataset's canonical tables (idempotent). */
  schemaSql: string;
  /** Tables holding this dataset's rows, keyed by release_id (deleted with a release). */
  tables: string[];
  /**
   * What a file in a mirror folder corresponds to: the agency's own file name and URL,
   * and the download date when the mirror's naming records one.
   */
  describeFile(fileName: string): { fileName: string; url: string | null; retrievedAt: string | null };
}
