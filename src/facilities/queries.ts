import type { Database, DbRow } from '../db/connection.js';
import { ICE_DETENTION_STATS } from '../sources/ice/detention-stats/source-id.js';

/** The registry's columns, in the order the API and CSV give them. */
export const REGISTRY_COLUMNS = ['detloc', 'name', 'city', 'state', 'aor', 'type', 'type_detailed', 'first_seen', 'last_seen', 'sources', 'name_source', 'names'];

export const UNMATCHED_COLUMNS = ['source', 'name', 'city', 'state', 'method', 'candidates', 'releases', 'first_seen', 'last_seen', 'last_release_id'];

/** Is the registry there (a facility list or UWCHR's list has been ingested)? */
export async function registryBuilt(db: Database): Promise<boolean> {
  const row = await db.one(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name IN ('facility_registry', 'facility_names_unmatched')`);
  return Number(row?.n) === 2;
}

export interface RegistryFilter {
  detloc?: string;
  state?: string;
  source?: string;
}

export async function registryRows(db: Database, filter: RegistryFilter = {}): Promise<DbRow[]> {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.detloc) where.push(`detloc = $${params.push(filter.detloc.toUpperCase())}`);
  if (filter.state) where.push(`state = $${params.push(filter.state.toUpperCase())}`);
  if (filter.source) where.push(`list_contains(sources, $${params.push(filter.source)})`);
  return db.all(
    `SELECT ${REGISTRY_COLUMNS.map((c) => (c === 'first_seen' || c === 'last_seen' ? `strftime(${c}, '%Y-%m-%d') AS ${c}` : c)).join(', ')}
       FROM facility_registry ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY detloc`,
    params,
  );
}

export async function unmatchedRows(db: Database, source?: string): Promise<DbRow[]> {
  return db.all(
    `SELECT ${UNMATCHED_COLUMNS.map((c) => (c === 'first_seen' || c === 'last_seen' ? `strftime(${c}, '%Y-%m-%d') AS ${c}` : c)).join(', ')}
       FROM facility_names_unmatched ${source ? 'WHERE source = $1' : ''}
      ORDER BY source, last_seen DESC NULLS LAST, state, name, city`,
    source ? [source] : [],
  );
}

/** How many of the published names each rule matched, per source. */
export async function matchSummary(db: Database): Promise<DbRow[]> {
  return db.all(`SELECT source, method, count(*) AS names FROM facility_name_matches GROUP BY ALL ORDER BY source, names DESC, method`);
}

/**
 * The share of the facility names of the newest detention-statistics release that carry
 * a code: the figure the registry is judged by.
 */
export async function newestReleaseCoverage(db: Database): Promise<DbRow | undefined> {
  return db.one(
    `WITH newest AS (
       SELECT release_id, snapshot_date FROM release_order
        WHERE source_id = $1 AND release_id IN (SELECT release_id FROM ice_facilities)
        ORDER BY effective_date DESC, release_id DESC LIMIT 1),
     names AS (SELECT DISTINCT f.name, f.city, f.state FROM ice_facilities f JOIN newest USING (release_id))
     SELECT (SELECT release_id FROM newest) AS release_id, strftime((SELECT snapshot_date FROM newest), '%Y-%m-%d') AS snapshot_date,
            count(*) AS names, count(m.detloc) AS matched
       FROM names n
       LEFT JOIN facility_name_matches m
         ON m.source = $1 AND m.name = n.name AND m.city IS NOT DISTINCT FROM n.city AND m.state IS NOT DISTINCT FROM n.state`,
    [ICE_DETENTION_STATS],
  );
}

/** Facility lists recorded but not read (a legacy .xls), with the reason. */
export async function listsNotRead(db: Database): Promise<DbRow[]> {
  const exists = await db.one(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'ice_facility_lists'`);
  if (Number(exists?.n) === 0) return [];
  return db.all(
    `SELECT l.release_id, string_agg(DISTINCT f.file_name, ', ') AS file_names, l.list_kind, l.status, l.note
       FROM ice_facility_lists l LEFT JOIN release_files f USING (release_id)
      WHERE l.status <> 'read' GROUP BY ALL ORDER BY l.release_id`,
  );
}
