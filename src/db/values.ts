/**
 * The one conversion policy for values read from DuckDB: counts come back as BIGINT;
 * they become JS numbers when exact, strings otherwise. DATE becomes 'YYYY-MM-DD',
 * TIMESTAMP an ISO string, so JSON, CSV and HTML all print the same text.
 */
export type JsValue = string | number | boolean | null | JsValue[] | { [k: string]: JsValue };

export function toJsValue(v: unknown): JsValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (Array.isArray(v)) return v.map(toJsValue);
  if (typeof v === 'object') {
    const out: Record<string, JsValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toJsValue(x);
    return out;
  }
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}

export function toJsRow(row: Record<string, unknown>): Record<string, JsValue> {
  const out: Record<string, JsValue> = {};
  for (const [k, v] of Object.entries(row)) out[k] = toJsValue(v);
  return out;
}
