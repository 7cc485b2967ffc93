import { ParamError } from './params.js';
import type { Dimension, MetricDefinition, MetricQuery } from './types.js';

/**
 * A metric whose base rows carry a boolean column marking numbers the agency withheld (value
 * NULL, never 0). The engine shows a period whose every value is withheld as "withheld" once
 * src/metrics/query.ts reads `withheldColumn`; until then such a period's value is null.
 */
export type WithheldMetric = MetricDefinition & { withheldColumn?: string };

const YEARBOOK = ['dhs.yearbook'];

const DIM: Record<string, Dimension> = {
  citizenship: { column: 'citizenship', description: "country of nationality as the yearbook writes it ('Mexico', 'Korea, South'), or 'All other countries' / 'Unknown'" },
  country: { column: 'country', description: "ISO 3166-1 alpha-3 code of the country of nationality (XKX for Kosovo); for a line that is not one country, its label in upper case ('ALL OTHER COUNTRIES', 'UNKNOWN')" },
  region: { column: 'region', description: "region of nationality: 'Africa', 'Asia', 'Europe', 'North America', 'Oceania', 'South America', 'Unknown'" },
  criminal_status: { column: 'criminal_status', description: "'all' (default), 'criminal' (noncitizens with a criminal conviction), 'non_criminal'; the three are alternatives, never added" },
  type: { column: 'type', description: "'administrative' (returns by OFO of administrative encounters) or 'enforcement' returns" },
  measure: { column: 'measure', description: "'removals', 'returns' (to Yearbook 2021), 'administrative_returns' and 'enforcement_returns' (from Yearbook 2022), 'expulsions' (Title 42), 'apprehensions_and_title42_expulsions', 'ofo_encounters', 'ofo_administrative_encounters', 'ofo_enforcement_encounters'" },
};

const YEARBOOK_CAVEATS = [
  'DHS-wide series (ICE, CBP and USCIS together), by fiscal year (October–September). Never join it with ICE-only series (ice.removals, ice.removals_by_citizenship, ohss.ice_removals) into one line.',
  'Each yearbook revises the fiscal years it repeats (FY2019 removals: 359,885 in Yearbook 2019, 348,468 in Yearbook 2020, 347,090 in Yearbook 2022). A fiscal year comes from the latest yearbook that reports it; vintage=<release id> of a table part shows that yearbook\'s numbers.',
  'OHSS withholds small numbers to limit disclosure ("D"): such a number is missing (null, shown as withheld), never zero, and a sum over countries leaves it out. "-" is zero.',
  'Yearbook figures differ from the OHSS monthly tables ("Persist" figures; DHS removals FY2022 108,733 here, 102,840 there): do not mix them in one series.',
  'The countries below the yearbook\'s threshold are summed in "All other countries", whose content changes from yearbook to yearbook.',
];

const asks = (q: Pick<MetricQuery, 'by' | 'filter'>, ...dims: string[]) => dims.some((d) => q.by.includes(d) || d in q.filter);

/**
 * The rows of a by-nationality table for a query: the country lines (without the Total line) when
 * the query is by or on a country, the region lines when it is by or on a region, else the Total
 * line, so a total is read as published and never summed from countries, and "by country" never
 * counts the total as a country.
 */
function nationalitySql(kinds: string[], q: MetricQuery, extra: { column: string; sql: string }[]): string {
  const byCountry = asks(q, 'citizenship', 'country');
  const byRegion = asks(q, 'region');
  if (byCountry && byRegion) {
    throw new ParamError(Object.keys(q.filter).length ? 'filter' : 'by', 'the yearbook publishes these numbers by region of nationality or by country of nationality, not by both together');
  }
  const where = byCountry
    ? `f.geography = 'country' AND f.citizenship_kind <> 'total'`
    : byRegion
      ? `f.geography = 'region' AND f.citizenship_kind <> 'total'`
      : `f.geography = 'country' AND f.citizenship_kind = 'total'`;
  // table kinds come from the definition, never from the request
  return `SELECT f.release_id, make_date(f.fiscal_year - 1, 10, 1) AS period_start,
          CASE WHEN f.geography = 'country' THEN f.citizenship END AS citizenship,
          CASE WHEN f.geography = 'country' THEN coalesce(f.iso3, upper(f.citizenship)) END AS country,
          CASE WHEN f.geography = 'region' THEN f.citizenship END AS region,
          ${extra.map((e) => `${e.sql} AS ${e.column}, `).join('')}f.value, f.withheld
     FROM dhs_yearbook_facts f JOIN rel USING (release_id)
    WHERE f.table_kind IN (${kinds.map((k) => `'${k}'`).join(', ')}) AND ${where}`;
}

interface NationalitySpec {
  id: string;
  title: string;
  description: string;
  unit: string;
  kinds: string[];
  extra?: { name: string; sql: string };
  defaultFilter?: Record<string, string>;
  caveats: string[];
}

function nationalityMetric(s: NationalitySpec): WithheldMetric {
  const dimensions: Record<string, Dimension> = { citizenship: DIM.citizenship!, country: DIM.country!, region: DIM.region! };
  if (s.extra) dimensions[s.extra.name] = DIM[s.extra.name]!;
  const extra = s.extra ? [{ column: s.extra.name, sql: s.extra.sql }] : [];
  return {
    id: s.id,
    title: s.title,
    description: s.description,
    unit: s.unit,
    sources: YEARBOOK,
    grains: ['fy'],
    defaultGrain: 'fy',
    dimensions,
    dimensionMode: 'grouped',
    ...(s.defaultFilter ? { defaultFilter: s.defaultFilter } : {}),
    caveats: [...s.caveats, ...YEARBOOK_CAVEATS],
    baseSql: (_grain, q) => nationalitySql(s.kinds, q, extra),
    aggregate: () => 'latest',
    ...(s.extra ? { seriesColumn: s.extra.name } : {}),
    withheldColumn: 'withheld',
  };
}

export const YEARBOOK_METRICS: WithheldMetric[] = [
  nationalityMetric({
    id: 'dhs.yearbook_removals',
    title: 'DHS removals by country of nationality — DHS-wide (Yearbook of Immigration Statistics)',
    description:
      'Removals of noncitizens by all of DHS, by fiscal year, country or region of nationality and criminal status, from the Yearbook of Immigration Statistics enforcement tables ("Noncitizen Removals by Criminal Status and Region and Country of Nationality": Table 41 up to Yearbook 2021, Table 42 in Yearbook 2022).',
    unit: 'removals (events, not people)',
    kinds: ['removals-by-nationality'],
    extra: { name: 'criminal_status', sql: 'f.criminal_status' },
    defaultFilter: { criminal_status: 'all' },
    caveats: ['Removals only (under an order of removal): returns and Title 42 expulsions are in dhs.yearbook_returns and dhs.yearbook_annual.'],
  }),
  nationalityMetric({
    id: 'dhs.yearbook_apprehensions',
    title: 'Apprehensions and Title 42 expulsions by country of nationality — DHS-wide (Yearbook)',
    description:
      'Noncitizen apprehensions (Border Patrol and ICE) together with Title 42 expulsions, by fiscal year and country or region of nationality, from the Yearbook of Immigration Statistics ("Title 42 Expulsions and Noncitizen Apprehensions by Region and Country of Nationality", Table 34 of Yearbook 2022).',
    unit: 'apprehensions and expulsions (events, not people)',
    kinds: ['apprehensions-by-nationality'],
    caveats: ['Apprehensions include Title 42 expulsions from FY2020 (March 2020 – May 2023).'],
  }),
  nationalityMetric({
    id: 'dhs.yearbook_inadmissibles',
    title: 'Inadmissibility determinations by country of nationality — CBP OFO (Yearbook)',
    description:
      'Noncitizens determined inadmissible at ports of entry, by fiscal year and country or region of nationality, from the Yearbook of Immigration Statistics ("Noncitizen Inadmissibility Determinations by Region and Country of Nationality", Table 37 of Yearbook 2022).',
    unit: 'inadmissibility determinations (events, not people)',
    kinds: ['inadmissibles-by-nationality'],
    caveats: ['CBP Office of Field Operations only (ports of entry).'],
  }),
  nationalityMetric({
    id: 'dhs.yearbook_returns',
    title: 'DHS returns by country of nationality — DHS-wide (Yearbook)',
    description:
      'Administrative and enforcement returns of noncitizens (removal without an order of removal), by fiscal year and country or region of nationality, from the Yearbook of Immigration Statistics (Tables 40 and 41 of Yearbook 2022).',
    unit: 'returns (events, not people)',
    kinds: ['administrative-returns-by-nationality', 'enforcement-returns-by-nationality'],
    extra: { name: 'type', sql: `CASE f.table_kind WHEN 'administrative-returns-by-nationality' THEN 'administrative' ELSE 'enforcement' END` },
    caveats: ['Without a type, administrative and enforcement returns are added; each has its own total line in its own table.'],
  }),
  {
    id: 'dhs.yearbook_annual',
    title: 'DHS removals, returns, expulsions, apprehensions and OFO encounters by year — DHS-wide (Yearbook)',
    description:
      'The yearbook\'s long national series by fiscal year: removals, returns and Title 42 expulsions since 1892 (Table 39), apprehensions and Title 42 expulsions since 1925 (Table 33), CBP Office of Field Operations encounters since 2005 (Table 36).',
    unit: 'events (removals, returns, expulsions, apprehensions or encounters: see measure)',
    sources: YEARBOOK,
    grains: ['fy'],
    defaultGrain: 'fy',
    dimensions: { measure: DIM.measure! },
    dimensionMode: 'grouped',
    defaultFilter: { measure: 'removals' },
    caveats: [
      'Without a measure the series is removals; the measures are different things and are never added.',
      'Yearbook 2021 has one "returns" series; Yearbook 2022 splits it into administrative and enforcement returns (and revises it): the two forms are kept as different measures.',
      'A blank cell is a year the series does not cover (no administrative returns before FY2009, no OFO split before FY2012); "X" (not applicable: expulsions before FY2020) has no value either.',
      ...YEARBOOK_CAVEATS,
    ],
    baseSql: () => `SELECT f.release_id, make_date(f.fiscal_year - 1, 10, 1) AS period_start, f.measure, f.value, f.withheld
       FROM dhs_yearbook_facts f JOIN rel USING (release_id)
      WHERE f.geography = 'national'`,
    aggregate: () => 'latest',
    seriesColumn: 'measure',
    withheldColumn: 'withheld',
  },
  {
    id: 'ice.removals_by_citizenship',
    title: 'ICE removals by country of citizenship — ICE only (FY2017–FY2018 report table)',
    description:
      'Removals by ICE Enforcement and Removal Operations, by fiscal year and country of citizenship, from the table "FY2017 and FY2018 ICE Removals by Country of Citizenship" of ICE\'s FY2018 ERO report (transcribed to CSV by UWCHR).',
    unit: 'removals (events, not people)',
    sources: ['ice.removals-by-citizenship'],
    grains: ['fy'],
    defaultGrain: 'fy',
    dimensions: {
      citizenship: { column: 'citizenship', description: "country of citizenship as ICE writes it ('MEXICO', 'KOREA', 'UNKNOWN')" },
      country: { column: 'country', description: "ISO 3166-1 alpha-3 code of the citizenship (XKX for Kosovo); for a line that is not one country, its name ('UNKNOWN', 'YUGOSLAVIA')" },
    },
    dimensionMode: 'grouped',
    caveats: [
      'ICE-only series: removals by ICE ERO, not by all of DHS. Never join it with DHS-wide series (dhs.yearbook_removals, ohss.dhs_removals) into one line.',
      'ICE\'s table has no total line: the total is the sum of its 196 lines (226,119 in FY2017 and 256,085 in FY2018, ICE\'s published totals).',
      'FY2017 and FY2018 only. ICE\'s later reports publish the same table as PDF only.',
    ],
    baseSql: () => `SELECT f.release_id, make_date(f.fiscal_year - 1, 10, 1) AS period_start, f.citizenship,
            coalesce(f.iso3, upper(f.citizenship)) AS country, f.value
       FROM ice_removals_by_citizenship f JOIN rel USING (release_id)`,
    aggregate: () => 'latest',
  },
];
