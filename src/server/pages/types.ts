import type { Database } from '../../db/connection.js';
import type { ReleaseRecord } from '../../db/releases.js';

export interface PageContext {
  db: Database;
  /** ?vintage=: 'latest', a release id or YYYY-MM-DD; pins the numbers of a permalink. */
  vintage: string;
  /** Path parameters, without a .json/.csv suffix. */
  params: Record<string, string>;
  /** Query string parameters other than vintage. */
  query: Record<string, string>;
}

export interface PageResult {
  title: string;
  /** HTML of the page's main content. */
  body: string;
  /** The page as JSON. */
  data: Record<string, unknown>;
  /** The page's main table as CSV. */
  csv: { rows: Array<Record<string, unknown>>; columns?: string[] };
  /** Releases whose numbers the page shows, newest first. */
  releases: ReleaseRecord[];
}

/** A page at `path` (Fastify syntax, e.g. /facilities/:slug), also served as .json and .csv. */
export interface PageRoute {
  path: string;
  render(ctx: PageContext): Promise<PageResult | undefined>;
}
