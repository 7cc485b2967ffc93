import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { sha256Hex } from '../../src/ingest/archive.js';
import { count, incompleteReleases, openDb, snapshotReleases, tempStore, type TempStore } from '../helpers/ingest-fixtures.js';
import { repoRoot, requireSharedData } from '../helpers/shared-data.js';

const CHILD = join(repoRoot, 'test', 'helpers', 'ingest-child.ts');
const WAIT_MS = 60_000;

/** A running `ingest-child.ts`, with its stdout lines as they arrive. */
class Child {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: Array<() => void> = [];

  constructor(store: TempStore, paths: string[]) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', CHILD, store.dbPath, store.archiveDir, ...paths], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    this.proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      const parts = buf.split('\n');
      buf = parts.pop()!;
      this.lines.push(...parts);
      for (const w of this.waiters.splice(0)) w();
    });
    this.proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => {
      // 'close' comes after stdout is drained, so every line the child wrote is in `lines`
      this.proc.on('close', (code, signal) => {
        for (const w of this.waiters.splice(0)) w();
        resolve({ code, signal });
      });
    });
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Resolves with the first line matching `re`, or undefined if the child exits first; rejects on timeout. */
  async line(re: RegExp, ms = WAIT_MS): Promise<string | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.lines.find((l) => re.test(l));
      if (found !== undefined) return found;
      if (!this.running) return undefined;
      if (Date.now() > deadline) {
        this.proc.kill('SIGKILL');
        throw new Error(`no line matching ${re} within ${ms} ms; stdout ${JSON.stringify(this.lines)}; stderr ${this.stderr}`);
      }
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(200, undefined, { ref: false })]);
    }
  }

  async exit(ms = WAIT_MS): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const cancel = new AbortController();
    const timer = sleep(ms, 'timeout' as const, { signal: cancel.signal }).catch(() => 'cancelled' as const);
    const res = await Promise.race([this.exited, timer]);
    cancel.abort();
    if (res === 'timeout' || res === 'cancelled') {
      this.proc.kill('SIGKILL');
      throw new Error(`child did not exit within ${ms} ms; stdout ${JSON.stringify(this.lines)}; stderr ${this.stderr}`);
    }
    return res;
  }
}

interface Done {
  ingested: number;
  duplicates: number;
  skipped: number;
  errors: number;
  failures: string[];
}

/** Runs the child to completion and returns its report. */
async function ingestToEnd(store: TempStore, paths: string[]): Promise<Done> {
  const child = new Child(store, paths);
  const { code, signal } = await child.exit();
  assert.equal(code, 0, `child exited with ${code ?? signal}: ${child.stderr}`);
  const line = child.lines.find((l) => l.startsWith('done '));
  assert.ok(line, `no done line: ${JSON.stringify(child.lines)}`);
  return JSON.parse(line.slice(5)) as Done;
}

const rand = (lo: number, hi: number) => Math.round(lo + Math.random() * (hi - lo));

/** Where each of the three kills lands: in the parse phase, inside the load transaction, as it commits. */
const KILLS = [
  { trigger: /^started$/, delay: () => rand(50, 300), where: 'parsing (50–300 ms after the database opened)' },
  { trigger: /^begin$/, delay: () => rand(0, 150), where: 'inside the load transaction (0–150 ms after BEGIN)' },
  { trigger: /^commit$/, delay: () => rand(0, 60), where: 'around the commit (0–60 ms after COMMIT was sent)' },
];

test('SIGKILL in the middle of an ingest leaves only complete releases', { timeout: 300_000 }, async (t) => {
  const data = requireSharedData(t);
  if (!data) return;
  const ice = join(data, 'ice-detention-stats');
  const first = [join(ice, 'raw/FY2019/2019-10-06_FY19-detentionstats.xlsx'), join(ice, 'raw/FY2020/2020-09-01_FY20-detentionstats.xlsx')];
  const firstIds = ['35b0eaf280d5', '344994aa5584'];
  // 20 FY2022 releases (two of them byte-identical: 2021-12-30 = 2022-01-05), given by path
  const fy22 = join(ice, 'raw/FY2022');
  const batch = readdirSync(fy22)
    .filter((f) => f.endsWith('.xlsx'))
    .sort()
    .slice(0, 20)
    .map((f) => join(fy22, f));
  assert.equal(batch.length, 20);
  const allShas = new Set([...first, ...batch].map((p) => sha256Hex(readFileSync(p)).slice(0, 12)));

  for (const [i, kill] of KILLS.entries()) {
    await t.test(`kill ${i + 1}: ${kill.where}`, async (st) => {
      const store = tempStore();
      try {
        // 1. two releases, ingested to the end
        const done = await ingestToEnd(store, first);
        assert.deepEqual([done.ingested, done.errors], [2, 0], JSON.stringify(done));
        let { db } = await openDb(store);
        const before = await snapshotReleases(db, firstIds);
        db.close();

        // 2. a batch of 20, killed
        const child = new Child(store, batch);
        const seen = await child.line(kill.trigger);
        const delay = kill.delay();
        if (seen !== undefined) await sleep(delay);
        const wasRunning = child.running;
        child.proc.kill('SIGKILL');
        const { signal, code } = await child.exit();
        const committed = child.lines.includes('committed');
        const commitSent = child.lines.includes('commit');
        st.diagnostic(
          wasRunning
            ? `killed ${delay} ms after '${seen}' (stdout: ${child.lines.join(', ')}; signal ${signal})`
            : `the child had already finished (code ${code}; stdout: ${child.lines.join(', ')})`,
        );

        // 3. the database opens, the first releases are as they were, and nothing is half there
        ({ db } = await openDb(store));
        try {
          assert.deepEqual(await snapshotReleases(db, firstIds), before, 'the first two releases are intact');
          assert.deepEqual(await incompleteReleases(db), []);
          const present = await count(db, 'SELECT count(*) FROM releases');
          if (committed) assert.equal(present, allShas.size, 'a transaction whose COMMIT returned survives the kill');
          else if (!commitSent) assert.equal(present, 2, 'nothing of an uncommitted batch is kept');
          else assert.ok(present === 2 || present === allShas.size, `all or nothing of the batch: ${present} releases`);
          st.diagnostic(`${present - 2} of ${allShas.size - 2} batch releases were committed before the kill`);
        } finally {
          db.close();
        }

        // 4. the same batch again, to the end: every file is there
        const rerun = await ingestToEnd(store, batch);
        assert.equal(rerun.errors, 0, rerun.failures.join('\n'));
        assert.equal(rerun.ingested + rerun.duplicates, batch.length, JSON.stringify(rerun));
        ({ db } = await openDb(store));
        try {
          const ids = (await db.all('SELECT release_id FROM releases ORDER BY release_id')).map((r) => r.release_id as string);
          assert.deepEqual(ids, [...allShas].sort());
          const paths = new Set((await db.all('SELECT local_path FROM release_files')).map((r) => r.local_path as string));
          for (const p of [...first, ...batch]) assert.ok(paths.has(p), `release_files lists ${p}`);
          assert.deepEqual(await incompleteReleases(db), []);
          assert.deepEqual(await snapshotReleases(db, firstIds), before);
        } finally {
          db.close();
        }
      } finally {
        store.remove();
      }
    });
  }
});
