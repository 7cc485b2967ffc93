import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Archive, sha256Hex } from '../../src/ingest/archive.js';
import { downloadNew, type DownloadResult } from '../../src/ingest/download.js';
import { createHttpClient, OfflineError } from '../../src/ingest/http.js';
import type { DiscoveredFile, Effects } from '../../src/sources/types.js';

interface Doc {
  etag: string;
  body: string;
}

let server: Server;
let base = '';
let root = '';
const docs = new Map<string, Doc | 'error'>();
const seen: IncomingMessage[] = [];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tracker-download-'));
  server = createServer((req, res) => {
    seen.push(req);
    const doc = docs.get(req.url ?? '');
    if (doc === undefined) return void res.writeHead(404).end();
    if (doc === 'error') return void res.writeHead(500).end('boom');
    if (req.headers['if-none-match'] === doc.etag) return void res.writeHead(304, { ETag: doc.etag }).end();
    res.writeHead(200, { ETag: doc.etag, 'Last-Modified': 'Thu, 09 Apr 2026 12:00:00 GMT' }).end(doc.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(root, { recursive: true, force: true });
});

beforeEach(() => {
  docs.clear();
  seen.length = 0;
});

const fx: Effects = {
  http: createHttpClient({ retries: 0 }),
  logger: { info: () => undefined, warn: () => undefined },
  now: () => new Date('2026-04-10T12:00:00.000Z'),
};

const file = (name: string): DiscoveredFile => ({ url: `${base}/doclib/detention/${name}`, fileName: name });
const noValidators = (): undefined => undefined;
const fromResults = (results: DownloadResult[]) => (url: string) => results.find((r) => r.file.url === url);

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('downloadNew', () => {
  it('downloads only what changed since the last run', async () => {
    const archive = new Archive(join(root, 'changed'));
    const a = file('FY25_detentionStats_09242025.xlsx');
    const b = file('FY26_detentionStats_04092026.xlsx');
    docs.set('/doclib/detention/' + a.fileName, { etag: '"a1"', body: 'workbook A' });

    const run1 = await downloadNew(fx, [a], archive, noValidators, undefined, { pauseMs: 0 });
    assert.equal(run1.length, 1);
    assert.equal(run1[0]?.status, 'downloaded');
    assert.equal(run1[0]?.etag, '"a1"');
    assert.equal(run1[0]?.lastModified, 'Thu, 09 Apr 2026 12:00:00 GMT');
    assert.equal(run1[0]?.sha256, sha256Hex(new TextEncoder().encode('workbook A')));
    assert.equal(run1[0]?.retrievedAt, '2026-04-10T12:00:00.000Z');
    assert.equal(await readFile(run1[0]?.archivePath ?? '', 'utf8'), 'workbook A');

    docs.set('/doclib/detention/' + b.fileName, { etag: '"b1"', body: 'workbook B, new' });
    const progress: string[] = [];
    const run2 = await downloadNew(
      fx,
      [a, b],
      archive,
      fromResults(run1),
      (done, total, f) => progress.push(`${done}/${total} ${f.fileName}`),
      { pauseMs: 0 },
    );
    assert.deepEqual(
      run2.map((r) => [r.file.fileName, r.status]),
      [
        [a.fileName, 'not-modified'],
        [b.fileName, 'downloaded'],
      ],
    );
    assert.equal(run2[0]?.etag, '"a1"');
    assert.equal(run2[0]?.sha256, undefined);
    assert.equal(run2[1]?.bytes, 'workbook B, new'.length);
    assert.equal(archive.has(run2[1]?.sha256 ?? ''), true);
    assert.deepEqual(progress, [`1/2 ${a.fileName}`, `2/2 ${b.fileName}`]);
    const conditional = seen.filter((r) => r.headers['if-none-match'] !== undefined);
    assert.deepEqual(
      conditional.map((r) => [r.url, r.headers['if-none-match']]),
      [['/doclib/detention/' + a.fileName, '"a1"']],
    );
  });

  it('pauses between requests, not before the first', async () => {
    const one = file('FY20-detentionstats.xlsx');
    const two = file('FY22-detentionStats.xlsx');
    docs.set('/doclib/detention/' + one.fileName, { etag: '"1"', body: 'one' });
    docs.set('/doclib/detention/' + two.fileName, { etag: '"2"', body: 'two' });
    const started = Date.now();
    await downloadNew(fx, [one, two], new Archive(join(root, 'pause')), noValidators, undefined, { pauseMs: 150 });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 140 && elapsed < 2000, `elapsed ${elapsed} ms`);
  });

  it('records a failed file and still downloads the others', async () => {
    const archive = new Archive(join(root, 'failed'));
    const bad = file('FY24_detentionStats.xlsx');
    const good = file('FY23_detentionStats221207.xlsx');
    docs.set('/doclib/detention/' + bad.fileName, 'error');
    docs.set('/doclib/detention/' + good.fileName, { etag: '"g"', body: 'good' });
    const results = await downloadNew(fx, [bad, good], archive, noValidators, undefined, { pauseMs: 0 });
    assert.equal(results[0]?.status, 'failed');
    assert.match(results[0]?.error ?? '', /500/);
    assert.equal(results[0]?.retrievedAt, '2026-04-10T12:00:00.000Z');
    assert.equal(results[1]?.status, 'downloaded');
  });

  it('stops at once when the first request finds no internet', async () => {
    const port = await closedPort();
    const unreachable = { url: `http://127.0.0.1:${port}/FY24_detentionStats.xlsx`, fileName: 'FY24_detentionStats.xlsx' };
    const later = file('FY23_detentionStats221207.xlsx');
    docs.set('/doclib/detention/' + later.fileName, { etag: '"l"', body: 'later' });
    await assert.rejects(
      downloadNew(fx, [unreachable, later], new Archive(join(root, 'offline')), noValidators, undefined, { pauseMs: 0 }),
      (err) => err instanceof OfflineError && /--from/.test(err.message),
    );
    assert.equal(seen.length, 0, 'nothing else was requested');
  });

  it('records an unreachable file after the first as failed', async () => {
    const port = await closedPort();
    const first = file('FY23_detentionStats221207.xlsx');
    docs.set('/doclib/detention/' + first.fileName, { etag: '"f"', body: 'first' });
    const unreachable = { url: `http://127.0.0.1:${port}/FY24_detentionStats.xlsx`, fileName: 'FY24_detentionStats.xlsx' };
    const results = await downloadNew(fx, [first, unreachable], new Archive(join(root, 'late')), noValidators, undefined, {
      pauseMs: 0,
    });
    assert.deepEqual(
      results.map((r) => r.status),
      ['downloaded', 'failed'],
    );
    assert.match(results[1]?.error ?? '', /could not reach/);
  });
});
