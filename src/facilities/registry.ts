import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../db/connection.js';
import { SourceFormatError } from '../lib/errors.js';
import { splitCsvLine } from '../sources/csv-file.js';
import type { DirectLoad } from '../sources/types.js';
import { matchNames, type CodedName, type CrosswalkEntry, type NameMatch, type NameToMatch } from './match.js';
import { ICE_DETENTION_STATS } from '../sources/ice/detention-stats/source-id.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REGISTRY_SQL_PATH = join(here, 'registry.sql');
export const CROSSWALK_PATH = join(here, 'name-crosswalk.csv');

/** Columns of the empty stand-in views, by kind of view (see registry.sql). */
const STUBS: Array<[RegExp, string]> = [
  [
    /^facility_sightings_/,
    `SELECT NULL::VARCHAR AS detloc, NULL::VARCHAR AS source, NULL::VARCHAR AS evidence, NULL::VARCHAR AS release_id, NULL::VARCHAR AS name,
            NULL::VARCHAR AS city, NULL::VARCHAR AS state, NULL::VARCHAR AS aor, NULL::VARCHAR AS type, NULL::VARCHAR AS type_detailed,
            NULL::DATE AS first_seen, NULL::DATE AS last_seen, NULL::INTEGER AS rank, NULL::DATE AS recency WHERE false`,
  ],
  [
    /^facility_name_appearances_/,
    `SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS name, NULL::VARCHAR AS city, NULL::VARCHAR AS state, NULL::BIGINT AS releases,
            NULL::DATE AS first_seen, NULL::DATE AS last_seen, NULL::VARCHAR AS last_release_id WHERE false`,
  ],
];

interface Section {
  view: string | null;
  requires: string[];
  sql: string;
}

/** registry.sql cut at its `-- @always` and `-- @view NAME requires T1, T2` markers. */
export function registrySections(text = readFileSync(REGISTRY_SQL_PATH, 'utf8')): Section[] {
  const sections: Section[] = [];
  let current: Section | null = null;
  for (const line of text.split('\n')) {
    const m = /^-- @(always|view)\b(?:\s+(\w+)\s+requires\s+(.+))?\s*$/.exec(line);
    if (m) {
      current = { view: m[2] ?? null, requires: m[3] ? m[3].split(',').map((t) => t.trim()) : [], sql: '' };
      sections.push(current);
    } else if (current) current.sql += `${line}\n`;
  }
  return sections;
}

async function existing(db: Database, names: string[]): Promise<Set<string>> {
  const rows = await db.all(
    `SELECT table_name FROM information_schema.tables WHERE table_name IN (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
    names,
  );
  return new Set(rows.map((r) => String(r.table_name)));
}

/**
 * Creates the registry's table and views. A view over a source whose tables do not exist
 * (DDP's daily population before its source is registered, the FOIA stints before any
 * production) is created empty, with the same columns; the next refresh creates the real one.
 */
export async function createRegistryViews(db: Database): Promise<{ missing: Record<string, string[]> }> {
  const sections = registrySections();
  const have = await existing(db, [...new Set(sections.flatMap((s) => s.requires))]);
  const missing: Record<string, string[]> = {};
  for (const s of sections) {
    const absent = s.requires.filter((t) => !have.has(t));
    if (s.view && absent.length) {
      missing[s.view] = absent;
      const stub = STUBS.find(([re]) => re.test(s.view!))?.[1];
      if (!stub) throw new Error(`registry.sql: no empty form for view ${s.view}`);
      await db.exec(`CREATE OR REPLACE VIEW ${s.view} AS ${stub}`);
    } else await db.exec(s.sql);
  }
  return { missing };
}

/** The reviewed manual matches: name, city, state, detloc, reviewed_by_note. */
export function readCrosswalk(path = CROSSWALK_PATH): CrosswalkEntry[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const want = ['name', 'city', 'state', 'detloc', 'reviewed_by_note'];
  if (want.some((c, i) => header[i] !== c)) {
    throw new SourceFormatError({ file: path, line: 1 }, `the header must be ${want.join(',')}, not ${header.join(',')}`);
  }
  const out: CrosswalkEntry[] = [];
  lines.forEach((text, i) => {
    if (i === 0 || text.trim() === '') return;
    const f = splitCsvLine(text).map((v) => v.trim());
    if (f.length !== want.length) throw new SourceFormatError({ file: path, line: i + 1 }, `${f.length} fields where the header has ${want.length}`);
    if (!/^[A-Z0-9]{3,8}$/.test(f[3]!)) throw new SourceFormatError({ file: path, line: i + 1, column: 'detloc' }, `"${f[3]}" is not a facility code`);
    if (f[4] === '') throw new SourceFormatError({ file: path, line: i + 1, column: 'reviewed_by_note' }, 'every manual match needs a note saying how it was checked');
    out.push({ name: f[0]!, city: f[1] || null, state: f[2] || null, detloc: f[3]!, note: f[4]! });
  });
  return out;
}

export interface RefreshReport {
  names: number;
  matched: number;
  byMethod: Record<string, number>;
  /** Source views created empty because their tables do not exist yet. */
  missing: Record<string, string[]>;
}

/**
 * Rebuilds the registry: the views (registry.sql), then `facility_name_matches` from every
 * published name without a code (the detention statistics' Facilities sheets, the
 * over-72-hour list) against every name stated beside a code. Runs in the caller's
 * transaction: the ingest of a registry source calls it inside its release's transaction.
 */
export async function refreshFacilityRegistry(db: Database, crosswalk: CrosswalkEntry[] = readCrosswalk()): Promise<RefreshReport> {
  const { missing } = await createRegistryViews(db);
  const targets = (await db.all(`SELECT DISTINCT source, name, city, state FROM facility_name_appearances ORDER BY ALL`)) as unknown as NameToMatch[];
  const coded = (await db.all(
    `SELECT detloc, source, name, city, state, strftime(max(last_seen), '%Y-%m-%d') AS last_seen
       FROM facility_code_sightings WHERE detloc IS NOT NULL AND name IS NOT NULL
      GROUP BY ALL ORDER BY ALL`,
  )) as unknown as CodedName[];
  const matches = matchNames(targets, coded, crosswalk);
  await db.exec(`DELETE FROM facility_name_matches`);
  await db.append('facility_name_matches', matches as unknown as Array<Record<string, string | number | null>>);
  const byMethod: Record<string, number> = {};
  for (const m of matches) byMethod[m.method] = (byMethod[m.method] ?? 0) + 1;
  return { names: matches.length, matched: matches.filter((m) => m.detloc !== null).length, byMethod, missing };
}

/** The datasets whose releases change the registry (its codes, or the names it matches). */
export const REGISTRY_SOURCES: ReadonlySet<string> = new Set([
  'ice.facility-lists',
  'uwchr.facilities',
  ICE_DETENTION_STATS,
  'ddp.facility-population',
  'ice.foia-detentions',
  'ddp.detention-stints',
]);

/**
 * The registry rebuilt at the end of a release of one of its sources, in that release's
 * transaction (after the release's own rows and direct loads). Sources of the registry add
 * it as their last direct load, so the registry is current after every such ingest.
 */
export const refreshRegistryLoad: DirectLoad = {
  run: async (db) => {
    await refreshFacilityRegistry(db);
    return { rows: 0 };
  },
};

export type { NameMatch };
