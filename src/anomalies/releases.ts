import type { Database } from '../db/connection.js';
import { materialiseFacts, type CellRecord, type ColRecord, type RowRecord, type TableRecord } from '../sources/ice/detention-stats/interpret.js';
import { ICE_DETENTION_STATS } from '../sources/ice/detention-stats/source-id.js';
import { noMemo, type BatchReleases, type Memo } from './types.js';

/** What the detectors need to know about a release: dates, place in time, headline values, names. */
export interface ReleaseInfo {
  release_id: string;
  snapshot_date: string | null;
  fiscal_year: number | null;
  /** When it was first seen (retrieved_at), else its snapshot date. */
  known_at: string | null;
  /** Its place in time: the snapshot date, or the retrieval date when the snapshot date is suspect. */
  effective_date: string | null;
  date_suspect: boolean;
  summary: Record<string, unknown>;
  /** Every name and retrieval date it was seen under, earliest first. */
  sightings: Array<{ file_name: string; retrieved_at: string | null }>;
}

/** A number of one of ICE's national detention tables, as the cross-release checks compare them. */
export interface NationalFact {
  release_id: string;
  table_id: string;
  measure: string | null;
  /** YYYY-MM-DD, the first of the month; null for a fiscal-year or snapshot figure. */
  month: string | null;
  agency: string;
  facility_type: string;
  fiscal_year: number | null;
  /** The figure is of the release's own fiscal year. */
  release_year: boolean;
  value: number;
  sheet: string;
  cell: string;
}

/** The three national tables the checks read. */
const NATIONAL_TABLES: ReadonlySet<string> = new Set(['detained_by_criminality_agency', 'adp_by_agency_month_criminality', 'book_ins_by_agency_month']);

/**
 * The numbers (criminality 'all') of the three national tables the checks read: detained by agency,
 * ADP and book-ins by month (of all agencies: the checks read no agency's ADP or book-ins). Read once
 * per run through the facts view, where three reads took 40, 41 and 60-90 ms inside an ingest's
 * transaction; of the 11,026 numbers of the 139 workbooks, the checks read 4,154. The releases of
 * `batch` (those the ingest is loading) are joined here from the parser's rows, as the view joins
 * them: the view's read of the rows just written took 100-115 ms inside the ingest's transaction.
 */
export function nationalFacts(db: Database, memo: Memo = noMemo, batch?: BatchReleases): Promise<NationalFact[]> {
  return memo('national-facts', async () => {
    const fromBatch: NationalFact[] = [];
    const joined = new Set<string>();
    for (const [releaseId, { tables, fiscalYear }] of batch ?? []) {
      const parts = tables as { ice_tables?: TableRecord[]; ice_table_rows?: RowRecord[]; ice_table_cols?: ColRecord[]; ice_table_cells?: CellRecord[] };
      if (!parts.ice_tables || !parts.ice_table_rows || !parts.ice_table_cols || !parts.ice_table_cells) continue;
      joined.add(releaseId);
      const facts = materialiseFacts({ tables: parts.ice_tables, rows: parts.ice_table_rows, cols: parts.ice_table_cols, cells: parts.ice_table_cells }, NATIONAL_TABLES);
      for (const f of facts) {
        if (f.criminality !== 'all' || (f.table_id !== 'detained_by_criminality_agency' && f.agency !== 'all')) continue;
        const { table_id, measure, month, agency, facility_type, value, sheet, cell } = f;
        const release_year = f.fiscal_year !== null && fiscalYear !== null && f.fiscal_year === fiscalYear;
        fromBatch.push({ release_id: releaseId, table_id, measure, month, agency, facility_type, fiscal_year: f.fiscal_year, release_year, value, sheet, cell });
      }
    }
    const ids = [...joined].join(',');
    const others = joined.size === 0 || (await db.one(`SELECT 1 AS x FROM releases WHERE source_id = $1 AND NOT list_contains(string_split($2, ','), release_id) LIMIT 1`, [ICE_DETENTION_STATS, ids]));
    if (!others) return fromBatch;
    const read = await db.allJson<NationalFact>(
      `SELECT f.release_id, f.table_id, f.measure, strftime(f.month, '%Y-%m-%d') AS month, f.agency, f.facility_type, f.fiscal_year,
              coalesce(f.fiscal_year = r.fiscal_year, false) AS release_year, f.value, f.sheet, f.cell
         FROM ice_detention_facts f JOIN releases r USING (release_id)
        WHERE r.source_id = $1 AND f.criminality = 'all' AND NOT list_contains(string_split($2, ','), f.release_id)
          AND (f.table_id = 'detained_by_criminality_agency' OR (f.agency = 'all' AND f.table_id IN ('adp_by_agency_month_criminality', 'book_ins_by_agency_month')))`,
      [ICE_DETENTION_STATS, ids],
    );
    return fromBatch.length === 0 ? read : [...read, ...fromBatch];
  });
}

/** The releases of a source, in time order (effective date, then when known, then id); a fresh array, for the caller to sort. */
export async function releasesOf(db: Database, sourceId: string, memo: Memo = noMemo): Promise<ReleaseInfo[]> {
  return [...(await memo(releasesKey(sourceId), () => readReleases(db, sourceId)))];
}

/** The memo key of a source's releases: forgotten when a detector stores findings that move a release in time. */
export const releasesKey = (sourceId: string) => `releases:${sourceId}`;

/**
 * The anomaly codes that make a release's snapshot date suspect, so that the view
 * release_order (001-core.sql, which lists the same codes) places it by its retrieval date.
 */
export const DATE_SUSPECT_CODES: readonly string[] = ['stale-snapshot', 'snapshot-outside-fiscal-year', 'missing-snapshot-date'];

async function readReleases(db: Database, sourceId: string): Promise<ReleaseInfo[]> {
  const rows = await db.all(
    `SELECT r.release_id, strftime(r.snapshot_date, '%Y-%m-%d') AS snapshot_date, r.fiscal_year, r.summary::VARCHAR AS summary,
            strftime(o.known_at, '%Y-%m-%d') AS known_at, strftime(o.effective_date, '%Y-%m-%d') AS effective_date, o.date_suspect,
            (SELECT list({'file_name': f.file_name, 'retrieved_at': strftime(f.retrieved_at, '%Y-%m-%d')} ORDER BY f.retrieved_at NULLS LAST, f.file_name)
               FROM release_files f WHERE f.release_id = r.release_id) AS sightings
       FROM releases r JOIN release_order o USING (release_id)
      WHERE r.source_id = $1
      ORDER BY o.effective_date NULLS LAST, o.known_at NULLS LAST, r.release_id`,
    [sourceId],
  );
  return rows.map((r) => ({
    release_id: r.release_id as string,
    snapshot_date: (r.snapshot_date as string | null) ?? null,
    fiscal_year: (r.fiscal_year as number | null) ?? null,
    known_at: (r.known_at as string | null) ?? null,
    effective_date: (r.effective_date as string | null) ?? null,
    date_suspect: r.date_suspect === true,
    summary: JSON.parse((r.summary as string | null) ?? '{}') as Record<string, unknown>,
    sightings: ((r.sightings as Array<{ file_name: string; retrieved_at: string | null }> | null) ?? []).map((s) => ({
      file_name: s.file_name,
      retrieved_at: s.retrieved_at ?? null,
    })),
  }));
}

/** Order of ISO dates (or 'null'): plain code-unit order, which for them is the calendar's and is much faster than localeCompare. */
export const byDate = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Releases in the order they became known, then by their place in time. */
export const byKnownAt = (a: ReleaseInfo, b: ReleaseInfo): number =>
  byDate(String(a.known_at), String(b.known_at)) || byDate(String(a.effective_date), String(b.effective_date));

/** Days from `a` to `b` (ISO dates). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** The ISO date `n` days after `iso`. */
export function addDays(iso: string, n: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** 12,345 or 12,345.6: numbers as a reader sees them in a detail text. */
export function num(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  let format = formats.get(digits);
  if (!format) formats.set(digits, (format = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })));
  return format.format(v);
}

/** One formatter per number of digits: toLocaleString with options builds a new one at every call. */
const formats = new Map<number, Intl.NumberFormat>();

/** A cell as the anomalies name it everywhere: `Detention FY25!B20` (ICE's stray spaces around sheet names dropped). */
export function sheetRef(sheet: string, cell: string): string {
  return `${sheet.trim()}!${cell}`;
}
