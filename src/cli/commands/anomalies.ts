import { codeInfo, isSeverity, listAnomalies } from '../../anomalies/detectors.js';
import { CliError } from '../../lib/errors.js';
import type { Severity } from '../../sources/types.js';
import { RELEASE_ID } from '../../releases/diff.js';
import { DATASETS } from '../../sources/registry.js';
import type { CommandContext } from '../context.js';

export interface AnomaliesOptions {
  source?: string;
  release?: string;
  /** The least severity listed: info (all), warning (warnings and errors) or error. */
  severity?: string;
  /** Only these codes (comma-separated). */
  code?: string;
}

export const ANOMALIES_USAGE = 'usage: tracker anomalies [--source ID] [--release ID] [--severity info|warning|error] [--code CODE[,CODE]]';

/** The fields of a finding, in the order machines get them. */
const FIELDS = ['release_id', 'code', 'severity', 'subject', 'detail'];

/**
 * `tracker anomalies`: every anomaly recorded for the releases in the database (parser
 * findings and cross-release detectors alike), newest release first, as
 * `{release_id, code, severity, subject, detail}`; `--severity warning` lists warnings and errors.
 */
export async function anomaliesCommand(ctx: CommandContext, options: AnomaliesOptions = {}): Promise<number> {
  const { source, release, severity } = options;
  if (source !== undefined && !DATASETS.some((d) => d.id === source)) {
    throw new CliError(`unknown source '${source}'; the sources are ${DATASETS.map((d) => d.id).join(', ')}\n${ANOMALIES_USAGE}`);
  }
  if (release !== undefined && !RELEASE_ID.test(release)) throw new CliError(`--release: '${release}' is not a release id (12 hex digits)\n${ANOMALIES_USAGE}`);
  if (severity !== undefined && !isSeverity(severity)) throw new CliError(`--severity: '${severity}' is not info, warning or error\n${ANOMALIES_USAGE}`);
  const codes = options.code?.split(',').map((c) => c.trim()).filter((c) => c !== '');
  const db = await ctx.openDb({ readOnly: true });
  try {
    if (release !== undefined && !(await db.one(`SELECT 1 AS x FROM releases WHERE release_id = $1`, [release]))) {
      throw new CliError(`no release ${release} in ${ctx.dbPath}; see tracker releases`);
    }
    const rows = (await listAnomalies(db, { source, release, severity: severity as Severity | undefined, codes })).map((r) => ({ ...r }));
    if (ctx.format === 'table') {
      ctx.printer.rows(rows, 'table', { columns: ['release_id', 'snapshot_date', 'severity', 'code', 'subject', 'detail'] });
      if (!ctx.quiet && rows.length) {
        const counts = new Map<string, number>();
        for (const r of rows) counts.set(r.code, (counts.get(r.code) ?? 0) + 1);
        ctx.printer.line('');
        for (const [code, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
          ctx.printer.line(`${code} (${n}): ${codeInfo(code)?.title ?? 'see the source documentation'}`);
        }
      }
    } else ctx.printer.rows(rows, ctx.format, { columns: FIELDS });
    return 0;
  } finally {
    db.close();
  }
}
