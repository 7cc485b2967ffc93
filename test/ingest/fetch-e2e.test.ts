import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fetchSources } from '../../src/cli/commands/fetch.js';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { createHttpClient } from '../../src/ingest/http.js';
import { DATASETS } from '../../src/sources/registry.js';
import type { Effects, HttpClient } from '../../src/sources/types.js';
import { requireSharedData } from '../helpers/shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'tracker-fetch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Serves a copy of ICE's landing page and two workbooks, with ETags, on 127.0.0.1. */
async function iceLikeServer(files: Record<string, Buffer>): Promise<{ server: Server; base: string; hits: string[] }> {
  const hits: string[] = [];
  const page = `<html><body><h1>Detention Management</h1>
    ${Object.keys(files).map((n) => `<a href="/doclib/detention/${n}">${n}</a>`).join('\n')}
    <a href="/doclib/detention/ICE_Facility_List.xlsx">facility list</a></body></html>`;
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url} ${req.headers['if-none-match'] ?? ''}`.trim());
    if (req.url === '/detain/detention-management') return res.end(page);
    const name = req.url?.replace('/doclib/detention/', '') ?? '';
    const body = files[name];
    if (!body) return res.writeHead(404).end();
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag) return res.writeHead(304).end();
    res.writeHead(200, { etag, 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { server, base: `http://127.0.0.1:${port}`, hits };
}

/** Sends requests for www.ice.gov to the local server instead. */
function redirectTo(base: string, inner: HttpClient): HttpClient {
  return {
    get: async (url, o) => {
      const res = await inner.get(url.replace('https://www.ice.gov', base), o);
      return { ...res, url: res.url.replace(base, 'https://www.ice.gov') };
    },
  };
}

test('fetch discovers, downloads, archives and ingests; a second run downloads nothing', async (t) => {
  const data = requireSharedData(t);
  if (!data) return;
  const files = {
    'FY26_detentionStats_04092026.xlsx': readFileSync(join(data, 'ice-detention-stats/carwilb/FY26_detentionStats_04092026.xlsx')),
    'FY26_detentionStats_02122026.xlsx': readFileSync(join(data, 'ice-detention-stats/raw/FY2026/2026-02-13_FY26_detentionStats_02122026.xlsx')),
  };
  const { server, base, hits } = await iceLikeServer(files);
  const db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    const fx: Effects = { http: redirectTo(base, createHttpClient({ retries: 0 })), logger: { info: () => {}, warn: () => {} }, now: () => new Date('2026-04-10T12:00:00Z') };
    const first = await fetchSources(db, new Archive(join(dir, 'archive')), fx, 'ice.detention-stats', 0);
    assert.deepEqual(first.map((o) => o.status), ['ingested', 'ingested']);
    const rows = await db.all(`SELECT file_name, url, origin, etag IS NOT NULL AS has_etag FROM release_files ORDER BY file_name`);
    assert.deepEqual(rows, [
      { file_name: 'FY26_detentionStats_02122026.xlsx', url: 'https://www.ice.gov/doclib/detention/FY26_detentionStats_02122026.xlsx', origin: 'fetch', has_etag: true },
      { file_name: 'FY26_detentionStats_04092026.xlsx', url: 'https://www.ice.gov/doclib/detention/FY26_detentionStats_04092026.xlsx', origin: 'fetch', has_etag: true },
    ]);
    const totals = await db.all(`SELECT release_id, json_extract(summary, '$.detained_total')::INTEGER AS total FROM releases ORDER BY snapshot_date`);
    assert.deepEqual(totals, [{ release_id: '055a59c6fc97', total: 68289 }, { release_id: 'bbf3a29014d6', total: 60311 }]);

    hits.length = 0;
    const second = await fetchSources(db, new Archive(join(dir, 'archive')), fx, 'ice.detention-stats', 0);
    assert.deepEqual(second, []);
    // both workbooks were asked for conditionally and answered 304
    assert.equal(hits.filter((h) => h.startsWith('GET /doclib/') && h.includes('"')).length, 2);
  } finally {
    db.close();
    await new Promise((r) => server.close(r));
  }
});
