import { breakdownId, SHEETS, sheetFor, type SheetSpec } from '../sources/dhs/ohss-encounters/columns.js';
import { ParamError } from './params.js';
import type { Grain, MetricDefinition, MetricQuery } from './types.js';

const SOURCE = ['dhs.ohss-encounters'];

/** The combinations OHSS publishes, as a reader would name them: 'none', 'region', 'region+citizenship', … */
const OFFERED = [...new Set(SHEETS.map((s) => (s.breakdown === 'total' ? 'none' : s.breakdown)))].join(', ');

/**
 * The one sheet whose breakdown is exactly the dimensions asked for (grouped by or
 * filtered on). OHSS rounds every sheet to 10 on its own, so the official figure for
 * a breakdown is that sheet's; summing a finer sheet would give another number.
 */
export function ohssSheetFor(grain: Grain, q: Pick<MetricQuery, 'by' | 'filter'>): SheetSpec {
  if (grain !== 'fy' && grain !== 'month') {
    throw new ParamError('grain', `ohss.usbp_encounters has no '${grain}' grain; it has month, fy`);
  }
  const dims = [...new Set([...q.by, ...Object.keys(q.filter)])];
  const spec = sheetFor(grain, dims);
  if (spec) return spec;
  // name the parameter that made the combination impossible
  const param = Object.keys(q.filter).length > 0 && sheetFor(grain, q.by) ? 'filter' : 'by';
  throw new ParamError(
    param,
    `OHSS publishes no breakdown of USBP encounters by ${breakdownId(dims).replace(/\+/g, ' and ')} ` +
      `(dimensions grouped by and filtered on together); the combinations that exist are: ${OFFERED}`,
  );
}

const dim = (column: string, description: string) => ({ column, description });

export const OHSS_ENCOUNTER_METRICS: MetricDefinition[] = [
  {
    id: 'ohss.usbp_encounters',
    title: 'U.S. Border Patrol encounters (DHS OHSS)',
    description:
      'Encounters by U.S. Border Patrol between ports of entry, by fiscal year and month since FY2000, from the DHS Office of Homeland Security Statistics "KHSM Encounters (USBP)" workbook.',
    unit: 'encounters (events, not people), rounded to the nearest 10',
    sources: SOURCE,
    grains: ['month', 'fy'],
    defaultGrain: 'month',
    dimensions: {
      region: dim('region', "border region: 'Southwest Land Border', 'Northern Land Border', 'Coastal Border'"),
      citizenship: dim('citizenship', 'country of citizenship as OHSS writes it, e.g. Mexico, Guatemala'),
      family_status: dim('family_status', "'Single Adults', 'Family Unit Individuals', 'Unaccompanied Children'"),
      sector: dim('sector', "Border Patrol sector, e.g. 'Rio Grande Valley, TX'"),
    },
    dimensionMode: 'grouped',
    caveats: [
      'OHSS rounds every count to the nearest 10, each sheet on its own: the sum of a finer breakdown (regions, months) differs from the published total by tens. Each answer is read from the one sheet that publishes exactly the dimensions asked for; combinations OHSS does not publish (e.g. citizenship and sector) are refused.',
      'U.S. Border Patrol only (between ports of entry): no Office of Field Operations (OFO) encounters at ports of entry, so these are not CBP totals.',
      'An encounter is an event, not a person: one person encountered twice counts twice.',
      'The latest fiscal year is year to date (the release’s last month); fiscal years run October–September.',
      'Before FY2008 every encounter is listed as "Single Adults", and family units appear only from FY2012: the family-status split is not comparable across those years.',
      'A combination with no encounters (or fewer than 5, which rounds to 0) has no row at all.',
    ],
    baseSql: (grain, query) => {
      const spec = ohssSheetFor(grain, query);
      // grain and breakdown come from the crosswalk, never from the request; filter values are bound by the engine
      return `SELECT e.release_id, ${grain === 'fy' ? 'make_date(e.fiscal_year - 1, 10, 1)' : 'e.month_start'} AS period_start,
            e.region, e.citizenship, e.family_status, e.sector, e.quantity AS value
       FROM ohss_usbp_encounters e JOIN rel USING (release_id)
      WHERE e.grain = '${spec.grain}' AND e.breakdown = '${spec.breakdown}'`;
    },
    aggregate: () => 'latest',
  },
];
