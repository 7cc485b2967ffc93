import { GRAINS } from '../../metrics/params.js';
import { METRICS } from '../../metrics/registry.js';

const errorSchema = {
  type: 'object',
  required: ['ok', 'error', 'status'],
  properties: { ok: { const: false }, error: { type: 'string' }, status: { type: 'integer' } },
};

/** The OpenAPI 3.1 document, generated from the metric definitions. */
export function openApiDocument(): object {
  const paths: Record<string, object> = {};
  for (const m of METRICS) {
    const dims = Object.keys(m.dimensions);
    paths[`/api/v1/metrics/${m.id}`] = {
      get: {
        operationId: `metric_${m.id.replace(/\W/g, '_')}`,
        summary: m.title,
        description: `${m.description}\n\nUnit: ${m.unit}.\n\nCaveats:\n${m.caveats.map((c) => `- ${c}`).join('\n')}\n\nAppend .csv to the path for CSV.`,
        parameters: [
          { name: 'grain', in: 'query', schema: { type: 'string', enum: m.grains, default: m.defaultGrain } },
          { name: 'from', in: 'query', description: 'first period: YYYY-MM-DD, YYYY-MM, FY2025 or CY2025', schema: { type: 'string' } },
          { name: 'to', in: 'query', description: 'last period (inclusive), same forms as from', schema: { type: 'string' } },
          ...(dims.length
            ? [
                { name: 'by', in: 'query', description: `comma-separated dimensions: ${dims.join(', ')}`, schema: { type: 'string' } },
                { name: 'filter', in: 'query', description: 'DIM=VALUE, repeatable', schema: { type: 'array', items: { type: 'string' } }, explode: true },
              ]
            : []),
          { name: 'vintage', in: 'query', description: "'latest', a release id, or YYYY-MM-DD (releases known by that date)", schema: { type: 'string', default: 'latest' } },
        ],
        responses: {
          200: {
            description: 'rows {period, <by dimensions>, value}',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    ok: { const: true },
                    rows: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: { period: { type: 'string' }, value: { type: 'number' }, ...Object.fromEntries(dims.map((d) => [d, { type: 'string' }])) },
                      },
                    },
                    partial_periods: { type: 'array', items: { type: 'string' } },
                    releases: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
            },
          },
          400: { description: 'a parameter is unknown, malformed or out of range', content: { 'application/json': { schema: errorSchema } } },
          404: { description: 'no such metric', content: { 'application/json': { schema: errorSchema } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Enforcement Tracker API',
      version: '1',
      description: `U.S. immigration enforcement from the government's own data. Grains: ${GRAINS.join(', ')}; fiscal years run October–September.`,
    },
    paths: {
      '/api/v1/metrics': { get: { operationId: 'metrics', summary: 'every metric with its grains and dimensions', responses: { 200: { description: 'the list' } } } },
      '/api/v1/releases': { get: { operationId: 'releases', summary: 'the release ledger', responses: { 200: { description: 'releases' } } } },
      ...paths,
    },
  };
}
