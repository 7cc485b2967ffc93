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
  run(db: Database, sourceId: string): Promise<Finding[]>;
}

/** An anomaly code the parsers emit (per release), described for the listing. */
export interface CodeInfo {
  code: string;
  severity: Severity;
  title: string;
  explain: string;
}
