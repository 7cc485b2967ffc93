import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../lib/errors.js';
import type { DiscoveredFile, Effects } from '../sources/types.js';
import type { Archive } from './archive.js';
import { OfflineError } from './http.js';

export interface DownloadResult {
  file: DiscoveredFile;
  status: 'downloaded' | 'not-modified' | 'failed';
  sha256?: string;
  archivePath?: string;
  bytes?: number;
  etag?: string;
  lastModified?: string;
  /** ISO time the answer (or the failure) came back. */
  retrievedAt: string;
  error?: string;
}

export interface DownloadOptions {
  /** Pause between two requests to the same site (default 1000 ms). */
  pauseMs?: number;
}

/** Validators from an earlier download of a URL, for a conditional request. */
export type KnownValidators = (url: string) => { etag?: string; lastModified?: string } | undefined;

/**
 * Download `files` one after another into `archive`, asking the server only for
 * what changed since the validators `known` returns. One failed file is recorded
 * and the rest still run; an OfflineError on the very first request is re-thrown,
 * because then every other request would fail the same way.
 */
export async function downloadNew(
  fx: Effects,
  files: DiscoveredFile[],
  archive: Archive,
  known: KnownValidators,
  onProgress?: (done: number, total: number, file: DiscoveredFile) => void,
  options: DownloadOptions = {},
): Promise<DownloadResult[]> {
  const pauseMs = options.pauseMs ?? 1000;
  const results: DownloadResult[] = [];
  for (const [i, file] of files.entries()) {
    if (i > 0 && pauseMs > 0) await sleep(pauseMs);
    try {
      results.push(await downloadOne(fx, file, archive, known(file.url)));
    } catch (err) {
      if (i === 0 && err instanceof OfflineError) throw err;
      fx.logger.warn(`${file.fileName}: download failed: ${errorMessage(err)}`);
      results.push({ file, status: 'failed', retrievedAt: fx.now().toISOString(), error: errorMessage(err) });
    }
    onProgress?.(i + 1, files.length, file);
  }
  return results;
}

async function downloadOne(
  fx: Effects,
  file: DiscoveredFile,
  archive: Archive,
  prior: { etag?: string; lastModified?: string } | undefined,
): Promise<DownloadResult> {
  const res = await fx.http.get(file.url, { etag: prior?.etag, lastModified: prior?.lastModified });
  const retrievedAt = fx.now().toISOString();
  const etag = res.headers['etag'] ?? (res.notModified ? prior?.etag : undefined);
  const lastModified = res.headers['last-modified'] ?? (res.notModified ? prior?.lastModified : undefined);
  if (res.notModified) return { file, status: 'not-modified', etag, lastModified, retrievedAt };
  const put = await archive.put(res.body, file.fileName);
  fx.logger.info(`${file.fileName}: ${put.bytes} bytes${put.existed ? ' (content already archived)' : ''}`);
  return { file, status: 'downloaded', sha256: put.sha256, archivePath: put.path, bytes: put.bytes, etag, lastModified, retrievedAt };
}
