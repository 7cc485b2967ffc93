import type { MetricDefinition, MetricQuery } from './types.js';

const SOURCE = ['ice.287g'];

/**
 * The lists of one kind in the vintage, one per date. A list's date is the one its parser
 * settled (src/sources/ice/g287/parse.ts: the name's date, corrected from the content).
 * ICE sometimes posts two lists on one day (090022025am and 08022025pm, both 2025-09-02):
 * the later one of the day (pm after am, then the later save) stands for the date.
 */
const lists = (kind: 'participating' | 'pending') => `lists AS (
    SELECT l.release_id, l.list_date AS period_start,
           row_number() OVER (PARTITION BY l.list_date
                              ORDER BY CASE l.list_time WHEN 'pm' THEN 2 WHEN 'am' THEN 1 ELSE 0 END DESC,
                                       l.saved_at DESC NULLS LAST, l.release_id DESC) AS k
      FROM ice_287g_lists l JOIN rel USING (release_id)
     WHERE l.list_kind = '${kind}' AND l.list_date IS NOT NULL)`;

/**
 * A list with no rows (pendingAgencies11062025pm.xlsx has only its header) is a count of
 * zero, not a missing date: asked for the total, the metric gives 0 for it. Broken out or
 * filtered, it has no row to give.
 */
const emptyLists = (q: MetricQuery, dims: string[]) =>
  q.by.length === 0 && Object.keys(q.filter).length === 0
    ? `UNION ALL
      SELECT l.release_id, l.period_start, ${dims.map((d) => `CAST(NULL AS VARCHAR) AS ${d}`).join(', ')}, 0 AS value
        FROM lists l
       WHERE l.k = 1 AND NOT EXISTS (SELECT 1 FROM ice_287g_agreements x WHERE x.release_id = l.release_id)`
    : '';

const stateDim = { column: 'state', description: "two-letter USPS code of the agency's state or territory (TX, FL, GU, MP), from ICE's STATE column" };
const modelDim = {
  column: 'model',
  description: "support type: 'Task Force Model' (officers question and arrest in the field), 'Warrant Service Officer' (serve ICE warrants in the jail), 'Jail Enforcement Model' (interview and process people in the jail)",
};
const typeDim = { column: 'agency_type', description: "ICE's TYPE: 'County', 'Municipality', 'State Agency' (NULL in the lists before March 2025 and where ICE wrote '#NA')" };

const COMMON = [
  "From ICE's lists on ice.gov/identify-and-arrest/287g (one release per file); each date is one list, and a list replaces the one before it: values are not added over dates.",
  "The list's date is the date in ICE's file name, corrected where the content proves the name wrong: participatingAgencies01092025pm.xlsx is the January 2026 list (signings to 2026-01-08), participatingAgencies08022025pm.xlsx the list of 2025-09-02; a list posted again unchanged (participatingAgencies04212025am.xlsx = the list of 2025-03-06) keeps the date of its content. See the release ledger's anomalies.",
  'A file is stored as the list it holds, not the list its name says: on 2025-09-22 ICE posted the pending list as participatingAgencies09222025pm.xlsx and the participating list as pendingAgencies09222025pm.xlsx.',
  'When two lists share a date (an am and a pm posting), the later one stands for the date.',
];

export const G287_METRICS: MetricDefinition[] = [
  {
    id: 'ice.287g_agreements',
    title: '287(g) agreements in force (ICE participating agencies list)',
    description:
      "287(g) agreements listed in each of ICE's participating agencies lists: one per agency and support model (an agency with a Task Force, a Warrant Service Officer and a Jail Enforcement agreement counts three times).",
    unit: 'agreements (one per agency and model) on the list date',
    sources: SOURCE,
    grains: ['snapshot'],
    defaultGrain: 'snapshot',
    dimensions: { state: stateDim, model: modelDim, agency_type: typeDim },
    dimensionMode: 'grouped',
    caveats: [
      ...COMMON,
      'An agreement is a row of the list: an agency with several models has several rows. ICE\'s misspellings of states and models ("PENNSLYVANIA", "Warrant Service Office") are read as the state or model meant, and reported as anomalies.',
      "Lists dated before 2025-02-20 are not ICE files: they are a research archive's transcriptions of the HTML table that ICE's page carried until February 2025, from Wayback Machine captures (origin html-derived in ice_287g_lists).",
    ],
    baseSql: (_grain, q) => `WITH ${lists('participating')}
      SELECT a.release_id, lists.period_start, a.state_code AS state, a.model, a.agency_type, 1 AS value
        FROM ice_287g_agreements a JOIN lists USING (release_id)
       WHERE lists.k = 1
      ${emptyLists(q, ['state', 'model', 'agency_type'])}`,
    aggregate: () => 'latest',
  },
  {
    id: 'ice.287g_agencies',
    title: 'Law enforcement agencies with a 287(g) agreement (ICE participating agencies list)',
    description: "Agencies in each of ICE's participating agencies lists, each counted once whatever the number of its agreements.",
    unit: 'agencies on the list date',
    sources: SOURCE,
    grains: ['snapshot'],
    defaultGrain: 'snapshot',
    dimensions: { state: stateDim, agency_type: typeDim },
    dimensionMode: 'grouped',
    caveats: [
      ...COMMON,
      "An agency is its state and its name with case, spacing, periods, commas and apostrophes ignored: ICE writes some agencies two ways in one list (\"Calhoun County Sheriff's Office\" and \"Calhoun County Sheriff’s Office\"), so the count can be below the number of distinct names as written (the release's anomaly agency-spelling-variants names them).",
    ],
    baseSql: (_grain, q) => `WITH ${lists('participating')}
      SELECT a.release_id, lists.period_start, a.state_code AS state, min(a.agency_type) AS agency_type, 1 AS value
        FROM ice_287g_agreements a JOIN lists USING (release_id)
       WHERE lists.k = 1
       GROUP BY a.release_id, lists.period_start, a.state_code, a.state, a.agency_key
      ${emptyLists(q, ['state', 'agency_type'])}`,
    aggregate: () => 'latest',
  },
  {
    id: 'ice.287g_pending',
    title: '287(g) agreements pending (ICE pending agencies list)',
    description: "Agreements listed in each of ICE's pending agencies lists: requests by agencies that ICE has not yet signed, one per agency and support model.",
    unit: 'pending agreements (one per agency and model) on the list date',
    sources: SOURCE,
    grains: ['snapshot'],
    defaultGrain: 'snapshot',
    dimensions: { state: stateDim, model: modelDim, agency_type: typeDim },
    dimensionMode: 'grouped',
    caveats: [
      ...COMMON,
      'ICE publishes the pending list less often than the participating list, and some pending lists are empty (pendingAgencies11062025pm.xlsx has only its header): such a list counts 0 in the total, and has no row when broken out or filtered; a date without a pending list has no value.',
    ],
    baseSql: (_grain, q) => `WITH ${lists('pending')}
      SELECT a.release_id, lists.period_start, a.state_code AS state, a.model, a.agency_type, 1 AS value
        FROM ice_287g_agreements a JOIN lists USING (release_id)
       WHERE lists.k = 1
      ${emptyLists(q, ['state', 'model', 'agency_type'])}`,
    aggregate: () => 'latest',
  },
];
