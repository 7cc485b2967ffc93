import type { Database } from '../db/connection.js';
import type { Severity } from '../sources/types.js';
import { facilityPersonDaysDecrease } from './facility-person-days.js';
import { facilityAdpSumMismatch, staleFacilitiesSheet } from './facility-sheet.js';
import { monthJump } from './month-jump.js';
import { agencyColumnsSwapped, duplicateContent, staleSnapshot } from './release-identity.js';
import { snapshotDateRegressed } from './snapshot-regressed.js';
import { DATE_SUSPECT_CODES, nationalFacts, releasesKey } from './releases.js';
import { ICE_DETENTION_STATS } from '../sources/ice/detention-stats/source-id.js';
import type { AnomalyRecord, BatchReleases, CodeInfo, Detector, Memo } from './types.js';

export type { AnomalyRecord, Detector, Finding } from './types.js';

/**
 * The cross-release detectors, in the order they run: each sees the findings of those
 * before it. The identity checks come first because a stale snapshot date moves a release
 * in time (release_order), and the facility-sheet checks before the person-days check,
 * which leaves out the releases they flag.
 */
export const DETECTORS: readonly Detector[] = [
  duplicateContent,
  agencyColumnsSwapped,
  staleSnapshot,
  snapshotDateRegressed,
  staleFacilitiesSheet,
  facilityAdpSumMismatch,
  facilityPersonDaysDecrease,
  monthJump,
];

/** Anomalies the parsers record while reading one release, described for the listing. */
export const PARSER_CODES: readonly CodeInfo[] = [
  {
    code: 'hidden-sheet-ignored',
    severity: 'warning',
    title: 'Hidden sheet not read',
    explain: 'The workbook has a hidden sheet (often a stale copy of another year, e.g. Detention EOFY2020 in the 01/08/2026 release). It was not read; its numbers are not in the tracker.',
  },
  {
    code: 'stale-sheet',
    severity: 'info',
    title: 'Older copy of a sheet not used',
    explain: 'The workbook carries two sheets of the same kind (two ATD sheets); the older one, by its own "as of" date, was not used.',
  },
  {
    code: 'filename-fy-mismatch',
    severity: 'warning',
    title: 'File name and content disagree on the fiscal year',
    explain: 'The file name claims one fiscal year, its tables another (FY24_detentionStats11152024.xlsx holds FY2025). The content decides.',
  },
  {
    code: 'missing-snapshot-date',
    severity: 'warning',
    title: 'No snapshot date',
    explain: 'The footnotes do not say which day the snapshot is of; the release is placed in time by when it was retrieved.',
  },
  {
    code: 'snapshot-outside-fiscal-year',
    severity: 'warning',
    title: 'Snapshot date outside the fiscal year',
    explain: 'The footnote’s snapshot date lies outside the fiscal year of the tables: the footnote was probably not updated. The release is placed by its retrieval date.',
  },
  {
    code: 'invalid-date',
    severity: 'warning',
    title: 'A date that does not exist',
    explain: 'A cell holds a date that is not on the calendar (2/29/2025). It is kept as text.',
  },
  {
    code: 'unrecognised-table',
    severity: 'info',
    title: 'Table not in the crosswalk',
    explain: 'A titled table the crosswalk does not know; its numbers are kept with their raw labels until the crosswalk is extended.',
  },
  {
    code: 'unrecognised-label',
    severity: 'warning',
    title: 'Row or column label not in the crosswalk',
    explain: 'A label the crosswalk does not know; the numbers are kept, but the dimension is not mapped.',
  },
  {
    code: 'unrecognised-facility-column',
    severity: 'warning',
    title: 'Facilities column not in the crosswalk',
    explain: 'A column of the Facilities sheet the crosswalk does not know; its values are kept in other_columns.',
  },
  {
    code: 'no-final-newline',
    severity: 'warning',
    title: 'Last line without a line break',
    explain: 'The file’s last line has no line break; it was checked to be complete and was read.',
  },
  { code: 'byte-order-mark', severity: 'info', title: 'Byte-order mark', explain: 'The file starts with a UTF-8 byte-order mark; it was skipped.' },
  {
    code: 'duplicate-key',
    severity: 'warning',
    title: 'The same key twice in one file',
    explain: 'A month and breakdown appear on more than one line of the same file; all lines are kept.',
  },
  {
    code: 'title-42-after-end',
    severity: 'warning',
    title: 'Title 42 after May 2023',
    explain: 'A Title 42 row dated after Title 42 ended (May 2023).',
  },
];

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error'];

/** The detectors that apply to a source, in their order. */
export function detectorsFor(sourceId: string): Detector[] {
  return DETECTORS.filter((d) => !d.sources || d.sources.includes(sourceId));
}

/** What a code means, for any anomaly in the database (undefined for a code neither detectors nor parsers describe). */
export function codeInfo(code: string): CodeInfo | undefined {
  const d = DETECTORS.find((x) => x.code === code);
  return d ? { code: d.code, severity: d.severity, title: d.title, explain: d.explain } : PARSER_CODES.find((x) => x.code === code);
}

/**
 * Runs every detector of a source over its releases and stores the findings as
 * cross-release anomalies, replacing the previous ones (inside the caller's transaction).
 * Detectors run one after the other and each sees what those before it stored.
 */
export async function runDetectors(db: Database, sourceId: string, batch?: BatchReleases): Promise<void> {
  await db.exec(
    `DELETE FROM release_anomalies WHERE cross_release AND release_id IN (SELECT release_id FROM releases WHERE source_id = $1)`,
    [sourceId],
  );
  const memory = new Map<string, Promise<unknown>>();
  const memo: Memo = <T>(key: string, compute: () => Promise<T>) => {
    let p = memory.get(key) as Promise<T> | undefined;
    if (!p) memory.set(key, (p = compute()));
    return p;
  };
  // read first, and remembered for the detectors: the releases being loaded taken from the parser's rows
  if (batch && sourceId === ICE_DETENTION_STATS) await nationalFacts(db, memo, batch);
  for (const d of detectorsFor(sourceId)) {
    const found = await d.run(db, sourceId, memo);
    await db.append(
      'release_anomalies',
      found.map((f) => ({ release_id: f.release_id, code: d.code, severity: d.severity, subject: f.subject, detail: f.detail, cross_release: true })),
    );
    // the releases read so far stay valid unless a release moved in time (each read costs 20-120 ms)
    if (found.length > 0 && DATE_SUSPECT_CODES.includes(d.code)) memory.delete(releasesKey(sourceId));
  }
}

export interface AnomalyFilter {
  source?: string;
  release?: string;
  /** Only these releases. */
  releases?: string[];
  /** The least severity listed: 'warning' lists warnings and errors. */
  severity?: Severity;
  /** Only these codes. */
  codes?: string[];
}

export interface ListedAnomaly extends AnomalyRecord {
  source_id: string;
  snapshot_date: string | null;
  ingested_at: string;
  cross_release: boolean;
}

/** Is `s` a severity? */
export const isSeverity = (s: string): s is Severity => (SEVERITIES as readonly string[]).includes(s);

/** Every anomaly in the database, newest release first (by its place in time), then by severity and code. */
export async function listAnomalies(db: Database, filter: AnomalyFilter = {}): Promise<ListedAnomaly[]> {
  const least = filter.severity ? SEVERITIES.indexOf(filter.severity) : 0;
  const rows = await db.all(
    `SELECT a.release_id, r.source_id, strftime(r.snapshot_date, '%Y-%m-%d') AS snapshot_date, strftime(r.ingested_at, '%Y-%m-%dT%H:%M:%SZ') AS ingested_at,
            a.code, a.severity, a.subject, a.detail, a.cross_release
       FROM release_anomalies a JOIN releases r USING (release_id) JOIN release_order o USING (release_id)
      WHERE ($1::VARCHAR IS NULL OR r.source_id = $1) AND ($2::VARCHAR IS NULL OR a.release_id = $2)
        AND ($5::VARCHAR IS NULL OR list_contains(string_split($5, ','), a.release_id))
        AND list_position(['info', 'warning', 'error'], a.severity) - 1 >= $3
        AND ($4::VARCHAR IS NULL OR list_contains(string_split($4, ','), a.code))
      ORDER BY o.effective_date DESC NULLS LAST, o.known_at DESC NULLS LAST, a.release_id, list_position(['error', 'warning', 'info'], a.severity), a.code, a.subject`,
    [filter.source ?? null, filter.release ?? null, least, filter.codes?.length ? filter.codes.join(',') : null, filter.releases ? filter.releases.join(',') || '-' : null],
  );
  return rows.map((r) => ({
    release_id: r.release_id as string,
    source_id: r.source_id as string,
    snapshot_date: (r.snapshot_date as string | null) ?? null,
    ingested_at: r.ingested_at as string,
    code: r.code as string,
    severity: r.severity as Severity,
    subject: r.subject as string,
    detail: r.detail as string,
    cross_release: r.cross_release === true,
  }));
}
