import type { Database } from './connection.js';
import type { JsValue } from './values.js';

const SUMMARY_FIELDS = [
  'detained_total', 'detained_ice', 'detained_cbp', 'detained_convicted', 'detained_pending', 'detained_other',
  'adp_fy', 'removals_fytd', 'book_ins_fytd', 'atd_total', 'facility_rows',
];

export interface ReleaseRecord {
  release_id: string;
  source_id: string;
  sha256: string;
  bytes: number;
  file_names: string[];
  urls: string[];
  retrieved_at: string | null;
  snapshot_date: string | null;
  fiscal_year: number | null;
  [field: string]: JsValue;
}

/**
 * The releases a vintage allows ('latest': all; a release id: that one and those before it;
 * YYYY-MM-DD: those known by then), newest first by effective date, leaving out releases
 * whose dates are suspect unless asked to keep them.
 */
export function timeline(all: ReleaseRecord[], vintage: string, options: { includeSuspect?: boolean } = {}): ReleaseRecord[] {
  const byDate = [...all]
    .filter((r) => options.includeSuspect || !r.date_suspect)
    .sort((a, b) => String(b.effective_date).localeCompare(String(a.effective_date)) || String(b.known_at).localeCompare(String(a.known_at)));
  if (vintage === 'latest') return byDate;
  if (/^\d{4}-\d{2}-\d{2}$/.test(vintage)) return byDate.filter((r) => String(r.known_at) <= vintage);
  const i = byDate.findIndex((r) => r.release_id === vintage);
  return i < 0 ? [] : byDate.slice(i);
}

/**
 * The release ledger: one record per release with its names, headline values and
 * anomaly codes (null where the release lacks the table), ordered by snapshot date.
 */
export async function listReleases(db: Database, sourceId?: string): Promise<ReleaseRecord[]> {
  const rows = await db.all(
    `SELECT r.release_id, r.source_id, r.sha256, r.bytes, r.snapshot_date, r.fiscal_year, r.summary::VARCHAR AS summary,
            r.ingested_at, o.effective_date, o.known_at, o.date_suspect,
            (SELECT list(DISTINCT f.file_name ORDER BY f.file_name) FROM release_files f WHERE f.release_id = r.release_id) AS file_names,
            (SELECT list(DISTINCT f.url ORDER BY f.url) FROM release_files f WHERE f.release_id = r.release_id AND f.url IS NOT NULL) AS urls,
            (SELECT min(f.retrieved_at) FROM release_files f WHERE f.release_id = r.release_id) AS retrieved_at,
            (SELECT list(DISTINCT a.code ORDER BY a.code) FROM release_anomalies a WHERE a.release_id = r.release_id) AS anomalies
       FROM releases r JOIN release_order o USING (release_id)
      WHERE $1::VARCHAR IS NULL OR r.source_id = $1
      ORDER BY r.snapshot_date NULLS LAST, r.fiscal_year, r.release_id`,
    [sourceId ?? null],
  );
  return rows.map((r) => {
    const summary = JSON.parse((r.summary as string | null) ?? '{}') as Record<string, JsValue>;
    const out: ReleaseRecord = {
      release_id: r.release_id as string,
      source_id: r.source_id as string,
      sha256: r.sha256 as string,
      bytes: r.bytes as number,
      file_names: (r.file_names as string[] | null) ?? [],
      urls: (r.urls as string[] | null) ?? [],
      retrieved_at: (r.retrieved_at as string | null) ?? null,
      snapshot_date: (r.snapshot_date as string | null) ?? null,
      fiscal_year: (r.fiscal_year as number | null) ?? null,
    };
    for (const f of SUMMARY_FIELDS) out[f] = summary[f] ?? null;
    out.anomalies = (r.anomalies as string[] | null) ?? [];
    out.ingested_at = r.ingested_at as string;
    out.effective_date = r.effective_date as string;
    out.known_at = r.known_at as string;
    out.date_suspect = r.date_suspect as boolean;
    return out;
  });
}
