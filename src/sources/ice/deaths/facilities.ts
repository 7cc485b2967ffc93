import type { Database } from '../../../db/connection.js';
import { matchNames, type CodedName, type NameMatch } from '../../../facilities/match.js';
import { registryBuilt } from '../../../facilities/queries.js';
import { readCrosswalk } from '../../../facilities/registry.js';

/** A facility or place of the death lists, as written. */
export interface DeathPlace {
  facility: string;
  city: string | null;
  state: string | null;
}

export const placeKey = (p: DeathPlace) => JSON.stringify([p.facility, p.city ?? '', p.state ?? '']);

/**
 * The name compared with the registry: the first of two places ('Winn Correctional Center
 * (WCC) / Christus St. Francis Cabrini Hospital (CSFC)'), without the abbreviation the
 * death reports put in brackets ('Port Isabel Detention Center (PIDC)', '… (NWiPC)',
 * 'Federal Detention Center (FDC) Miami'). A bracketed word in lower case is part of the
 * name and stays ('Kern County Jail (Lerdo)', 'HCA Houston Healthcare (Conroe)').
 */
export function nameForMatching(facility: string): string {
  const first = facility.split(' / ')[0]!;
  return first
    .replace(/\s*\(([A-Za-z]{2,6}(?: [A-Z])?)\)/g, (whole, inner: string) => ((inner.match(/[A-Z]/g)?.length ?? 0) >= inner.replace(/ /g, '').length - 1 ? '' : whole))
    .replace(/\s+/g, ' ')
    .trim();
}

export interface PlaceMatches {
  /** False when no facility list is loaded: nothing could be matched. */
  registry: boolean;
  /** By placeKey. */
  matches: Map<string, NameMatch>;
}

/**
 * Matches the facility names of the death lists to ICE facility codes (DETLOC) with the
 * facility registry's rules (src/facilities/match.ts: reviewed crosswalk, same normalised
 * name in the same state and city, a name cut short, …) against every name a source states
 * beside a code, and the detention statistics' names already matched to one. Read-only:
 * it runs when the deaths are shown, so the matches follow the registry as it grows. A FOIA
 * row has a state and no city, so its name is compared with the whole state.
 */
export async function matchDeathPlaces(db: Database, places: DeathPlace[]): Promise<PlaceMatches> {
  const matches = new Map<string, NameMatch>();
  if (places.length === 0 || !(await registryBuilt(db))) return { registry: false, matches };
  const coded = (await db.all(
    `SELECT detloc, source, name, city, state, strftime(max(last_seen), '%Y-%m-%d') AS last_seen
       FROM facility_sightings WHERE detloc IS NOT NULL AND detloc <> '' AND name IS NOT NULL
      GROUP BY ALL ORDER BY ALL`,
  )) as unknown as CodedName[];
  const unique = new Map(places.map((p) => [placeKey(p), p]));
  const targets = [...unique.values()].map((p) => ({ source: 'ice.detainee-deaths', name: nameForMatching(p.facility), city: p.city, state: p.state }));
  const found = matchNames(targets, coded, readCrosswalk());
  // reported with the name as the list writes it
  [...unique.entries()].forEach(([k, p], i) => matches.set(k, { ...found[i]!, name: p.facility }));
  return { registry: true, matches };
}
