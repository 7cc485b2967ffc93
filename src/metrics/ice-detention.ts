import type { MetricDefinition } from './types.js';
import { ICE_DETENTION_STATS } from '../sources/ice/detention-stats/source-id.js';

const SOURCE = [ICE_DETENTION_STATS];
const FACTS = 'ice_detention_facts f JOIN rel USING (release_id)';

const COMMON_CAVEATS = [
  "From ICE's biweekly Detention Statistics workbooks; each figure is taken from the latest release that reports it unless a vintage is given.",
  'ICE revises figures until the fiscal year is locked; fiscal years run October–September.',
];

const agencyDim = { column: 'agency', description: "arresting agency: 'ICE' or 'CBP'" };
const criminalityDim = {
  column: 'criminality',
  description:
    "'convicted' (convicted criminal), 'pending' (pending criminal charges), 'other' (other immigration violator: no conviction and no pending charge); FY2019–FY2020 ADP tables split only 'non_criminal'",
};

export const ICE_DETENTION_METRICS: MetricDefinition[] = [
  {
    id: 'ice.detained',
    title: 'People in ICE detention',
    description: 'People held in ICE detention on the snapshot date of each release (ICE National Docket).',
    unit: 'people detained on the snapshot date',
    sources: SOURCE,
    grains: ['snapshot'],
    defaultGrain: 'snapshot',
    dimensions: { agency: agencyDim, criminality: criminalityDim },
    dimensionMode: 'coded',
    caveats: [
      ...COMMON_CAVEATS,
      '"No criminal conviction" = pending + other; "no charges or convictions" = other only.',
      'Releases whose footnote date is stale or outside their fiscal year are left out of the series (they are listed in the release ledger with their anomaly).',
    ],
    baseSql: () => `SELECT f.release_id, rel.effective_date AS period_start, f.agency, f.criminality, f.value
      FROM ${FACTS}
     WHERE f.table_id = 'detained_by_criminality_agency' AND f.measure = 'detained' AND NOT rel.date_suspect`,
    aggregate: () => 'latest',
  },
  {
    id: 'ice.adp',
    title: 'Average daily population in ICE detention',
    description: 'Average number of people held per day, by month and for the fiscal year to date.',
    unit: 'people (average per day)',
    sources: SOURCE,
    grains: ['month', 'fy'],
    defaultGrain: 'month',
    dimensions: { agency: agencyDim, criminality: criminalityDim },
    dimensionMode: 'coded',
    caveats: [...COMMON_CAVEATS, 'The month of a snapshot is partial: its average covers the days up to the snapshot.', 'A fiscal-year figure before the final release is a year-to-date average.'],
    baseSql: (grain) =>
      grain === 'month'
        ? `SELECT f.release_id, f.month AS period_start, f.agency, f.criminality, f.value
             FROM ${FACTS}
            WHERE f.table_id = 'adp_by_agency_month_criminality' AND f.month IS NOT NULL AND f.month <= rel.effective_date`
        : `SELECT f.release_id, make_date(f.fiscal_year - 1, 10, 1) AS period_start, f.agency, f.criminality, f.value
             FROM ${FACTS}
            WHERE f.table_id = 'adp_by_agency_month_criminality' AND f.month IS NULL`,
    aggregate: () => 'latest',
  },
  {
    id: 'ice.book_ins',
    title: 'Initial book-ins into ICE detention',
    description: 'Initial book-ins (first admission of a detention stay) by month and arresting agency.',
    unit: 'book-ins (events, not people)',
    sources: SOURCE,
    grains: ['month', 'fy', 'cy'],
    defaultGrain: 'month',
    dimensions: { agency: agencyDim },
    dimensionMode: 'coded',
    caveats: [...COMMON_CAVEATS, 'A book-in is not an arrest, and one person can be booked in more than once.', 'Calendar years are sums of the latest monthly figures; a year-to-date figure is not a year.'],
    baseSql: (grain) =>
      grain === 'fy'
        ? `SELECT f.release_id, make_date(f.fiscal_year - 1, 10, 1) AS period_start, f.agency, f.value
             FROM ${FACTS}
            WHERE f.table_id = 'book_ins_by_agency_month' AND f.month IS NULL`
        : `SELECT f.release_id, f.month AS period_start, f.agency, f.value
             FROM ${FACTS}
            WHERE f.table_id = 'book_ins_by_agency_month' AND f.month IS NOT NULL AND f.month <= rel.effective_date`,
    aggregate: (grain) => (grain === 'cy' ? 'sum-months' : 'latest'),
  },
  {
    id: 'ice.removals',
    title: 'ICE removals',
    description: 'Removals by ICE in the fiscal year, as reported to date at each release.',
    unit: 'removals (events, not people)',
    sources: SOURCE,
    grains: ['fy', 'snapshot'],
    defaultGrain: 'fy',
    dimensions: {},
    dimensionMode: 'coded',
    caveats: [
      ...COMMON_CAVEATS,
      'ICE removals include returns; from FY2025 ER/VR cases turned over to ICE without detention are included, and from March 2025 Title 50 expulsions (ICE footnotes).',
      'At the snapshot grain each value is the fiscal-year-to-date total at that release.',
    ],
    baseSql: (grain) =>
      `SELECT f.release_id, ${grain === 'fy' ? 'make_date(f.fiscal_year - 1, 10, 1)' : 'rel.effective_date'} AS period_start, f.value
         FROM ${FACTS}
        WHERE f.table_id = 'removals' AND f.category = 'all'${grain === 'snapshot' ? ' AND NOT rel.date_suspect' : ''}`,
    aggregate: () => 'latest',
  },
  {
    id: 'ice.atd',
    title: 'People on Alternatives to Detention (ATD)',
    description: 'Active participants in ICE Alternatives to Detention on the date of each release, by technology.',
    unit: 'people enrolled on the report date',
    sources: SOURCE,
    grains: ['snapshot'],
    defaultGrain: 'snapshot',
    dimensions: { technology: { column: 'technology', description: 'SmartLINK, Ankle Monitor, Wristworn, Dual Tech, VoiceID, GPS (as ICE names them)' } },
    dimensionMode: 'coded',
    caveats: [
      ...COMMON_CAVEATS,
      'Releases before the technology table (before 2022) give only the total, from the status table.',
      'ATD counts come from BI Inc. participant reports, dated separately from the detention snapshot.',
    ],
    baseSql: () => `WITH tech AS (
        SELECT f.release_id, rel.effective_date AS period_start, f.category AS technology, f.value
          FROM ${FACTS}
         WHERE f.table_id = 'atd_by_technology' AND f.measure = 'atd_participants' AND NOT rel.date_suspect)
      SELECT * FROM tech
      UNION ALL
      SELECT f.release_id, rel.effective_date, 'all', f.value
        FROM ${FACTS}
       WHERE f.table_id = 'atd_by_status' AND f.measure = 'atd_participants' AND f.category = 'all' AND NOT rel.date_suspect
         AND f.release_id NOT IN (SELECT release_id FROM tech)`,
    aggregate: () => 'latest',
  },
  {
    id: 'ice.facility_adp',
    title: 'Average daily population by detention facility',
    description: 'Fiscal-year-to-date average daily population of each facility listed in a release.',
    unit: 'people (average per day, fiscal year to date)',
    sources: SOURCE,
    grains: ['snapshot'],
    defaultGrain: 'snapshot',
    dimensions: {
      facility: { column: 'facility', description: 'facility name as ICE writes it' },
      state: { column: 'state', description: 'two-letter state code' },
      aor: { column: 'aor', description: 'ICE area of responsibility (field office), e.g. ATL' },
      type: { column: 'type', description: 'ICE detailed facility type, e.g. IGSA, CDF, SPC, USMS IGA' },
    },
    dimensionMode: 'grouped',
    caveats: [
      ...COMMON_CAVEATS,
      'The facility list covers facilities with an average daily population of at least 1 and leaves out hold rooms, hospitals, juvenile and ORR facilities; the sum is below the national figure.',
      'Facility ADP is the sum of the four criminality-by-gender columns of the Facilities sheet.',
    ],
    baseSql: () => `SELECT fa.release_id, rel.effective_date AS period_start, fa.name AS facility, fa.state, fa.aor, fa.type_detailed AS type,
            coalesce(fa.male_crim, 0) + coalesce(fa.male_noncrim, 0) + coalesce(fa.female_crim, 0) + coalesce(fa.female_noncrim, 0) AS value
       FROM ice_facilities fa JOIN rel USING (release_id)
      WHERE NOT rel.date_suspect`,
    aggregate: () => 'latest',
  },
];
