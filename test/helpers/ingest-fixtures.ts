import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { DATASETS } from '../../src/sources/registry.js';

/** Tables holding per-release rows, checked for orphans and compared before/after. */
export const RELEASE_TABLES = [
  'release_files',
  'ice_detention_facts',
  'ice_facilities',
  'ice_footnotes',
  'release_tables',
  'release_sheets',
] as const;

/** A fresh temp folder (tracker-XXXX) holding the database and the archive; `remove()` deletes it. */
export interface TempStore {
  dir: string;
  dbPath: string;
  archiveDir: string;
  remove(): void;
}

export function tempStore(): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-'));
  return {
    dir,
    dbPath: join(dir, 'tracker.duckdb'),
    archiveDir: join(dir, 'archive'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function openDb(store: TempStore): Promise<{ db: Database; archive: Archive }> {
  const db = await Database.open(store.dbPath, { schemas: DATASETS.map((d) => d.schemaSql) });
  return { db, archive: new Archive(store.archiveDir) };
}

export async function count(db: Database, sql: string, params: string[] = []): Promise<number> {
  const row = await db.one(sql, params);
  return Number(Object.values(row ?? {})[0] ?? 0);
}

/** Row count per release_id of `table`. */
export async function countsByRelease(db: Database, table: string): Promise<Record<string, number>> {
  const rows = await db.all(`SELECT release_id, count(*) AS n FROM ${table} GROUP BY release_id ORDER BY release_id`);
  return Object.fromEntries(rows.map((r) => [r.release_id as string, Number(r.n)]));
}

/** Everything the database holds for the given releases, for before/after comparisons. */
export async function snapshotReleases(db: Database, releaseIds: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const id of releaseIds) {
    const rel = await db.one(
      `SELECT sha256, bytes, strftime(snapshot_date, '%Y-%m-%d') AS snapshot_date, fiscal_year, summary::VARCHAR AS summary, archive_path FROM releases WHERE release_id = $1`,
      [id],
    );
    const perTable: Record<string, number> = {};
    for (const t of RELEASE_TABLES) perTable[t] = await count(db, `SELECT count(*) FROM ${t} WHERE release_id = $1`, [id]);
    perTable.own_anomalies = await count(db, `SELECT count(*) FROM release_anomalies WHERE release_id = $1 AND NOT cross_release`, [id]);
    perTable.fact_sum = await count(db, `SELECT coalesce(sum(value), 0) FROM ice_detention_facts WHERE release_id = $1`, [id]);
    out[id] = { release: rel ?? null, ...perTable };
  }
  return out;
}

/**
 * Problems that show a release is not all there: no facts, a summary that does not
 * match its own fact, table or facility counts that disagree, rows whose release is
 * missing. Empty when every release in the database is complete.
 */
export async function incompleteReleases(db: Database): Promise<string[]> {
  const problems: string[] = [];
  const releases = await db.all(`SELECT release_id, summary::VARCHAR AS summary FROM releases ORDER BY release_id`);
  for (const r of releases) {
    const id = r.release_id as string;
    const summary = JSON.parse(r.summary as string) as Record<string, number | string | null>;
    const facts = await count(db, `SELECT count(*) FROM ice_detention_facts WHERE release_id = $1`, [id]);
    if (facts === 0) problems.push(`${id}: no facts`);
    const detained = await db.all(
      `SELECT value FROM ice_detention_facts WHERE release_id = $1 AND table_id = 'detained_by_criminality_agency'
          AND agency = 'all' AND criminality = 'all' AND measure = 'detained'`,
      [id],
    );
    if (detained.length !== 1 || detained[0]!.value !== summary.detained_total) {
      problems.push(`${id}: summary.detained_total ${summary.detained_total} vs facts ${JSON.stringify(detained)}`);
    }
    const declared = await count(db, `SELECT coalesce(sum(facts), 0) FROM release_tables WHERE release_id = $1`, [id]);
    if (declared !== facts) problems.push(`${id}: release_tables declare ${declared} facts, ice_detention_facts has ${facts}`);
    const facilities = await count(db, `SELECT count(*) FROM ice_facilities WHERE release_id = $1`, [id]);
    if (facilities !== summary.facility_rows) problems.push(`${id}: ${facilities} facility rows, summary says ${summary.facility_rows}`);
    if ((await count(db, `SELECT count(*) FROM release_files WHERE release_id = $1`, [id])) === 0) problems.push(`${id}: no release_files row`);
    if ((await count(db, `SELECT count(*) FROM release_sheets WHERE release_id = $1`, [id])) === 0) problems.push(`${id}: no release_sheets rows`);
  }
  for (const t of [...RELEASE_TABLES, 'release_anomalies']) {
    const orphans = await db.all(`SELECT DISTINCT release_id FROM ${t} WHERE release_id NOT IN (SELECT release_id FROM releases)`);
    for (const o of orphans) problems.push(`${t}: rows of release ${o.release_id as string}, which is not in releases`);
  }
  return problems;
}

/** Rewrites `xl/sharedStrings.xml` of an xlsx held in memory and zips it again. */
export function editSharedStrings(xlsx: Uint8Array, edit: (xml: string) => string): Uint8Array {
  const entries = unzipSync(xlsx);
  const part = entries['xl/sharedStrings.xml'];
  if (!part) throw new Error('the workbook has no xl/sharedStrings.xml');
  const before = strFromU8(part);
  const after = edit(before);
  if (after === before) throw new Error('editSharedStrings: the edit changed nothing');
  entries['xl/sharedStrings.xml'] = strToU8(after);
  return zipSync(entries);
}
