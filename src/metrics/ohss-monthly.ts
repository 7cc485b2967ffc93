import { LAYOUTS, type Dim, type Measure, type TableLayout } from '../sources/dhs/ohss-monthly/layouts.js';
import { ParamError } from './params.js';
import type { Dimension, Grain, MetricDefinition, MetricQuery } from './types.js';

const SOURCE = ['dhs.ohss-monthly'];

const DIMENSION_TEXT: Record<Dim | 'country', Dimension> = {
  component: { column: 'component', description: "CBP component: 'USBP' (Border Patrol, between ports of entry) or 'OFO' (Office of Field Operations, at ports of entry); not broken out = all of CBP" },
  region: { column: 'region', description: "'Southwest Land Border', 'Northern Land Border', 'Coastal Border', 'Air Ports of Entry'; not broken out = nationwide" },
  encounter_type: { column: 'encounter_type', description: "'enforcement' or 'administrative' (OFO encounters in which removal proceedings are not considered: withdrawn applications, crew, paroles)" },
  arrest_agency: { column: 'arrest_agency', description: "initial arresting agency: 'CBP' or 'ICE' (the total also counts other and unknown agencies, so the two do not add up to it)" },
  citizenship: { column: 'citizenship', description: "country of citizenship as OHSS writes it ('Mexico', 'China, People's Republic'), or OHSS's remainder column ('Other', 'All other, including stateless and unknown'); only the countries a release names" },
  country: { column: 'country', description: "ISO 3166-1 alpha-3 code of the citizenship (XKX for Kosovo); for OHSS's remainder columns their label in upper case ('OTHER')" },
};

/** The dimensions a query involves, with `country` counted as citizenship (two names of one dimension). */
function asked(q: Pick<MetricQuery, 'by' | 'filter'>) {
  const names = new Set([...q.by, ...Object.keys(q.filter)]);
  return { citizenship: names.has('citizenship'), country: names.has('country'), names };
}

/**
 * Can one table answer the query? For each dimension: filtered on a value, the table breaks it
 * out or all its numbers have that value; grouped by, the table breaks it out (or has one value
 * other than the total); neither, the table has its total (every table breaks a dimension out
 * with a Total column, or does not break it out at all).
 */
function answers(layout: TableLayout, dims: readonly Dim[], q: Pick<MetricQuery, 'by' | 'filter'>): boolean {
  for (const d of dims) {
    const broken = layout.columns === d || layout.groups?.dim === d;
    const fixed = layout.fixed[d] ?? 'all';
    const names = d === 'citizenship' ? ['citizenship', 'country'] : [d];
    const filtered = names.some((n) => n in q.filter);
    const by = names.some((n) => q.by.includes(n));
    if (filtered && !broken && !(d in q.filter && q.filter[d] === fixed)) return false;
    if (!filtered && by && !broken && fixed === 'all') return false;
    if (!filtered && !by && !broken && fixed !== 'all') return false;
  }
  return true;
}

function describe(layout: TableLayout, dims: readonly Dim[]): string {
  const fixed = dims.filter((d) => (layout.fixed[d] ?? 'all') !== 'all').map((d) => `${d}=${layout.fixed[d]}`);
  const broken = dims.filter((d) => layout.columns === d || layout.groups?.dim === d);
  return `'${layout.sheet}' (${[...fixed, ...(broken.length ? [`by ${broken.join(' and ')}`] : [])].join(', ') || 'totals'})`;
}

/**
 * Base rows of an OHSS measure, from one table: the first table of LAYOUTS that publishes every
 * dimension the query groups by or filters on. Two tables may publish the same slice with other
 * remainders (the Southwest USBP encounters by the top 100 citizenships and by the top ten, each
 * with its own "All other"), so rows are never mixed across tables. The numbers are coded: a
 * dimension a table does not break out is 'all', so the engine's coded mode keeps exactly the
 * totals a query asks for and never adds a total to its parts. `citizenship` and `country` name
 * one dimension: a query on one sees the other as 'all'.
 */
function baseSql(measure: Measure, dims: readonly Dim[], metricId: string) {
  return (grain: Grain, q: MetricQuery): string => {
    const layouts = LAYOUTS.filter((l) => l.measure === measure);
    const layout = layouts.find((l) => answers(l, dims, q));
    if (!layout) {
      throw new ParamError(
        Object.keys(q.filter).length > 0 ? 'filter' : 'by',
        `no OHSS table publishes ${metricId} for that combination of dimensions (grouped by and filtered on together); the tables are ${layouts.map((l) => describe(l, dims)).join('; ')}`,
      );
    }
    const a = asked(q);
    const total = `f.citizenship IS NULL OR f.citizenship_kind = 'total'`;
    const citizenship = a.country && !a.citizenship ? `'all'` : `CASE WHEN ${total} THEN 'all' ELSE f.citizenship END`;
    const country = a.citizenship && !a.country ? `'all'` : `CASE WHEN ${total} THEN 'all' ELSE coalesce(f.iso3, upper(f.citizenship)) END`;
    const cols = dims.filter((d) => d !== 'citizenship').map((d) => `f.${d}, `).join('');
    // the grain, the measure and the table come from the definition, never from the request
    return `SELECT f.release_id, ${grain === 'fy' ? 'make_date(f.fiscal_year - 1, 10, 1)' : 'f.month_start'} AS period_start,
            ${cols}${citizenship} AS citizenship, ${country} AS country, f.value
       FROM ohss_monthly_facts f JOIN rel USING (release_id)
      WHERE f.measure = '${measure}' AND f.table_id = '${layout.id}' AND f.month_start IS ${grain === 'fy' ? '' : 'NOT '}NULL`;
  };
}

const COMMON_CAVEATS = [
  'OHSS rounds every number to the nearest 10, each cell on its own: months do not add up exactly to their fiscal year, nor countries to their total.',
  'Each release is a vintage: OHSS revises earlier months and years in later releases (DHS removals FY2023: 178,370 in the April 2024 release, 177,900 in July, 177,770 in August). A period comes from the latest release that reports it; vintage=<release id> shows an earlier release\'s numbers.',
  'The latest fiscal year is year to date (through the release\'s data month); fiscal years run October–September. Months after the data month are absent, not zero.',
  'These are OHSS "Persist" figures. They differ from the Yearbook of Immigration Statistics (DHS removals FY2022: 102,840 here, 108,733 in Yearbook 2022) and from the agencies\' own reports (ICE removals FY2022: 72,180 here, 72,177 in ICE\'s annual report): do not join them into one series.',
];

const CITIZENSHIP_CAVEAT =
  'By citizenship, OHSS names only the top ten countries of the trailing twelve months (top 100 in the CBP encounter tables) and puts every other country in "Other" ("All other, including stateless and unknown"): which countries are named, and what "Other" holds, change from release to release. A country filter picks, for each period, the latest release that names that country; a country that is not named has no rows, which does not mean zero.';

interface Spec {
  id: string;
  measure: Measure;
  title: string;
  description: string;
  unit: string;
  dims: Dim[];
  caveats: string[];
}

function define(s: Spec): MetricDefinition {
  const dims = s.dims;
  const dimensions: Record<string, Dimension> = {};
  for (const d of dims) {
    dimensions[d] = DIMENSION_TEXT[d];
    if (d === 'citizenship') dimensions.country = DIMENSION_TEXT.country;
  }
  return {
    id: s.id,
    title: s.title,
    description: s.description,
    unit: s.unit,
    sources: SOURCE,
    grains: ['month', 'fy'],
    defaultGrain: 'fy',
    dimensions,
    dimensionMode: 'coded',
    caveats: [...s.caveats, ...(dims.includes('citizenship') ? [CITIZENSHIP_CAVEAT] : []), ...COMMON_CAVEATS],
    baseSql: baseSql(s.measure, dims, s.id),
    aggregate: () => 'latest',
  };
}

export const OHSS_MONTHLY_METRICS: MetricDefinition[] = [
  define({
    id: 'ohss.ice_removals',
    measure: 'ice_removals_returns',
    title: 'ICE removals and returns — ICE only (DHS OHSS monthly tables)',
    description:
      'Removals and returns carried out by ICE Enforcement and Removal Operations (ERO), by month and fiscal year since FY2014, by citizenship and by initial arresting agency, from the DHS OHSS "Immigration Enforcement and Legal Processes" monthly tables ("ICE ERO Removals and Returns"). ICE only: removals by CBP are not included (see ohss.dhs_removals for the DHS-wide count of removals).',
    unit: 'removals and returns (events, not people), rounded to the nearest 10',
    dims: ['citizenship', 'arrest_agency'],
    caveats: [
      'ICE-only series: it counts ICE ERO removals and returns, including those of people first arrested by CBP (arrest_agency=CBP). Never join it with DHS-wide series (ohss.dhs_removals, dhs.yearbook_removals) into one line.',
      'Removals and returns together: returns (without an order of removal) are counted here, not in ohss.dhs_removals.',
    ],
  }),
  define({
    id: 'ohss.dhs_removals',
    measure: 'dhs_removals',
    title: 'DHS removals — DHS-wide, ICE and CBP (DHS OHSS monthly tables)',
    description:
      'Removals by all of DHS — those completed by ICE ERO and those completed by CBP — by month and fiscal year since FY2014, by citizenship and by initial arresting agency, from the DHS OHSS "Immigration Enforcement and Legal Processes" monthly tables ("DHS Removals"). Removals only: returns and Title 42 expulsions are not included.',
    unit: 'removals (events, not people), rounded to the nearest 10',
    dims: ['citizenship', 'arrest_agency'],
    caveats: [
      'DHS-wide series: removals completed by ICE and by CBP. Never join it with ICE-only series (ohss.ice_removals, ice.removals, ice.removals_by_citizenship) into one line.',
      'Removals only (the compulsory movement out of the United States under an order of removal): returns and Title 42 expulsions are not counted.',
    ],
  }),
  define({
    id: 'ohss.arrests',
    measure: 'ero_arrests',
    title: 'ICE ERO administrative arrests — ICE only (DHS OHSS monthly tables)',
    description:
      'Administrative (civil immigration) arrests by ICE Enforcement and Removal Operations, by month and fiscal year since FY2014 and by citizenship, from the DHS OHSS "Immigration Enforcement and Legal Processes" monthly tables ("ERO Administrative Arrests").',
    unit: 'administrative arrests (events, not people), rounded to the nearest 10',
    dims: ['citizenship'],
    caveats: [
      'ICE-only series: ERO administrative arrests, not Border Patrol apprehensions (those are encounters: ohss.encounters) and not criminal arrests.',
      'An arrest is not a book-in: not every person arrested is booked into ICE detention, and most book-ins follow a CBP arrest (see ohss.book_ins).',
    ],
  }),
  define({
    id: 'ohss.book_ins',
    measure: 'ice_book_ins',
    title: 'Book-ins to ICE detention — ICE only (DHS OHSS monthly tables)',
    description:
      'Book-ins to ICE detention, by month and fiscal year since FY2014, by citizenship and by initial arresting agency (most people booked into ICE detention were arrested by CBP), from the DHS OHSS "Immigration Enforcement and Legal Processes" monthly tables.',
    unit: 'book-ins (events, not people: one person booked in twice counts twice), rounded to the nearest 10',
    dims: ['citizenship', 'arrest_agency'],
    caveats: [
      'ICE-only series (ICE detention), whoever made the arrest: arrest_agency=CBP are people arrested by CBP and transferred to ICE.',
      'A book-in is not an arrest and not a person. OHSS counts may differ from the book-ins in ICE\'s detention statistics (ice.book_ins), which count initial book-ins.',
    ],
  }),
  define({
    id: 'ohss.encounters',
    measure: 'cbp_encounters',
    title: 'CBP encounters (DHS OHSS monthly tables)',
    description:
      'Encounters by U.S. Customs and Border Protection — Border Patrol (USBP) between ports of entry and the Office of Field Operations (OFO) at ports of entry — by month and fiscal year since FY2014, nationwide by region and encounter type, and by citizenship (top 100 nationwide for USBP and OFO enforcement encounters, and at the Southwest border), from the DHS OHSS "Immigration Enforcement and Legal Processes" monthly tables.',
    unit: 'encounters (events, not people), rounded to the nearest 10',
    dims: ['component', 'region', 'encounter_type', 'citizenship'],
    caveats: [
      'CBP series (Border Patrol and OFO), not ICE. Without a component, the count is all of CBP; by citizenship, OHSS publishes Border Patrol (component=USBP) and OFO enforcement encounters (component=OFO with encounter_type=enforcement) nationwide, and all three at the Southwest border (region=Southwest Land Border).',
      'An encounter is an event, not a person: one person encountered twice counts twice. Title 42 expulsions (March 2020 – May 2023) are included.',
      'OHSS figures differ slightly from CBP\'s own encounter files (cbp.encounters; FY2023 nationwide 3,201,140 here, 3,201,144 from CBP).',
    ],
  }),
];
