import type { Database } from '../db/connection.js';
import { ident } from '../db/sql.js';
import { periodBounds, ParamError } from './params.js';
import type { MetricDefinition, MetricQuery, MetricResult, MetricRow } from './types.js';

const PERIOD_LABEL: Record<string, string> = {
  day: `strftime(period_start, '%Y-%m-%d')`,
  snapshot: `strftime(period_start, '%Y-%m-%d')`,
  month: `strftime(period_start, '%Y-%m')`,
  fy: `'FY' || CAST(year(period_start) + CASE WHEN month(period_start) >= 10 THEN 1 ELSE 0 END AS VARCHAR)`,
  cy: `'CY' || CAST(year(period_start) AS VARCHAR)`,
};

// the last day a period covers, to tell a partial period from a complete one
const PERIOD_END: Record<string, string> = {
  day: 'period_start',
  snapshot: 'period_start',
  month: `last_day(period_start)`,
  fy: `make_date(year(period_start) + 1, 9, 30)`,
  cy: `make_date(year(period_start), 12, 31)`,
};

/**
 * Runs a metric: keeps the base rows the filters ask for, picks for each period the
 * latest release that reports it (within the vintage), keeps the dimension breakdown
 * asked for, and labels periods. Filters apply before the pick, so a period comes from
 * the latest release that has rows for the slice asked for. Values
 * from the client are bound as parameters; dimension names come from the definition.
 */
export async function runMetric(db: Database, def: MetricDefinition, q: MetricQuery): Promise<MetricResult> {
  const params: Array<string | number> = [];
  const bind = (v: string | number) => {
    params.push(v);
    return `$${params.length}`;
  };
  const relWhere = [`source_id IN (${def.sources.map((s) => bind(s)).join(', ')})`];
  if (q.vintage !== 'latest') {
    if (/^\d{4}-\d{2}-\d{2}$/.test(q.vintage)) relWhere.push(`known_at <= CAST(${bind(q.vintage)} AS DATE)`);
    else {
      // as of a release: that release and every release before it, so a pinned link keeps its whole series
      const pin = await db.one(`SELECT strftime(effective_date, '%Y-%m-%d') AS eff, strftime(known_at, '%Y-%m-%d') AS known FROM release_order WHERE release_id = $1`, [q.vintage]);
      if (!pin) throw new ParamError('vintage', `no release '${q.vintage}' (see /-/releases)`);
      const eff = bind(pin.eff as string);
      relWhere.push(`(effective_date < CAST(${eff} AS DATE) OR (effective_date = CAST(${eff} AS DATE) AND known_at <= CAST(${bind(pin.known as string)} AS DATE)))`);
    }
  }
  const sumMonths = def.aggregate(q.grain) === 'sum-months';
  const baseGrain = sumMonths ? 'month' : q.grain;
  const dimCols = Object.values(def.dimensions).map((d) => d.column);
  const cols = (names: string[]) => names.map((n) => ident(n));

  const where: string[] = [];
  const defaulted: Record<string, string> = {};
  for (const [name, dim] of Object.entries(def.dimensions)) {
    const c = ident(dim.column);
    const fallback = def.defaultFilter?.[name];
    if (name in q.filter) where.push(`${c} = ${bind(q.filter[name]!)}`);
    else if (fallback !== undefined && !q.by.includes(name)) {
      where.push(`${c} = ${bind(fallback)}`);
      defaulted[name] = fallback;
    } else if (def.dimensionMode === 'coded') where.push(q.by.includes(name) ? `${c} <> 'all'` : `${c} = 'all'`);
  }
  if (q.from !== undefined) where.push(`period_start >= CAST(${bind(periodBounds('from', q.from)[0])} AS DATE)`);
  if (q.to !== undefined) where.push(`period_start <= CAST(${bind(periodBounds('to', q.to)[1])} AS DATE)`);

  const byCols = q.by.map((b) => def.dimensions[b]!.column);
  const yearStart = q.grain === 'fy' ? `make_date(year(period_start) + CASE WHEN month(period_start) >= 10 THEN 0 ELSE -1 END, 10, 1)` : `make_date(year(period_start), 1, 1)`;
  const sql = `
WITH rel AS (SELECT release_id, effective_date, known_at, snapshot_date, fiscal_year, date_suspect FROM release_order WHERE ${relWhere.join(' AND ')}),
base AS (${def.baseSql(baseGrain, q)}),
filtered AS (SELECT * FROM base${where.length ? ` WHERE ${where.join(' AND ')}` : ''}),
ranked AS (
  SELECT b.*, r.effective_date AS release_date,
         dense_rank() OVER (PARTITION BY b.period_start${def.seriesColumn ? `, b.${ident(def.seriesColumn)}` : ''} ORDER BY r.effective_date DESC, r.known_at DESC, b.release_id DESC) AS rk
    FROM filtered b JOIN rel r USING (release_id)),
picked AS (SELECT * FROM ranked WHERE rk = 1),
shaped AS (
  SELECT ${sumMonths ? yearStart : 'period_start'} AS period_start, ${[...cols(dimCols), ''].join(', ')}
         release_id, release_date, period_start AS month_start, value${def.withheldColumn ? `, ${ident(def.withheldColumn)} AS withheld` : ''}
    FROM picked)
SELECT ${PERIOD_LABEL[q.grain]} AS period, ${[...cols(byCols), ''].join(', ')}
       sum(value) AS value,
       ${def.withheldColumn ? 'count(value) = 0 AND bool_or(withheld)' : 'false'} AS withheld,
       list(DISTINCT release_id) AS releases,
       bool_or(release_date < ${sumMonths ? 'last_day(month_start)' : PERIOD_END[q.grain]})
         ${sumMonths ? `OR count(DISTINCT month_start) < 12` : ''} AS partial
  FROM shaped
 GROUP BY period_start${byCols.length ? ', ' + cols(byCols).join(', ') : ''}
 ORDER BY period_start${byCols.length ? ', ' + cols(byCols).join(', ') : ''}`;
  const raw = await db.all(sql, params);
  const releases = new Set<string>();
  const partialPeriods = new Set<string>();
  const rows: MetricRow[] = raw.map((r) => {
    for (const id of (r.releases as string[]) ?? []) releases.add(id);
    if (r.partial === true) partialPeriods.add(r.period as string);
    const out: MetricRow = { period: r.period as string };
    q.by.forEach((b, i) => (out[b] = r[byCols[i]!] as string));
    out.value = r.withheld === true ? 'withheld' : (r.value as number);
    return out;
  });
  // the query echoed back names the default filters it was given, so a reader sees which count the rows are
  const query = Object.keys(defaulted).length ? { ...q, filter: { ...q.filter, ...defaulted } } : q;
  return { metric: def.id, query, rows, releases: [...releases].sort(), partialPeriods: [...partialPeriods] };
}
