import { isAscii } from 'node:buffer';
import { SourceFormatError } from '../lib/errors.js';
import { parseSheetBytes, type SheetContext } from './parse-sheet.js';
import type { Sheet } from './sheet.js';
import { ZipArchive } from './zip.js';
import { attr, decodeEntities, startTags, textContent } from './xml-text.js';

export interface SheetInfo {
  name: string;
  /** 0-based position in the workbook's tab order. */
  index: number;
  hidden: boolean;
  /** Zip entry of the sheet part, e.g. `xl/worksheets/sheet3.xml`. */
  part: string;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * A read-only view of an .xlsx file's cached values. Only the parts that are asked
 * for are inflated, so a 1.5 MB workbook with a bloated sheet costs little when
 * that sheet is not read.
 */
export class Workbook {
  readonly sheets: SheetInfo[];
  private readonly ctx: SheetContext;
  private readonly cache = new Map<string, Sheet>();

  private constructor(
    readonly file: string,
    private readonly zip: ZipArchive,
    sheets: SheetInfo[],
    ctx: SheetContext,
    private readonly bytes: Buffer,
  ) {
    this.sheets = sheets;
    this.ctx = ctx;
  }

  static async open(bytes: Uint8Array, file: string): Promise<Workbook> {
    assertZip(bytes, file);
    const zip = await ZipArchive.open(bytes, file);
    const { sheets, ctx } = await describeWorkbook(
      file,
      (name) => Promise.resolve(name === 'xl/styles.xml' ? zip.withPart(name, dateStyleSections) : zip.withPart(name, text)),
      () => Promise.resolve(zip.withPart('xl/sharedStrings.xml', sharedStringsIn) ?? []),
    );
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return new Workbook(file, zip, sheets, ctx, buf);
  }

  /** The zip's bytes and what cell values need (shared strings, date styles), for the streaming reader (stream-rows.ts). */
  get streamSource(): { file: string; bytes: Buffer; ctx: SheetContext } {
    return { file: this.file, bytes: this.bytes, ctx: this.ctx };
  }

  visibleSheets(): SheetInfo[] {
    return this.sheets.filter((s) => !s.hidden);
  }

  async sheet(info: SheetInfo): Promise<Sheet> {
    const cached = this.cache.get(info.part);
    if (cached) return cached;
    const sheet = this.zip.withPart(info.part, (xml) => parseSheetBytes(xml, info.name, info.hidden, this.ctx));
    if (sheet === undefined) {
      throw new SourceFormatError({ file: this.file, sheet: info.name }, `sheet part ${info.part} is missing from the zip`);
    }
    this.cache.set(info.part, sheet);
    return sheet;
  }
}

/**
 * The sheet list and cell context of a workbook, from its parts (read through `read`,
 * undefined for a part the zip lacks); `sharedStrings`, when given, replaces the parse of
 * xl/sharedStrings.xml (the streaming reader parses that part in pieces).
 */
export async function describeWorkbook(
  file: string,
  read: (part: string) => Promise<string | undefined>,
  sharedStrings?: () => Promise<string[]>,
): Promise<{ sheets: SheetInfo[]; ctx: SheetContext }> {
  const [workbookXml, relsXml, stylesXml, stringsXml] = await Promise.all([
    read('xl/workbook.xml'),
    read('xl/_rels/workbook.xml.rels'),
    read('xl/styles.xml'),
    sharedStrings ? undefined : read('xl/sharedStrings.xml'),
  ]);
  if (workbookXml === undefined || relsXml === undefined) {
    throw new SourceFormatError({ file }, 'not a spreadsheet: the zip has no xl/workbook.xml (is it a .docx or another zip?)');
  }
  const targets = new Map<string, string>();
  for (const tag of startTags(relsXml, 'Relationship')) {
    const id = attr(tag, 'Id');
    const target = attr(tag, 'Target');
    if (id && target) targets.set(id, resolveTarget(target));
  }
  const sheets: SheetInfo[] = [];
  for (const tag of startTags(workbookXml, 'sheet')) {
    const name = attr(tag, 'name') ?? '';
    const rid = attr(tag, 'r:id');
    const part = rid ? targets.get(rid) : undefined;
    const state = attr(tag, 'state');
    if (part) sheets.push({ name, index: sheets.length, hidden: state === 'hidden' || state === 'veryHidden', part });
  }
  const workbookPr = [...startTags(workbookXml, 'workbookPr')][0];
  const ctx: SheetContext = {
    sharedStrings: sharedStrings ? await sharedStrings() : parseSharedStrings(stringsXml ?? ''),
    dateStyles: parseDateStyles(stylesXml ?? ''),
    date1904: workbookPr !== undefined && /date1904="(1|true)"/.test(workbookPr),
  };
  return { sheets, ctx };
}

export function assertZip(bytes: Uint8Array, file: string): void {
  if (bytes.length === 0) throw new SourceFormatError({ file }, 'the file is empty (0 bytes)');
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    const head = decoder.decode(bytes.subarray(0, 64)).replace(/\s+/g, ' ').trim();
    const hint = /<(!doctype|html)/i.test(head)
      ? 'it is an HTML page saved under an .xlsx name (an error page or a login page?)'
      : `it starts with ${JSON.stringify(head.slice(0, 32))}`;
    throw new SourceFormatError({ file }, `not an xlsx file (no zip signature): ${hint}`);
  }
}

/** A part's text. Most parts are pure ASCII (entities for the rest), and latin1 decoding is a third faster than UTF-8. */
function text(bytes: Buffer, start = 0, end = bytes.length): string {
  const piece = bytes.subarray(start, end);
  return isAscii(piece) ? piece.toString('latin1') : piece.toString('utf8');
}

/**
 * Of styles.xml, only what the date styles are read from (numFmts and cellXfs): ICE's styles
 * parts are mostly other records (16 MB over the 139 detention workbooks), and a large string
 * costs its fresh memory (see ZipArchive.withPart).
 */
function dateStyleSections(bytes: Buffer): string {
  let out = '';
  for (const name of ['numFmts', 'cellXfs']) {
    const start = bytes.indexOf(`<${name}`);
    const end = bytes.indexOf(`</${name}>`, start);
    if (start >= 0 && end > start) out += text(bytes, start, end + name.length + 3);
  }
  return out;
}

/** The shared strings, decoded in pieces of about 64 KB cut after an item: strings that small live in memory V8 reuses. */
function sharedStringsIn(bytes: Buffer): string[] {
  const out: string[] = [];
  let from = 0;
  while (from < bytes.length) {
    let cut = bytes.indexOf(SI_END, Math.min(from + SHARED_STRINGS_PIECE, bytes.length));
    cut = cut < 0 ? bytes.length : cut + SI_END.length;
    for (const s of parseSharedStrings(text(bytes, from, cut))) out.push(s);
    from = cut;
  }
  return out;
}

const SI_END = Buffer.from('</si>');
const SHARED_STRINGS_PIECE = 64 << 10;

function resolveTarget(target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = ['xl'];
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.') parts.push(seg);
  }
  return parts.join('/');
}

/** The items of sharedStrings.xml, or of a piece of it that holds whole `<si>` items. */
export function parseSharedStrings(xml: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    const s = xml.indexOf('<si', i);
    if (s < 0) break;
    const gt = xml.indexOf('>', s);
    if (xml.charCodeAt(gt - 1) === 47) {
      out.push('');
      i = gt + 1;
      continue;
    }
    const end = xml.indexOf('</si>', gt);
    // most items are one plain <t> element: read it directly rather than through the rich-text path
    const t = gt + 1;
    if (xml.charCodeAt(t) === 60 && xml.charCodeAt(t + 1) === 116 && (xml.charCodeAt(t + 2) === 62 || xml.charCodeAt(t + 2) === 32)) {
      const open = xml.indexOf('>', t);
      const close = xml.indexOf('</t>', open);
      if (close + 4 === end && xml.charCodeAt(open - 1) !== 47) {
        out.push(decodeEntities(xml.slice(open + 1, close)));
        i = end + 5;
        continue;
      }
    }
    out.push(textContent(xml.slice(gt + 1, end)));
    i = end + 5;
  }
  return out;
}

const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57]);

export function isDateFormat(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\\./g, '')
    .split(';')[0]!;
  if (/[yd]/i.test(bare)) return true;
  if (/h/i.test(bare) && /[ms]/i.test(bare)) return true;
  return /m/i.test(bare) && !/[0#?]/.test(bare);
}

function parseDateStyles(xml: string): Set<number> {
  const dateFormats = new Set(BUILTIN_DATE_FORMATS);
  for (const tag of startTags(xml, 'numFmt')) {
    const id = Number(attr(tag, 'numFmtId'));
    const code = attr(tag, 'formatCode') ?? '';
    if (isDateFormat(code)) dateFormats.add(id);
    else dateFormats.delete(id);
  }
  const out = new Set<number>();
  const start = xml.indexOf('<cellXfs');
  const end = xml.indexOf('</cellXfs>', start);
  if (start < 0 || end < 0) return out;
  let index = 0;
  for (const tag of startTags(xml.slice(start, end), 'xf')) {
    if (dateFormats.has(Number(attr(tag, 'numFmtId') ?? 0))) out.add(index);
    index++;
  }
  return out;
}
