import type { Database } from '../db/connection.js';
import { runDetectors } from '../anomalies/detectors.js';
import type { BatchReleases } from '../anomalies/types.js';

export { crossReleaseAnomalies, type ReleaseFacts } from '../anomalies/release-identity.js';

/**
 * Recomputes the cross-release anomalies of one source inside the caller's transaction:
 * every detector of src/anomalies/detectors.ts (identical files, exchanged agency columns,
 * stale or regressed snapshot dates, stale Facilities sheets, facility sums, person-days,
 * month-to-month jumps).
 */
export async function refreshCrossReleaseAnomalies(db: Database, sourceId: string, batch?: BatchReleases): Promise<void> {
  await runDetectors(db, sourceId, batch);
}
