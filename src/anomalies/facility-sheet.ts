import type { Database } from '../db/connection.js';
import { ICE_DETENTION_STATS as ICE } from '../sources/ice/detention-stats/source-id.js';
import { byKnownAt, nationalFacts, num, releasesOf, sheetRef } from './releases.js';
import { noMemo, type Detector, type Finding, type Memo } from './types.js';

/** The four criminality-by-gender ADP columns of the Facilities sheet; their sum is a facility's ADP. */
export const FACILITY_ADP_SQL = `coalesce(male_crim, 0) + coalesce(male_noncrim, 0) + coalesce(female_crim, 0) + coalesce(female_noncrim, 0)`;

/**
 * The sum of facility ADP against the national figure: the sheet leaves out facilities
 * under one person a day, hold rooms, hospitals, juvenile and ORR facilities, so it runs a
 * little under the national ADP. Over the 136 ICE releases of FY2019–FY2026 it is 93.2%–100.9%
 * of it, except in six releases whose sheet is stale or differently scoped (0.54, 0.80, 1.05,
 * 1.16, 1.94, 2.64). Outside 90%–103% is a finding.
 */
export const SUM_RATIO_RANGE: readonly [number, number] = [0.9, 1.03];

export interface FacilitySheet {
  release_id: string;
  sheet: string;
  first_row: number;
  last_row: number;
  rows: number;
  adp_sum: number;
  /** A 64-bit hash of every row's name, place and numbers, in sheet order (compared, never shown: 134 releases). */
  digest: string;
}

/** Per release of ICE's detention statistics: its Facilities sheet, summed and fingerprinted. */
export function facilitySheets(db: Database, memo: Memo = noMemo): Promise<Map<string, FacilitySheet>> {
  return memo('facility-sheets', () => readFacilitySheets(db));
}

async function readFacilitySheets(db: Database): Promise<Map<string, FacilitySheet>> {
  const rows = await db.allJson(
    `SELECT f.release_id, any_value(f.sheet) AS sheet, min(f."row") AS first_row, max(f."row") AS last_row, count(*) AS rows,
            sum(${FACILITY_ADP_SQL}) AS adp_sum,
            hash(list((f.name, f.city, f.state, f.male_crim, f.male_noncrim, f.female_crim, f.female_noncrim,
                       f.level_a, f.level_b, f.level_c, f.level_d) ORDER BY f."row"))::VARCHAR AS digest
       FROM ice_facilities f JOIN releases r USING (release_id)
      WHERE r.source_id = $1
      GROUP BY f.release_id`,
    [ICE],
  );
  return new Map(
    rows.map((r) => [
      r.release_id as string,
      {
        release_id: r.release_id as string,
        sheet: r.sheet as string,
        first_row: Number(r.first_row),
        last_row: Number(r.last_row),
        rows: Number(r.rows),
        adp_sum: Number(r.adp_sum),
        digest: r.digest as string,
      },
    ]),
  );
}

/** Name…Female Non-Crim are columns A–Q in all 14 Facilities header layouts of FY2019–FY2026 (INVENTORY.md). */
export const rowsRef = (f: FacilitySheet) => sheetRef(f.sheet, `A${f.first_row}:Q${f.last_row}`);

/** A Facilities sheet is stale when at least this share of its rows repeat an earlier release's figures exactly. */
export const STALE_SHARE = 0.5;

/**
 * A Facilities sheet whose facility figures repeat, exactly, those of a release with an
 * earlier snapshot date: ICE did not update the sheet (or only part of it), so its figures
 * are of the earlier date. The ADP of a facility with people in it changes every day, so
 * between two genuine releases at most a few rows (about 1%; 17% where ICE rounded to
 * whole numbers) repeat; a stale sheet repeats most of them (57%–100% in the files).
 */
export const staleFacilitiesSheet: Detector = {
  code: 'stale-facilities-sheet',
  severity: 'warning',
  title: 'Facilities sheet not updated',
  explain:
    'Most facility rows of this release’s Facilities sheet repeat, to the last decimal, the figures of an earlier release with an earlier snapshot date. ' +
    'ICE did not update the sheet: its facility figures are those of the earlier date, not of this release’s snapshot.',
  sources: [ICE],
  async run(db, _source, memo): Promise<Finding[]> {
    const sheets = await facilitySheets(db, memo);
    // per pair of releases, how many of one's facility rows (name and figures) the other also has: a join
    // in the database rather than a comparison of every release with every earlier one here
    const rows = await db.allJson<{ release_id: string; n: number; pairs: Array<{ other: string; same: number }> | null }>(
      `WITH sig AS (
         SELECT f.release_id, concat_ws('|', f.name, f.male_crim, f.male_noncrim, f.female_crim, f.female_noncrim) AS s
           FROM ice_facilities f JOIN releases r USING (release_id) WHERE r.source_id = $1),
       pairs AS (
         SELECT a.release_id, b.release_id AS other, count(*) AS same
           FROM sig a JOIN (SELECT DISTINCT release_id, s FROM sig) b ON a.s = b.s AND a.release_id <> b.release_id
          GROUP BY ALL)
       SELECT t.release_id, t.n, list({'other': p.other, 'same': p.same}) FILTER (WHERE p.other IS NOT NULL) AS pairs
         FROM (SELECT release_id, count(*) AS n FROM sig GROUP BY ALL) t LEFT JOIN pairs p USING (release_id)
        GROUP BY ALL`,
      [ICE],
    );
    const counts = new Map(rows.map((r) => [r.release_id, { n: r.n, same: new Map((r.pairs ?? []).map((p) => [p.other, p.same])) }]));
    const releases = (await releasesOf(db, ICE, memo)).sort(byKnownAt);
    const out: Finding[] = [];
    releases.forEach((r, i) => {
      const mine = counts.get(r.release_id);
      const f = sheets.get(r.release_id);
      if (!mine || !f || r.snapshot_date === null) return;
      let best: { o: (typeof releases)[number]; same: number } | undefined;
      // an earlier release with an earlier snapshot: a later snapshot published before is not a source to copy from,
      // and the same snapshot is the same data published again
      for (const o of releases.slice(0, i)) {
        if (o.snapshot_date === null || o.snapshot_date >= r.snapshot_date) continue;
        const same = mine.same.get(o.release_id) ?? 0;
        if (!best || same > best.same) best = { o, same };
      }
      if (!best || best.same / mine.n < STALE_SHARE) return;
      const { o, same } = best;
      const of = sheets.get(o.release_id)!;
      const date = typeof r.summary.facilities_data_date === 'string' ? ` (the sheet says its data are of ${r.summary.facilities_data_date})` : '';
      const share = same === mine.n ? `all ${same} facility rows` : `${same} of the ${mine.n} facility rows (${num((100 * same) / mine.n)}%)`;
      out.push({
        release_id: r.release_id,
        subject: rowsRef(f),
        detail:
          `${share} of ${rowsRef(f)}${date} carry exactly the figures (columns N–Q, Male Crim to Female Non-Crim) of ${rowsRef(of)} in release ${o.release_id} ` +
          `(snapshot ${o.snapshot_date}, first seen ${o.known_at ?? 'unknown'}); this release's snapshot is ${r.snapshot_date}, first seen ${r.known_at ?? 'unknown'}: ` +
          `its facility figures (ADP sum ${num(f.adp_sum, 1)}) were not updated`,
      });
    });
    return out;
  },
};

/** The national fiscal-year ADP of each release, with its cell. */
async function nationalAdp(db: Database, memo: Memo): Promise<Map<string, { value: number; cell: string; fy: number | null }>> {
  const facts = (await nationalFacts(db, memo)).filter(
    (f) => f.table_id === 'adp_by_agency_month_criminality' && f.month === null && f.agency === 'all' && f.release_year,
  );
  return new Map(facts.map((f) => [f.release_id, { value: Number(f.value), cell: sheetRef(f.sheet, f.cell), fy: f.fiscal_year }]));
}

/**
 * The facilities' ADP added up, far from the national ADP of the same release: a stale or
 * re-scoped Facilities sheet (another year's list, every facility including empty ones).
 */
export const facilityAdpSumMismatch: Detector = {
  code: 'facility-adp-sum-mismatch',
  severity: 'warning',
  title: 'Facility ADPs do not add up to the national ADP',
  explain:
    'The average daily populations of the facilities in the Facilities sheet, added up, should come close to the national ADP of the same release ' +
    '(a little under it: the sheet leaves out facilities with fewer than one person a day, hold rooms, hospitals, juvenile and ORR facilities). ' +
    `In almost every release the sum is 93%–101% of the national figure; outside ${SUM_RATIO_RANGE[0] * 100}%–${SUM_RATIO_RANGE[1] * 100}% the sheet is stale, belongs to another period or lists other facilities.`,
  sources: [ICE],
  async run(db, _source, memo): Promise<Finding[]> {
    const sheets = await facilitySheets(db, memo);
    const adp = await nationalAdp(db, memo);
    const releases = await releasesOf(db, ICE, memo);
    const out: Finding[] = [];
    releases.forEach((r, i) => {
      const f = sheets.get(r.release_id);
      const n = adp.get(r.release_id);
      if (!f || !n || n.value <= 0) return;
      const ratio = f.adp_sum / n.value;
      if (ratio >= SUM_RATIO_RANGE[0] && ratio <= SUM_RATIO_RANGE[1]) return;
      const around = [releases[i - 1], releases[i + 1]]
        .map((x) => (x ? sheets.get(x.release_id) : undefined))
        .filter((x) => x !== undefined)
        .map((x) => x.rows);
      const date = typeof r.summary.facilities_data_date === 'string' ? `; the sheet says its data are of ${r.summary.facilities_data_date}` : '';
      out.push({
        release_id: r.release_id,
        subject: rowsRef(f),
        detail:
          `the ADP of the ${f.rows} facilities of ${rowsRef(f)} (columns N–Q, Male Crim to Female Non-Crim) adds up to ${num(f.adp_sum, 1)}, ` +
          `${num(ratio * 100, 1)}% of the national FY${n.fy ?? ''} ADP ${num(n.value, 1)} (${n.cell}) of snapshot ${r.snapshot_date ?? 'undated'}` +
          `${date}${around.length ? `; the releases before and after list ${around.join(' and ')} facilities` : ''}`,
      });
    });
    return out;
  },
};
