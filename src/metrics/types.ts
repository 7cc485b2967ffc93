/**
 * Metrics are data: one object per metric names its grains, dimensions, caveats and
 * the SQL of its base rows. The API, the CLI, the OpenAPI document and the
 * methodology page are all generated from these objects.
 */

export type Grain = 'day' | 'month' | 'fy' | 'cy' | 'snapshot';

export interface Dimension {
  /** Column of the base rows. */
  column: string;
  description: string;
}

export interface MetricDefinition {
  id: string;
  title: string;
  description: string;
  /** What one unit counts: "people in detention on a day", "book-ins (events)". */
  unit: string;
  /** Dataset ids the metric reads. */
  sources: string[];
  grains: Grain[];
  defaultGrain: Grain;
  dimensions: Record<string, Dimension>;
  /**
   * 'coded': base rows carry every combination, with 'all' for a dimension not broken out
   * (ICE's own totals); 'grouped': base rows are units (facilities) summed over the dimensions asked for.
   */
  dimensionMode: 'coded' | 'grouped';
  /**
   * A value to filter on when a query neither filters on that dimension nor breaks it out
   * (dimension name → value). For a dimension whose values are alternative measures of
   * the same thing (DDP's any-time and midnight counts), which must never be added up.
   */
  defaultFilter?: Record<string, string>;
  caveats: string[];
  /**
   * SQL of the base rows for a grain, with columns release_id, period_start (DATE),
   * the dimension columns and value. It may read the CTE `rel` (the releases allowed by
   * the vintage: release_id, effective_date, known_at, snapshot_date, fiscal_year).
   * The query is passed so a metric fed by several file families can offer only the
   * families that carry the dimensions asked for (CBP's Southwest file has no states);
   * values from it must still be bound by the engine, never pasted into the SQL.
   */
  baseSql(grain: Grain, query: MetricQuery): string;
  /**
   * How a period is chosen among releases: 'latest' keeps, for each period and
   * dimension combination, the value of the latest release that reports it.
   * 'sum-months' adds the latest monthly values into years.
   */
  aggregate(grain: Grain): 'latest' | 'sum-months';
  /**
   * A base-row column naming the series a release belongs to, when one source publishes
   * complementary files (FOIA productions of expedited and of other removals): the latest
   * release is then picked per period within each series, and the series are added.
   */
  seriesColumn?: string;
  /**
   * A boolean base-row column, true where the agency withheld the number to limit disclosure
   * (value NULL, never 0: the yearbook's "D"). A row whose every value is withheld shows the value
   * 'withheld'; a sum that leaves out withheld values is still a number (the caveats say so).
   */
  withheldColumn?: string;
}

export interface MetricQuery {
  grain: Grain;
  from?: string;
  to?: string;
  by: string[];
  filter: Record<string, string>;
  /** 'latest', a release id, or YYYY-MM-DD (the releases known by that date). */
  vintage: string;
}

export type MetricRow = Record<string, string | number | null>;

export interface MetricResult {
  metric: string;
  query: MetricQuery;
  rows: MetricRow[];
  /** Releases whose values appear in the rows. */
  releases: string[];
  /** Periods not complete in the data (the month of a snapshot, a fiscal year to date). */
  partialPeriods: string[];
}
