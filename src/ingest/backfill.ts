import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../db/connection.js';
import { errorMessage, SourceFormatError } from '../lib/errors.js';
import { isDetentionStatsFileName } from '../sources/ice/detention-stats/discover.js';
import { iceDetentionStats } from '../sources/ice/detention-stats/index.js';
import type { Effects } from '../sources/types.js';
import type { Archive } from './archive.js';
import { OfflineError } from './http.js';
import { ingestFile, summarise, type IngestReport, type Origin, type Outcome } from './pipeline.js';
import { defaultLockPath, PoliteHttp, RunLock, RunLog } from './update.js';

/** The Internet Archive's capture index (CDX server). */
export const CDX_URL = 'https://web.archive.org/cdx/search/cdx';
/** The Deportation Data Project's copies of ICE's workbooks, listed through GitHub's contents API. */
export const DDP_LISTING_URL = 'https://api.github.com/repos/deportationdata/ice-detention-management/contents/spreadsheets';
/** The workbooks are Git LFS objects: the raw URL gives a pointer, this host the file. */
export const DDP_MEDIA_BASE = 'https://media.githubusercontent.com/media/deportationdata/ice-detention-management/main/';

// TODO(pipeline): drop the cast once pipeline.ts's Origin includes 'backfill'
const BACKFILL: Origin = 'backfill';

const SCHEMA = join(dirname(fileURLToPath(import.meta.url)), '..', 'db', 'migrations', '002-release-sources.sql');

export interface BackfillOptions {
  /** Which archives to read (default: both). */
  wayback?: boolean;
  ddp?: boolean;
  /** At most this many downloads per archive in this run; a later run carries on (default: no limit). */
  limit?: number;
  /** The CDX endpoint; a URL that already has a `url=` parameter is used as given. */
  cdxUrl?: string;
  /** Where captures are replayed from (default: the CDX URL's origin). */
  waybackBase?: string;
  ddpListingUrl?: string;
  ddpMediaBase?: string;
  /** Pause between two requests to the same host (default 4000 ms: the archives are shared, free services). */
  pauseMs?: number;
  lockPath?: string | null;
}

export interface ArchiveReport {
  kind: 'wayback' | 'ddp';
  /** Copies the archive lists (after filtering to detention-statistics workbooks). */
  listed: number;
  /** Copies recorded by an earlier run, or with content already known: not downloaded. */
  known: number;
  downloaded: number;
  ingested: number;
  duplicates: number;
  errors: string[];
  releases: string[];
  /** The --limit stopped the run before every copy was downloaded. */
  limited: boolean;
}

export interface BackfillResult extends IngestReport {
  run_id: string;
  started_at: string;
  finished_at: string;
  archives: ArchiveReport[];
  /** Set when no archive could be reached at all. */
  offline?: string;
}

/** One capture from the CDX index. */
export interface Capture {
  timestamp: string;
  original: string;
  digest?: string;
  statuscode?: string;
  mimetype?: string;
}

/**
 * `tracker backfill`: recover past ICE detention-statistics releases, which ice.gov no
 * longer serves, from the Wayback Machine's captures and the Deportation Data Project's
 * mirror. Every copy is archived and ingested like a fetched file (identical bytes are
 * one release), with the official URL in release_files and the copy's own URL and
 * capture time in release_sources. One `ingest_runs` row (command 'backfill').
 */
export async function runBackfill(db: Database, archive: Archive, fx: Effects, options: BackfillOptions = {}): Promise<BackfillResult> {
  const both = options.wayback === undefined && options.ddp === undefined;
  const lock = options.lockPath === null ? undefined : RunLock.acquire(options.lockPath ?? defaultLockPath(db), 'backfill');
  try {
    await db.exec(readFileSync(SCHEMA, 'utf8'));
    const run = await RunLog.start(db, 'backfill', fx.now());
    try {
      const http = new PoliteHttp(fx.http, options.pauseMs ?? 4000);
      const ctx: Ctx = { db, archive, fx: { ...fx, http }, limit: options.limit ?? Infinity, known: await knownCopies(db), outcomes: [] };
      const archives: ArchiveReport[] = [];
      if (both || options.wayback) archives.push(await fromWayback(ctx, options));
      if (both || options.ddp) archives.push(await fromDdp(ctx, options));
      const offline = http.answered === 0 ? ctx.offline : undefined;
      const result: BackfillResult = { ...summarise(ctx.outcomes), run_id: run.id, started_at: run.startedAt.toISOString(), finished_at: '', archives, ...(offline ? { offline } : {}) };
      const finished = fx.now();
      result.finished_at = finished.toISOString();
      await run.finish(finished, {
        files_seen: archives.reduce((n, a) => n + a.listed, 0),
        ingested: result.ingested,
        duplicates: result.duplicates,
        // copies not downloaded because an earlier run recorded them
        skipped: archives.reduce((n, a) => n + a.known, 0),
        errors: result.errors,
        report: { archives, offline: offline ?? null },
      });
      return result;
    } catch (err) {
      await run.fail(fx.now(), err);
      throw err;
    }
  } finally {
    lock?.release();
  }
}

interface Ctx {
  db: Database;
  archive: Archive;
  fx: Effects;
  limit: number;
  known: Known;
  outcomes: Outcome[];
  /** The last "could not reach" message, if any. */
  offline?: string;
}

interface Known {
  urls: Set<string>;
  /** `original_url|digest` of Wayback copies → release: another capture of the same bytes. */
  content: Map<string, string>;
}

async function knownCopies(db: Database): Promise<Known> {
  const rows = await db.all(`SELECT release_id, kind, url, original_url, digest FROM release_sources`);
  return {
    urls: new Set(rows.map((r) => r.url as string)),
    content: new Map(rows.filter((r) => r.kind === 'wayback' && r.digest !== null).map((r) => [`${r.original_url as string}|${r.digest as string}`, r.release_id as string])),
  };
}

const emptyReport = (kind: ArchiveReport['kind']): ArchiveReport => ({ kind, listed: 0, known: 0, downloaded: 0, ingested: 0, duplicates: 0, errors: [], releases: [], limited: false });

/** The CDX query for every capture of a detention-statistics workbook under ice.gov/doclib/detention/. */
export function cdxQueryUrl(cdxUrl = CDX_URL): string {
  const u = new URL(cdxUrl);
  if (u.searchParams.has('url')) return u.href;
  // a trailing /* is a prefix match; the index is SURT-ordered, so www.ice.gov is included
  u.searchParams.set('url', 'ice.gov/doclib/detention/*');
  u.searchParams.set('output', 'json');
  u.searchParams.set('fl', 'timestamp,original,mimetype,statuscode,digest,length');
  u.searchParams.append('filter', 'statuscode:200');
  // ICE's names vary in case and separator: FY20-detentionstats, FY21_detention-stats_0301, FY26_detentionStats_…
  u.searchParams.append('filter', 'original:(?i).*detention.?stats.*');
  // adjacent captures with the same digest are the same bytes
  u.searchParams.set('collapse', 'digest');
  return u.href;
}

/**
 * The captures of a CDX JSON answer: an array whose first row names the fields, then one
 * row per capture; a resumption key, if any, follows an empty row and is ignored.
 */
export function parseCdx(text: string, source: string): Capture[] {
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch {
    throw new SourceFormatError({ file: source }, 'the CDX answer is not JSON (was output=json asked for?)');
  }
  if (!Array.isArray(rows)) throw new SourceFormatError({ file: source }, 'the CDX answer is not a JSON array');
  if (rows.length === 0) return [];
  const header = rows[0] as unknown;
  if (!Array.isArray(header) || !header.includes('timestamp') || !header.includes('original')) {
    throw new SourceFormatError({ file: source }, `the CDX answer's first row does not name the fields timestamp and original: ${JSON.stringify(header).slice(0, 200)}`);
  }
  const at = (name: string) => header.indexOf(name);
  const field = (row: unknown[], name: string) => (at(name) >= 0 && typeof row[at(name)] === 'string' ? (row[at(name)] as string) : undefined);
  const captures: Capture[] = [];
  for (const row of rows.slice(1)) {
    if (!Array.isArray(row) || row.length !== header.length) continue;
    const timestamp = field(row, 'timestamp');
    const original = field(row, 'original');
    if (!timestamp || !/^\d{14}$/.test(timestamp) || !original) continue;
    captures.push({ timestamp, original, digest: field(row, 'digest'), statuscode: field(row, 'statuscode'), mimetype: field(row, 'mimetype') });
  }
  return captures;
}

/** `20260213154501` → `2026-02-13T15:45:01Z` (Wayback timestamps are UTC). */
export function captureTime(ts: string): string {
  return `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}T${ts.slice(8, 10)}:${ts.slice(10, 12)}:${ts.slice(12, 14)}Z`;
}

/** The official URL and file name a capture is of (default ports and fragments dropped). */
function officialOf(original: string): { url: string; fileName: string } | undefined {
  let u: URL;
  try {
    u = new URL(/^[a-z]+:\/\//i.test(original) ? original : `https://${original}`);
  } catch {
    return undefined;
  }
  u.hash = '';
  const last = u.pathname.split('/').pop() ?? '';
  let fileName: string;
  try {
    fileName = decodeURIComponent(last);
  } catch {
    fileName = last;
  }
  return { url: u.href, fileName };
}

async function fromWayback(ctx: Ctx, options: BackfillOptions): Promise<ArchiveReport> {
  const rep = emptyReport('wayback');
  const query = cdxQueryUrl(options.cdxUrl);
  const base = (options.waybackBase ?? new URL(query).origin).replace(/\/+$/, '');
  let captures: Capture[];
  try {
    const res = await ctx.fx.http.get(query, { timeoutMs: 120_000 });
    captures = parseCdx(new TextDecoder('utf-8').decode(res.body), query);
  } catch (err) {
    return failed(ctx, rep, query, err);
  }
  const wanted = new Map<string, { c: Capture; official: { url: string; fileName: string } }>();
  for (const c of captures) {
    // a revisit record points at an earlier capture of the same bytes; a non-200 capture is an error page
    if ((c.statuscode !== undefined && c.statuscode !== '200') || /^warc\/revisit$/i.test(c.mimetype ?? '')) continue;
    const official = officialOf(c.original);
    if (official && isDetentionStatsFileName(official.fileName)) wanted.set(`${c.timestamp} ${c.original}`, { c, official });
  }
  const ordered = [...wanted.values()].sort((a, b) => a.c.timestamp.localeCompare(b.c.timestamp));
  rep.listed = ordered.length;
  ctx.fx.logger.info(`wayback: ${ordered.length} captures of detention-statistics workbooks`);
  for (const { c, official } of ordered) {
    const copyUrl = `${base}/web/${c.timestamp}id_/${c.original}`;
    const copy = { kind: 'wayback' as const, url: copyUrl, originalUrl: official.url, capturedAt: captureTime(c.timestamp), digest: c.digest ?? null };
    if (ctx.known.urls.has(copyUrl)) {
      rep.known++;
      continue;
    }
    const sameBytes = c.digest ? ctx.known.content.get(`${official.url}|${c.digest}`) : undefined;
    if (sameBytes) {
      // the index says these are the bytes of a capture already ingested: record the copy, spare the archive a download
      await recordCopy(ctx, sameBytes, copy);
      rep.known++;
      continue;
    }
    if (rep.downloaded >= ctx.limit) {
      rep.limited = true;
      break;
    }
    const outcome = await download(ctx, rep, copyUrl, { path: official.fileName, url: official.url, retrievedAt: copy.capturedAt });
    if (outcome === 'stop') break;
    if (outcome) await recordCopy(ctx, outcome, copy);
  }
  return rep;
}

interface GithubEntry {
  name?: unknown;
  path?: unknown;
  type?: unknown;
}

async function fromDdp(ctx: Ctx, options: BackfillOptions): Promise<ArchiveReport> {
  const rep = emptyReport('ddp');
  const listing = options.ddpListingUrl ?? DDP_LISTING_URL;
  const media = (options.ddpMediaBase ?? DDP_MEDIA_BASE).replace(/\/?$/, '/');
  let entries: GithubEntry[];
  try {
    const res = await ctx.fx.http.get(listing);
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder('utf-8').decode(res.body));
    } catch {
      throw new SourceFormatError({ file: listing }, 'the folder listing is not JSON; GitHub may have changed its contents API');
    }
    if (!Array.isArray(parsed)) throw new SourceFormatError({ file: listing }, 'the folder listing is not a JSON array of files');
    entries = parsed as GithubEntry[];
  } catch (err) {
    return failed(ctx, rep, listing, err);
  }
  const files = entries
    .filter((e): e is { name: string; path: string; type: string } => typeof e.name === 'string' && typeof e.path === 'string' && e.type === 'file')
    // DDP prefixes its later copies with its download date, as Vera's archive does: 2025-08-01_FY25_detentionStats07312025.xlsx
    .filter((e) => isDetentionStatsFileName(iceDetentionStats.describeFile(e.name).fileName))
    .sort((a, b) => a.name.localeCompare(b.name));
  rep.listed = files.length;
  ctx.fx.logger.info(`ddp: ${files.length} detention-statistics workbooks in ${listing}`);
  for (const f of files) {
    const copyUrl = media + f.path.split('/').map(encodeURIComponent).join('/');
    if (ctx.known.urls.has(copyUrl)) {
      rep.known++;
      continue;
    }
    if (rep.downloaded >= ctx.limit) {
      rep.limited = true;
      break;
    }
    const described = iceDetentionStats.describeFile(f.name);
    const outcome = await download(ctx, rep, copyUrl, { path: f.name });
    if (outcome === 'stop') break;
    if (outcome) await recordCopy(ctx, outcome, { kind: 'ddp', url: copyUrl, originalUrl: described.url, capturedAt: described.retrievedAt, digest: null });
  }
  return rep;
}

const LFS_POINTER = 'version https://git-lfs.github.com/spec/';

/**
 * Downloads one copy and ingests it; the release id when the bytes are a release (new or
 * known), undefined after an error, 'stop' when the archive's host cannot be reached.
 */
async function download(ctx: Ctx, rep: ArchiveReport, copyUrl: string, file: { path: string; url?: string; retrievedAt?: string }): Promise<string | undefined | 'stop'> {
  rep.downloaded++;
  let bytes: Uint8Array;
  try {
    bytes = (await ctx.fx.http.get(copyUrl)).body;
    if (new TextDecoder().decode(bytes.subarray(0, LFS_POINTER.length)) === LFS_POINTER) {
      throw new SourceFormatError({ file: copyUrl }, 'the answer is a Git LFS pointer, not the workbook');
    }
  } catch (err) {
    const error = `${copyUrl}: ${errorMessage(err).replace(`${copyUrl}: `, '')}`;
    rep.errors.push(error);
    ctx.outcomes.push({ status: 'error', path: copyUrl, source: iceDetentionStats.id, error });
    ctx.fx.logger.warn(error);
    if (!(err instanceof OfflineError)) return undefined;
    ctx.offline = err.message;
    return 'stop';
  }
  const outcome = await ingestFile({ path: file.path, bytes, origin: BACKFILL, explicit: true, url: file.url, retrievedAt: file.retrievedAt }, { db: ctx.db, archive: ctx.archive, origin: BACKFILL, now: ctx.fx.now });
  ctx.outcomes.push(outcome);
  switch (outcome.status) {
    case 'ingested':
      rep.ingested++;
      rep.releases.push(outcome.release_id);
      return outcome.release_id;
    case 'duplicate':
      rep.duplicates++;
      return outcome.release_id;
    case 'error':
      rep.errors.push(`${copyUrl}: ${outcome.error}`);
      return undefined;
    case 'skipped':
      rep.errors.push(`${copyUrl}: ${outcome.reason}`);
      return undefined;
  }
}

interface Copy {
  kind: 'wayback' | 'ddp';
  url: string;
  originalUrl: string | null;
  capturedAt: string | null;
  digest: string | null;
}

async function recordCopy(ctx: Ctx, releaseId: string, copy: Copy): Promise<void> {
  await ctx.db.run(
    `INSERT INTO release_sources (release_id, kind, url, original_url, captured_at, digest, added_at) VALUES ($1, $2, $3, $4, $5::TIMESTAMP, $6, $7::TIMESTAMP)`,
    [releaseId, copy.kind, copy.url, copy.originalUrl, copy.capturedAt, copy.digest, ctx.fx.now().toISOString()],
  );
  ctx.known.urls.add(copy.url);
  if (copy.kind === 'wayback' && copy.digest && copy.originalUrl) ctx.known.content.set(`${copy.originalUrl}|${copy.digest}`, releaseId);
}

function failed(ctx: Ctx, rep: ArchiveReport, url: string, err: unknown): ArchiveReport {
  const error = errorMessage(err).startsWith(url) ? errorMessage(err) : `${url}: ${errorMessage(err)}`;
  rep.errors.push(error);
  ctx.outcomes.push({ status: 'error', path: url, error });
  if (err instanceof OfflineError) ctx.offline = err.message;
  ctx.fx.logger.warn(`${rep.kind}: could not list copies: ${error}`);
  return rep;
}
