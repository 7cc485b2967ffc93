import { CliError } from '../../lib/errors.js';
import type { CommandContext } from '../context.js';

/** Runs one query on a read-only connection: DuckDB itself refuses any write. */
export async function sqlCommand(ctx: CommandContext, query: string | undefined): Promise<number> {
  if (!query) throw new CliError('usage: tracker sql "SELECT …"');
  const db = await ctx.openDb({ readOnly: true });
  try {
    ctx.printer.rows(await db.all(query), ctx.format);
    return 0;
  } finally {
    db.close();
  }
}
