import { SourceFormatError } from '../../../lib/errors.js';
import type { DiscoveredFile, Effects } from '../../types.js';

/** The official landing page that links the Detention Statistics workbooks. */
export const DETENTION_STATS_PAGE = 'https://www.ice.gov/detain/detention-management';

/**
 * `FY26_detentionStats_04092026.xlsx`, `FY23_detentionStats221207.xlsx`,
 * `FY22_detentionStats_03172022b.xlsx`, `FY21_detention-stats_0301.xlsx`,
 * `FY20-detentionstats.xlsx`, `FY24_detentionStats.xlsx` and the like: ICE has
 * varied separators, date formats and suffix letters over the years.
 */
const FILE_NAME = /^FY\d{2}(?:\d{2})?[_\- ]?detention[_\- ]?stats(?:[_\- ]?\d{4,8}[a-z]?)?\.xlsx$/i;

/** Is `name` (decoded, without path or query) a Detention Statistics workbook? */
export function isDetentionStatsFileName(name: string): boolean {
  return FILE_NAME.test(name);
}

/**
 * The Detention Statistics workbooks linked from `html` by `<a href>`, resolved
 * against `baseUrl`, deduplicated by absolute URL (fragment dropped), in page order.
 */
export function findDetentionStatsLinks(html: string, baseUrl: string): DiscoveredFile[] {
  const seen = new Set<string>();
  const out: DiscoveredFile[] = [];
  for (const href of anchorHrefs(html)) {
    let url: URL;
    try {
      url = new URL(href, baseUrl);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    url.hash = '';
    const fileName = lastSegment(url.pathname);
    if (!isDetentionStatsFileName(fileName) || seen.has(url.href)) continue;
    seen.add(url.href);
    out.push({ url: url.href, fileName });
  }
  return out;
}

/**
 * Fetch the landing page and list its workbook links. Finding none is an error:
 * the page has always linked at least the current year, so an empty list means the
 * page was redesigned and the extractor needs attention.
 */
export async function discoverDetentionStats(fx: Effects, pageUrl = DETENTION_STATS_PAGE): Promise<DiscoveredFile[]> {
  const res = await fx.http.get(pageUrl);
  const html = new TextDecoder('utf-8').decode(res.body);
  const files = findDetentionStatsLinks(html, res.url || pageUrl);
  if (files.length === 0) {
    throw new SourceFormatError(
      { file: pageUrl },
      'no detentionStats workbook link (FYnn_detentionStats….xlsx) was found on the page; the page may have been redesigned',
    );
  }
  fx.logger.info(`${pageUrl}: ${files.length} detentionStats workbook link(s)`);
  return files;
}

/** href values of `<a>` start tags, entity-decoded and trimmed; comments are skipped. */
function* anchorHrefs(html: string): Generator<string> {
  // A tag's attributes may hold '>' inside quotes, so quoted strings are consumed whole.
  const token = /<!--[\s\S]*?(?:-->|$)|<a(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>/gi;
  for (const m of html.matchAll(token)) {
    const attrs = m[1];
    if (attrs === undefined) continue;
    const href = attribute(attrs, 'href');
    if (href !== undefined && href.trim() !== '') yield href.trim();
  }
}

function attribute(attrs: string, name: string): string | undefined {
  const re = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const m of attrs.matchAll(re)) {
    if (m[1]?.toLowerCase() === name) return decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return undefined;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref.toLowerCase()] ?? m;
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

function lastSegment(pathname: string): string {
  const raw = pathname.slice(pathname.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
