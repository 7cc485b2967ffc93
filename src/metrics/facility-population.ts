import type { Grain, MetricDefinition, MetricQuery } from './types.js';

/** The first day of the period a `date` column falls in, for a day, month or fiscal-year grain. */
function periodOf(grain: Grain, column: string): string {
  if (grain === 'month') return `CAST(date_trunc('month', ${column}) AS DATE)`;
  if (grain === 'fy') return `make_date(year(${column}) - CASE WHEN month(${column}) >= 10 THEN 0 ELSE 1 END, 10, 1)`;
  return column;
}

const THIRD_PARTY =
  'Not an ICE publication: computed by a third party from ICE detention records that ICE produced under the Freedom of Information Act, later than and separately from its published statistics.';

const AVERAGE =
  'Months and fiscal years (October–September) are average daily populations: the sum of the daily counts divided by the number of days with data in the period. A period the data do not cover to its end (the last month, the fiscal year to date) is marked partial.';

const FACILITY_CODE = 'Facility codes are ICE DETLOC codes (e.g. STWRTGA, Stewart Detention Center), the codes of ICE\'s facility lists.';

interface DailyTable {
  table: string;
  /** [column of the table, dimension column of the base rows] */
  dims: Array<[string, string]>;
  /** [count_basis value, column of the table]; with more than one, base rows carry `count_basis` */
  counts: Array<[string, string]>;
  where?: string;
}

/**
 * Base rows from a table of daily counts per facility: the counts themselves at the day
 * grain; for a month or a fiscal year, each facility's sum over the period divided by the
 * period's days with data in that release, so that facilities add up to the national
 * average daily population (a facility without a row on a day had nobody that day).
 *
 * A query that neither breaks out nor filters by a facility dimension gets national rows
 * (facility columns NULL): the engine then ranks a few thousand rows instead of 1.8
 * million (the day grain with by=count took 1.5 s per facility, 0.1 s nationally).
 */
function dailyOrAverage(grain: Grain, q: MetricQuery, o: DailyTable): string {
  const many = o.counts.length > 1;
  const basis = many ? ` CROSS JOIN (VALUES ${o.counts.map(([k]) => `('${k}')`).join(', ')}) AS b(count_basis)` : '';
  const basisCol = many ? ', b.count_basis' : '';
  const pick = (col: (c: string) => string) =>
    many ? `CASE b.count_basis ${o.counts.map(([k, c]) => `WHEN '${k}' THEN ${col(c)}`).join(' ')} END` : col(o.counts[0]![1]);
  const where = o.where ? ` WHERE ${o.where}` : '';
  const asked = new Set([...q.by, ...Object.keys(q.filter)]);
  const perFacility = o.dims.some(([, a]) => asked.has(a));
  if (grain === 'day' && perFacility) {
    return `SELECT t.release_id, t.date AS period_start, ${o.dims.map(([c, a]) => `t.${c} AS ${a}`).join(', ')}${basisCol}, ${pick((c) => `t.${c}`)} AS value
      FROM ${o.table} t JOIN rel USING (release_id)${basis}${where}`;
  }
  const groupDims = perFacility ? `, ${o.dims.map(([c, a]) => `${c} AS ${a}`).join(', ')}` : '';
  const outDims = o.dims.map(([, a]) => (perFacility ? `a.${a}` : `CAST(NULL AS VARCHAR) AS ${a}`)).join(', ');
  const daily = grain === 'day';
  return `WITH d AS (SELECT t.*, ${periodOf(grain, 't.date')} AS period_start FROM ${o.table} t JOIN rel USING (release_id)${where}),
      ${daily ? '' : 'days AS (SELECT release_id, period_start, count(DISTINCT date) AS days FROM d GROUP BY ALL),'}
      agg AS (SELECT release_id, period_start${groupDims}, ${o.counts.map(([, c]) => `sum(${c}) AS sum_${c}`).join(', ')}
                FROM d GROUP BY ALL)
    SELECT a.release_id, a.period_start, ${outDims}${basisCol}, ${pick((c) => `a.sum_${c}`)}${daily ? '' : ' / days.days'} AS value
      FROM agg a${daily ? '' : ' JOIN days USING (release_id, period_start)'}${basis}`;
}

export const FACILITY_POPULATION_METRICS: MetricDefinition[] = [
  {
    id: 'ddp.facility_population',
    title: 'People in ICE detention per day (Deportation Data Project, from ICE FOIA records)',
    description:
      "People held in ICE detention facilities each day, per facility, from the Deportation Data Project's daily facility population table; months and fiscal years are average daily populations. Two counts: people held at any time that day ('any', the default) and people still held at midnight ('midnight', closer to ICE's own snapshot and ADP).",
    unit: 'people detained (per day; for a month or year, the average per day)',
    sources: ['ddp.facility-population'],
    grains: ['day', 'month', 'fy'],
    defaultGrain: 'day',
    dimensions: {
      facility: { column: 'facility', description: 'ICE DETLOC facility code, e.g. STWRTGA' },
      facility_name: { column: 'facility_name', description: 'facility name as in ICE\'s records, e.g. STEWART DETENTION CENTER' },
      count: {
        column: 'count_basis',
        description:
          "'any': people held at any time that day (default when the query neither filters nor breaks out by count); 'midnight': people still held at midnight, without same-day releases and transfers out. The two are never added.",
      },
    },
    dimensionMode: 'grouped',
    defaultFilter: { count: 'any' },
    caveats: [
      THIRD_PARTY,
      "Without filter=count=…, values are the any-time count; filter=count=midnight gives the midnight count, by=count both. ICE's own average daily population counts people present at midnight (its footnotes: 'MANDAY … midnight count'), so the midnight count is the comparable one.",
      'Summed over facilities, the any-time count counts a person moved between two facilities on one day in both; the midnight count does not.',
      'DDP builds the table from the detention stints of the FOIA records; facilities or stays missing from those records (hold rooms and other places ICE may not record as detention stints) are missing here. Coverage starts on 1 October 2022.',
      AVERAGE,
      FACILITY_CODE,
      'Each period comes from the latest DDP file that reports it; every DDP file restates the whole series.',
    ],
    baseSql: (grain, q) =>
      dailyOrAverage(grain, q, {
        table: 'ddp_facility_population',
        dims: [
          ['detention_facility_code', 'facility'],
          ['detention_facility', 'facility_name'],
        ],
        counts: [
          ['any', 'n_detained'],
          ['midnight', 'n_detained_at_midnight'],
        ],
      }),
    aggregate: () => 'latest',
  },
  {
    id: 'uwchr.headcount',
    title: 'People in ICE detention per day (UWCHR headcount, from ICE FOIA records, FY2012–January 2024)',
    description:
      "People held in ICE detention facilities each day, per facility, from the UW Center for Human Rights' headcount of ICE detention placements (FY2012 to 4 January 2024); months and fiscal years are average daily populations.",
    unit: 'people detained (per day; for a month or year, the average per day)',
    sources: ['uwchr.headcount'],
    grains: ['day', 'month', 'fy'],
    defaultGrain: 'day',
    dimensions: { facility: { column: 'facility', description: 'ICE DETLOC facility code, e.g. STWRTGA' } },
    dimensionMode: 'grouped',
    caveats: [
      THIRD_PARTY,
      "UWCHR counts, for each day, the placements booked in at or before 00:00 of that day and not booked out by then (its headcount.R): a count at the midnight that starts the day. Placements without a book-out are counted until the end of the records.",
      'The FOIA records cover stays that began from FY2012 (1 October 2011) to 4 January 2024; earlier days in UWCHR\'s file count only people still held in FY2012 and are left out of the metric. The last days may be low where book-ins were recorded late.',
      AVERAGE,
      FACILITY_CODE,
    ],
    baseSql: (grain, q) =>
      dailyOrAverage(grain, q, {
        table: 'uwchr_headcount',
        dims: [['detention_facility_code', 'facility']],
        counts: [['all', 'n']],
        // the FOIA request covers stays from FY2012; earlier dates hold only the stays that outlasted them
        where: `t.date >= DATE '2011-10-01'`,
      }),
    aggregate: () => 'latest',
  },
];
