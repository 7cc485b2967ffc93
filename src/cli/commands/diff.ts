import { CliError } from '../../lib/errors.js';
import { ParamError } from '../../metrics/params.js';
import { diffReleases, DIFF_COLUMNS, diffRows, previousReleaseId, RELEASE_ID } from '../../releases/diff.js';
import type { CommandContext } from '../context.js';

export const DIFF_USAGE = 'usage: tracker diff [FROM_RELEASE] TO_RELEASE   (one id: against the release of its source just before it)';

const fmt = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(v ?? ''));

/**
 * `tracker diff A B`: what changed from release A to release B of one source: headline
 * values, national months of ADP and book-ins that moved, facilities that appeared or
 * disappeared, months CBP revised, and B's anomalies, each with its cells. JSON gives the
 * whole diff object; table, CSV and NDJSON give one row per change.
 */
export async function diffCommand(ctx: CommandContext, args: string[]): Promise<number> {
  if (args.length < 1 || args.length > 2) throw new CliError(DIFF_USAGE);
  for (const id of args) if (!RELEASE_ID.test(id)) throw new CliError(`'${id}' is not a release id (12 hex digits)\n${DIFF_USAGE}`);
  const db = await ctx.openDb({ readOnly: true });
  try {
    let [from, to] = args as [string, string | undefined];
    if (to === undefined) {
      to = from;
      const prev = await previousReleaseId(db, to);
      if (!prev) throw new CliError(`release ${to} has no earlier release of its source to compare with (or is not in ${ctx.dbPath})`);
      from = prev;
    }
    let diff;
    try {
      diff = await diffReleases(db, from, to);
    } catch (err) {
      if (err instanceof ParamError) throw new CliError(err.message);
      throw err;
    }
    if (!diff) throw new CliError(`no release ${[from, to].join(' or ')} in ${ctx.dbPath}; see tracker releases`);
    if (ctx.format === 'json') {
      ctx.printer.line(JSON.stringify(diff, null, 2));
      return 0;
    }
    const rows = diffRows(diff);
    if (ctx.format === 'table') {
      const side = (r: typeof diff.from) => `${r.release_id} (${r.file_names.join(' = ') || 'no file name'}, snapshot ${r.snapshot_date ?? 'undated'})`;
      ctx.printer.line(`${diff.source_id}: ${side(diff.from)} → ${side(diff.to)}`);
      ctx.printer.rows(
        rows.map((r) => ({ ...r, before: fmt(r.before), after: fmt(r.after), change: r.change === null ? '' : `${(r.change as number) > 0 ? '+' : ''}${fmt(r.change)}` })),
        'table',
        { columns: DIFF_COLUMNS },
      );
      if (diff.anomalies.length) {
        ctx.printer.line(`\nAnomalies of ${diff.to.release_id}:`);
        for (const a of diff.anomalies) ctx.printer.line(`  ${a.severity} ${a.code}: ${a.subject}`);
      }
      return 0;
    }
    ctx.printer.rows(rows, ctx.format, { columns: DIFF_COLUMNS });
    return 0;
  } finally {
    db.close();
  }
}
