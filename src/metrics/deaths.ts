import type { Grain, MetricDefinition } from './types.js';

/** The first day of the period a date of death falls in. */
function periodOf(grain: Grain): string {
  if (grain === 'month') return `CAST(date_trunc('month', d.date_of_death) AS DATE)`;
  if (grain === 'cy') return `make_date(year(d.date_of_death), 1, 1)`;
  return `make_date(d.fiscal_year - 1, 10, 1)`;
}

export const DEATH_SOURCE = 'ice.detainee-deaths';

/** Caveats shared by the metric, the page and the methodology page. */
export const DEATH_CAVEATS = [
  "Not ICE files: CSVs that a research repository (etchin/ice-detention-mortality) extracted from ICE's PDFs: ICE's FOIA list 'Detainee Death Reporting 2003–2017' (October 2003 to May 2017) and the index of ICE's detainee death reports (from April 2018). Names, ages, countries and places are as those documents give them, with the extraction's spacing and hyphen noise removed.",
  "The two lists leave a gap: the FOIA list ends on 31 May 2017 and the report index begins on 10 April 2018, so deaths between those dates are in neither and FY2017 and FY2018 are incomplete here. Entries of ICE's PDF missing from the extraction are recorded as the anomaly 'missing-record' (entry 165 of 172).",
  "From FY2018, most rows link to an ICE detainee death report; rows the file cites to another source (news reports, for deaths ICE had not reported when the file was made) are counted and marked 'other-source'. Some of them place the death at an 'ICE enforcement action' rather than a facility; ICE's own count may differ.",
  "Deaths are counted in ICE's fiscal year (October–September) of the date of death. Where the report index's own fiscal-year label differs (it gives the calendar year for deaths of October–December 2025), the tracker uses the date and records the anomaly 'fiscal-year-mismatch'.",
  "Facility is the facility (FOIA list: of last detention) or place as the file writes it; the same facility can appear under several spellings. The deaths page matches the names to ICE facility codes where the name allows.",
];

/** Deaths in ICE custody, from the two extracted death lists (src/sources/ice/deaths). */
export const DEATH_METRICS: MetricDefinition[] = [
  {
    id: 'ice.deaths',
    title: 'Deaths in ICE custody',
    description:
      "Deaths of people in ICE custody by date of death: ICE's FOIA list of detainee deaths (FY2004–FY2017, to 31 May 2017) and the index of ICE's detainee death reports (from FY2018), as extracted to CSV by a research repository.",
    unit: 'deaths (people)',
    sources: [DEATH_SOURCE],
    grains: ['fy', 'cy', 'month'],
    defaultGrain: 'fy',
    dimensions: {
      facility: { column: 'facility', description: "facility (FOIA list: of last detention) or place as the file writes it, e.g. 'Stewart Detention Center'; '(not stated)' when empty" },
      state: { column: 'state', description: "two-letter state code read from the location; '(unknown)' when none" },
      country: { column: 'country', description: "country of citizenship, display name (e.g. 'Mexico'); as written when it is not one country ('Not stated')" },
      source: {
        column: 'record_source',
        description: "'ice-foia-list' (ICE's FOIA list 2003–2017), 'ice-death-report' (a row linking an ICE death report), 'other-source' (a row citing another source, e.g. a news report)",
      },
    },
    dimensionMode: 'grouped',
    caveats: DEATH_CAVEATS,
    baseSql: (grain) => `SELECT d.release_id, ${periodOf(grain)} AS period_start,
        coalesce(d.facility, '(not stated)') AS facility, coalesce(d.state, '(unknown)') AS state,
        coalesce(d.country_name, '(not stated)') AS country, d.record_source, d.series, count(*) AS value
      FROM ice_deaths d JOIN rel USING (release_id)
     GROUP BY ALL`,
    // each list is its own series (complementary years); within one, the latest file that reports a period
    aggregate: () => 'latest',
    seriesColumn: 'series',
  },
];
