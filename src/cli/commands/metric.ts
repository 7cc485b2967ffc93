import { CliError } from '../../lib/errors.js';
import { parseQuery } from '../../metrics/params.js';
import { runMetric } from '../../metrics/query.js';
import { METRICS, metricById } from '../../metrics/registry.js';
import type { CommandContext } from '../context.js';

export function metricsCommand(ctx: CommandContext): number {
  ctx.printer.rows(
    METRICS.map((m) => ({
      id: m.id,
      title: m.title,
      unit: m.unit,
      grains: m.grains,
      dimensions: Object.keys(m.dimensions),
      sources: m.sources,
    })),
    ctx.format,
  );
  return 0;
}

export interface MetricOptions {
  from?: string;
  to?: string;
  grain?: string;
  by?: string;
  filter?: string[];
  vintage?: string;
}

/** `tracker metric ID …`: the same rows as GET /api/v1/metrics/ID. */
export async function metricCommand(ctx: CommandContext, id: string | undefined, options: MetricOptions): Promise<number> {
  if (!id) throw new CliError('usage: tracker metric ID [--from P] [--to P] [--grain G] [--by DIM[,DIM]] [--filter DIM=VALUE]… [--vintage V]');
  const def = metricById(id);
  if (!def) throw new CliError(`unknown metric '${id}'; see tracker metrics (${METRICS.map((m) => m.id).join(', ')})`);
  const query = parseQuery(def, options);
  const db = await ctx.openDb({ readOnly: true });
  try {
    const result = await runMetric(db, def, query);
    ctx.printer.rows(result.rows, ctx.format, { columns: ['period', ...query.by, 'value'] });
    if (result.partialPeriods.length && ctx.format === 'table') {
      ctx.printer.warn(`partial periods (data not complete): ${result.partialPeriods.join(', ')}`);
    }
    return 0;
  } finally {
    db.close();
  }
}
