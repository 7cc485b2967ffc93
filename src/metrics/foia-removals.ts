import type { MetricDefinition } from './types.js';

/**
 * Removals from ICE's FOIA records. `third_country`: 'yes' when the departure country
 * differs from the citizenship, 'no' when they match, 'unknown' when either is missing
 * (older productions have no departure country; redacted values are missing too).
 */
export const FOIA_REMOVAL_METRICS: MetricDefinition[] = [
  {
    id: 'foia.removals',
    title: 'ICE removals (FOIA records)',
    description: 'Removals counted from ICE ERO-LESA individual records released under FOIA, by departure date.',
    unit: 'removals (events: one person removed twice counts twice)',
    sources: ['ice.foia-removals'],
    grains: ['month', 'fy', 'cy'],
    defaultGrain: 'fy',
    dimensions: {
      citizenship: { column: 'citizenship', description: 'country of citizenship, as ICE spells it' },
      departure_country: { column: 'departure_country', description: "country the person was removed to ('(missing)' when the production has none)" },
      third_country: { column: 'third_country', description: "'yes': removed to a country other than the citizenship; 'no'; 'unknown': either country missing" },
      case_category: { column: 'case_category', description: "ICE case category, e.g. '[8F] Expedited Removal'" },
    },
    dimensionMode: 'grouped',
    caveats: [
      'Counted from individual records of one or more FOIA productions; each production covers its own area and dates (the Seattle productions cover the Seattle area of responsibility only). Productions of different series (expedited removals, other removals) are added; within a series, each month comes from the latest production that reports it.',
      "A removal to a country other than the citizenship is not always a 'third-country removal': dual nationals, transit stops recorded as the departure country, and stateless people all show as a difference.",
      'Redacted values are missing, never guessed; rows are kept.',
    ],
    baseSql: () => `SELECT r.release_id, date_trunc('month', r.departed_date)::DATE AS period_start,
        coalesce(r.citizenship_country, '(missing)') AS citizenship,
        coalesce(r.departure_country, '(missing)') AS departure_country,
        CASE WHEN r.citizenship_country IS NULL OR r.departure_country IS NULL THEN 'unknown'
             WHEN upper(trim(r.citizenship_country)) = upper(trim(r.departure_country)) THEN 'no' ELSE 'yes' END AS third_country,
        coalesce(r.case_category, '(missing)') AS case_category,
        f.series, count(*) AS value
      FROM foia_removals r JOIN rel USING (release_id) JOIN foia_files f USING (release_id)
     WHERE r.departed_date IS NOT NULL
     GROUP BY ALL`,
    aggregate: (grain) => (grain === 'month' ? 'latest' : 'sum-months'),
    seriesColumn: 'series',
  },
];
