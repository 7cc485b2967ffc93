import type { Database } from '../../../db/connection.js';

export type Revision = {
  month: string;
  region: string;
  /** The earlier release and its figure. */
  from_release: string;
  from_file: string;
  from_value: number;
  /** The next release that reports the same month and region, and its figure. */
  to_release: string;
  to_file: string;
  to_value: number;
  change: number;
};

/**
 * Months CBP revised: for each month and land-border region, the releases that report
 * it in publication order; a revision is a release whose total differs from the one
 * before it. Region totals are compared because every family covers a region whole
 * (the Southwest file all of the Southwest; the state files every region).
 */
export async function cbpRevisions(db: Database, options: { release?: string; limit?: number } = {}): Promise<Revision[]> {
  const params: string[] = [];
  let releaseFilter = '';
  if (options.release) {
    params.push(options.release);
    releaseFilter = `AND (from_release = $1 OR to_release = $1)`;
  }
  const rows = await db.all(
    `WITH totals AS (
       SELECT t.release_id, t.month_start, t.region, sum(t.encounters) AS value, o.effective_date, o.known_at
         FROM cbp_month_totals t JOIN release_order o USING (release_id)
        GROUP BY ALL),
     chained AS (
       SELECT month_start, region, release_id AS to_release, value AS to_value,
              lag(release_id) OVER w AS from_release, lag(value) OVER w AS from_value
         FROM totals
       WINDOW w AS (PARTITION BY month_start, region ORDER BY effective_date, known_at, release_id)),
     names AS (SELECT release_id, min(file_name) AS file_name FROM release_files GROUP BY release_id)
     SELECT strftime(month_start, '%Y-%m') AS month, region, from_release, nf.file_name AS from_file, from_value,
            to_release, nt.file_name AS to_file, to_value, to_value - from_value AS change
       FROM chained
       JOIN names nf ON nf.release_id = from_release
       JOIN names nt ON nt.release_id = to_release
      WHERE from_release IS NOT NULL AND from_value <> to_value ${releaseFilter}
      ORDER BY month_start DESC, region, to_release
      ${options.limit ? `LIMIT ${Math.max(1, Math.floor(options.limit))}` : ''}`,
    params,
  );
  return rows.map((r) => ({
    month: r.month as string,
    region: r.region as string,
    from_release: r.from_release as string,
    from_file: r.from_file as string,
    from_value: Number(r.from_value),
    to_release: r.to_release as string,
    to_file: r.to_file as string,
    to_value: Number(r.to_value),
    change: Number(r.change),
  }));
}
