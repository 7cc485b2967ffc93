import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../db/connection.js';
import { CliError, errorMessage, HttpError } from '../lib/errors.js';
import { DATASETS, datasetById } from '../sources/registry.js';
import type { Effects, HttpClient, HttpGetOptions, HttpResponse } from '../sources/types.js';
import type { Archive } from './archive.js';
import { downloadNew } from './download.js';
import { OfflineError } from './http.js';
import { ingestFile, summarise, type IngestReport, type Outcome } from './pipeline.js';

/** What one update run did for one source. */
export interface SourceReport {
  source: string;
  /**
   * ok; error (its page could not be read or parsed); unreachable (its host did not answer);
   * not-fetchable (a source ingested from files only: its discover refuses before any request).
   */
  status: 'ok' | 'error' | 'unreachable' | 'not-fetchable';
  listed: number;
  downloaded: number;
  not_modified: number;
  ingested: number;
  duplicates: number;
  errors: string[];
  /** Ids of the releases this run added. */
  releases: string[];
  note?: string;
}

export interface WebhookAttempt {
  at: string;
  status?: number;
  error?: string;
}

export interface WebhookOutcome {
  /** Scheme and host only: a webhook URL often carries a secret in its path or query. */
  target: string;
  ok: boolean;
  releases: number;
  attempts: WebhookAttempt[];
}

export interface WebhookOptions {
  /** Attempts in all (default 3). */
  attempts?: number;
  /** Wait before the second attempt, doubled before each later one (default 2000 ms). */
  backoffMs?: number;
  /** Per-attempt limit (default 10 s). */
  timeoutMs?: number;
}

export interface UpdateResult extends IngestReport {
  run_id: string;
  started_at: string;
  finished_at: string;
  sources: SourceReport[];
  /** Set when no official host could be reached at all. */
  offline?: string;
  webhook?: WebhookOutcome;
}

export interface UpdateOptions {
  /** Only this source (default: every source). */
  sourceId?: string;
  /** Pause between two requests to the same host (default 2000 ms). */
  pauseMs?: number;
  /** Where to POST the summary of new releases; default $TRACKER_WEBHOOK_URL; null for none. */
  webhookUrl?: string | null;
  webhook?: WebhookOptions;
  /** The lock file; default `<db>.update.lock`; null for none. */
  lockPath?: string | null;
}

/**
 * `tracker update`: for every source, list the official page, download what is new
 * (conditional requests for what was seen), archive and ingest it; one `ingest_runs`
 * row per run. Never two at once (a lock file beside the database); a webhook, when
 * configured, hears of the new releases. A source that fails is reported and the
 * others still run; it returns rather than throws, so the run is always logged.
 */
export async function runUpdate(db: Database, archive: Archive, fx: Effects, options: UpdateOptions = {}): Promise<UpdateResult> {
  const datasets = options.sourceId ? [datasetById(options.sourceId)] : DATASETS;
  if (datasets.some((d) => d === undefined)) {
    throw new CliError(`unknown source '${options.sourceId}'; known: ${DATASETS.map((d) => d.id).join(', ')}`);
  }
  const lock = options.lockPath === null ? undefined : RunLock.acquire(options.lockPath ?? defaultLockPath(db), 'update');
  try {
    const run = await RunLog.start(db, 'update', fx.now());
    try {
      const http = new PoliteHttp(fx.http, options.pauseMs ?? 2000);
      const pfx: Effects = { ...fx, http };
      const known = await knownValidators(db);
      const outcomes: Outcome[] = [];
      const sources: SourceReport[] = [];
      for (const dataset of datasets) {
        const rep: SourceReport = { source: dataset!.id, status: 'ok', listed: 0, downloaded: 0, not_modified: 0, ingested: 0, duplicates: 0, errors: [], releases: [] };
        sources.push(rep);
        const before = http.requests;
        let files;
        try {
          files = await dataset!.discover(pfx);
          rep.listed = files.length;
          fx.logger.info(`${dataset!.id}: ${files.length} files listed on ${dataset!.sourceUrl}`);
          const results = await downloadNew(pfx, files, archive, (url) => known.get(url), undefined, { pauseMs: 0 });
          for (const r of results) {
            if (r.status === 'failed') {
              rep.errors.push(`${r.file.url}: ${r.error}`);
              outcomes.push({ status: 'error', path: r.file.url, source: dataset!.id, error: `${r.file.url}: ${r.error}` });
              continue;
            }
            if (r.status === 'not-modified' || !r.sha256) {
              rep.not_modified++;
              continue;
            }
            rep.downloaded++;
            const outcome = await ingestFile(
              { path: r.file.fileName, bytes: await archive.read(r.sha256), origin: 'fetch', explicit: true, url: r.file.url, retrievedAt: r.retrievedAt, etag: r.etag, lastModified: r.lastModified },
              { db, archive, origin: 'fetch', now: fx.now },
            );
            outcomes.push(outcome);
            if (outcome.status === 'ingested') {
              rep.ingested++;
              rep.releases.push(outcome.release_id);
            } else if (outcome.status === 'duplicate') rep.duplicates++;
            else if (outcome.status === 'error') rep.errors.push(outcome.error);
            else rep.errors.push(`${outcome.path}: ${outcome.reason}`);
          }
        } catch (err) {
          const message = errorMessage(err);
          if (files === undefined && http.requests === before && !(err instanceof OfflineError)) {
            // discover refused without asking anything: a source ingested from files, by design
            rep.status = 'not-fetchable';
            rep.note = message;
            continue;
          }
          rep.status = err instanceof OfflineError ? 'unreachable' : 'error';
          rep.errors.push(`${dataset!.sourceUrl}: ${message}`);
          fx.logger.warn(`${dataset!.id}: ${message}`);
          outcomes.push({ status: 'error', path: dataset!.sourceUrl, source: dataset!.id, error: `${dataset!.sourceUrl}: ${message}` });
        }
      }
      const unreachable = sources.filter((s) => s.status === 'unreachable');
      const offline = http.answered === 0 && unreachable.length > 0 ? unreachable[0]!.errors[0] : undefined;
      const result: UpdateResult = {
        ...summarise(outcomes),
        run_id: run.id,
        started_at: run.startedAt.toISOString(),
        finished_at: '',
        sources,
        ...(offline ? { offline } : {}),
      };
      const webhookUrl = options.webhookUrl === undefined ? process.env.TRACKER_WEBHOOK_URL || undefined : (options.webhookUrl ?? undefined);
      const added = sources.flatMap((s) => s.releases);
      if (webhookUrl && added.length > 0) {
        result.webhook = await notify(db, webhookUrl, run.id, added, options.webhook, fx.now);
        if (!result.webhook.ok) fx.logger.warn(`webhook ${result.webhook.target}: not delivered after ${result.webhook.attempts.length} attempts`);
      }
      const finished = fx.now();
      result.finished_at = finished.toISOString();
      await run.finish(finished, {
        files_seen: sum(sources, 'listed'),
        ingested: result.ingested,
        duplicates: result.duplicates,
        // for an update, "skipped" counts the files the server said had not changed (304)
        skipped: sum(sources, 'not_modified'),
        errors: result.errors,
        report: { sources, offline: offline ?? null, webhook: result.webhook ?? null },
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

const sum = (rows: SourceReport[], key: 'listed' | 'not_modified') => rows.reduce((n, r) => n + r[key], 0);

/** Validators of every fetched URL, for conditional requests (shared with `tracker fetch`). */
async function knownValidators(db: Database): Promise<Map<string, { etag?: string; lastModified?: string }>> {
  const known = new Map<string, { etag?: string; lastModified?: string }>();
  for (const r of await db.all(`SELECT url, any_value(etag) AS etag, any_value(last_modified) AS lm FROM release_files WHERE origin = 'fetch' GROUP BY url`)) {
    known.set(r.url as string, { etag: (r.etag as string | null) ?? undefined, lastModified: (r.lm as string | null) ?? undefined });
  }
  return known;
}

/** The webhook's view of each release: what a reader needs to decide whether to look. */
export async function releaseSummaries(db: Database, releaseIds: string[]): Promise<Array<Record<string, unknown>>> {
  if (releaseIds.length === 0) return [];
  const rows = await db.all(
    `SELECT r.release_id, r.source_id AS source, strftime(r.snapshot_date, '%Y-%m-%d') AS snapshot_date,
            list(DISTINCT f.file_name ORDER BY f.file_name) AS file_names, r.summary::VARCHAR AS summary
       FROM releases r LEFT JOIN release_files f USING (release_id)
      WHERE r.release_id IN (${releaseIds.map((_, i) => `$${i + 1}`).join(', ')})
      GROUP BY ALL ORDER BY source, snapshot_date NULLS LAST, r.release_id`,
    releaseIds,
  );
  return rows.map((r) => ({ ...r, summary: r.summary === null ? null : (JSON.parse(r.summary as string) as unknown) }));
}

/** The webhook for the releases of one run; whatever goes wrong is in the outcome, never thrown. */
async function notify(db: Database, url: string, runId: string, releaseIds: string[], o: WebhookOptions | undefined, now: () => Date): Promise<WebhookOutcome> {
  let releases: Array<Record<string, unknown>>;
  try {
    releases = await releaseSummaries(db, releaseIds);
  } catch (err) {
    return { target: webhookTarget(url), ok: false, releases: releaseIds.length, attempts: [{ at: now().toISOString(), error: `could not build the summary: ${errorMessage(err)}` }] };
  }
  return postWebhook(url, { run_id: runId, releases }, o, now);
}

/**
 * POSTs `payload` as JSON. A network error, a timeout, a 5xx, 408 or 429 is retried with
 * exponential backoff; another 4xx is final. Never throws: the outcome is returned for the run's report.
 */
export async function postWebhook(url: string, payload: { run_id: string; releases: unknown[] }, o: WebhookOptions = {}, now = () => new Date()): Promise<WebhookOutcome> {
  const attempts = o.attempts ?? 3;
  const outcome: WebhookOutcome = { target: webhookTarget(url), ok: false, releases: payload.releases.length, attempts: [] };
  const body = JSON.stringify(payload);
  for (let n = 0; n < attempts; n++) {
    if (n > 0) await sleep((o.backoffMs ?? 2000) * 2 ** (n - 1));
    const attempt: WebhookAttempt = { at: now().toISOString() };
    outcome.attempts.push(attempt);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'enforcement-tracker/0.1 (release webhook)' },
        body,
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
        redirect: 'error',
      });
      attempt.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        outcome.ok = true;
        return outcome;
      }
      if (res.status < 500 && res.status !== 408 && res.status !== 429) return outcome;
    } catch (err) {
      attempt.error = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${o.timeoutMs ?? 10_000} ms` : describeFetchError(err);
    }
  }
  return outcome;
}

function webhookTarget(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a valid URL)';
  }
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return `network error: ${cause.code}`;
  return errorMessage(err);
}

/**
 * Requests one at a time with a pause between two requests to the same host, counting
 * requests and answers; a host that could not be reached once is not asked again in
 * the same run (each attempt to a dead host can take a minute).
 */
export class PoliteHttp implements HttpClient {
  requests = 0;
  answered = 0;
  private readonly last = new Map<string, number>();
  private readonly dead = new Map<string, OfflineError>();

  constructor(
    private readonly inner: HttpClient,
    private readonly pauseMs: number,
  ) {}

  async get(url: string, options?: HttpGetOptions): Promise<HttpResponse> {
    const host = hostOf(url);
    const dead = this.dead.get(host);
    if (dead) throw new OfflineError(url, dead.host, dead.code);
    const previous = this.last.get(host);
    if (previous !== undefined) {
      const wait = previous + this.pauseMs - Date.now();
      if (wait > 0) await sleep(wait);
    }
    this.requests++;
    try {
      const res = await this.inner.get(url, options);
      this.answered++;
      return res;
    } catch (err) {
      if (err instanceof OfflineError) this.dead.set(host, err);
      else if (err instanceof HttpError && err.status !== undefined) this.answered++; // an error status is still an answer
      throw err;
    } finally {
      this.last.set(host, Date.now());
    }
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** `<db>.update.lock`; none for an in-memory database. */
export function defaultLockPath(db: Database): string | null {
  return db.path === ':memory:' ? null : `${db.path}.update.lock`;
}

interface LockContent {
  pid: number;
  host: string;
  command: string;
  started_at: string;
  token: string;
}

/** A lock file older than this whose owner cannot be checked (another machine) is stale. */
const FOREIGN_LOCK_MAX_AGE_MS = 24 * 3600_000;

/**
 * A lock file beside the database, so that two updates (or an update and a backfill)
 * never overlap, whether started by cron, by hand or by the server's scheduler. A lock
 * whose process is gone (a killed run) is stale and taken over.
 */
export class RunLock {
  private constructor(
    readonly path: string,
    private readonly token: string,
  ) {}

  static acquire(path: string | null, command: string): RunLock | undefined {
    if (path === null) return undefined;
    const content: LockContent = { pid: process.pid, host: hostname(), command, started_at: new Date().toISOString(), token: randomBytes(8).toString('hex') };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        writeFileSync(path, JSON.stringify(content) + '\n', { flag: 'wx', mode: 0o644 });
        return new RunLock(path, content.token);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readLock(path);
      if (holder === 'gone') continue;
      if (holder !== 'stale') {
        throw new CliError(
          `another ${holder.command} is running (pid ${holder.pid} on ${holder.host}, since ${holder.started_at}); ` + `if it is not, remove ${path}`,
          7,
        );
      }
      try {
        unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    throw new CliError(`could not take the lock ${path}: it keeps reappearing`, 7);
  }

  /** Who holds the lock, when a live process does (a check for messages only: acquire() decides). */
  static holder(path: string): { pid: number; host: string; command: string; started_at: string } | undefined {
    const held = readLock(path);
    return held === 'gone' || held === 'stale' ? undefined : held;
  }

  /** Removes the lock file if it is still this run's. */
  release(): void {
    try {
      const held = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<LockContent>;
      if (held.token === this.token) unlinkSync(this.path);
    } catch {
      // already gone, or replaced by someone who judged it stale: not ours to remove
    }
  }
}

function readLock(path: string): LockContent | 'stale' | 'gone' {
  let text: string;
  let age: number;
  try {
    text = readFileSync(path, 'utf8');
    age = Date.now() - statSync(path).mtimeMs;
  } catch {
    return 'gone';
  }
  let held: Partial<LockContent>;
  try {
    held = JSON.parse(text) as Partial<LockContent>;
  } catch {
    // a lock cut short by a crash while being written; give a writer a moment first
    return age > 60_000 ? 'stale' : { pid: 0, host: '?', command: 'run', started_at: '?', token: '' };
  }
  const full: LockContent = { pid: Number(held.pid), host: String(held.host), command: String(held.command ?? 'update'), started_at: String(held.started_at), token: String(held.token) };
  if (full.host !== hostname()) return age > FOREIGN_LOCK_MAX_AGE_MS ? 'stale' : full;
  return processAlive(full.pid) ? full : 'stale';
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists and belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RunCounts {
  files_seen: number;
  ingested: number;
  duplicates: number;
  skipped: number;
  errors: number;
  report: unknown;
}

/**
 * One `ingest_runs` row per run: written when the run starts (so a run killed midway
 * shows as unfinished) and completed when it ends.
 */
export class RunLog {
  private constructor(
    private readonly db: Database,
    readonly id: string,
    readonly startedAt: Date,
  ) {}

  static async start(db: Database, command: string, startedAt: Date): Promise<RunLog> {
    const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const id = `${command}-${stamp}-${randomBytes(3).toString('hex')}`;
    await db.run(`INSERT INTO ingest_runs (run_id, command, started_at) VALUES ($1, $2, $3::TIMESTAMP)`, [id, command, startedAt.toISOString()]);
    return new RunLog(db, id, startedAt);
  }

  async finish(at: Date, c: RunCounts): Promise<void> {
    await this.db.run(
      `UPDATE ingest_runs SET finished_at = $2::TIMESTAMP, files_seen = $3, ingested = $4, duplicates = $5, skipped = $6, errors = $7, report = $8::JSON WHERE run_id = $1`,
      [this.id, at.toISOString(), c.files_seen, c.ingested, c.duplicates, c.skipped, c.errors, JSON.stringify(c.report)],
    );
  }

  /** Records a run that stopped on an unexpected failure; best effort, the failure itself is what matters. */
  async fail(at: Date, err: unknown): Promise<void> {
    await this.db
      .run(`UPDATE ingest_runs SET finished_at = $2::TIMESTAMP, errors = 1, report = $3::JSON WHERE run_id = $1`, [this.id, at.toISOString(), JSON.stringify({ failed: errorMessage(err) })])
      .catch(() => undefined);
  }
}
