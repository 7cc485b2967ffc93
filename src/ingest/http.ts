import { setTimeout as sleep } from 'node:timers/promises';
import { HttpError } from '../lib/errors.js';
import type { HttpClient, HttpGetOptions, HttpResponse } from '../sources/types.js';

export interface HttpClientOptions {
  /** Per-attempt limit for the whole request, headers and body (default 60 s). */
  timeoutMs?: number;
  /** Extra attempts after a network error, a 5xx or a 429 (default 3). */
  retries?: number;
  /** First backoff delay; doubled on each retry (default 500 ms). */
  retryDelayMs?: number;
  /** Largest body accepted (default 200 MB). */
  maxBytes?: number;
  userAgent?: string;
}

const DEFAULTS = {
  timeoutMs: 60_000,
  retries: 3,
  retryDelayMs: 500,
  maxBytes: 200 * 1024 * 1024,
  userAgent: 'enforcement-tracker/0.1 (reads official public enforcement statistics)',
};

/** Longest wait honoured from a Retry-After header, so a server cannot stall a run. */
const MAX_RETRY_AFTER_MS = 60_000;

/** Error codes that mean the machine has no route to the host at all. */
const OFFLINE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * The host could not be reached at all (DNS failure, refused connection, no
 * route, timeout before any answer). Carries the hint for working offline.
 */
export class OfflineError extends HttpError {
  constructor(
    url: string,
    readonly host: string,
    readonly code: string,
  ) {
    super(
      url,
      undefined,
      `could not reach ${host} (${code}). ` +
        'Without internet access the tracker works from a folder of official files: ' +
        'npm start -- --from DIR or TRACKER_MIRROR=DIR (e.g. npm start -- --from ../shared/data)',
    );
    this.name = 'OfflineError';
  }
}

/** Thrown inside an attempt when another attempt may succeed. */
class Retryable extends Error {
  constructor(
    readonly error: HttpError,
    readonly retryAfterMs?: number,
  ) {
    super(error.message);
  }
}

/**
 * An HttpClient on global fetch: per-attempt timeout, retries with exponential
 * backoff on network errors, 5xx and 429, a body size limit, conditional requests.
 * Non-2xx answers (after retries) throw HttpError; an unreachable host throws
 * OfflineError.
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const cfg = { ...DEFAULTS, ...stripUndefined(options) };
  return {
    async get(url: string, opts: HttpGetOptions = {}): Promise<HttpResponse> {
      const target = parseUrl(url);
      const attempt = {
        timeoutMs: opts.timeoutMs ?? cfg.timeoutMs,
        maxBytes: opts.maxBytes ?? cfg.maxBytes,
        headers: requestHeaders(cfg.userAgent, opts),
      };
      for (let n = 0; ; n++) {
        try {
          return await fetchOnce(url, target, attempt);
        } catch (err) {
          if (!(err instanceof Retryable)) throw err;
          if (n >= cfg.retries) throw err.error;
          const backoff = cfg.retryDelayMs * 2 ** n;
          await sleep(Math.max(backoff, Math.min(err.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
        }
      }
    },
  };
}

interface Attempt {
  timeoutMs: number;
  maxBytes: number;
  headers: Record<string, string>;
}

async function fetchOnce(url: string, target: URL, a: Attempt): Promise<HttpResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, a.timeoutMs);
  let gotHeaders = false;
  try {
    const res = await fetch(url, { headers: a.headers, signal: controller.signal, redirect: 'follow' });
    gotHeaders = true;
    const headers: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const finalUrl = res.url || url;
    if (res.status === 304) {
      await res.body?.cancel();
      return { url: finalUrl, status: 304, headers, body: new Uint8Array(0), notModified: true };
    }
    if (res.status < 200 || res.status > 299) {
      await res.body?.cancel();
      const error = new HttpError(url, res.status, `HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}`);
      if (res.status >= 500 || res.status === 429) throw new Retryable(error, retryAfterMs(headers['retry-after']));
      throw error;
    }
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > a.maxBytes) {
      controller.abort();
      throw tooLarge(url, res.status, a.maxBytes, `Content-Length is ${declared} bytes`);
    }
    const body = await readBody(res, a.maxBytes, () => {
      controller.abort();
      return tooLarge(url, res.status, a.maxBytes, 'the body grew past it while downloading');
    });
    return { url: finalUrl, status: res.status, headers, body, notModified: false };
  } catch (err) {
    if (err instanceof HttpError || err instanceof Retryable) throw err;
    throw new Retryable(networkError(url, target, err, timedOut, gotHeaders, a.timeoutMs));
  } finally {
    clearTimeout(timer);
  }
}

async function readBody(res: Response, maxBytes: number, onTooLarge: () => HttpError): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      const error = onTooLarge();
      await reader.cancel().catch(() => undefined);
      throw error;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

function networkError(
  url: string,
  target: URL,
  err: unknown,
  timedOut: boolean,
  gotHeaders: boolean,
  timeoutMs: number,
): HttpError {
  if (timedOut) {
    // A timeout before any answer from a remote host is what a dead connection looks
    // like; on loopback (tests, local mirrors) it is just a slow server.
    if (!gotHeaders && !isLoopback(target.hostname)) return new OfflineError(url, target.host, `no answer within ${timeoutMs} ms`);
    return new HttpError(url, undefined, `timed out after ${timeoutMs} ms${gotHeaders ? ' while reading the body' : ''}`);
  }
  const code = errorCode(err);
  if (code !== undefined && OFFLINE_CODES.has(code)) return new OfflineError(url, target.host, code);
  return new HttpError(url, undefined, `network error: ${code ?? describe(err)}`);
}

/** The first `code` found on the error, its causes, or the errors of an AggregateError. */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') return e.code;
  const fromCause = errorCode(e.cause, depth + 1);
  if (fromCause !== undefined) return fromCause;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const c = errorCode(inner, depth + 1);
      if (c !== undefined) return c;
    }
  }
  return undefined;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message;
}

function tooLarge(url: string, status: number, maxBytes: number, detail: string): HttpError {
  return new HttpError(url, status, `response exceeds the size limit of ${maxBytes} bytes (${detail})`);
}

function requestHeaders(userAgent: string, opts: HttpGetOptions): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': userAgent, accept: '*/*' };
  if (opts.etag) headers['if-none-match'] = opts.etag;
  if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;
  return headers;
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpError(url, undefined, 'not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new HttpError(url, undefined, `unsupported protocol ${parsed.protocol}`);
  }
  return parsed;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
