import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Database } from '../db/connection.js';
import { errorMessage, SourceFormatError, TrackerError } from '../lib/errors.js';
import { DATASETS } from '../sources/registry.js';
import type { Dataset, ParsedRelease, Row } from '../sources/types.js';
import { type Archive, sha256Hex } from './archive.js';
import { refreshCrossReleaseAnomalies } from './cross-release.js';
import { walk } from './walk.js';

export type Origin = 'fetch' | 'mirror' | 'file';

export interface IncomingFile {
  path: string;
  bytes: Uint8Array;
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
}

export interface IngestOptions {
  db: Database;
  archive: Archive;
  origin: Origin;
  now?: () => Date;
  onFile?: (done: number, total: number, outcome: Outcome) => void;
}

function claimant(fileName: string, bytes: Uint8Array): Dataset | undefined {
  const head = bytes.subarray(0, 8);
  return DATASETS.find((d) => d.claims(fileName, head));
}

/**
 * Ingests files and folders. Files are parsed first (two at a time), then every
 * parsed release is loaded in one transaction; if that transaction fails, each
 * release is loaded in a transaction of its own, so a release is always all or
 * nothing and one bad file never costs the others. A file no source claims is
 * skipped (with the reason) in a folder walk, and is an error when it was named on
 * the command line.
 */
export async function ingestPaths(paths: string[], options: IngestOptions): Promise<IngestReport> {
  const files = walk(paths);
  const outcomes: Outcome[] = new Array(files.length);
  const pending: Array<{ index: number; prepared: Prepared }> = [];
  const batchShas: BatchShas = new Map();
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      const f = files[index]!;
      let result: Outcome | Prepared;
      try {
        const bytes = readFileSync(f.path);
        result = await prepare({ path: f.path, bytes, origin: options.origin, explicit: f.explicit }, options, batchShas);
      } catch (err) {
        result = { status: 'error', path: f.path, error: errorMessage(err) };
      }
      if ('status' in result) {
        outcomes[index] = result;
        options.onFile?.(++done, files.length, result);
      } else pending.push({ index, prepared: result });
    }
  };
  await Promise.all([worker(), worker()]);
  const loaded = await loadAll(pending.map((p) => p.prepared), options);
  pending.forEach((p, i) => {
    outcomes[p.index] = loaded[i]!;
    options.onFile?.(++done, files.length, loaded[i]!);
  });
  return summarise(outcomes);
}

export function summarise(outcomes: Outcome[]): IngestReport {
  const count = (s: Outcome['status']) => outcomes.filter((o) => o.status === s).length;
  return { outcomes, ingested: count('ingested'), duplicates: count('duplicate'), skipped: count('skipped'), errors: count('error') };
}

/** Ingests one file in its own transaction (used by fetch and by single-file calls). */
export async function ingestFile(file: IncomingFile, options: IngestOptions): Promise<Outcome> {
  const prepared = await prepare(file, options, new Map());
  if ('status' in prepared) return prepared;
  return (await loadAll([prepared], options))[0]!;
}

interface Prepared {
  file: IncomingFile;
  dataset: Dataset;
  sha256: string;
  releaseId: string;
  fileRow: Record<string, string | number | null | Date>;
  /** Set for a new release; absent when the bytes are a known release under another name. */
  parsed?: ParsedRelease;
}

/** Releases being parsed in this batch: sha256 → whether the parse succeeded. */
type BatchShas = Map<string, Promise<boolean>>;

async function prepare(file: IncomingFile, options: IngestOptions, batchShas: BatchShas): Promise<Outcome | Prepared> {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const name = basename(file.path);
  const dataset = claimant(name, file.bytes);
  if (!dataset) {
    const known = DATASETS.map((d) => d.id).join(', ');
    if (file.explicit) {
      return { status: 'error', path: file.path, error: `${file.path}: no source recognises this file (sources: ${known})` };
    }
    return { status: 'skipped', path: file.path, reason: `no source claims this file (sources so far: ${known})` };
  }
  const sha256 = sha256Hex(file.bytes);
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
  const base = { file, dataset, sha256, releaseId, fileRow };
  const existing = await db.one(`SELECT release_id FROM releases WHERE sha256 = $1`, [sha256]);
  const inBatch = batchShas.get(sha256);
  if (!existing && inBatch && !(await inBatch)) {
    return { status: 'error', path: file.path, source: dataset.id, error: `${file.path}: same bytes as another file of this run that could not be parsed` };
  }
  if (existing || inBatch) {
    const seen = await db.one(
      `SELECT 1 AS x FROM release_files WHERE release_id = $1 AND file_name = $2 AND coalesce(local_path, '') = $3 AND coalesce(url, '') = $4`,
      [releaseId, fileRow.file_name, file.path, fileRow.url ?? ''],
    );
    if (seen) return { status: 'duplicate', path: file.path, source: dataset.id, release_id: releaseId, detail: 'already ingested' };
    return base;
  }
  let settle: (ok: boolean) => void = () => undefined;
  batchShas.set(sha256, new Promise<boolean>((resolve) => (settle = resolve)));
  try {
    const parsed = await dataset.parse({ path: file.path, fileName: described.fileName, bytes: file.bytes, releaseId });
    settle(true);
    return { ...base, parsed };
  } catch (err) {
    settle(false);
    if (err instanceof TrackerError) return { status: 'error', path: file.path, source: dataset.id, error: err.message };
    return { status: 'error', path: file.path, source: dataset.id, error: new SourceFormatError({ file: file.path }, `unexpected parser failure: ${errorMessage(err)}`).message };
  }
}

async function loadAll(items: Prepared[], options: IngestOptions): Promise<Outcome[]> {
  if (items.length === 0) return [];
  try {
    return await options.db.transaction(() => loadInto(items, options));
  } catch (err) {
    if (items.length === 1) {
      const item = items[0]!;
      return [{ status: 'error', path: item.file.path, source: item.dataset.id, error: `${item.file.path}: could not be stored: ${errorMessage(err)}` }];
    }
    const out: Outcome[] = [];
    for (const item of items) out.push(...(await loadAll([item], options)));
    return out;
  }
}

async function loadInto(items: Prepared[], options: IngestOptions): Promise<Outcome[]> {
  const { db, archive } = options;
  const now = options.now ?? (() => new Date());
  const outcomes: Outcome[] = [];
  const byTable = new Map<string, Row[]>();
  const releases: Row[] = [];
  const anomalies: Row[] = [];
  const batchReleases = new Set(items.filter((i) => i.parsed).map((i) => i.releaseId));
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
    const stored = await archive.put(file.bytes, item.fileRow.file_name as string);
    releases.push({
      release_id: releaseId,
      source_id: dataset.id,
      sha256: item.sha256,
      bytes: file.bytes.length,
      snapshot_date: parsed.snapshotDate,
      fiscal_year: parsed.fiscalYear,
      summary: JSON.stringify(parsed.summary),
      ingested_at: now(),
      archive_path: stored.path,
    });
    for (const a of parsed.anomalies) anomalies.push({ release_id: releaseId, ...a, cross_release: false });
    let rows = 0;
    for (const [table, tableRows] of Object.entries(parsed.tables)) {
      let list = byTable.get(table);
      if (!list) byTable.set(table, (list = []));
      for (const r of tableRows) list.push(r);
      rows += tableRows.length;
    }
    outcomes.push({ status: 'ingested', path: file.path, source: dataset.id, release_id: releaseId, snapshot_date: parsed.snapshotDate, rows, anomalies: parsed.anomalies.length });
  }
  await db.append('releases', releases);
  await db.append('release_files', items.map((i) => i.fileRow));
  await db.append('release_anomalies', anomalies);
  for (const [table, rows] of byTable) await db.append(table, rows);
  for (const source of new Set(items.map((i) => i.dataset.id))) await refreshCrossReleaseAnomalies(db, source);
  return outcomes;
}
