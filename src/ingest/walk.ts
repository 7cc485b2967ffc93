import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface FoundFile {
  path: string;
  /** Named on the command line (must ingest or fail) rather than found in a folder walk. */
  explicit: boolean;
}

/** Expands files and folders (recursively, in name order) into the files to consider. */
export function walk(paths: string[]): FoundFile[] {
  const out: FoundFile[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const p = join(dir, entry.name);
      if (entry.isDirectory()) visit(p);
      else if (entry.isFile()) out.push({ path: p, explicit: false });
    }
  };
  for (const p of paths) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) out.push({ path: p, explicit: true });
    else if (st.isDirectory()) visit(p);
    else out.push({ path: p, explicit: true });
  }
  return out;
}
