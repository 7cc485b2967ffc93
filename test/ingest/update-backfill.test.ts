import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { backfillCommand } from '../../src/cli/commands/backfill.js';
import { updateCommand } from '../../src/cli/commands/update.js';
import { makeContext } from '../../src/cli/context.js';
import { Printer } from '../../src/cli/output.js';
import type { Database } from '../../src/db/connection.js';
import { cdxQueryUrl, parseCdx, runBackfill } from '../../src/ingest/backfill.js';
import { createHttpClient } from '../../src/ingest/http.js';
import { PoliteHttp, postWebhook, RunLock, runUpdate } from '../../src/ingest/update.js';
import { parseEvery, startUpdateScheduler } from '../../src/ingest/update-scheduler.js';
import { CliError } from '../../src/lib/errors.js';
import { DataVersion } from '../../src/server/data-version.js';
import { DATASETS } from '../../src/sources/registry.js';
import type { Effects, HttpClient } from '../../src/sources/types.js';
import { openDb, snapshotReleases, tempStore, type TempStore } from '../helpers/ingest-fixtures.js';
import { requireSharedData } from '../helpers/shared-data.js';

const stores: TempStore[] = [];
const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers) await c();
  for (const s of stores) s.remove();
});

function store(): TempStore {
  const s = tempStore();
  stores.push(s);
  return s;
}

/** An HTTP server on 127.0.0.1 with a random port, closed after the tests. */
async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const quiet = { info: () => {}, warn: () => {} };
const releaseId = (b: Uint8Array) => createHash('sha256').update(b).digest('hex').slice(0, 12);
const etagOf = (b: Uint8Array) => `"${createHash('sha256').update(b).digest('hex').slice(0, 16)}"`;

/** Sends requests for www.ice.gov to the local server (the answer keeps the official URL). */
function redirectTo(base: string, inner: HttpClient = createHttpClient({ retries: 0 })): HttpClient {
  return {
    get: async (url, o) => {
      const res = await inner.get(url.replace('https://www.ice.gov', base), o);
      return { ...res, url: res.url.replace(base, 'https://www.ice.gov') };
    },
  };
}

interface Workbooks {
  feb: Buffer; // FY26 release of 02/12/2026
  apr: Buffer; // FY26 release of 04/09/2026
  fy20: Buffer; // FY2020 final
}

function workbooks(data: string): Workbooks {
  return {
    feb: readFileSync(join(data, 'ice-detention-stats/raw/FY2026/2026-02-13_FY26_detentionStats_02122026.xlsx')),
    apr: readFileSync(join(data, 'ice-detention-stats/carwilb/FY26_detentionStats_04092026.xlsx')),
    fy20: readFileSync(join(data, 'ice-detention-stats/carwilb/FY20-detentionstats.xlsx')),
  };
}

/** ICE's landing page and its workbooks; `files` may change between runs; a value of 500 answers HTTP 500. */
async function iceLike(files: Map<string, Buffer | 500>): Promise<{ base: string; hits: string[] }> {
  const hits: string[] = [];
  const base = await listen((req, res) => {
    hits.push(`${req.url} ${req.headers['if-none-match'] ?? '-'}`);
    if (req.url === '/detain/detention-management') {
      const links = [...files.keys()].map((n) => `<li><a href="/doclib/detention/${n}">${n}</a></li>`).join('\n');
      return res.end(`<html><body><h1>Detention Management</h1><ul>${links}</ul></body></html>`);
    }
    const body = files.get(decodeURIComponent(req.url?.replace('/doclib/detention/', '') ?? ''));
    if (body === undefined) return res.writeHead(404).end();
    if (body === 500) return res.writeHead(500).end('busy');
    const etag = etagOf(body);
    if (req.headers['if-none-match'] === etag) return res.writeHead(304, { etag }).end();
    res.writeHead(200, { etag, 'content-length': body.length }).end(body);
  });
  return { base, hits };
}

const fxFor = (http: HttpClient): Effects => ({ http, logger: quiet, now: () => new Date() });

async function runRow(db: Database, runId: string): Promise<Record<string, unknown> & { report: Record<string, unknown> }> {
  const row = await db.one(`SELECT command, finished_at IS NOT NULL AS finished, files_seen, ingested, duplicates, skipped, errors, report::VARCHAR AS report FROM ingest_runs WHERE run_id = $1`, [runId]);
  assert.ok(row, `no ingest_runs row ${runId}`);
  return { ...row, report: JSON.parse(row.report as string) as Record<string, unknown> };
}

describe('tracker update', () => {
  test('a new file between two runs: only it is downloaded, the other gets a 304; each run is a row; the webhook is retried', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    const wb = workbooks(data);
    const files = new Map<string, Buffer | 500>([['FY26_detentionStats_02122026.xlsx', wb.feb]]);
    const { base, hits } = await iceLike(files);
    const received: Array<{ body: string; type: string | undefined }> = [];
    const hook = await listen((req, res, body) => {
      received.push({ body, type: req.headers['content-type'] });
      res.writeHead(received.length <= 2 ? 500 : 204).end();
    });
    const s = store();
    const { db, archive } = await openDb(s);
    try {
      const fx = fxFor(redirectTo(base));
      const first = await runUpdate(db, archive, fx, { sourceId: 'ice.detention-stats', pauseMs: 0, webhookUrl: null });
      assert.deepEqual(
        first.sources.map(({ source, status, listed, downloaded, not_modified, ingested, errors }) => ({ source, status, listed, downloaded, not_modified, ingested, errors })),
        [{ source: 'ice.detention-stats', status: 'ok', listed: 1, downloaded: 1, not_modified: 0, ingested: 1, errors: [] }],
      );
      assert.equal(first.webhook, undefined);
      assert.equal(existsSync(`${s.dbPath}.update.lock`), false, 'the lock is released');

      files.set('FY26_detentionStats_04092026.xlsx', wb.apr);
      hits.length = 0;
      const second = await runUpdate(db, archive, fx, { sourceId: 'ice.detention-stats', pauseMs: 0, webhookUrl: `${hook}/hooks/SECRET?token=x`, webhook: { backoffMs: 10 } });
      const downloads = hits.filter((h) => h.startsWith('/doclib/'));
      assert.deepEqual(downloads, [`/doclib/detention/FY26_detentionStats_02122026.xlsx ${etagOf(wb.feb)}`, '/doclib/detention/FY26_detentionStats_04092026.xlsx -']);
      assert.deepEqual(second.sources[0]!.releases, [releaseId(wb.apr)]);
      assert.equal(second.sources[0]!.not_modified, 1);

      const rows = await db.all(`SELECT run_id, command, files_seen, ingested, skipped, errors FROM ingest_runs ORDER BY started_at, run_id`);
      assert.deepEqual(rows, [
        { run_id: first.run_id, command: 'update', files_seen: 1, ingested: 1, skipped: 0, errors: 0 },
        { run_id: second.run_id, command: 'update', files_seen: 2, ingested: 1, skipped: 1, errors: 0 },
      ]);

      // two failures, then success: three attempts, the last delivered
      assert.equal(received.length, 3);
      assert.equal(received[0]!.type, 'application/json');
      assert.deepEqual(second.webhook?.attempts.map((a) => a.status), [500, 500, 204]);
      assert.equal(second.webhook?.ok, true);
      assert.equal(second.webhook?.target, hook, 'the logged target drops the path and query, which may hold a secret');
      const payload = JSON.parse(received[2]!.body) as { run_id: string; releases: Array<Record<string, unknown>> };
      assert.equal(payload.run_id, second.run_id);
      assert.equal(payload.releases.length, 1);
      const r = payload.releases[0]!;
      assert.equal(r.release_id, releaseId(wb.apr));
      assert.equal(r.source, 'ice.detention-stats');
      assert.match(String(r.snapshot_date), /^2026-04-\d\d$/);
      assert.deepEqual(r.file_names, ['FY26_detentionStats_04092026.xlsx']);
      assert.equal(typeof (r.summary as Record<string, unknown>).detained_total, 'number');
      const logged = await runRow(db, second.run_id);
      const webhook = logged.report.webhook as { ok: boolean; attempts: unknown[] };
      assert.equal(webhook.ok, true);
      assert.equal(webhook.attempts.length, 3);
      assert.doesNotMatch(JSON.stringify(logged.report), /SECRET|token=x/);
    } finally {
      db.close();
    }
  });

  test('a failed download and a broken file leave the database as it was; the run logs the errors', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    const wb = workbooks(data);
    const files = new Map<string, Buffer | 500>([['FY26_detentionStats_02122026.xlsx', wb.feb]]);
    const { base } = await iceLike(files);
    const { db, archive } = await openDb(store());
    try {
      const fx = fxFor(redirectTo(base));
      await runUpdate(db, archive, fx, { sourceId: 'ice.detention-stats', pauseMs: 0, webhookUrl: null });
      const state = async () => ({
        releases: await snapshotReleases(db, [releaseId(wb.feb), releaseId(wb.apr)]),
        files: await db.all(`SELECT release_id, file_name, url, origin, etag FROM release_files ORDER BY ALL`),
        anomalies: await db.all(`SELECT release_id, code, subject FROM release_anomalies ORDER BY ALL`),
        version: await new DataVersion(db).get(),
      });
      const before = await state();

      files.set('FY26_detentionStats_04092026.xlsx', 500);
      const failed = await runUpdate(db, archive, fx, { sourceId: 'ice.detention-stats', pauseMs: 0, webhookUrl: null });
      assert.equal(failed.errors, 1);
      assert.match(failed.sources[0]!.errors[0]!, /FY26_detentionStats_04092026\.xlsx: .*HTTP 500/);
      assert.deepEqual(await state(), before);
      const failedRow = await runRow(db, failed.run_id);
      assert.equal(failedRow.errors, 1);
      assert.equal(failedRow.ingested, 0);
      assert.match(JSON.stringify(failedRow.report), /HTTP 500/);

      files.set('FY26_detentionStats_04092026.xlsx', wb.apr.subarray(0, Math.floor(wb.apr.length / 2)));
      const broken = await runUpdate(db, archive, fx, { sourceId: 'ice.detention-stats', pauseMs: 0, webhookUrl: null });
      assert.equal(broken.sources[0]!.downloaded, 1);
      assert.equal(broken.ingested, 0);
      assert.equal(broken.errors, 1);
      assert.match(broken.sources[0]!.errors[0]!, /FY26_detentionStats_04092026\.xlsx/);
      assert.deepEqual(await state(), before);
      assert.equal((await runRow(db, broken.run_id)).errors, 1);
    } finally {
      db.close();
    }
  });

  test('a source ingested from files is reported, not an error; an unreachable host is offline, and logged', async () => {
    const { db, archive } = await openDb(store());
    try {
      const manual = DATASETS.find((d) => d.id.startsWith('ice.foia'));
      assert.ok(manual);
      const noNetwork: HttpClient = { get: () => assert.fail('no request expected') };
      const r = await runUpdate(db, archive, fxFor(noNetwork), { sourceId: manual.id, pauseMs: 0, webhookUrl: null });
      assert.equal(r.sources[0]!.status, 'not-fetchable');
      assert.equal(r.errors, 0);
      assert.equal(r.offline, undefined);

      // a port nobody listens on: connection refused, as with no network
      const closed = await listen(() => {});
      await closers.pop()!();
      const off = await runUpdate(db, archive, fxFor(redirectTo(closed)), { sourceId: 'ice.detention-stats', pauseMs: 0, webhookUrl: null });
      assert.equal(off.sources[0]!.status, 'unreachable');
      assert.match(off.offline ?? '', /could not reach/);
      const row = await runRow(db, off.run_id);
      assert.equal(row.finished, true);
      assert.equal(row.errors, 1);
      assert.match(String(row.report.offline), /could not reach/);
    } finally {
      db.close();
    }
  });

  test('two updates never overlap; a lock left by a dead process is taken over', async () => {
    const s = store();
    const { db, archive } = await openDb(s);
    const lockPath = `${s.dbPath}.update.lock`;
    const manual = DATASETS.find((d) => d.id.startsWith('ice.foia'))!.id;
    const noNetwork: HttpClient = { get: () => assert.fail('no request expected') };
    try {
      const held = RunLock.acquire(lockPath, 'update');
      await assert.rejects(
        runUpdate(db, archive, fxFor(noNetwork), { sourceId: manual, webhookUrl: null }),
        (err: unknown) => err instanceof CliError && err.exitCode === 7 && /another update is running \(pid \d+/.test(err.message),
      );
      held?.release();
      assert.equal(existsSync(lockPath), false);

      const dead = spawnSync(process.execPath, ['-e', '']).pid;
      writeFileSync(lockPath, JSON.stringify({ pid: dead, host: hostname(), command: 'update', started_at: '2026-01-01T00:00:00Z', token: 'x' }));
      const r = await runUpdate(db, archive, fxFor(noNetwork), { sourceId: manual, webhookUrl: null });
      assert.equal(r.errors, 0);
      assert.equal(existsSync(lockPath), false);
      assert.equal((await db.all(`SELECT 1 FROM ingest_runs`)).length, 1, 'the refused run wrote no row');
    } finally {
      db.close();
    }
  });

  test('a webhook that cannot be delivered is reported, never thrown; a 4xx is not retried', async () => {
    const closed = await listen(() => {});
    await closers.pop()!();
    const down = await postWebhook(`${closed}/hook`, { run_id: 'r', releases: [] }, { backoffMs: 1 });
    assert.equal(down.ok, false);
    assert.equal(down.attempts.length, 3);
    assert.match(down.attempts[0]!.error ?? '', /ECONNREFUSED/);
    let calls = 0;
    const refusing = await listen((_req, res) => (calls++, res.writeHead(410).end()));
    const gone = await postWebhook(refusing, { run_id: 'r', releases: [] }, { backoffMs: 1 });
    assert.deepEqual([gone.ok, gone.attempts.map((a) => a.status), calls], [false, [410], 1]);
    const slow = await listen((_req, res) => setTimeout(() => res.end(), 300));
    const late = await postWebhook(slow, { run_id: 'r', releases: [] }, { attempts: 1, timeoutMs: 50 });
    assert.match(late.attempts[0]!.error ?? '', /no answer within 50 ms/);
  });

  test('the command: a bad webhook URL is a usage error; a running update is named, exit code 7', async () => {
    const s = store();
    const ctx = makeContext({ db: s.dbPath, format: 'json', quiet: true }, new Printer(new PassThrough(), new PassThrough()));
    await assert.rejects(updateCommand(ctx, { webhook: 'ftp://example.org/hook' }), (err: unknown) => err instanceof CliError && err.exitCode === 2);
    const held = RunLock.acquire(`${s.dbPath}.update.lock`, 'backfill');
    try {
      await assert.rejects(updateCommand(ctx, {}), (err: unknown) => err instanceof CliError && err.exitCode === 7 && /another backfill is running \(pid \d+/.test(err.message));
    } finally {
      held?.release();
    }
  });

  test('requests to the same host are paced', async () => {
    const times: number[] = [];
    const inner: HttpClient = { get: async (url) => (times.push(Date.now()), { url, status: 200, headers: {}, body: new Uint8Array(), notModified: false }) };
    const http = new PoliteHttp(inner, 120);
    await http.get('http://a.test/1');
    await http.get('http://b.test/1');
    await http.get('http://a.test/2');
    assert.ok(times[1]! - times[0]! < 100, 'another host is not held back');
    assert.ok(times[2]! - times[0]! >= 115, `same host paced: ${times[2]! - times[0]!} ms`);
  });
});

describe('the update scheduler', () => {
  test('parses --update-every', () => {
    assert.equal(parseEvery('6h'), 6 * 3600_000);
    assert.equal(parseEvery('30m'), 30 * 60_000);
    assert.equal(parseEvery('1h30m'), 90 * 60_000);
    assert.equal(parseEvery('1d'), 86_400_000);
    for (const bad of ['6', 'h', '5m', '30 minutes', '-1h', '30d']) assert.throws(() => parseEvery(bad), CliError, bad);
  });

  test('runs on a session every period, never two at once, and stops cleanly', async () => {
    const { db, archive } = await openDb(store());
    let active = 0;
    let most = 0;
    let runs = 0;
    const seen: string[] = [];
    try {
      const scheduler = startUpdateScheduler(db, archive, fxFor({ get: () => assert.fail('no request') }), 20, {
        firstRunMs: 0,
        run: async (session, _archive, _fx, options) => {
          assert.notEqual(session, db, 'a session of its own');
          assert.equal(options.lockPath, undefined, 'the lock is taken');
          active++;
          most = Math.max(most, active);
          await new Promise((r) => setTimeout(r, 60)); // longer than the period
          active--;
          return { outcomes: [], ingested: 0, duplicates: 0, skipped: 0, errors: 0, run_id: `run-${++runs}`, started_at: '', finished_at: '', sources: [] };
        },
        onRun: (r) => seen.push(r.run_id),
      });
      await new Promise((r) => setTimeout(r, 250));
      await scheduler.stop();
      const after = runs;
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(runs, after, 'no run after stop()');
      assert.equal(active, 0, 'stop() waited for the run in progress');
      assert.equal(most, 1);
      assert.ok(runs >= 2, `ran ${runs} times`);
      assert.deepEqual(seen, Array.from({ length: runs }, (_, i) => `run-${i + 1}`));
    } finally {
      db.close();
    }
  });
});

describe('tracker backfill', () => {
  test('the CDX query asks for the detention-statistics captures, and its answer is read by its header row', () => {
    const q = new URL(cdxQueryUrl());
    assert.equal(q.origin + q.pathname, 'https://web.archive.org/cdx/search/cdx');
    assert.equal(q.searchParams.get('url'), 'ice.gov/doclib/detention/*');
    assert.equal(q.searchParams.get('output'), 'json');
    assert.equal(q.searchParams.get('collapse'), 'digest');
    assert.deepEqual(q.searchParams.getAll('filter'), ['statuscode:200', 'original:(?i).*detention.?stats.*']);
    const given = 'http://127.0.0.1:1/cdx?url=example.gov/*&output=json';
    assert.equal(cdxQueryUrl(given), given);
    const text = JSON.stringify([
      ['original', 'timestamp', 'digest'],
      ['https://www.ice.gov/doclib/detention/FY19-detentionstats.xlsx', '20191010101010', 'ABC'],
      ['short row'],
      [],
      ['gov%2Cice%29%2F+20191010101010'],
    ]);
    assert.deepEqual(parseCdx(text, 'cdx'), [{ timestamp: '20191010101010', original: 'https://www.ice.gov/doclib/detention/FY19-detentionstats.xlsx', digest: 'ABC', statuscode: undefined, mimetype: undefined }]);
    assert.deepEqual(parseCdx('[]', 'cdx'), []);
    assert.throws(() => parseCdx('<html>', 'cdx'), /not JSON/);
  });

  test('Wayback captures and the DDP mirror: archived and ingested with origin backfill, identical bytes one release, every copy recorded', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    const wb = workbooks(data);
    const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const ice = 'https://www.ice.gov/doclib/detention/';
    const cdxRows = [
      ['timestamp', 'original', 'mimetype', 'statuscode', 'digest', 'length'],
      ['20260213150000', `${ice}FY26_detentionStats_02122026.xlsx`, XLSX, '200', 'DIGESTFEB', '1'],
      // the same URL and bytes captured again: known from the index, not downloaded
      ['20260220150000', `${ice}FY26_detentionStats_02122026.xlsx`, XLSX, '200', 'DIGESTFEB', '1'],
      // the same bytes under another name (and an old http:80 URL): one release, two names
      ['20260301120000', 'http://www.ice.gov:80/doclib/detention/FY26_detentionStats.xlsx', XLSX, '200', 'DIGESTFEB', '1'],
      ['20260410120000', `${ice}FY26_detentionStats_04092026.xlsx`, XLSX, '200', 'DIGESTAPR', '1'],
      ['20260411120000', `${ice}FY26_detentionStats_05012026.xlsx`, 'text/html', '404', 'DIGEST404', '1'],
      ['20260412120000', `${ice}ICE_Facility_List.xlsx`, XLSX, '200', 'DIGESTFAC', '1'],
    ];
    const bytesByName: Record<string, Buffer> = {
      'FY26_detentionStats_02122026.xlsx': wb.feb,
      'FY26_detentionStats.xlsx': wb.feb,
      'FY26_detentionStats_04092026.xlsx': wb.apr,
      '2026-02-13_FY26_detentionStats_02122026.xlsx': wb.feb,
      'FY20-detentionstats.xlsx': wb.fy20,
    };
    const hits: string[] = [];
    let cdxQuery: URLSearchParams | undefined;
    const base = await listen((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      hits.push(url.pathname);
      if (url.pathname === '/cdx/search/cdx') {
        cdxQuery = url.searchParams;
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(cdxRows));
      }
      const capture = /^\/web\/(\d{14})id_\/(.+)$/.exec(url.pathname);
      if (capture) {
        const body = bytesByName[capture[2]!.split('/').pop()!];
        return body ? res.writeHead(200, { 'content-type': XLSX }).end(body) : res.writeHead(404).end();
      }
      if (url.pathname === '/repos/deportationdata/ice-detention-management/contents/spreadsheets') {
        const entry = (name: string) => ({ name, path: `spreadsheets/${name}`, type: 'file', size: 130 });
        return res.end(
          JSON.stringify([
            entry('2026-02-13_FY26_detentionStats_02122026.xlsx'),
            entry('FY20-detentionstats.xlsx'),
            entry('FY24_detentionStats.xlsx'),
            entry('FY22_detentionStats08312022_DELETED.txt'),
            { name: 'old', path: 'spreadsheets/old', type: 'dir' },
          ]),
        );
      }
      const media = /^\/media\/deportationdata\/ice-detention-management\/main\/spreadsheets\/(.+)$/.exec(url.pathname);
      if (media) {
        const name = decodeURIComponent(media[1]!);
        // a file whose LFS object is missing: GitHub serves the pointer
        if (name === 'FY24_detentionStats.xlsx') return res.end('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n');
        const body = bytesByName[name];
        return body ? res.end(body) : res.writeHead(404).end();
      }
      res.writeHead(404).end();
    });
    const s = store();
    const { db, archive } = await openDb(s);
    const fx = fxFor(createHttpClient({ retries: 0 }));
    const ddp = { ddpListingUrl: `${base}/repos/deportationdata/ice-detention-management/contents/spreadsheets`, ddpMediaBase: `${base}/media/deportationdata/ice-detention-management/main/` };
    try {
      const wayback = await runBackfill(db, archive, fx, { wayback: true, cdxUrl: `${base}/cdx/search/cdx`, pauseMs: 0 });
      assert.equal(cdxQuery?.get('url'), 'ice.gov/doclib/detention/*');
      assert.deepEqual(
        hits.filter((h) => h.startsWith('/web/')),
        [
          `/web/20260213150000id_/${ice}FY26_detentionStats_02122026.xlsx`,
          '/web/20260301120000id_/http://www.ice.gov:80/doclib/detention/FY26_detentionStats.xlsx',
          `/web/20260410120000id_/${ice}FY26_detentionStats_04092026.xlsx`,
        ],
      );
      const w = wayback.archives[0]!;
      assert.deepEqual({ ...w, errors: w.errors.length }, { kind: 'wayback', listed: 4, known: 1, downloaded: 3, ingested: 2, duplicates: 1, errors: 0, releases: [releaseId(wb.feb), releaseId(wb.apr)], limited: false });

      const feb = releaseId(wb.feb);
      assert.deepEqual(await db.all(`SELECT release_id FROM releases ORDER BY snapshot_date`), [{ release_id: feb }, { release_id: releaseId(wb.apr) }]);
      assert.deepEqual(
        await db.all(`SELECT file_name, url, origin, strftime(retrieved_at, '%Y-%m-%dT%H:%M:%S') AS retrieved_at FROM release_files WHERE release_id = $1 ORDER BY retrieved_at`, [feb]),
        [
          { file_name: 'FY26_detentionStats_02122026.xlsx', url: `${ice}FY26_detentionStats_02122026.xlsx`, origin: 'backfill', retrieved_at: '2026-02-13T15:00:00' },
          { file_name: 'FY26_detentionStats.xlsx', url: 'http://www.ice.gov/doclib/detention/FY26_detentionStats.xlsx', origin: 'backfill', retrieved_at: '2026-03-01T12:00:00' },
        ],
      );
      assert.deepEqual(
        (await db.all(`SELECT kind, url, strftime(captured_at, '%Y%m%d%H%M%S') AS ts, digest FROM release_sources WHERE release_id = $1 ORDER BY captured_at`, [feb])).map((r) => `${r.kind} ${r.ts} ${r.digest} ${String(r.url).replace(base, '')}`),
        [
          `wayback 20260213150000 DIGESTFEB /web/20260213150000id_/${ice}FY26_detentionStats_02122026.xlsx`,
          `wayback 20260220150000 DIGESTFEB /web/20260220150000id_/${ice}FY26_detentionStats_02122026.xlsx`,
          'wayback 20260301120000 DIGESTFEB /web/20260301120000id_/http://www.ice.gov:80/doclib/detention/FY26_detentionStats.xlsx',
        ],
      );
      assert.ok(archive.has(createHash('sha256').update(wb.feb).digest('hex')), 'archived');
      const row = await runRow(db, wayback.run_id);
      assert.deepEqual({ ...row, report: undefined }, { command: 'backfill', finished: true, files_seen: 4, ingested: 2, duplicates: 1, skipped: 1, errors: 0, report: undefined });

      // DDP's mirror: a release already known from Wayback, one new, one LFS pointer (an error), one not a workbook
      const mirror = await runBackfill(db, archive, fx, { ddp: true, ...ddp, pauseMs: 0 });
      const d = mirror.archives[0]!;
      assert.equal(mirror.archives.length, 1);
      assert.deepEqual({ ...d, errors: d.errors.length }, { kind: 'ddp', listed: 3, known: 0, downloaded: 3, ingested: 1, duplicates: 1, errors: 1, releases: [releaseId(wb.fy20)], limited: false });
      assert.match(d.errors[0]!, /FY24_detentionStats\.xlsx: .*Git LFS pointer/);
      assert.deepEqual(
        await db.all(`SELECT release_id, file_name, origin, strftime(retrieved_at, '%Y-%m-%d') AS day FROM release_files WHERE local_path LIKE '2026-02-13_%' OR file_name = 'FY20-detentionstats.xlsx' ORDER BY ALL`),
        [
          { release_id: feb, file_name: 'FY26_detentionStats_02122026.xlsx', origin: 'backfill', day: '2026-02-13' },
          { release_id: releaseId(wb.fy20), file_name: 'FY20-detentionstats.xlsx', origin: 'backfill', day: null },
        ],
      );
      assert.deepEqual(
        (await db.all(`SELECT release_id, strftime(captured_at, '%Y-%m-%d') AS day, original_url, url FROM release_sources WHERE kind = 'ddp' ORDER BY url`)).map((r) => ({ ...r, url: String(r.url).replace(base, '') })),
        [
          { release_id: feb, day: '2026-02-13', original_url: `${ice}FY26_detentionStats_02122026.xlsx`, url: '/media/deportationdata/ice-detention-management/main/spreadsheets/2026-02-13_FY26_detentionStats_02122026.xlsx' },
          { release_id: releaseId(wb.fy20), day: null, original_url: `${ice}FY20-detentionstats.xlsx`, url: '/media/deportationdata/ice-detention-management/main/spreadsheets/FY20-detentionstats.xlsx' },
        ],
      );

      // again: every copy is known, nothing is downloaded (the LFS pointer is tried again)
      hits.length = 0;
      const again = await runBackfill(db, archive, fx, { cdxUrl: `${base}/cdx/search/cdx`, ...ddp, pauseMs: 0 });
      assert.deepEqual(hits.filter((h) => h.startsWith('/web/')), []);
      assert.deepEqual(again.archives.map((a) => [a.kind, a.known, a.downloaded, a.ingested]), [['wayback', 4, 0, 0], ['ddp', 2, 1, 0]]);
    } finally {
      db.close();
    }

    // the command, on the database the runs above left (its own lock, no internet: everything is known)
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const ctx = makeContext({ db: s.dbPath, format: 'json', quiet: true }, new Printer(out, new PassThrough()));
    assert.equal(await backfillCommand(ctx, { fromWayback: true, cdxUrl: `${base}/cdx/search/cdx` }), 0);
    const printed = JSON.parse(text) as Array<Record<string, unknown>>;
    assert.deepEqual(printed.map((r) => [r.archive, r.already_known, r.downloaded]), [['wayback', 4, 0]]);
    await assert.rejects(backfillCommand(ctx, { limit: 'many' }), CliError);
  });

  test('--limit stops after N downloads; the next run carries on', async (t) => {
    const data = requireSharedData(t);
    if (!data) return;
    const wb = workbooks(data);
    const names = ['FY26_detentionStats_02122026.xlsx', 'FY26_detentionStats_04092026.xlsx'];
    const base = await listen((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/cdx') {
        return res.end(JSON.stringify([['timestamp', 'original'], ...names.map((n, i) => [`2026041${i}000000`, `https://www.ice.gov/doclib/detention/${n}`])]));
      }
      res.end(url.pathname.endsWith(names[0]!) ? wb.feb : wb.apr);
    });
    const { db, archive } = await openDb(store());
    try {
      const fx = fxFor(createHttpClient({ retries: 0 }));
      const first = await runBackfill(db, archive, fx, { wayback: true, cdxUrl: `${base}/cdx`, limit: 1, pauseMs: 0 });
      assert.deepEqual([first.archives[0]!.downloaded, first.archives[0]!.limited], [1, true]);
      const second = await runBackfill(db, archive, fx, { wayback: true, cdxUrl: `${base}/cdx`, limit: 1, pauseMs: 0 });
      assert.deepEqual([second.archives[0]!.known, second.archives[0]!.downloaded, second.archives[0]!.limited, second.ingested], [1, 1, false, 1]);
    } finally {
      db.close();
    }
  });
});
