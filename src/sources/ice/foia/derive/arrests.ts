/**
 * De-duplicated ICE administrative arrests, as SQL over `foia_arrests`; refreshDerived stores the
 * result per release in `foia_arrests_deduped`, which the metric reads.
 *
 * The Deportation Data Project's rule (deportationdata/ice, code/arrests-latest.R, "Construct
 * Duplicate Episode Indicators"): the same person arrested again within 24 hours is one arrest.
 * - Chain rule, as DDP measures it: a person's arrests are ordered by time and a new arrest begins
 *   when the gap to the PREVIOUS arrest (whichever row it is, kept or not) is more than 24 hours; a gap
 *   of exactly 24 hours stays in the arrest. So three arrests 20 hours apart are one arrest, though
 *   the first and the third are 40 hours apart. Why: it is DDP's published rule, so our counts can be
 *   checked against theirs, and unlike "24 hours from the first (or the kept) arrest" it does not
 *   depend on which row is kept or where a scan starts: the clusters are the same whichever way the
 *   rows are read. The cost is that a chain of re-arrests each within a day collapses into one.
 * - The row kept for an arrest: a row whose method is not 'ERO Reprocessed Arrest' (ICE re-enters an
 *   earlier arrest under that method), then the earliest, then by row and sheet. DDP keeps the
 *   earliest row and uses the method only to break ties at the same minute; keeping the
 *   non-reprocessed row moves an arrest's date only when its reprocessed copy was entered first.
 * - Rows without person_id cannot be linked: each is an arrest of its own, kept and flagged
 *   has_person_id = false, so it can be counted apart. Rows with a person but no date cannot be placed
 *   in time: each is kept as an arrest of its own (it counts in no period).
 * - The time is apprehension_at (date and time when the file gives one, else midnight): with dates
 *   only, "within 24 hours" means the same or the next day.
 *
 * People are told apart by a 64-bit hash of person_id (a narrow sort): two people sharing one AND
 * arrested within a day of each other would be merged, with a probability far below one in a million.
 */

export const REPROCESSED_METHOD = 'ERO Reprocessed Arrest';
export const ARREST_WINDOW_HOURS = 24;

const ORD = `CAST(a."row" AS BIGINT) * 1024 + CAST(hash(coalesce(a.sheet, '')) % 1021 AS BIGINT)`;

/**
 * One row per arrest of the foia_arrests rows matching `where` (alias a): every column of the kept
 * row (release_id, sheet, row: its provenance), plus arrest_at (its time), has_person_id,
 * cluster_rows (rows merged into it, 1 when alone), cluster_first_at and cluster_last_at.
 */
export function dedupedArrestsSql(where: string): string {
  const order = `ORDER BY arrest_at, reprocessed, ord`;
  return `WITH a_ AS (
    SELECT a.*, a.rowid AS arrest_rowid, ${ORD} AS ord,
           coalesce(a.apprehension_at, CAST(a.apprehension_date AS TIMESTAMP)) AS arrest_at,
           coalesce(a.apprehension_method = '${REPROCESSED_METHOD}', false) AS reprocessed
      FROM foia_arrests a WHERE (${where})),
  linked AS (
    SELECT release_id, hash(person_id) AS pk, arrest_rowid, ord, arrest_at, reprocessed FROM a_
     WHERE person_id IS NOT NULL AND arrest_at IS NOT NULL),
  clustered AS (
    SELECT *, sum(new_arrest) OVER (PARTITION BY release_id, pk ${order} ROWS UNBOUNDED PRECEDING) AS cluster
      FROM (SELECT *, CASE WHEN lag(arrest_at) OVER (PARTITION BY release_id, pk ${order}) >= arrest_at - INTERVAL ${ARREST_WINDOW_HOURS} HOUR
                           THEN 0 ELSE 1 END AS new_arrest
              FROM linked)),
  kept AS (
    SELECT arg_min(arrest_rowid, (reprocessed, arrest_at, ord)) AS arrest_rowid, count(*) AS cluster_rows,
           min(arrest_at) AS cluster_first_at, max(arrest_at) AS cluster_last_at
      FROM clustered GROUP BY release_id, pk, cluster)
  SELECT a_.* EXCLUDE (arrest_rowid, ord, reprocessed), true AS has_person_id, kept.cluster_rows, kept.cluster_first_at, kept.cluster_last_at
    FROM a_ JOIN kept USING (arrest_rowid)
  UNION ALL BY NAME
  SELECT * EXCLUDE (arrest_rowid, ord, reprocessed), person_id IS NOT NULL AS has_person_id, CAST(1 AS BIGINT) AS cluster_rows,
         arrest_at AS cluster_first_at, arrest_at AS cluster_last_at
    FROM a_ WHERE person_id IS NULL OR arrest_at IS NULL`;
}
