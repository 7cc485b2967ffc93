import { ParamError } from './params.js';
import type { Dimension, MetricDefinition, MetricQuery } from './types.js';

const DIMENSIONS: Record<string, Dimension> = {
  component: { column: 'component', description: "'U.S. Border Patrol' (between ports of entry) or 'Office of Field Operations' (at ports of entry)" },
  region: { column: 'region', description: "land border region: 'Southwest Land Border', 'Northern Land Border', 'Other' (air, sea and interior ports)" },
  state: { column: 'state', description: 'two-letter state of the encounter (state files)' },
  aor: { column: 'aor', description: 'Border Patrol sector or OFO field office (area-of-responsibility files)' },
  citizenship: { column: 'citizenship', description: "citizenship as CBP names it: 21 countries and 'OTHER' (all the rest)" },
  citizenship_group: { column: 'citizenship_group', description: "Southwest file only: 'El Salvador', 'Guatemala', 'Honduras', 'Mexico', 'Other'" },
  demographic: { column: 'demographic', description: "'Single Adults', 'FMUA' (individuals in family units), 'Accompanied Minors', 'UAC' (unaccompanied children; 'UC / Single Minors' before 2025)" },
  title: { column: 'title', description: "'Title 8' or 'Title 42' (public-health expulsions, March 2020 – 11 May 2023)" },
  encounter_type: { column: 'encounter_type', description: "'Apprehensions' (USBP, Title 8), 'Inadmissibles' (OFO, Title 8), 'Expulsions' (Title 42)" },
};

/**
 * The CBP file families and the dimensions each breaks out. The Southwest file covers
 * one region, so it answers a query only when that query filters on the region (the
 * filter then drops its rows unless the region asked for is the Southwest).
 */
const FAMILIES: Record<string, { dims: string[]; regionAsFilterOnly?: boolean }> = {
  state: { dims: ['region', 'state', 'citizenship', 'demographic', 'title'] },
  aor: { dims: ['component', 'region', 'aor', 'citizenship', 'demographic', 'title', 'encounter_type'] },
  sbo: { dims: ['component', 'citizenship_group', 'demographic', 'title', 'encounter_type'], regionAsFilterOnly: true },
};

export function eligibleFamilies(q: Pick<MetricQuery, 'by' | 'filter'>): string[] {
  const needed = new Set([...q.by, ...Object.keys(q.filter)]);
  return Object.entries(FAMILIES)
    .filter(([, f]) => {
      // a one-region file answers only a query filtered on its region, or it would pass for a national figure
      if (f.regionAsFilterOnly) return 'region' in q.filter && !q.by.includes('region') && [...needed].every((d) => d === 'region' || f.dims.includes(d));
      return [...needed].every((d) => f.dims.includes(d));
    })
    .map(([name]) => name);
}

const COLUMNS = Object.values(DIMENSIONS)
  .map((d) => `e.${d.column}`)
  .join(', ');

export const CBP_ENCOUNTER_METRICS: MetricDefinition[] = [
  {
    id: 'cbp.encounters',
    title: 'CBP encounters',
    description:
      'Encounters by U.S. Border Patrol and the Office of Field Operations: apprehensions, inadmissibles and Title 42 expulsions, by month, from the CBP encounter CSVs.',
    unit: 'encounters (events, not people: one person stopped twice is two encounters)',
    sources: ['cbp.encounters'],
    grains: ['month', 'fy', 'cy'],
    defaultGrain: 'month',
    dimensions: DIMENSIONS,
    dimensionMode: 'grouped',
    caveats: [
      'An encounter is an event, not a person: someone expelled under Title 42 who tried again was counted again.',
      'Each month is taken from the latest CBP file that reports it; CBP revises earlier months in later files (see /border#revisions), and --vintage pins an earlier file.',
      'The state files break out region, state, citizenship (21 countries and OTHER), demographic and title; the Southwest file breaks out component, a five-value citizenship group and encounter type, for the Southwest border only; the area-of-responsibility files break out component, sector or field office, citizenship and encounter type. A query is answered from the files that carry every dimension it asks for.',
      'Title 42 expulsions ran from March 2020 to 11 May 2023; both months are partial Title 42 months.',
      'Fiscal years run October–September; a fiscal or calendar year with fewer than twelve months in the data is marked partial.',
    ],
    baseSql(grain, q) {
      void grain;
      const families = eligibleFamilies(q);
      if (families.length === 0) {
        const asked = [...new Set([...q.by, ...Object.keys(q.filter)])].join(' + ');
        throw new ParamError(
          'by',
          `no CBP file breaks out ${asked} together. State files: ${FAMILIES.state!.dims.join(', ')}. ` +
            `Area-of-responsibility files: ${FAMILIES.aor!.dims.join(', ')}. Southwest file (add filter region=Southwest Land Border): ${FAMILIES.sbo!.dims.join(', ')}.`,
        );
      }
      return `SELECT e.release_id, e.month_start AS period_start, ${COLUMNS}, e.encounters AS value
        FROM cbp_encounters e JOIN rel USING (release_id) JOIN cbp_files f USING (release_id)
       WHERE f.family IN (${families.map((f) => `'${f}'`).join(', ')})`;
    },
    aggregate: (grain) => (grain === 'month' ? 'latest' : 'sum-months'),
  },
];
