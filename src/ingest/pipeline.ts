import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Database } from '../db/connection.js';
import { ident, literal } from '../db/sql.js';
import { CheckFailedError, errorMessage, SourceFormatError, TrackerError } from '../lib/errors.js';
import { readWhole } from '../lib/read-whole.js';
import { HEAD_BYTES, scanBytes, type TextScan } from '../lib/text-scan.js';
import { DATASETS } from '../sources/registry.js';
import type { Dataset, ParsedRelease, Row } from '../sources/types.js';
import { type Archive, type ArchiveIntake, ArchiveWrites, sha256Hex } from './archive.js';
import { refreshCrossReleaseAnomalies } from './cross-release.js';
import { ParsePool, parseThreadCount, type StagedParse, type Staging } from './parse-pool.js';
import { readHead, scanLocalFile } from './scan-local.js';
import { walk } from './walk.js';

export type Origin = 'fetch' | 'mirror' | 'file' | 'backfill';

export interface IncomingFile {
  path: string;
  /** The content when it is in memory (a download); otherwise it is read from `path`. */
  bytes?: Uint8Array;
  origin: Origin;
  explicit: boolean;
  /** Known when fetched: the official URL, time of download and validators. */
  url?: string;
  retrievedAt?: string;
  etag?: string;
  lastModified?: string;
}

export type Outcome =
  | { status: 'ingested'; path: string; source: string; release_id: string; snapshot_date: string | null; rows: number; anomalies: number }
  | { status: 'duplicate'; path: string; source: string; release_id: string; detail: string }
  | { status: 'skipped'; path: string; reason: string }
  | { status: 'error'; path: string; source?: string; error: string };

export interface IngestReport {
  outcomes: Outcome[];
  ingested: number;
  duplicates: number;
  skipped: number;
  errors: number;
  /** Where the time went: reading and parsing, then loading into the database, of which the cross-release checks. */
  timings?: { parse_ms: number; load_ms: number; detect_ms: number };
}

export interface IngestOptions {
  db: Database;
  archive: Archive;
  origin: Origin;
  now?: () => Date;
  onFile?: (done: number, total: number, outcome: Outcome) => void;
  /**
   * Parse threads besides the main thread (default: parseThreadCount); with `only`, the
   * main thread parses nothing a thread can (tests, to exercise the threads).
   */
  parseThreads?: { count: number; only?: boolean };
  /**
   * Local files of at least this many bytes that a source parses from a scan (Dataset.parseScanned)
   * are streamed through the hash, the checks and the archive copy, never held whole (default
   * STREAM_FROM_BYTES; tests set it low).
   */
  streamFromBytes?: number;
}

/** Below this size a file is read whole: one read, and small files gain nothing from streaming. */
export const STREAM_FROM_BYTES = 64 << 20;

/** The parse threads of one run, and the staging databases they leave (see parse-pool.ts). */
interface Threads {
  pool?: ParsePool;
  /** Settles once the parse is over and the threads have written their staging files. */
  staging?: Promise<Staging>;
  only: boolean;
}

function claimant(fileName: string, bytes: Uint8Array): Dataset | undefined {
  const head = bytes.subarray(0, 8);
  return DATASETS.find((d) => d.claims(fileName, head));
}

/**
 * Ingests files and folders. Files are parsed first (four in flight; on parse threads
 * when there are many, see parse-pool.ts), then every parsed release is loaded in one
 * transaction; if that transaction fails, each release is loaded in a transaction of its
 * own, so a release is always all or nothing and one bad file never costs the others. A
 * file no source claims is skipped (with the reason) in a folder walk, and is an error
 * when it was named on the command line.
 */
export async function ingestPaths(paths: string[], options: IngestOptions): Promise<IngestReport> {
  const files = walk(paths);
  const size = options.parseThreads?.count ?? parseThreadCount(files.length);
  const offThread = DATASETS.filter((d) => d.parseOffThread);
  // started first, so the threads warm up while the main thread reads and parses the first files
  const threads: Threads = {
    pool: size > 0 && offThread.length > 0 ? new ParsePool(size, offThread.map((d) => d.schemaSql)) : undefined,
    only: options.parseThreads?.only === true,
  };
  try {
    return await ingestFiles(files, options, threads);
  } finally {
    await threads.pool?.dispose();
  }
}

async function ingestFiles(files: ReturnType<typeof walk>, options: IngestOptions, threads: Threads): Promise<IngestReport> {
  const batch = await openBatch(options);
  // the appends' column types, read in DuckDB's thread while the files are parsed; awaited before returning, since
  // the caller may close the database next (a run with nothing to load never asks for them)
  const columnTypes = options.db.prefetchColumnTypes();
  try {
    return await parseAndLoad(files, options, threads, batch);
  } finally {
    await columnTypes;
  }
}

async function parseAndLoad(files: ReturnType<typeof walk>, options: IngestOptions, threads: Threads, batch: Batch): Promise<IngestReport> {
  const outcomes: Outcome[] = new Array(files.length);
  const pending: Array<{ index: number; prepared: Prepared }> = [];
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      const f = files[index]!;
      let result: Outcome | Prepared;
      try {
        result = await prepare({ path: f.path, origin: options.origin, explicit: f.explicit }, options, batch, threads);
      } catch (err) {
        result = { status: 'error', path: f.path, error: errorMessage(err) };
      }
      if ('status' in result) {
        outcomes[index] = result;
        options.onFile?.(++done, files.length, result);
      } else pending.push({ index, prepared: result });
    }
  };
  const t0 = performance.now();
  // four files in flight: while one waits on file I/O, the main thread parses another
  await Promise.all([worker(), worker(), worker(), worker()]);
  // synced on the thread pool while the rows load; each release's copy is awaited before the commit
  void batch.writes.settle();
  // the threads write their staging files while the main thread loads the rows it parsed itself
  threads.staging = threads.pool?.finish();
  const t1 = performance.now();
  const run: LoadRun = { staging: threads.staging, attached: new Map(), detectMs: 0 };
  let loaded: Outcome[];
  try {
    loaded = await loadAll(pending.map((p) => p.prepared), options, run);
  } finally {
    for (const alias of run.attached.values()) await options.db.exec(`DETACH DATABASE IF EXISTS ${alias}`).catch(() => undefined);
  }
  const t2 = performance.now();
  pending.forEach((p, i) => {
    outcomes[p.index] = loaded[i]!;
    options.onFile?.(++done, files.length, loaded[i]!);
  });
  return { ...summarise(outcomes), timings: { parse_ms: Math.round(t1 - t0), load_ms: Math.round(t2 - t1), detect_ms: Math.round(run.detectMs) } };
}

export function summarise(outcomes: Outcome[]): IngestReport {
  const count = (s: Outcome['status']) => outcomes.filter((o) => o.status === s).length;
  return { outcomes, ingested: count('ingested'), duplicates: count('duplicate'), skipped: count('skipped'), errors: count('error') };
}

/** Ingests one file in its own transaction (used by fetch and by single-file calls). */
export async function ingestFile(file: IncomingFile, options: IngestOptions): Promise<Outcome> {
  const batch = await openBatch(options);
  const prepared = await prepare(file, options, batch);
  void batch.writes.settle();
  if ('status' in prepared) return prepared;
  return (await loadAll([prepared], options))[0]!;
}

interface Prepared {
  /** The file without its bytes: they go to the parser and the archive only (a FOIA CSV can be 3 GB). */
  file: Omit<IncomingFile, 'bytes'>;
  dataset: Dataset;
  sha256: string;
  releaseId: string;
  fileRow: Record<string, string | number | null | Date>;
  /** Set for a new release; absent when the bytes are a known release under another name. */
  parsed?: ParsedRelease;
  /** The archive write, started at parse time and awaited before the load's commit (its path is known before: Archive.pathOf). */
  archived?: Promise<{ path: string }>;
  /** Parsed on a thread: its rows wait in that thread's staging database. */
  staged?: StagedParse;
  /** The file's size in bytes. */
  size: number;
}

/** What one run knows before it starts, read once rather than queried per file. */
interface Batch {
  /** sha256 of every release in the database. */
  known: Set<string>;
  /** The sizes in bytes of those releases' files. */
  sizes: Set<number>;
  /** release_id, file name, path and URL of every recorded file. */
  files: Set<string>;
  /** Releases being parsed in this run: sha256 → whether the parse succeeded. */
  inFlight: Map<string, Promise<boolean>>;
  /** The archive copies of the files read whole, synced together once the parse is over. */
  writes: ArchiveWrites;
}

const fileKey = (releaseId: string, name: string, path: string | null, url: string | null) =>
  JSON.stringify([releaseId, name, path ?? '', url ?? '']);

async function openBatch({ db, archive }: IngestOptions): Promise<Batch> {
  const stored = await db.all(`SELECT sha256, bytes FROM releases`);
  const known = new Set(stored.map((r) => r.sha256 as string));
  const sizes = new Set(stored.map((r) => Number(r.bytes)));
  const files = new Set(
    (await db.all(`SELECT release_id, file_name, local_path, url FROM release_files`)).map((r) =>
      fileKey(r.release_id as string, r.file_name as string, r.local_path as string | null, r.url as string | null),
    ),
  );
  return { known, sizes, files, inFlight: new Map(), writes: new ArchiveWrites(archive) };
}

/**
 * A file's content as its parse and its archive copy take it: its bytes, or, for a large text file
 * that its source parses from a scan, the scan and the archive copy it was read from.
 */
interface Content {
  sha256: string;
  size: number;
  bytes?: Uint8Array;
  scan?: TextScan;
  intake?: ArchiveIntake;
}

/** The file's first bytes, and its bytes when they were read whole to get them; else its size. */
type Start = { head: Uint8Array; bytes: Uint8Array } | { head: Uint8Array; bytes?: undefined; size: number };

function readStart(file: IncomingFile, options: IngestOptions): Start {
  if (file.bytes) return { head: file.bytes.subarray(0, HEAD_BYTES), bytes: file.bytes };
  const size = statSync(file.path).size;
  if (size >= (options.streamFromBytes ?? STREAM_FROM_BYTES)) return { head: readHead(file.path, HEAD_BYTES), size };
  const bytes = readWhole(file.path);
  return { head: bytes.subarray(0, HEAD_BYTES), bytes };
}

function readContent(file: IncomingFile, dataset: Dataset, start: Start, archive: Archive, batch: Batch): Content {
  const scanned = dataset.parseScanned?.accepts(basename(file.path), start.head) === true;
  if (start.bytes) {
    const { bytes } = start;
    if (!scanned) return { bytes, sha256: sha256Hex(bytes), size: bytes.length };
    const scan = scanBytes(bytes);
    return { bytes, scan, sha256: scan.sha256, size: scan.size };
  }
  if (!scanned) {
    const whole = readWhole(file.path);
    return { bytes: whole, sha256: sha256Hex(whole), size: whole.length };
  }
  // a file of the size of a release already stored is hashed where it is first, and is not copied when it is that
  // release: a daily run over a folder would otherwise copy every large file again only to find it known
  if (batch.sizes.has(start.size)) {
    const scan = scanLocalFile(file.path);
    if (batch.known.has(scan.sha256)) return { scan, sha256: scan.sha256, size: scan.size };
  }
  const intake = archive.intake(file.path);
  try {
    const scan = scanLocalFile(intake.tmpPath);
    return { scan, intake, sha256: scan.sha256, size: scan.size };
  } catch (err) {
    void intake.discard();
    throw err;
  }
}

async function prepare(file: IncomingFile, options: IngestOptions, batch: Batch, threads?: Threads): Promise<Outcome | Prepared> {
  const name = basename(file.path);
  const start = readStart(file, options);
  const dataset = claimant(name, start.head);
  if (!dataset) {
    const known = DATASETS.map((d) => d.id).join(', ');
    if (file.explicit) {
      return { status: 'error', path: file.path, error: `${file.path}: no source recognises this file (sources: ${known})` };
    }
    return { status: 'skipped', path: file.path, reason: `no source claims this file (sources so far: ${known})` };
  }
  const content = readContent(file, dataset, start, options.archive, batch);
  let result: Outcome | Prepared;
  try {
    result = await prepareContent(file, dataset, content, options, batch, threads);
  } catch (err) {
    await content.intake?.discard();
    throw err;
  }
  // the copy streamed into the archive is kept only for a new release, which publishes it
  if (content.intake && !('archived' in result && result.archived)) await content.intake.discard();
  return result;
}

async function prepareContent(file: IncomingFile, dataset: Dataset, content: Content, options: IngestOptions, batch: Batch, threads?: Threads): Promise<Outcome | Prepared> {
  const now = options.now ?? (() => new Date());
  const name = basename(file.path);
  const { sha256 } = content;
  const releaseId = sha256.slice(0, 12);
  const described = dataset.describeFile(name);
  const fileRow = {
    release_id: releaseId,
    file_name: described.fileName,
    url: file.url ?? described.url,
    origin: file.origin,
    local_path: file.path,
    retrieved_at: file.retrievedAt ?? described.retrievedAt,
    etag: file.etag ?? null,
    last_modified: file.lastModified ?? null,
    added_at: now(),
  };
  const { bytes: _bytes, ...withoutBytes } = file;
  const base = { file: withoutBytes, size: content.size, dataset, sha256, releaseId, fileRow };
  const existing = batch.known.has(sha256);
  const inBatch = batch.inFlight.get(sha256);
  if (!existing && inBatch && !(await inBatch)) {
    return { status: 'error', path: file.path, source: dataset.id, error: `${file.path}: same bytes as another file of this run that could not be parsed` };
  }
  if (existing || inBatch) {
    const key = fileKey(releaseId, fileRow.file_name, file.path, fileRow.url);
    if (batch.files.has(key)) return { status: 'duplicate', path: file.path, source: dataset.id, release_id: releaseId, detail: 'already ingested' };
    batch.files.add(key);
    return base;
  }
  let settle: (ok: boolean) => void = () => undefined;
  batch.inFlight.set(sha256, new Promise<boolean>((resolve) => (settle = resolve)));
  try {
    const { bytes, scan, intake } = content;
    let parsed: ParsedRelease;
    let staged: StagedParse | undefined;
    if (scan) parsed = await dataset.parseScanned!.parse({ path: file.path, fileName: described.fileName, scan, releaseId });
    else {
      const source = { path: file.path, fileName: described.fileName, bytes: bytes!, releaseId };
      const job = dataset.parseOffThread && { ...source, ...dataset.parseOffThread };
      const onThread = job && (threads?.only ? threads.pool?.parse(job) : threads?.pool?.tryParse(job));
      if (onThread) {
        staged = await onThread;
        parsed = { snapshotDate: staged.snapshotDate, fiscalYear: staged.fiscalYear, summary: staged.summary, anomalies: staged.anomalies, tables: {} };
      } else parsed = await dataset.parse(source);
    }
    settle(true);
    // archived before the database transaction (content-addressed, so a file whose load fails costs
    // nothing): written now, synced with the run's other copies once the parse is over (ArchiveWrites)
    const archived = intake ? intake.publish(sha256, described.fileName) : batch.writes.put(bytes!, described.fileName, sha256);
    archived.catch(() => undefined);
    return { ...base, parsed, archived, staged };
  } catch (err) {
    settle(false);
    if (err instanceof TrackerError) return { status: 'error', path: file.path, source: dataset.id, error: err.message };
    return { status: 'error', path: file.path, source: dataset.id, error: new SourceFormatError({ file: file.path }, `unexpected parser failure: ${errorMessage(err)}`).message };
  }
}

/** What the loads of one run share: the staging files of the parse threads (and their aliases once attached), and a clock for the checks. */
interface LoadRun {
  staging?: Promise<Staging>;
  attached: Map<string, string>;
  detectMs: number;
}

let runs = 0;

async function loadAll(items: Prepared[], options: IngestOptions, run: LoadRun = { attached: new Map(), detectMs: 0 }): Promise<Outcome[]> {
  if (items.length === 0) return [];
  const hasStage = (item: Prepared) => (item.parsed?.directLoads ?? []).some((l) => l.stage);
  if (items.length > 1 && items.some(hasStage)) {
    // a release read through a stage is loaded in a transaction of its own first, so that one stage (a GB or more
    // for millions of rows) is held at a time; the others are loaded together after it
    const out = new Map<Prepared, Outcome>();
    for (const item of items.filter(hasStage)) out.set(item, (await loadAll([item], options, run))[0]!);
    const rest = items.filter((item) => !hasStage(item));
    (await loadAll(rest, options, run)).forEach((o, k) => out.set(rest[k]!, o));
    return items.map((item) => out.get(item)!);
  }
  const staged = items.flatMap((item) => (item.parsed?.directLoads ?? []).filter((l) => l.stage).map((load) => ({ item, load })));
  try {
    for (const { item, load } of staged) await load.stage!(options.db, await loadPath(item));
    return await options.db.transaction(() => loadInto(items, options, run));
  } catch (err) {
    if (items.length === 1) {
      const item = items[0]!;
      // a format or check error already names the file, line and column; anything else is a storage failure
      const error = err instanceof SourceFormatError || err instanceof CheckFailedError ? err.message : `${item.file.path}: could not be stored: ${errorMessage(err)}`;
      return [{ status: 'error', path: item.file.path, source: item.dataset.id, error }];
    }
    const out: Outcome[] = [];
    for (const item of items) out.push(...(await loadAll([item], options, run)));
    return out;
  } finally {
    for (const { load } of staged) await load.unstage?.(options.db);
  }
}

/**
 * Where a direct load reads the file: a file read from disk is loaded from there while its
 * archive copy is still being written (a 665 MB CSV takes about a second to write and sync);
 * a download is loaded from the archive.
 */
async function loadPath(item: Prepared): Promise<string> {
  const { file } = item;
  if (file.origin !== 'fetch' && file.origin !== 'backfill') return file.path;
  if (!item.archived) throw new SourceFormatError({ file: file.path }, 'a direct load needs the archived copy of the file');
  return (await item.archived).path;
}

async function loadInto(items: Prepared[], options: IngestOptions, run: LoadRun): Promise<Outcome[]> {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const outcomes: Outcome[] = [];
  const byTable = new Map<string, Row[]>();
  const releases: Row[] = [];
  const anomalies: Row[] = [];
  const batchReleases = new Set(items.filter((i) => i.parsed).map((i) => i.releaseId));
  // parsed rows first, in one append per table; then the direct loads, which may read those rows
  for (const item of items) {
    for (const [table, tableRows] of Object.entries(item.parsed?.tables ?? {})) {
      let list = byTable.get(table);
      if (!list) byTable.set(table, (list = []));
      for (const r of tableRows) list.push(r);
    }
  }
  for (const [table, rows] of byTable) await db.append(table, rows);
  await copyStaged(db, items, run);
  for (const item of items) {
    const { parsed, file, dataset, releaseId } = item;
    if (!parsed && !batchReleases.has(releaseId) && !(await db.one(`SELECT 1 AS x FROM releases WHERE release_id = $1`, [releaseId]))) {
      // its twin in this run failed to load: a name for a release that does not exist would be an orphan row
      throw new SourceFormatError({ file: file.path }, `same bytes as another file of this run that could not be stored`);
    }
    if (!parsed) {
      outcomes.push({ status: 'duplicate', path: file.path, source: dataset.id, release_id: releaseId, detail: `same bytes as release ${releaseId}; recorded as another name of it` });
      continue;
    }
    let rows = Object.values(parsed.tables).reduce((n, t) => n + t.length, 0) + Object.values(item.staged?.rows ?? {}).reduce((n, c) => n + c, 0);
    let { snapshotDate, fiscalYear, summary } = parsed;
    const found = [...parsed.anomalies];
    for (const load of parsed.directLoads ?? []) {
      const r = await load.run(db, await loadPath(item));
      rows += r.rows;
      if (r.snapshotDate !== undefined) snapshotDate = r.snapshotDate;
      if (r.fiscalYear !== undefined) fiscalYear = r.fiscalYear;
      if (r.summary) summary = { ...summary, ...r.summary };
      found.push(...(r.anomalies ?? []));
    }
    const archivePath = item.archived ? options.archive.pathOf(item.sha256, item.fileRow.file_name as string) : null;
    releases.push({
      release_id: releaseId,
      source_id: dataset.id,
      sha256: item.sha256,
      bytes: item.size,
      snapshot_date: snapshotDate,
      fiscal_year: fiscalYear,
      summary: JSON.stringify(summary),
      ingested_at: now(),
      archive_path: archivePath,
    });
    for (const a of found) anomalies.push({ release_id: releaseId, ...a, cross_release: false });
    outcomes.push({ status: 'ingested', path: file.path, source: dataset.id, release_id: releaseId, snapshot_date: snapshotDate, rows, anomalies: found.length });
  }
  await db.append('releases', releases);
  await db.append('release_files', items.map((i) => i.fileRow));
  await db.append('release_anomalies', anomalies);
  const t0 = performance.now();
  // the releases whose rows this thread parsed, for the checks to read from memory (not those parsed on a thread)
  const fiscalYears = new Map(releases.map((r) => [r.release_id as string, r.fiscal_year as number | null]));
  const loading = new Map(items.filter((i) => i.parsed && !i.staged).map((i) => [i.releaseId, { tables: i.parsed!.tables, fiscalYear: fiscalYears.get(i.releaseId) ?? null }]));
  for (const source of new Set(items.map((i) => i.dataset.id))) await refreshCrossReleaseAnomalies(db, source, loading);
  run.detectMs += performance.now() - t0;
  // the archive copies, written and synced meanwhile, before the commit that records them (a failed write fails
  // the load); awaited here rather than release by release, they took 50-100 ms of waiting out of the load
  for (const item of items) if (item.parsed && item.archived) await item.archived;
  return outcomes;
}

/** Copies the staged rows of these releases, one statement per table and staging database. */
async function copyStaged(db: Database, items: Prepared[], run: LoadRun): Promise<void> {
  const stagedItems = items.filter((i) => i.staged);
  if (stagedItems.length === 0) return;
  const { paths, failed } = await run.staging!;
  const byPath = new Map<string, { ids: string[]; tables: Set<string> }>();
  for (const item of stagedItems) {
    const { stagingPath, rows } = item.staged!;
    const refused = failed.get(item.releaseId);
    if (refused !== undefined) throw new Error(refused);
    if (!paths.includes(stagingPath)) throw new Error('its parse thread stopped before its rows could be read; run the ingest again');
    const s = byPath.get(stagingPath) ?? { ids: [], tables: new Set<string>() };
    s.ids.push(item.releaseId);
    for (const [table, n] of Object.entries(rows)) if (n > 0) s.tables.add(table);
    byPath.set(stagingPath, s);
  }
  for (const [path, { ids, tables }] of byPath) {
    let alias = run.attached.get(path);
    // unique in the instance, which concurrent runs (the server's sessions) share
    if (!alias) run.attached.set(path, (alias = `staging_${process.pid}_${++runs}`));
    // attaching is part of the transaction: a rollback undoes it, so it is asked for each time
    await db.exec(`ATTACH IF NOT EXISTS ${literal(path)} AS ${alias} (READ_ONLY)`);
    const list = ids.map(literal).join(', ');
    for (const table of tables) {
      await db.exec(`INSERT INTO ${ident(table)} BY NAME SELECT * FROM ${alias}.${ident(table)} WHERE release_id IN (${list})`);
    }
  }
}
