import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The real official files: $TRACKER_SHARED_DATA, or ../shared/data beside the checkout. */
export function sharedDataDir(): string | undefined {
  const candidates = [process.env.TRACKER_SHARED_DATA, join(repoRoot, '..', 'shared', 'data')];
  return candidates.find((p): p is string => p !== undefined && p !== '' && existsSync(join(p, 'MANIFEST.md')));
}

/**
 * Returns the shared-data folder, or marks the test skipped when it is absent.
 * Under CI=true a missing folder is a failure: CI must run against the real files.
 */
export function requireSharedData(t: TestContext): string | undefined {
  const dir = sharedDataDir();
  if (dir) return dir;
  if (process.env.CI === 'true') {
    throw new Error('shared data not found: set TRACKER_SHARED_DATA or place shared/data beside the checkout');
  }
  t.skip('shared data not found (../shared/data or $TRACKER_SHARED_DATA)');
  return undefined;
}

export { repoRoot };
