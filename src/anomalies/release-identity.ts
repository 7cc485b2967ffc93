import type { Database } from '../db/connection.js';
import { ICE_DETENTION_STATS } from '../sources/ice/detention-stats/source-id.js';
import type { Anomaly } from '../sources/types.js';
import { nationalFacts, sheetRef } from './releases.js';
import { noMemo, type Detector, type Finding, type Memo } from './types.js';

/** A release as the identity checks see it: names, snapshot date and headline values. */
export interface ReleaseFacts {
  release_id: string;
  snapshot_date: string | null;
  fiscal_year: number | null;
  names: string[];
  s: Record<string, number | null>;
  /** The cells of the ICE- and CBP-arrested detained totals (`Detention FY25!B20`), where known. */
  cells?: { ice?: string; cbp?: string };
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

const cellsOf = (r: ReleaseFacts) => (r.cells?.ice && r.cells.cbp ? ` (${r.cells.ice} / ${r.cells.cbp.replace(/^.*!/, '')})` : '');

/**
 * Of two releases with exchanged ICE and CBP counts, which one fits its neighbours (the
 * nearest releases of other snapshot dates)? The one farther from the straight line
 * between them probably has the columns exchanged.
 */
function judgeSwap(r: ReleaseFacts, o: ReleaseFacts, releases: ReleaseFacts[]): string {
  const date = r.snapshot_date!;
  const dated = releases.filter((x) => x.snapshot_date !== null && x.s.detained_ice != null && x.s.detained_cbp != null);
  const before = dated.filter((x) => x.snapshot_date! < date).at(-1);
  const after = dated.find((x) => x.snapshot_date! > date);
  if (!before || !after) return '';
  const t = (Date.parse(date) - Date.parse(before.snapshot_date!)) / (Date.parse(after.snapshot_date!) - Date.parse(before.snapshot_date!));
  const line = (k: string) => before.s[k]! + t * (after.s[k]! - before.s[k]!);
  const off = (x: ReleaseFacts) => Math.abs(x.s.detained_ice! - line('detained_ice')) + Math.abs(x.s.detained_cbp! - line('detained_cbp'));
  const neighbours =
    `the releases before and after (${before.snapshot_date}: ICE ${before.s.detained_ice} / CBP ${before.s.detained_cbp}; ` +
    `${after.snapshot_date}: ICE ${after.s.detained_ice} / CBP ${after.s.detained_cbp})`;
  if (off(r) > off(o)) return `; ${neighbours} follow release ${o.release_id}'s order, so this release's columns are probably the exchanged ones`;
  if (off(o) > off(r)) return `; ${neighbours} follow this release's order, so release ${o.release_id}'s columns are probably the exchanged ones`;
  return '';
}

/**
 * Anomalies that only show when releases are compared: identical bytes under several
 * names, two releases claiming the same snapshot date with different numbers, and ICE
 * and CBP columns exchanged between two releases of one snapshot date (02/23/2025).
 * `releases` are in snapshot-date order.
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
            `same snapshot date ${date}: this release has ICE ${r.s.detained_ice} / CBP ${r.s.detained_cbp}${cellsOf(r)}, ` +
            `release ${o.release_id} has ICE ${o.s.detained_ice} / CBP ${o.s.detained_cbp}${cellsOf(o)} (total ${r.s.detained_total} in both): ` +
            `one of them has the arresting-agency columns exchanged` +
            judgeSwap(r, o, releases.filter((x) => x.snapshot_date !== date)),
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

/** The identity facts of every release of a source, in snapshot-date order. */
export async function releaseFacts(db: Database, sourceId: string, memo: Memo = noMemo): Promise<ReleaseFacts[]> {
  const rows = await db.allJson(
    `SELECT r.release_id, strftime(r.snapshot_date, '%Y-%m-%d') AS snapshot_date, r.fiscal_year, r.summary::VARCHAR AS summary,
            list(DISTINCT f.file_name ORDER BY f.file_name) AS names
       FROM releases r LEFT JOIN release_files f USING (release_id)
      WHERE r.source_id = $1
      GROUP BY ALL ORDER BY 2 NULLS LAST, r.release_id`,
    [sourceId],
  );
  const cells = new Map<string, { ice?: string; cbp?: string }>();
  if (sourceId === ICE_DETENTION_STATS) {
    for (const f of await nationalFacts(db, memo)) {
      if (f.table_id !== 'detained_by_criminality_agency' || f.measure !== 'detained' || (f.agency !== 'ICE' && f.agency !== 'CBP')) continue;
      const c = cells.get(f.release_id) ?? {};
      c[f.agency === 'ICE' ? 'ice' : 'cbp'] = sheetRef(f.sheet, f.cell);
      cells.set(f.release_id, c);
    }
  }
  return rows.map((r) => ({
    release_id: r.release_id as string,
    snapshot_date: (r.snapshot_date as string | null) ?? null,
    fiscal_year: (r.fiscal_year as number | null) ?? null,
    names: ((r.names as Array<string | null> | null) ?? []).filter((n): n is string => n !== null),
    s: JSON.parse((r.summary as string | null) ?? '{}') as Record<string, number | null>,
    cells: cells.get(r.release_id as string),
  }));
}

function identityDetector(code: string, fields: Omit<Detector, 'code' | 'run' | 'severity'>, severity: Detector['severity']): Detector {
  return {
    code,
    severity,
    ...fields,
    async run(db, sourceId, memo): Promise<Finding[]> {
      return (await memo(`identity:${sourceId}`, async () => crossReleaseAnomalies(await releaseFacts(db, sourceId, memo))))
        .filter((a) => a.code === code)
        .map(({ release_id, subject, detail }) => ({ release_id, subject, detail }));
    },
  };
}

export const duplicateContent = identityDetector(
  'duplicate-content',
  {
    title: 'The same file under several names',
    explain:
      'The agency published byte-identical files under different names. They are one release (one sha256); the numbers are counted once. ' +
      'Nothing is wrong with the numbers, but a "new" file that is an old one brings no new data.',
  },
  'info',
);

export const agencyColumnsSwapped = identityDetector(
  'agency-columns-swapped',
  {
    title: 'ICE and CBP columns exchanged',
    explain:
      'Two releases with the same snapshot date give the same total of people detained, but the ICE-arrested and CBP-arrested counts are exchanged. ' +
      'One of the two files has its arresting-agency columns the wrong way round; the detail says which one fits the releases around it.',
    sources: [ICE_DETENTION_STATS],
  },
  'error',
);

export const staleSnapshot = identityDetector(
  'stale-snapshot',
  {
    title: 'Same snapshot date, different numbers',
    explain:
      'Several releases claim the same snapshot date but give different numbers: the date written in this release’s footnotes was probably not updated. ' +
      'The release is placed in time by when it was retrieved instead.',
  },
  'warning',
);
