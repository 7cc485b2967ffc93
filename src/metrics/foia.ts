import { ALL_STINT_DIMENSIONS, bookInsSql, dailyPopulationSql, labelSql, type StintDimension } from '../sources/ice/foia/derive/detention.js';
import type { Dimension, Grain, MetricDefinition, MetricQuery } from './types.js';

/**
 * Metrics of ICE's individual-level FOIA records (ERO-LESA). Rules and caveats:
 * docs/sources/ice-foia-derived.md. Arrests are read from the de-duplicated arrests, and people in
 * detention and book-ins from the tables refreshDerived fills at ingest, one breakdown at a time; a
 * query that breaks those down (or filters) by two or more of facility, aor, criminality and
 * citizenship is computed from the stints when asked, with the same SQL (exact, but seconds on a
 * large release).
 */

/** Dataset ids of the FOIA record kinds (the parsers' Dataset ids). */
export const FOIA_SOURCES = {
  arrests: 'ice.foia-arrests',
  detentions: 'ice.foia-detentions',
  encounters: 'ice.foia-encounters',
  detainers: 'ice.foia-detainers',
} as const;

const BLANK = "'(blank)' when ICE left it empty, '(redacted)' when the cell held a FOIA exemption code";

const STINT_DIMS: Record<StintDimension, Dimension> = {
  facility: { column: 'facility', description: `ICE detention facility code (DETLOC), e.g. ADAMSMS; ${BLANK}` },
  aor: { column: 'aor', description: `ICE area of responsibility of the book-in, as ICE writes it; ${BLANK}` },
  criminality: { column: 'criminality', description: `ICE's book-in criminality, e.g. '1 Convicted Criminal'; ${BLANK}` },
  citizenship: { column: 'citizenship', description: `country of citizenship, as ICE writes it; ${BLANK}` },
};

const COMMON_CAVEATS = [
  "From ICE's individual-level records released under FOIA (ERO-LESA Statistical Tracking Unit); each period is taken from the latest release that covers it unless a vintage is given.",
  'Fiscal years run October–September; a month or year not fully covered by a release is marked partial at its end, and a release that starts mid-month undercounts its first month.',
];

/** A breakdown column the base rows do not split by. */
const nullColumn = (name: string) => `CAST(NULL AS VARCHAR) AS ${name}`;

/** The stint breakdowns a query needs (asked for, or filtered on). */
function neededStintDims(q: Pick<MetricQuery, 'by' | 'filter'>): StintDimension[] {
  const asked = new Set([...q.by, ...Object.keys(q.filter)]);
  return ALL_STINT_DIMENSIONS.filter((d) => asked.has(d));
}

/** A dimension with a default value when neither broken out nor filtered (count=any, stint=initial). */
function defaulted(q: MetricQuery, dim: string): boolean {
  return !q.by.includes(dim) && !(dim in q.filter);
}

/**
 * The breakdown columns of an event metric's base rows: the ones the query asks for or filters on,
 * and NULL for the others, so the base rows are grouped only as finely as the answer needs.
 */
function eventColumns(q: MetricQuery, exprs: Record<string, string>): string {
  const asked = new Set([...q.by, ...Object.keys(q.filter)]);
  return Object.entries(exprs)
    .map(([name, expr]) => (asked.has(name) ? `${expr} AS ${name}` : nullColumn(name)))
    .join(', ');
}

const COVERAGE = `SELECT release_id, first_day, last_day FROM foia_derived_coverage WHERE kind = 'detentions'`;
const IN_REL = `s.release_id IN (SELECT release_id FROM rel)`;

const period = (grain: Grain, expr: string) => (grain === 'day' ? `CAST(${expr} AS DATE)` : `CAST(date_trunc('month', ${expr}) AS DATE)`);
const monthly = (grain: Grain) => (grain === 'fy' ? 'sum-months' : 'latest');

/** Facts derived from the detention stints: stored per breakdown, or computed for two breakdowns or more at once. */
interface StintFacts {
  /** The stored table (one breakdown or none, in `dimension` and `dim_value`) and its period and value columns. */
  table: string;
  period: string;
  value: string;
  /** The column of the kind of count, and the metric filter that picks it, with its default. */
  kind: string;
  filter: string;
  byDefault: string;
  /** The same columns computed from the stints, by the breakdowns given. */
  computed: (dims: StintDimension[]) => string;
}

function stintFactsSql(q: MetricQuery, f: StintFacts): string {
  const dims = neededStintDims(q);
  const kind = defaulted(q, f.filter) ? ` AND x.${f.kind} = '${f.byDefault}'` : '';
  const head = (cols: string) => `SELECT x.release_id, x.${f.period} AS period_start, ${cols}, x.${f.kind}, x.${f.value} AS value`;
  if (dims.length <= 1) {
    const cols = ALL_STINT_DIMENSIONS.map((d) => (d === dims[0] ? `x.dim_value AS ${d}` : nullColumn(d))).join(', ');
    return `${head(cols)}
      FROM ${f.table} x JOIN rel USING (release_id)
     WHERE x.dimension = '${dims[0] ?? 'all'}'${kind}`;
  }
  const cols = ALL_STINT_DIMENSIONS.map((d) => (dims.includes(d) ? `x.${d}` : nullColumn(d))).join(', ');
  return `${head(cols)}
      FROM (${f.computed(dims)}) x
     WHERE true${kind}`;
}

const detainedSql = (q: MetricQuery) =>
  stintFactsSql(q, {
    table: 'foia_daily_population',
    period: 'day',
    value: 'people',
    kind: 'count_kind',
    filter: 'count',
    byDefault: 'any',
    computed: (dims) => dailyPopulationSql(IN_REL, COVERAGE, dims),
  });

const bookInsBaseSql = (q: MetricQuery) =>
  stintFactsSql(q, {
    table: 'foia_book_ins',
    period: 'month',
    value: 'book_ins',
    kind: 'stint_kind',
    filter: 'stint',
    byDefault: 'initial',
    computed: (dims) => bookInsSql(IN_REL, COVERAGE, dims),
  });

export const FOIA_METRICS: MetricDefinition[] = [
  {
    id: 'foia.arrests',
    title: 'ICE administrative arrests (FOIA records)',
    description:
      "ICE ERO administrative arrests from the individual-level FOIA records, de-duplicated as the Deportation Data Project does: the same person arrested again within 24 hours of their previous arrest is one arrest.",
    unit: 'arrests (events, not people: one person arrested twice, more than a day apart, is two arrests)',
    sources: [FOIA_SOURCES.arrests],
    grains: ['day', 'month', 'fy'],
    defaultGrain: 'month',
    dimensions: {
      aor: { column: 'aor', description: `ICE area of responsibility of the arrest; ${BLANK}` },
      criminality: { column: 'criminality', description: `ICE's apprehension criminality, e.g. '2 Pending Criminal Charges'; ${BLANK}` },
      citizenship: { column: 'citizenship', description: `country of citizenship; ${BLANK}` },
      method: { column: 'method', description: `apprehension method, e.g. 'CAP Local Incarceration', 'Located', 'ERO Reprocessed Arrest'; ${BLANK}` },
      has_person_id: {
        column: 'has_person_id',
        description: "'false' for rows without ICE's person identifier: they cannot be de-duplicated, so each counts as an arrest",
      },
    },
    dimensionMode: 'grouped',
    caveats: [
      ...COMMON_CAVEATS,
      "De-duplication: a person's arrests are a chain while each follows the previous one by at most 24 hours; the chain is one arrest, dated by its kept row (a row that is not an 'ERO Reprocessed Arrest', then the earliest).",
      "Rows without a person identifier are all kept (has_person_id = 'false'): the total may count some arrests twice; filter has_person_id=true to leave them out.",
      'When the file gives dates without times, within 24 hours means the same or the next day.',
    ],
    baseSql: (grain, q) => `SELECT k.release_id, ${period(grain, 'k.arrest_at')} AS period_start,
        ${eventColumns(q, { aor: 'k.aor', criminality: 'k.criminality', citizenship: 'k.citizenship', method: 'k.method', has_person_id: 'CAST(k.has_person_id AS VARCHAR)' })},
        count(*) AS value
      FROM foia_arrests_deduped k JOIN rel USING (release_id)
     WHERE k.arrest_at IS NOT NULL
     GROUP BY ALL`,
    aggregate: monthly,
  },
  {
    id: 'foia.book_ins',
    title: 'Book-ins into ICE detention (FOIA records)',
    description:
      "Initial book-ins (the first stint of a detention stay, as ICE counts them) by month, from the individual-level detention records; with stint=transfer, the book-ins at another facility during a stay.",
    unit: 'book-ins (events, not people)',
    sources: [FOIA_SOURCES.detentions],
    grains: ['month', 'fy'],
    defaultGrain: 'month',
    dimensions: {
      ...STINT_DIMS,
      stint: {
        column: 'stint_kind',
        description: "'initial' (the default): the stint that begins a stay, dated by the stay's start; 'transfer': a later stint of a stay, dated by its own book-in; break out by stint for both",
      },
    },
    dimensionMode: 'grouped',
    caveats: [
      ...COMMON_CAVEATS,
      'A book-in is not an arrest, and one person can be booked in more than once; a stint is not a stay.',
      "A stay is the stints sharing ICE's Stay Book In Date Time; without it, a stint booked in within 15 minutes of the previous stint's book-out (or while it is open) continues the stay.",
      'Facility, AOR, criminality and citizenship are those of the book-in stint. Breaking out by two of them at once is computed from the stints on request.',
    ],
    baseSql: (_grain, q) => bookInsBaseSql(q),
    aggregate: monthly,
  },
  {
    id: 'foia.detained',
    title: 'People in ICE detention per day (FOIA records)',
    description:
      'Distinct people held in ICE detention each day, nationally or per facility, from the individual-level detention stints; count=any (default) counts everyone held at any time of the day, count=midnight those held at the midnight that ends it.',
    unit: 'people detained on the day',
    sources: [FOIA_SOURCES.detentions],
    grains: ['day'],
    defaultGrain: 'day',
    dimensions: {
      ...STINT_DIMS,
      count: {
        column: 'count_kind',
        description: "'any' (the default): in custody at any time that day (book-in date <= day <= book-out date); 'midnight': in custody at the midnight that ends the day (DDP's n_detained_at_midnight)",
      },
    },
    dimensionMode: 'grouped',
    caveats: [
      ...COMMON_CAVEATS,
      'People, not stints: someone moved between two facilities on a day counts once nationally and once in each facility, so facilities add up to more than the national count.',
      'By AOR, criminality or citizenship, each person-day counts once, under the stint that held the person first that day: those breakdowns add up to the national count.',
      "A release covers the days from its earliest book-out to its snapshot date; people still held then (no book-out) count up to that date. Rows without a person identifier count as a person each.",
      'Breaking out by two of facility, AOR, criminality and citizenship at once is computed from the stints on request (exact, but slow on a large release).',
    ],
    baseSql: (_grain, q) => detainedSql(q),
    aggregate: () => 'latest',
  },
  {
    id: 'foia.encounters',
    title: 'ICE ERO encounters (FOIA records)',
    description: 'Encounters by ICE Enforcement and Removal Operations, by month of the event, from the individual-level FOIA records.',
    unit: 'encounters (events, not people)',
    sources: [FOIA_SOURCES.encounters],
    grains: ['month', 'fy'],
    defaultGrain: 'month',
    dimensions: {
      aor: { column: 'aor', description: `ICE area of responsibility responsible for the encounter; ${BLANK}` },
      event_type: { column: 'event_type', description: `ICE's event type; ${BLANK}` },
      citizenship: { column: 'citizenship', description: `country of citizenship; ${BLANK}` },
    },
    dimensionMode: 'grouped',
    caveats: [...COMMON_CAVEATS, 'An encounter is not an arrest and not a person: the records are counted as ICE lists them, without de-duplication.'],
    baseSql: (grain, q) => `SELECT e.release_id, ${period(grain, 'e.event_date')} AS period_start,
        ${eventColumns(q, { aor: labelSql('e.aor', 'aor'), event_type: labelSql('e.event_type', 'event_type'), citizenship: labelSql('e.citizenship_country', 'citizenship_country') })},
        count(*) AS value
      FROM foia_encounters e JOIN rel USING (release_id)
     WHERE e.event_date IS NOT NULL
     GROUP BY ALL`,
    aggregate: monthly,
  },
  {
    id: 'foia.detainers',
    title: 'ICE detainers issued (FOIA records)',
    description: 'Immigration detainers (requests to a jail or prison to hold someone for ICE), by month prepared, from the individual-level FOIA records.',
    unit: 'detainers (documents, not people)',
    sources: [FOIA_SOURCES.detainers],
    grains: ['month', 'fy'],
    defaultGrain: 'month',
    dimensions: {
      facility_aor: { column: 'facility_aor', description: `ICE area of responsibility of the facility the detainer went to; ${BLANK}` },
      criminality: { column: 'criminality', description: `ICE's detainer criminality; ${BLANK}` },
      citizenship: { column: 'citizenship', description: `country of citizenship; ${BLANK}` },
    },
    dimensionMode: 'grouped',
    caveats: [...COMMON_CAVEATS, 'A detainer is a request, not a custody transfer; one person can have several.'],
    baseSql: (grain, q) => `SELECT d.release_id, ${period(grain, 'd.prepare_date')} AS period_start,
        ${eventColumns(q, { facility_aor: labelSql('d.facility_aor', 'facility_aor'), criminality: labelSql('d.criminality', 'criminality'), citizenship: labelSql('d.citizenship_country', 'citizenship_country') })},
        count(*) AS value
      FROM foia_detainers d JOIN rel USING (release_id)
     WHERE d.prepare_date IS NOT NULL
     GROUP BY ALL`,
    aggregate: monthly,
  },
];
