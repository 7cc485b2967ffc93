import { CBP_ENCOUNTER_METRICS } from './cbp-encounters.js';
import { DEATH_METRICS } from './deaths.js';
import { YEARBOOK_METRICS } from './dhs-yearbook.js';
import { FACILITY_POPULATION_METRICS } from './facility-population.js';
import { FOIA_METRICS } from './foia.js';
import { FOIA_REMOVAL_METRICS } from './foia-removals.js';
import { G287_METRICS } from './g287.js';
import { ICE_DETENTION_METRICS } from './ice-detention.js';
import { OHSS_ENCOUNTER_METRICS } from './ohss-encounters.js';
import { OHSS_MONTHLY_METRICS } from './ohss-monthly.js';
import type { MetricDefinition } from './types.js';

/** Every metric, in the order the docs list them. */
export const METRICS: MetricDefinition[] = [...ICE_DETENTION_METRICS, ...CBP_ENCOUNTER_METRICS, ...OHSS_ENCOUNTER_METRICS, ...OHSS_MONTHLY_METRICS, ...YEARBOOK_METRICS, ...FOIA_REMOVAL_METRICS, ...FOIA_METRICS, ...FACILITY_POPULATION_METRICS, ...DEATH_METRICS, ...G287_METRICS];

export function metricById(id: string): MetricDefinition | undefined {
  return METRICS.find((m) => m.id === id);
}
