import type { DiscoveredFile } from './types.js';

/**
 * Files linked from an official page by `<a href>` whose decoded last path segment
 * passes `accept`, resolved against `baseUrl`, deduplicated by absolute URL
 * (fragment dropped), in page order.
 */
export function findFileLinks(html: string, baseUrl: string, accept: (fileName: string) => boolean): DiscoveredFile[] {
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
    if (!accept(fileName) || seen.has(url.href)) continue;
    seen.add(url.href);
    out.push({ url: url.href, fileName });
  }
  return out;
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
