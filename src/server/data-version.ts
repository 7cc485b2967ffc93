import { createHash } from 'node:crypto';
import type { Database } from '../db/connection.js';

/**
 * A short hash that changes whenever a release is ingested (or another name of one
 * recorded). Responses carry it in their ETag, so caches stay valid until new data.
 */
export class DataVersion {
  private current: string | undefined;

  constructor(private readonly db: Database) {}

  async get(): Promise<string> {
    if (this.current) return this.current;
    const row = await this.db.one(
      `SELECT (SELECT count(*) FROM releases) AS n, (SELECT max(ingested_at) FROM releases)::VARCHAR AS last,
              (SELECT count(*) FROM release_files) AS files`,
    );
    this.current = createHash('sha256').update(JSON.stringify(row)).digest('hex').slice(0, 12);
    return this.current;
  }

  /** Called after an ingest in this process. */
  invalidate(): void {
    this.current = undefined;
  }
}
