import { createHash, randomBytes } from 'node:crypto';
import { constants, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { TrackerError } from '../lib/errors.js';

/** Lower-case hex SHA-256 of `bytes` (fed a GiB at a time: the hash refuses more than 2 GiB in one update). */
export function sha256Hex(bytes: Uint8Array, piece = 1 << 30): string {
  const hash = createHash('sha256');
  for (let at = 0; at < bytes.length || at === 0; at += piece) hash.update(bytes.subarray(at, Math.min(bytes.length, at + piece)));
  return hash.digest('hex');
}

export interface PutResult {
  sha256: string;
  path: string;
  bytes: number;
  /** The same content was already archived; nothing was written. */
  existed: boolean;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Content-addressed store of downloaded files: `ROOT/ab/<sha256><.ext>`. Files
 * appear under their final name only once fully written and synced, so a killed
 * process leaves at most a temp file (dot-named, or under ROOT/.intake), which lookups ignore.
 */
export class Archive {
  /** Whether this Archive has looked for the intake copies of processes that are gone. */
  private intakeReady = false;

  constructor(readonly root: string) {}

  /** Where content with this hash and name is already stored, with that size; undefined when it is not. */
  stored(sha256: string, originalName: string, size: number): PutResult | undefined {
    const path = this.pathOf(sha256, originalName);
    const existing = statSync(path, { throwIfNoEntry: false });
    return existing?.isFile() && existing.size === size ? { sha256, path, bytes: size, existed: true } : undefined;
  }

  /** Store `bytes` (unless already present) and return where they are; pass the sha256 when it is already known. */
  async put(bytes: Uint8Array, originalName: string, knownSha256?: string): Promise<PutResult> {
    const sha256 = knownSha256 ?? sha256Hex(bytes);
    const known = this.stored(sha256, originalName, bytes.byteLength);
    if (known) return known;
    const path = this.pathOf(sha256, originalName);
    await mkdir(this.shardDir(sha256), { recursive: true });
    const tmp = this.tempPath(sha256);
    try {
      const handle = await open(tmp, 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await this.moveInto(tmp, sha256, path);
    return { sha256, path, bytes: bytes.byteLength, existed: false };
  }

  /**
   * Copies a local file whose hash is not known yet into a temp file under ROOT/.intake, which
   * lookups never see; the caller hashes the copy (so the bytes hashed are the bytes archived),
   * then publishes it under its hash or discards it. The kernel copies (copy_file_range): 0.18 s
   * for 409 MB here, against 0.45 to 1.5 s to write the same bytes from a read buffer.
   */
  intake(source: string): ArchiveIntake {
    const tmp = this.intakePath();
    try {
      copyFileSync(source, tmp, constants.COPYFILE_EXCL);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    return new ArchiveIntake(this, tmp);
  }

  /** Moves a written and synced temp file to where content with this hash and name belongs (kept when already there). */
  async publishTemp(tmp: string, size: number, sha256: string, originalName: string): Promise<PutResult> {
    const known = this.stored(sha256, originalName, size);
    if (known) {
      await unlink(tmp).catch(() => undefined);
      return known;
    }
    const path = this.pathOf(sha256, originalName);
    await mkdir(this.shardDir(sha256), { recursive: true });
    await this.moveInto(tmp, sha256, path);
    return { sha256, path, bytes: size, existed: false };
  }

  /** Syncs a temp file written without syncing and gives it its final name (the caller syncs the folder). */
  async settleTemp(tmp: string, path: string): Promise<void> {
    await syncFile(tmp);
    await mkdir(dirname(path), { recursive: true });
    await rename(tmp, path);
  }

  /** Renames a synced temp file to its final path and syncs the folder, so that the name is durable too. */
  private async moveInto(tmp: string, sha256: string, path: string): Promise<void> {
    try {
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await syncDir(this.shardDir(sha256));
  }

  /** Is content with this hash archived (under any extension)? */
  has(sha256: string): boolean {
    return this.find(sha256) !== undefined;
  }

  /** Where `put` stores content with this hash published under this name. */
  pathOf(sha256: string, originalName: string): string {
    return this.pathFor(sha256, extensionOf(originalName));
  }

  /** Where content with this hash and extension (e.g. `.xlsx`) is or would be stored. */
  pathFor(sha256: string, ext: string): string {
    if (!SHA256.test(sha256)) throw new TrackerError(`not a sha256 hex digest: '${sha256}'`);
    return join(this.shardDir(sha256), sha256 + ext.toLowerCase());
  }

  /** The archived bytes for this hash; throws if absent. */
  async read(sha256: string): Promise<Uint8Array> {
    const path = this.find(sha256);
    if (path === undefined) throw new TrackerError(`archive ${this.root} has no file with sha256 ${sha256}`);
    return new Uint8Array(await readFile(path));
  }

  private shardDir(sha256: string): string {
    return join(this.root, sha256.slice(0, 2));
  }

  /** A temp name beside where this hash's content goes: dot-named, so lookups never see it. */
  private tempPath(sha256: string): string {
    return join(this.shardDir(sha256), `.${sha256}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  }

  /** A fresh temp name under ROOT/.intake, named by this process's pid (the copies of processes that are gone are removed once per Archive). */
  intakePath(): string {
    const dir = join(this.root, '.intake');
    mkdirSync(dir, { recursive: true });
    if (!this.intakeReady) {
      removeOrphans(dir);
      this.intakeReady = true;
    }
    return join(dir, `${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  }

  private find(sha256: string): string | undefined {
    if (!SHA256.test(sha256)) return undefined;
    const dir = this.shardDir(sha256);
    if (!existsSync(dir)) return undefined;
    const name = readdirSync(dir).find((n) => n === sha256 || n.startsWith(sha256 + '.'));
    return name === undefined ? undefined : join(dir, name);
  }
}

/** A local file copied into the archive before its hash is known (Archive.intake). */
export class ArchiveIntake {
  readonly size: number;

  constructor(private readonly archive: Archive, readonly tmpPath: string) {
    this.size = statSync(tmpPath).size;
  }

  /** Syncs the copy and publishes it under its hash: it appears under its final name only once synced. */
  async publish(sha256: string, originalName: string): Promise<PutResult> {
    try {
      await syncFile(this.tmpPath);
    } catch (err) {
      await this.discard();
      throw err;
    }
    return this.archive.publishTemp(this.tmpPath, this.size, sha256, originalName);
  }

  /** Removes the copy (the file was a duplicate, or could not be parsed). */
  async discard(): Promise<void> {
    await unlink(this.tmpPath).catch(() => undefined);
  }
}

interface Written {
  tmp: string;
  path: string;
  result: PutResult;
  resolve: (r: PutResult) => void;
  reject: (err: unknown) => void;
}

/**
 * The archive copies of one ingest run, made durable together. `put` writes a copy at once into
 * ROOT/.intake, without waiting for the disk; `settle` syncs every copy on the thread pool, then
 * gives each its final name (making its folder) and syncs each folder once. A copy still appears
 * under its final name only once synced, and each put's promise settles only then. Written and
 * synced one by one, the steps of the 139 detention workbooks' copies waited for the event loop,
 * which does not turn while the main thread parses, and ran during the load's first query
 * (100-130 ms instead of 25-40 ms). Written here, they take 60-115 ms of the main thread (100-140 ms
 * when their folders were made here too; they are made in `settle`). In the intake folder, a copy
 * left by a killed process is removed by the next run.
 */
export class ArchiveWrites {
  /** Files at least this large are written and synced at once, on the thread pool (the detention workbooks are under 1 MB). */
  static readonly AT_ONCE_BELOW = 16 << 20;
  private readonly written: Written[] = [];
  private settling = false;

  constructor(readonly archive: Archive) {}

  /** Writes `bytes` (unless already archived); the promise settles once the copy is synced and named (after `settle`). */
  put(bytes: Uint8Array, originalName: string, sha256: string): Promise<PutResult> {
    // a large file (a DDP parquet of 461 MB) is written on the thread pool while DuckDB loads it, not here on the main thread
    if (this.settling || bytes.byteLength >= ArchiveWrites.AT_ONCE_BELOW) return this.archive.put(bytes, originalName, sha256);
    const known = this.archive.stored(sha256, originalName, bytes.byteLength);
    if (known) return Promise.resolve(known);
    const tmp = this.archive.intakePath();
    try {
      writeFileSync(tmp, bytes, { flag: 'wx' });
    } catch (err) {
      rmSync(tmp, { force: true });
      return Promise.reject(err);
    }
    const path = this.archive.pathOf(sha256, originalName);
    const result = { sha256, path, bytes: bytes.byteLength, existed: false };
    return new Promise((resolve, reject) => this.written.push({ tmp, path, result, resolve, reject }));
  }

  /** Syncs, names and publishes every copy made so far; later ones are synced at once. Never rejects: each promise carries its own failure. */
  async settle(): Promise<void> {
    this.settling = true;
    const named: Written[] = [];
    await Promise.all(
      this.written.map(async (w) => {
        try {
          await this.archive.settleTemp(w.tmp, w.path);
          named.push(w);
        } catch (err) {
          await unlink(w.tmp).catch(() => undefined);
          w.reject(err);
        }
      }),
    );
    await Promise.all([...new Set(named.map((w) => dirname(w.path)))].map(syncDir));
    for (const w of named) w.resolve(w.result);
  }
}

/** Flushes a file's bytes to disk. */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes the temp copies of processes that are gone (killed mid-ingest): a FOIA CSV's copy can be gigabytes. */
function removeOrphans(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = Number(name.split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) rmSync(join(dir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lower-case extension of a published name, or '' when it has none or an odd one. */
function extensionOf(name: string): string {
  const ext = extname(name).toLowerCase();
  return /^\.[a-z0-9]{1,10}$/.test(ext) ? ext : '';
}

/** Make the rename durable; not supported on every platform, so best effort. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // directories cannot be fsynced on Windows; the file itself is already synced
  }
}
