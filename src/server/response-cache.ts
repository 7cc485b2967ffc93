import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

/**
 * Rendered responses, kept until the data change. Pages and metric answers depend only
 * on the URL and the data version, so the second request for a URL costs a lookup;
 * concurrent first requests share one render instead of queueing on the database.
 */
export interface Cached {
  type: string;
  body: string;
  etag?: string;
  /** Compressed forms, made once on first demand. */
  encoded?: { br?: Buffer; gzip?: Buffer };
}

const MIN_COMPRESS = 1024;

/**
 * The body in the best encoding the client accepts (brotli, then gzip), compressed once
 * per cached response rather than once per request.
 */
export function encodedBody(c: Cached, acceptEncoding: string | undefined): { encoding?: 'br' | 'gzip'; body: string | Buffer } {
  if (c.body.length < MIN_COMPRESS || !acceptEncoding) return { body: c.body };
  const accepts = (name: string) => new RegExp(`(^|,)\\s*(${name}|\\*)\\s*(;\\s*q=(?!0(\\.0*)?\\s*(,|$))[\\d.]+)?\\s*(,|$)`).test(acceptEncoding);
  c.encoded ??= {};
  if (accepts('br')) {
    c.encoded.br ??= brotliCompressSync(c.body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } });
    return { encoding: 'br', body: c.encoded.br };
  }
  if (accepts('gzip')) {
    c.encoded.gzip ??= gzipSync(c.body, { level: 9 });
    return { encoding: 'gzip', body: c.encoded.gzip };
  }
  return { body: c.body };
}

export class ResponseCache {
  private readonly entries = new Map<string, Cached>();
  private readonly pending = new Map<string, { promise: Promise<Cached | undefined>; settle: (c: Cached | undefined) => void }>();
  private bytes = 0;
  private version = '';

  constructor(
    private readonly maxEntries = 2000,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  /** A cached response, or the render already under way for the same key, or undefined (caller renders). */
  async lookup(version: string, url: string): Promise<Cached | undefined> {
    if (version !== this.version) this.reset(version);
    const hit = this.entries.get(url);
    if (hit) {
      // refresh its place in the least-recently-used order
      this.entries.delete(url);
      this.entries.set(url, hit);
      return hit;
    }
    const inFlight = this.pending.get(url);
    if (inFlight) return inFlight.promise;
    let settle: (c: Cached | undefined) => void = () => undefined;
    const promise = new Promise<Cached | undefined>((resolve) => (settle = resolve));
    this.pending.set(url, { promise, settle });
    return undefined;
  }

  /** Ends a render: stores a successful body (or nothing) and wakes the requests that waited for it. */
  settle(version: string, url: string, cached: Cached | undefined): void {
    const p = this.pending.get(url);
    this.pending.delete(url);
    p?.settle(cached);
    if (!cached || version !== this.version || cached.body.length > this.maxBytes / 8) return;
    this.entries.set(url, cached);
    this.bytes += cached.body.length;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const [oldest, value] = this.entries.entries().next().value as [string, Cached];
      this.entries.delete(oldest);
      this.bytes -= value.body.length;
    }
  }

  private reset(version: string): void {
    this.entries.clear();
    this.bytes = 0;
    this.version = version;
  }
}
