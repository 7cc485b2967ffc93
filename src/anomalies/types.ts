import type { Database } from '../db/connection.js';
import type { Severity } from '../sources/types.js';

/** One thing a detector found in one release, with the cells and values behind it. */
export interface Finding {
  release_id: string;
  /** Where: a cell, a facility, a month, a file name. */
  subject: string;
  /** What and why, naming the cells (sheet!cell) and the values a reader can check. */
  detail: string;
}

/** An anomaly as stored in `release_anomalies` and listed by `tracker anomalies`. */
export interface AnomalyRecord extends Finding {
  code: string;
  severity: Severity;
}

/**
 * A cross-release check: it reads the releases of one source already in the database and
 * returns its findings. Detectors run in the order of DETECTORS inside the ingest
 * transaction, each seeing the findings of those before it (release_order reads them).
 */
export interface Detector {
  code: string;
  severity: Severity;
  /** A short title for lists and feeds. */
  title: string;
  /** What the finding means, in words a reader understands. */
  explain: string;
  /** The sources it applies to; every source when absent. */
  sources?: readonly string[];
  run(db: Database, sourceId: string, memo: Memo): Promise<Finding[]>;
}

/**
 * Values computed once per run of the detectors and shared by those that need them (the
 * Facilities sheets, the identity facts); only for what no detector's findings change.
 */
export type Memo = <T>(key: string, compute: () => Promise<T>) => Promise<T>;

/**
 * The releases loaded in the current transaction whose rows the parser still holds, by release id:
 * their tables (as appended) and fiscal year. The detectors may read their figures from here
 * rather than from the tables just written, which DuckDB scans slowly inside the open transaction.
 */
export type BatchReleases = ReadonlyMap<string, { tables: Readonly<Record<string, readonly object[]>>; fiscalYear: number | null }>;

/** A memo that remembers nothing, for a detector run on its own. */
export const noMemo: Memo = (_key, compute) => compute();

/** An anomaly code the parsers emit (per release), described for the listing. */
export interface CodeInfo {
  code: string;
  severity: Severity;
  title: string;
  explain: string;
}
