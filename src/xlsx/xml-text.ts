/**
 * Minimal XML text helpers for SpreadsheetML. The sheet parts ICE publishes are
 * machine-written (Excel), so a scanner over indexOf is both correct and about
 * ten times faster than a general XML parser on these files (see bench/).
 */

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return NAMED[name] ?? m;
  });
}

/** Value of attribute `name` inside a start tag's text, or undefined. */
export function attr(tag: string, name: string): string | undefined {
  let from = 0;
  for (;;) {
    const i = tag.indexOf(name + '="', from);
    if (i < 0) return undefined;
    const before = tag.charCodeAt(i - 1);
    // require a whitespace before the name so `r=` does not match `xr:r=` or `spans=`
    if (before === 32 || before === 9 || before === 10 || before === 13) {
      const start = i + name.length + 2;
      const end = tag.indexOf('"', start);
      return decodeEntities(tag.slice(start, end));
    }
    from = i + 1;
  }
}

/** Every start tag `<name ...>` or `<name .../>` in `xml`, as the tag's text. */
export function* startTags(xml: string, name: string): Generator<string> {
  const open = '<' + name;
  let i = 0;
  for (;;) {
    i = xml.indexOf(open, i);
    if (i < 0) return;
    const next = xml.charCodeAt(i + open.length);
    const end = xml.indexOf('>', i);
    if (end < 0) return;
    // 32 space, 62 '>', 47 '/', 9/10/13 whitespace: a real tag of this name, not a longer name
    if (next === 32 || next === 62 || next === 47 || next === 9 || next === 10 || next === 13) {
      yield xml.slice(i, end + 1);
    }
    i = end + 1;
  }
}

/**
 * Concatenated text of every `<t>` element in `fragment`, skipping phonetic
 * runs (`<rPh>`), which Excel stores beside East-Asian text and which are not
 * part of the displayed value.
 */
export function textContent(fragment: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const t = fragment.indexOf('<t', i);
    if (t < 0) break;
    const c = fragment.charCodeAt(t + 2);
    if (c !== 62 && c !== 32) {
      i = t + 2;
      continue;
    }
    const rph = fragment.lastIndexOf('<rPh', t);
    if (rph >= 0 && fragment.indexOf('</rPh>', rph) > t) {
      i = fragment.indexOf('</rPh>', rph) + 6;
      continue;
    }
    const gt = fragment.indexOf('>', t);
    if (fragment.charCodeAt(gt - 1) === 47) {
      i = gt + 1;
      continue;
    }
    const close = fragment.indexOf('</t>', gt);
    out += fragment.slice(gt + 1, close);
    i = close + 4;
  }
  return decodeEntities(out);
}
