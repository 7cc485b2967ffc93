import type { Database } from '../db/connection.js';
import type { Anomaly } from '../sources/types.js';

interface ReleaseFacts {
  release_id: string;
  snapshot_date: string | null;
  fiscal_year: number | null;
  names: string[];
  s: Record<string, number | null>;
}

const COMPARED = ['detained_total', 'detained_ice', 'detained_cbp', 'adp_fy', 'removals_fytd', 'book_ins_fytd'];

function sameValues(a: ReleaseFacts, b: ReleaseFacts): boolean {
  return COMPARED.every((k) => a.s[k] === b.s[k]);
}

function swapped(a: ReleaseFacts, b: ReleaseFacts): boolean {
  const { detained_ice: ai, detained_cbp: ac } = a.s;
  const { detained_ice: bi, detained_cbp: bc } = b.s;
  return ai != null && ac != null && ai !== ac && ai === bc && ac === bi;
}

/**
 * Anomalies that only show when releases are compared: identical bytes under several
 * names, two releases claiming the same snapshot date with different numbers, and ICE
 * and CBP columns exchanged between two releases of one snapshot date (02/23/2025).
 */
export function crossReleaseAnomalies(releases: ReleaseFacts[]): Array<Anomaly & { release_id: string }> {
  const out: Array<Anomaly & { release_id: string }> = [];
  for (const r of releases) {
    if (r.names.length > 1) {
      out.push({
        release_id: r.release_id,
        code: 'duplicate-content',
        severity: 'info',
        subject: r.names.join(' = '),
        detail: `the same bytes were published under ${r.names.length} names; they are one release`,
      });
    }
  }
  const byDate = new Map<string, ReleaseFacts[]>();
  for (const r of releases) {
    if (r.snapshot_date === null) continue;
    byDate.set(r.snapshot_date, [...(byDate.get(r.snapshot_date) ?? []), r]);
  }
  for (const [date, group] of byDate) {
    if (group.length < 2) continue;
    for (const r of group) {
      const swaps = group.filter((o) => o !== r && swapped(r, o));
      for (const o of swaps) {
        out.push({
          release_id: r.release_id,
          code: 'agency-columns-swapped',
          severity: 'error',
          subject: `detained ICE/CBP vs release ${o.release_id}`,
          detail:
            `same snapshot date ${date}: this release has ICE ${r.s.detained_ice} / CBP ${r.s.detained_cbp}, ` +
            `release ${o.release_id} has ICE ${o.s.detained_ice} / CBP ${o.s.detained_cbp} (total ${r.s.detained_total} in both): ` +
            `one of them has the arresting-agency columns exchanged`,
        });
      }
      const others = group.filter((o) => o !== r && !swaps.includes(o));
      const differing = others.filter((o) => !sameValues(r, o));
      if (differing.length === 0) continue;
      // the majority of a snapshot date's releases agree; the ones that do not carry a stale date
      const agreeing = others.length - differing.length + 1;
      const majority = Math.max(...group.map((g) => group.filter((o) => sameValues(g, o)).length));
      if (agreeing >= majority && majority > 1) continue;
      out.push({
        release_id: r.release_id,
        code: 'stale-snapshot',
        severity: 'warning',
        subject: `snapshot date ${date}`,
        detail:
          `releases ${differing.map((o) => o.release_id).join(', ')} claim the same snapshot date ${date} with different numbers ` +
          `(detained ${r.s.detained_total} here vs ${differing.map((o) => o.s.detained_total).join(', ')}): the date in this release's footnote is probably stale`,
      });
    }
  }
  return out;
}

/** Recomputes the cross-release anomalies of one source inside the caller's transaction. */
export async function refreshCrossReleaseAnomalies(db: Database, sourceId: string): Promise<void> {
  const rows = await db.all(
    `SELECT r.release_id, strftime(r.snapshot_date, '%Y-%m-%d') AS snapshot_date, r.fiscal_year, r.summary::VARCHAR AS summary,
            list(DISTINCT f.file_name ORDER BY f.file_name) AS names
       FROM releases r LEFT JOIN release_files f USING (release_id)
      WHERE r.source_id = $1
      GROUP BY ALL ORDER BY r.release_id`,
    [sourceId],
  );
  const releases: ReleaseFacts[] = rows.map((r) => ({
    release_id: r.release_id as string,
    snapshot_date: (r.snapshot_date as string | null) ?? null,
    fiscal_year: (r.fiscal_year as number | null) ?? null,
    names: (r.names as string[]) ?? [],
    s: JSON.parse((r.summary as string) ?? '{}') as Record<string, number | null>,
  }));
  await db.exec(
    `DELETE FROM release_anomalies WHERE cross_release AND release_id IN (SELECT release_id FROM releases WHERE source_id = $1)`,
    [sourceId],
  );
  await db.append(
    'release_anomalies',
    crossReleaseAnomalies(releases).map((a) => ({ ...a, cross_release: true })),
  );
}
