import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createHttpClient, OfflineError } from '../../src/ingest/http.js';
import { HttpError } from '../../src/lib/errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Routes by path; records every request it sees. */
let server: Server;
let base = '';
const routes = new Map<string, Handler>();
const seen: IncomingMessage[] = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    res.on('error', () => undefined);
    const handler = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (handler) handler(req, res);
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function hits(path: string): IncomingMessage[] {
  return seen.filter((r) => r.url === path);
}

const fast = { retries: 3, retryDelayMs: 5 };

describe('createHttpClient', () => {
  it('returns the body, status, lower-cased headers and sends a User-Agent', async () => {
    routes.set('/ok', (_req, res) => res.writeHead(200, { 'X-Custom-Header': 'Yes', 'Content-Type': 'text/plain' }).end('hello'));
    const res = await createHttpClient(fast).get(`${base}/ok`);
    assert.equal(res.status, 200);
    assert.equal(res.notModified, false);
    assert.equal(new TextDecoder().decode(res.body), 'hello');
    assert.equal(res.headers['x-custom-header'], 'Yes');
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.match(hits('/ok')[0]?.headers['user-agent'] ?? '', /enforcement-tracker/);
  });

  it('throws HttpError when the server never answers within timeoutMs', async () => {
    routes.set('/hang', () => undefined);
    const started = Date.now();
    await assert.rejects(createHttpClient({ timeoutMs: 150, retries: 0 }).get(`${base}/hang`), (err) => {
      assert.ok(err instanceof HttpError);
      assert.ok(!(err instanceof OfflineError), 'a slow loopback server is not "offline"');
      assert.match(err.message, /timed out after 150 ms/);
      return true;
    });
    assert.ok(Date.now() - started < 5000);
  });

  it('retries 503 with backoff and succeeds on the third request', async () => {
    let n = 0;
    routes.set('/flaky', (_req, res) => {
      n++;
      if (n <= 2) res.writeHead(503).end('busy');
      else res.writeHead(200).end('finally');
    });
    const res = await createHttpClient(fast).get(`${base}/flaky`);
    assert.equal(new TextDecoder().decode(res.body), 'finally');
    assert.equal(hits('/flaky').length, 3);
  });

  it('retries after a dropped connection', async () => {
    let n = 0;
    routes.set('/drop', (req, res) => {
      n++;
      if (n === 1) req.socket.destroy();
      else res.writeHead(200).end('second try');
    });
    const res = await createHttpClient(fast).get(`${base}/drop`);
    assert.equal(new TextDecoder().decode(res.body), 'second try');
    assert.equal(hits('/drop').length, 2);
  });

  it('retries 429 too, and gives up with HttpError after the last retry', async () => {
    routes.set('/limited', (_req, res) => res.writeHead(429).end());
    await assert.rejects(createHttpClient({ retries: 2, retryDelayMs: 5 }).get(`${base}/limited`), (err) => {
      assert.ok(err instanceof HttpError);
      assert.equal(err.status, 429);
      return true;
    });
    assert.equal(hits('/limited').length, 3);
  });

  it('does not retry a 404', async () => {
    routes.set('/gone', (_req, res) => res.writeHead(404).end());
    await assert.rejects(createHttpClient(fast).get(`${base}/gone`), (err) => {
      assert.ok(err instanceof HttpError);
      assert.equal(err.status, 404);
      assert.match(err.message, /404/);
      return true;
    });
    assert.equal(hits('/gone').length, 1);
  });

  it('refuses a body whose Content-Length is over the limit', async () => {
    routes.set('/big', (_req, res) => res.writeHead(200, { 'Content-Length': '5000' }).end(Buffer.alloc(5000)));
    await assert.rejects(createHttpClient(fast).get(`${base}/big`, { maxBytes: 1000 }), (err) => {
      assert.ok(err instanceof HttpError);
      assert.match(err.message, /size limit of 1000 bytes/);
      assert.match(err.message, /Content-Length is 5000/);
      return true;
    });
    assert.equal(hits('/big').length, 1, 'a size-limit failure is not retried');
  });

  it('stops reading a chunked body once it passes the limit', async () => {
    routes.set('/stream', (_req, res) => {
      // no Content-Length: node sends the body chunked, so only the streaming check can stop it
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      let sent = 0;
      const push = (): void => {
        if (res.destroyed || sent >= 50) return void res.end();
        sent++;
        res.write(Buffer.alloc(1000, 1));
        setImmediate(push);
      };
      push();
    });
    await assert.rejects(createHttpClient({ ...fast, maxBytes: 4096 }).get(`${base}/stream`), (err) => {
      assert.ok(err instanceof HttpError);
      assert.match(err.message, /size limit of 4096 bytes/);
      return true;
    });
  });

  it('sends If-None-Match and reports a 304 as notModified with an empty body', async () => {
    routes.set('/etag', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') res.writeHead(304, { ETag: '"v1"' }).end();
      else res.writeHead(200, { ETag: '"v1"' }).end('content');
    });
    const client = createHttpClient(fast);
    const first = await client.get(`${base}/etag`);
    assert.equal(first.notModified, false);
    assert.equal(first.headers['etag'], '"v1"');
    const second = await client.get(`${base}/etag`, { etag: first.headers['etag'] });
    assert.equal(second.status, 304);
    assert.equal(second.notModified, true);
    assert.equal(second.body.byteLength, 0);
  });

  it('sends If-Modified-Since from lastModified', async () => {
    const stamp = 'Thu, 09 Apr 2026 12:00:00 GMT';
    routes.set('/lm', (req, res) => {
      if (req.headers['if-modified-since'] === stamp) res.writeHead(304).end();
      else res.writeHead(200, { 'Last-Modified': stamp }).end('x');
    });
    const res = await createHttpClient(fast).get(`${base}/lm`, { lastModified: stamp });
    assert.equal(res.notModified, true);
  });

  it('throws OfflineError with the --from hint when the connection is refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(createHttpClient({ retries: 1, retryDelayMs: 5 }).get(`http://127.0.0.1:${port}/x.xlsx`), (err) => {
      assert.ok(err instanceof OfflineError);
      assert.ok(err instanceof HttpError);
      assert.equal(err.code, 'ECONNREFUSED');
      assert.match(err.message, new RegExp(`could not reach 127\\.0\\.0\\.1:${port}`));
      assert.match(err.message, /npm start -- --from/);
      assert.match(err.message, /TRACKER_MIRROR=DIR/);
      return true;
    });
  });

  it('rejects a URL that is not http(s)', async () => {
    await assert.rejects(createHttpClient().get('ftp://127.0.0.1/x'), HttpError);
    await assert.rejects(createHttpClient().get('not a url'), HttpError);
  });
});
