import type { Database } from '../db/connection.js';
import { CliError, errorMessage } from '../lib/errors.js';
import type { Effects } from '../sources/types.js';
import type { Archive } from './archive.js';
import { runUpdate, type UpdateOptions, type UpdateResult } from './update.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Official sites publish every few weeks: more often than this only costs them. */
const MIN_EVERY_MS = 10 * 60_000;
/** setTimeout's limit (about 24.8 days). */
const MAX_EVERY_MS = 2 ** 31 - 1;

/** `--update-every` values: `6h`, `30m`, `1d`, `90m`, `1h30m`; from 10 minutes to 24 days. */
export function parseEvery(text: string): number {
  const compact = text.replace(/\s+/g, '').toLowerCase();
  if (!/^(?:\d+[smhd])+$/.test(compact)) throw new CliError(`--update-every wants a duration such as 6h, 30m or 1d, not '${text}'`);
  const ms = [...compact.matchAll(/(\d+)([smhd])/g)].reduce((n, m) => n + Number(m[1]) * UNITS[m[2]!]!, 0);
  if (ms < MIN_EVERY_MS || ms > MAX_EVERY_MS) throw new CliError(`--update-every must be between 10m and 24d, not '${text}'`);
  return ms;
}

export interface SchedulerOptions {
  /** Passed to each run (source, webhook, pause). The lock is always taken. */
  update?: Omit<UpdateOptions, 'lockPath'>;
  /** Delay before the first run (default: one period). */
  firstRunMs?: number;
  /** After each run that finished, e.g. to invalidate the server's data version. */
  onRun?: (result: UpdateResult) => void;
  /** The run itself; tests replace it. */
  run?: (db: Database, archive: Archive, fx: Effects, options: UpdateOptions) => Promise<UpdateResult>;
}

export interface UpdateScheduler {
  /** Stops the timer and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/**
 * `tracker serve --update-every 6h`: runs `tracker update` inside the server every
 * period, each run on its own session (so pages keep answering from the committed
 * data, as the admin fetch does). Runs never overlap: the next is planned only when
 * one ends (a run longer than the period starts the next one right after), and the
 * update lock keeps out an update run by other means. Failures are logged, never thrown.
 */
export function startUpdateScheduler(db: Database, archive: Archive, fx: Effects, everyMs: number, options: SchedulerOptions = {}): UpdateScheduler {
  const run = options.run ?? runUpdate;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let stopped = false;

  const plan = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(tick, Math.max(0, delay));
    // a pending update must not keep a stopping server alive
    timer.unref();
  };

  const tick = () => {
    timer = undefined;
    const started = Date.now();
    current = (async () => {
      let session: Database | undefined;
      try {
        session = await db.session();
        fx.logger.info('scheduled update: starting');
        const result = await run(session, archive, fx, { ...options.update });
        const news = result.sources.flatMap((s) => s.releases).length;
        fx.logger.info(`scheduled update ${result.run_id}: ${news} new release${news === 1 ? '' : 's'}, ${result.errors} error${result.errors === 1 ? '' : 's'}`);
        options.onRun?.(result);
      } catch (err) {
        fx.logger.warn(`scheduled update failed: ${errorMessage(err)}`);
      } finally {
        session?.close();
      }
    })();
    void current.finally(() => {
      current = undefined;
      plan(everyMs - (Date.now() - started));
    });
  };

  plan(options.firstRunMs ?? everyMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await current;
    },
  };
}
