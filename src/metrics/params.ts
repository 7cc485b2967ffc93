import { TrackerError } from '../lib/errors.js';
import type { Grain, MetricDefinition, MetricQuery } from './types.js';

/** A query parameter the client got wrong: the API answers 400, the CLI exits 2. */
export class ParamError extends TrackerError {
  override readonly exitCode = 2;
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(`${param}: ${message}`);
    this.name = 'ParamError';
  }
}

export const GRAINS: Grain[] = ['day', 'month', 'fy', 'cy', 'snapshot'];
export const QUERY_PARAMS = ['from', 'to', 'grain', 'by', 'filter', 'vintage'] as const;

const RELEASE_ID = /^[0-9a-f]{12}$/;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDay(text: string): boolean {
  const m = ISO_DAY.exec(text);
  if (!m) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/**
 * A period bound as [first day, last day]: YYYY-MM-DD, YYYY-MM, FY2025 (Oct 2024–Sep 2025),
 * CY2025 or 2025 (calendar year).
 */
export function periodBounds(param: string, text: string): [string, string] {
  const t = text.trim();
  if (validDay(t)) return [t, t];
  let m = /^(\d{4})-(\d{2})$/.exec(t);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const last = new Date(Date.UTC(y, mo, 0)).toISOString().slice(0, 10);
    return [`${m[1]}-${m[2]}-01`, last];
  }
  m = /^FY(\d{4})$/i.exec(t);
  if (m) return [`${Number(m[1]) - 1}-10-01`, `${m[1]}-09-30`];
  m = /^(?:CY)?(\d{4})$/i.exec(t);
  if (m) return [`${m[1]}-01-01`, `${m[1]}-12-31`];
  throw new ParamError(param, `'${text}' is not a period: use YYYY-MM-DD, YYYY-MM, FY2025 or CY2025`);
}

export interface RawQuery {
  from?: string;
  to?: string;
  grain?: string;
  by?: string | string[];
  filter?: string | string[];
  vintage?: string;
}

function list(v: string | string[] | undefined, separator: RegExp = /,/): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(separator)).map((x) => x.trim()).filter((x) => x !== '');
}

// filters are split only at a comma that starts the next DIM=: CBP names a country "CHINA, PEOPLES REPUBLIC OF"
const FILTER_SEPARATOR = /,(?=\s*[A-Za-z_][A-Za-z0-9_]*=)/;

/** Validates a query against a metric; every problem is a ParamError naming the parameter. */
export function parseQuery(def: MetricDefinition, raw: RawQuery): MetricQuery {
  const grain = (raw.grain ?? def.defaultGrain) as Grain;
  if (!GRAINS.includes(grain)) throw new ParamError('grain', `'${raw.grain}' is not a grain: use one of ${GRAINS.join(', ')}`);
  if (!def.grains.includes(grain)) throw new ParamError('grain', `${def.id} has no '${grain}' grain; it has ${def.grains.join(', ')}`);
  const dims = Object.keys(def.dimensions);
  const by = list(raw.by);
  for (const d of by) {
    if (!dims.includes(d)) {
      throw new ParamError('by', `${def.id} has no dimension '${d}'${dims.length ? `; it has ${dims.join(', ')}` : ''}`);
    }
  }
  if (new Set(by).size !== by.length) throw new ParamError('by', 'a dimension is named twice');
  const filter: Record<string, string> = {};
  for (const f of list(raw.filter, FILTER_SEPARATOR)) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new ParamError('filter', `'${f}' is not DIM=VALUE`);
    const dim = f.slice(0, eq).trim();
    const value = f.slice(eq + 1).trim();
    if (!dims.includes(dim)) throw new ParamError('filter', `${def.id} has no dimension '${dim}'${dims.length ? `; it has ${dims.join(', ')}` : ''}`);
    if (value === '' || value.length > 200) throw new ParamError('filter', `the value for '${dim}' must be 1 to 200 characters`);
    if (dim in filter) throw new ParamError('filter', `'${dim}' is filtered twice`);
    filter[dim] = value;
  }
  if (raw.from !== undefined) periodBounds('from', raw.from);
  if (raw.to !== undefined) periodBounds('to', raw.to);
  if (raw.from !== undefined && raw.to !== undefined && periodBounds('from', raw.from)[0] > periodBounds('to', raw.to)[1]) {
    throw new ParamError('from', `'${raw.from}' is after '${raw.to}'`);
  }
  const vintage = (raw.vintage ?? 'latest').trim();
  if (vintage !== 'latest' && !RELEASE_ID.test(vintage) && !validDay(vintage)) {
    throw new ParamError('vintage', `'${vintage}' is not 'latest', a release id (12 hex digits) or a date YYYY-MM-DD`);
  }
  return { grain, from: raw.from, to: raw.to, by, filter, vintage };
}
