import { SourceFormatError } from '../../../lib/errors.js';
import type { DiscoveredFile, Effects } from '../../types.js';

/** UWCHR's repository, and the folder that holds its frozen headcount files. */
export const UWCHR_REPO_URL = 'https://github.com/UWCHR/ice-detain';
export const UWCHR_HEADCOUNT_LISTING = 'https://api.github.com/repos/UWCHR/ice-detain/contents/headcount/frozen';
const RAW_BASE = 'https://raw.githubusercontent.com/UWCHR/ice-detain/main/headcount/frozen/';

/** `inc_headcount_fy12-24ytd.csv.gz`: the fiscal years covered, `ytd` when the last is partial. */
const FILE_NAME = /^inc_headcount_fy\d{2}-\d{2}(?:ytd)?\.csv\.gz$/i;

export function isUwchrHeadcountFileName(name: string): boolean {
  return FILE_NAME.test(name);
}

/** The raw download URL of a file of the folder, by name (the repository's default branch). */
export function uwchrRawUrl(fileName: string): string {
  return RAW_BASE + encodeURIComponent(fileName);
}

interface GithubEntry {
  name?: unknown;
  type?: unknown;
  download_url?: unknown;
}

/**
 * Lists the folder through GitHub's contents API (a JSON array of entries with `name` and
 * `download_url`), which unlike the HTML page does not depend on GitHub's page layout.
 * No headcount file in the listing means the folder was moved or renamed.
 */
export async function discoverUwchrHeadcount(fx: Effects, listing = UWCHR_HEADCOUNT_LISTING): Promise<DiscoveredFile[]> {
  const res = await fx.http.get(listing);
  let entries: unknown;
  try {
    entries = JSON.parse(new TextDecoder('utf-8').decode(res.body));
  } catch {
    throw new SourceFormatError({ file: listing }, 'the folder listing is not JSON; GitHub may have changed its contents API');
  }
  if (!Array.isArray(entries)) throw new SourceFormatError({ file: listing }, 'the folder listing is not a JSON array of files');
  const files: DiscoveredFile[] = [];
  for (const e of entries as GithubEntry[]) {
    if (typeof e.name !== 'string' || e.type !== 'file' || !isUwchrHeadcountFileName(e.name)) continue;
    const url = typeof e.download_url === 'string' && /^https:\/\//.test(e.download_url) ? e.download_url : uwchrRawUrl(e.name);
    files.push({ url, fileName: e.name });
  }
  if (files.length === 0) {
    throw new SourceFormatError({ file: listing }, 'no inc_headcount_fy…csv.gz file is listed in headcount/frozen; the folder may have been moved or renamed');
  }
  fx.logger.info(`${listing}: ${files.length} headcount file(s)`);
  return files;
}
