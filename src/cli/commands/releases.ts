import { listReleases } from '../../db/releases.js';
import type { CommandContext } from '../context.js';

const TABLE_COLUMNS = ['release_id', 'snapshot_date', 'fiscal_year', 'detained_total', 'detained_ice', 'detained_cbp', 'removals_fytd', 'facility_rows', 'file_names', 'anomalies'];

export async function releasesCommand(ctx: CommandContext, sourceId?: string): Promise<number> {
  const db = await ctx.openDb({ readOnly: true });
  try {
    const rows = await listReleases(db, sourceId);
    ctx.printer.rows(rows, ctx.format, ctx.format === 'table' ? { columns: TABLE_COLUMNS } : undefined);
    return 0;
  } finally {
    db.close();
  }
}
