import type { Database } from '../../../db/connection.js';
import type { ListKind } from './discover.js';

/** One list in time, as the 287(g) metrics and page order them. */
export interface ListEntry {
  release_id: string;
  list_kind: ListKind;
  named_kind: ListKind;
  origin: string;
  list_date: string;
  list_time: string | null;
  date_basis: string;
  latest_signed: string | null;
  agreements: number;
  /** A later list of the same date stands for the date; this one is kept in the ledger only. */
  superseded: boolean;
}

/**
 * The lists of a kind among `releaseIds`, oldest first; of two lists of one date (an am and
 * a pm posting) the later stands for the date, as in the metrics (src/metrics/g287.ts).
 */
export async function listTimeline(db: Database, releaseIds: string[], kind: ListKind): Promise<ListEntry[]> {
  if (releaseIds.length === 0) return [];
  const rows = await db.all(
    `SELECT release_id, list_kind, named_kind, origin, strftime(list_date, '%Y-%m-%d') AS list_date, list_time, date_basis,
            strftime(latest_signed, '%Y-%m-%d') AS latest_signed, agreements,
            row_number() OVER (PARTITION BY list_date ORDER BY CASE list_time WHEN 'pm' THEN 2 WHEN 'am' THEN 1 ELSE 0 END DESC,
                                                           saved_at DESC NULLS LAST, release_id DESC) > 1 AS superseded
       FROM ice_287g_lists
      WHERE list_kind = $1 AND list_date IS NOT NULL AND list_contains(string_split($2, ','), release_id)
      ORDER BY list_date, CASE list_time WHEN 'pm' THEN 2 WHEN 'am' THEN 1 ELSE 0 END, saved_at NULLS FIRST, release_id`,
    [kind, releaseIds.join(',')],
  );
  return rows.map((r) => ({
    release_id: r.release_id as string,
    list_kind: r.list_kind as ListKind,
    named_kind: r.named_kind as ListKind,
    origin: r.origin as string,
    list_date: r.list_date as string,
    list_time: (r.list_time as string | null) ?? null,
    date_basis: r.date_basis as string,
    latest_signed: (r.latest_signed as string | null) ?? null,
    agreements: Number(r.agreements),
    superseded: r.superseded === true,
  }));
}

/** An agreement that is in one list and not in the next. */
export interface AgreementChange {
  change: 'joined' | 'left';
  state: string | null;
  state_code: string | null;
  agency: string | null;
  agency_type: string | null;
  county: string | null;
  model: string | null;
  signed: string | null;
  /** The release and sheet row the agreement is listed in (the later list for joined, the earlier for left). */
  release_id: string;
  row: number;
}

export interface PairCounts {
  from_release: string;
  from_date: string;
  to_release: string;
  to_date: string;
  from_agreements: number;
  to_agreements: number;
  joined: number;
  left: number;
}

/**
 * The agreements of each list in `releaseIds` (position i, 1-based) as keys: state, the
 * agency's normalised name (columns.ts agencyKey) and model. A key listed twice in one list
 * (anomaly duplicate-key) is one agreement here. DuckDB compares the lists (anti joins), so
 * thirty lists of 2,000 rows cost one query, not 60,000 rows brought into JavaScript.
 */
const KEYS = `seq AS (SELECT unnest(l) AS release_id, generate_subscripts(l, 1) AS i FROM (SELECT string_split($1, ',') AS l)),
  k AS (SELECT s.i, a.release_id, coalesce(a.state_code, a.state, '') AS st, coalesce(a.agency_key, '') AS ak, coalesce(a.model, '') AS md, min(a."row") AS "row"
          FROM ice_287g_agreements a JOIN seq s USING (release_id)
         GROUP BY ALL)`;

const byPlace = (a: AgreementChange, b: AgreementChange) =>
  a.change.localeCompare(b.change) || String(a.state).localeCompare(String(b.state)) || String(a.agency).localeCompare(String(b.agency)) || String(a.model).localeCompare(String(b.model));

/** Agreements in `to` and not in `from` (joined) and in `from` and not in `to` (left). */
export async function compareLists(db: Database, fromRelease: string, toRelease: string): Promise<AgreementChange[]> {
  const rows = await db.all(
    `WITH ${KEYS},
     changed AS (
       SELECT 'joined' AS change, b.release_id, b."row" FROM k b ANTI JOIN k a ON a.i = 1 AND a.st = b.st AND a.ak = b.ak AND a.md = b.md WHERE b.i = 2
       UNION ALL
       SELECT 'left', a.release_id, a."row" FROM k a ANTI JOIN k b ON b.i = 2 AND a.st = b.st AND a.ak = b.ak AND a.md = b.md WHERE a.i = 1)
     SELECT c.change, c.release_id, c."row", g.state, g.state_code, g.agency, g.agency_type, g.county, g.model, strftime(g.signed, '%Y-%m-%d') AS signed
       FROM changed c JOIN ice_287g_agreements g ON g.release_id = c.release_id AND g."row" = c."row"`,
    [`${fromRelease},${toRelease}`],
  );
  return rows
    .map((r) => ({
      change: r.change as 'joined' | 'left',
      state: (r.state as string | null) ?? null,
      state_code: (r.state_code as string | null) ?? null,
      agency: (r.agency as string | null) ?? null,
      agency_type: (r.agency_type as string | null) ?? null,
      county: (r.county as string | null) ?? null,
      model: (r.model as string | null) ?? null,
      signed: (r.signed as string | null) ?? null,
      release_id: r.release_id as string,
      row: Number(r.row),
    }))
    .sort(byPlace);
}

/** Agreements joined and left between each list and the next (lists in time order). */
export async function consecutiveChanges(db: Database, timeline: ListEntry[]): Promise<PairCounts[]> {
  if (timeline.length < 2) return [];
  const rows = await db.all(
    `WITH ${KEYS},
     joined AS (SELECT b.i, count(*) AS n FROM k b ANTI JOIN k a ON a.i = b.i - 1 AND a.st = b.st AND a.ak = b.ak AND a.md = b.md WHERE b.i > 1 GROUP BY b.i),
     gone AS (SELECT a.i + 1 AS i, count(*) AS n FROM k a ANTI JOIN k b ON b.i = a.i + 1 AND a.st = b.st AND a.ak = b.ak AND a.md = b.md
               WHERE a.i < (SELECT max(i) FROM seq) GROUP BY a.i)
     SELECT s.i, coalesce(j.n, 0) AS joined, coalesce(g.n, 0) AS gone FROM seq s LEFT JOIN joined j USING (i) LEFT JOIN gone g USING (i) WHERE s.i > 1`,
    [timeline.map((l) => l.release_id).join(',')],
  );
  const byIndex = new Map(rows.map((r) => [Number(r.i), r]));
  const out: PairCounts[] = [];
  for (let i = 1; i < timeline.length; i++) {
    const a = timeline[i - 1]!;
    const b = timeline[i]!;
    const r = byIndex.get(i + 1);
    out.push({
      from_release: a.release_id,
      from_date: a.list_date,
      to_release: b.release_id,
      to_date: b.list_date,
      from_agreements: a.agreements,
      to_agreements: b.agreements,
      joined: Number(r?.joined ?? 0),
      left: Number(r?.gone ?? 0),
    });
  }
  return out;
}
