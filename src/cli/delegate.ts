import { resolve } from 'node:path';
import type { IngestReport } from '../ingest/pipeline.js';
import { CliError } from '../lib/errors.js';
import { readServerFile } from '../server/server-file.js';

/**
 * Runs `work` on the database, or, when a running `tracker serve` holds it, asks that
 * server to do the job instead (so the site keeps serving and shows the new data).
 */
export async function locallyOrViaServer(
  dbPath: string,
  local: () => Promise<IngestReport>,
  remote: { path: string; body: Record<string, unknown> },
  notice: (text: string) => void,
): Promise<IngestReport> {
  try {
    return await local();
  } catch (err) {
    if (!(err instanceof CliError) || err.exitCode !== 7) throw err;
    const server = readServerFile(dbPath);
    if (!server) throw err;
    notice(`the database is held by the tracker server on port ${server.port}; it will do this ingest while it keeps serving`);
    const res = await fetch(`http://127.0.0.1:${server.port}${remote.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
      body: JSON.stringify(remote.body),
    });
    const body = (await res.json()) as IngestReport & { error?: string };
    if (!res.ok) throw new CliError(`the server refused the ingest: ${body.error ?? res.status}`, 7);
    return body;
  }
}

export const absolute = (paths: string[]) => paths.map((p) => resolve(p));
