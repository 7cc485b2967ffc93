import { SourceFormatError } from '../../../lib/errors.js';
import { CellError, type CellValue, type Sheet } from '../../../xlsx/sheet.js';
import { Workbook, type SheetInfo } from '../../../xlsx/workbook.js';
import { attr, startTags } from '../../../xlsx/xml-text.js';
import { ZipArchive } from '../../../xlsx/zip.js';
import type { Anomaly, ParsedRelease, Row, SourceFile } from '../../types.js';
import {
  agencyKey,
  agencyTypeOf,
  headerColumn,
  MODELS,
  modelOf,
  moaStatusOf,
  normaliseText,
  REQUIRED,
  stateOf,
  type ListColumn,
} from './columns.js';
import { parseListFileName, type FileOrigin, type ListFileName, type ListKind } from './discover.js';

export const LISTS_TABLE = 'ice_287g_lists';
export const AGREEMENTS_TABLE = 'ice_287g_agreements';

/** A saved date this many days before the name's date means an old list posted again under a new name. */
export const STALE_DAYS = 14;

/** One row of `ice_287g_agreements`. */
export interface AgreementRow extends Row {
  release_id: string;
  list_kind: ListKind;
  sheet: string;
  row: number;
  state: string | null;
  state_code: string | null;
  agency: string | null;
  agency_key: string | null;
  agency_type: string | null;
  county: string | null;
  support_type: string | null;
  model: string | null;
  signed: string | null;
  signed_text: string | null;
  moa_text: string | null;
  moa_status: string | null;
  moa_url: string | null;
  addendum_text: string | null;
  addendum_url: string | null;
}

export type DateBasis = 'file-name' | 'file-name-corrected' | 'saved' | 'latest-signed' | 'capture';

const DAY = 86_400_000;
const addDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY);
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** Cells quoted in an anomaly: the first few, and how many more. */
function cellList(cells: string[], max = 8): string {
  return cells.length <= max ? cells.join(', ') : `${cells.slice(0, max).join(', ')} and ${cells.length - max} more`;
}

/* ------------------------------------------------------------------ workbook parts */

/** docProps/core.xml: when the workbook was created and last saved (dcterms, UTC). */
async function documentProperties(zip: ZipArchive): Promise<{ modified: string | null; created: string | null }> {
  const xml = (await zip.read('docProps/core.xml'))?.toString('utf8') ?? '';
  const stamp = (tag: string) => {
    const m = new RegExp(`<dcterms:${tag}[^>]*>(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})`).exec(xml);
    return m ? `${m[1]}Z` : null;
  };
  // creator and lastModifiedBy name ICE staff: never read
  return { modified: stamp('modified'), created: stamp('created') };
}

/**
 * Cleans a hyperlink target. ICE's MOA links sometimes go through Outlook Safe Links
 * (`https://gcc02.safelinks.protection.outlook.com/?url=<the link>&data=<the recipient>…`),
 * carry a PDF viewer's prefix (`chrome-extension://…/https:/www.ice.gov/…`) or lose a
 * slash (`https:/www.ice.gov`). The link itself is kept; the wrapper (which names the
 * mail recipient) is not.
 */
export function cleanLink(target: string): { url: string; cleaned: boolean } {
  let url = target.trim();
  const safe = /^https?:\/\/[^/]*safelinks\.protection\.outlook\.com\/?\?(.*)$/i.exec(url);
  if (safe) {
    const inner = new URLSearchParams(safe[1]!).get('url');
    if (inner) url = inner;
  }
  const ext = /^chrome-extension:\/\/[^/]+\/(.*)$/i.exec(url);
  if (ext) url = ext[1]!;
  url = url.replace(/^(https?):\/(?!\/)/i, '$1://');
  return { url, cleaned: url !== target.trim() };
}

/** Cell hyperlinks of a sheet part: cell reference → target (external links only). */
async function hyperlinks(zip: ZipArchive, part: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const xml = (await zip.read(part))?.toString('utf8');
  if (!xml || xml.indexOf('<hyperlink ') < 0) return out;
  const slash = part.lastIndexOf('/');
  const rels = (await zip.read(`${part.slice(0, slash)}/_rels/${part.slice(slash + 1)}.rels`))?.toString('utf8') ?? '';
  const targets = new Map<string, string>();
  for (const tag of startTags(rels, 'Relationship')) {
    const id = attr(tag, 'Id');
    const target = attr(tag, 'Target');
    if (id && target && /hyperlink$/.test(attr(tag, 'Type') ?? '')) targets.set(id, target);
  }
  const start = xml.indexOf('<hyperlinks');
  for (const tag of startTags(xml.slice(start), 'hyperlink')) {
    const ref = attr(tag, 'ref');
    const target = targets.get(attr(tag, 'r:id') ?? '');
    if (ref && target) for (const cell of expandRef(ref)) out.set(cell, target);
  }
  return out;
}

/** "G2" → [G2]; "G2:G4" → [G2, G3, G4] (a hyperlink may span a range of one column). */
function expandRef(ref: string): string[] {
  const m = /^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$/.exec(ref);
  if (!m) return [];
  if (!m[3] || m[3] !== m[1]) return [`${m[1]}${m[2]}`];
  const out: string[] = [];
  for (let r = Number(m[2]); r <= Number(m[4]) && out.length < 10_000; r++) out.push(`${m[1]}${r}`);
  return out;
}

/* ------------------------------------------------------------------ the sheet */

interface ReadResult {
  sheet: Sheet;
  info: SheetInfo;
  columns: Map<ListColumn, number>;
  headerTexts: string[];
  lastCol: number;
}

/** The first visible sheet whose row 1 has the STATE and LAW ENFORCEMENT AGENCY headers. */
async function findListSheet(wb: Workbook, file: string): Promise<ReadResult> {
  for (const info of wb.visibleSheets()) {
    const sheet = await wb.sheet(info);
    const texts: string[] = [];
    for (let c = 1; c <= sheet.rowWidth(1); c++) texts.push(sheet.text(1, c));
    const known = texts.map((t) => headerColumn(t));
    if (!known.includes('state') || !known.includes('agency')) continue;
    const columns = new Map<ListColumn, number>();
    let lastCol = 0;
    texts.forEach((t, i) => {
      const c = i + 1;
      if (t === '') return;
      const col = known[i];
      if (col === undefined) {
        throw new SourceFormatError(
          { file, sheet: info.name, cell: sheet.ref(1, c) },
          `column header "${t}" is not in the 287(g) crosswalk (src/sources/ice/g287/columns.ts); the headers are ${texts.filter((x) => x).map((x) => JSON.stringify(x)).join(', ')}`,
        );
      }
      if (columns.has(col)) throw new SourceFormatError({ file, sheet: info.name, cell: sheet.ref(1, c) }, `column header "${t}" names the ${col} column a second time`);
      columns.set(col, c);
      lastCol = c;
    });
    for (const col of REQUIRED) {
      if (!columns.has(col)) throw new SourceFormatError({ file, sheet: info.name, row: 1, column: col }, `the header row has no ${col} column (headers: ${texts.map((x) => JSON.stringify(x)).join(', ')})`);
    }
    return { sheet, info, columns, headerTexts: texts.slice(0, lastCol), lastCol };
  }
  const names = wb.sheets.map((s) => `'${s.name}'${s.hidden ? ' (hidden)' : ''}`).join(', ') || 'none';
  throw new SourceFormatError({ file, table: '287(g) agency list' }, `no sheet has a header row with STATE and LAW ENFORCEMENT AGENCY in row 1 (sheets: ${names})`);
}

/** Groups cells by what is wrong with them, so one anomaly names every cell of one kind. */
class Issues {
  private readonly groups = new Map<string, { code: string; severity: Anomaly['severity']; detail: (cells: string[]) => string; cells: string[] }>();

  add(code: string, severity: Anomaly['severity'], group: string, cell: string, detail: (cells: string[]) => string): void {
    const k = `${code}\u0000${group}`;
    const g = this.groups.get(k) ?? { code, severity, detail, cells: [] };
    g.cells.push(cell);
    this.groups.set(k, g);
  }

  anomalies(sheet: string): Anomaly[] {
    return [...this.groups.values()].map((g) => ({ code: g.code, severity: g.severity, subject: `${sheet}!${cellList(g.cells, 4)}`, detail: g.detail(g.cells) }));
  }
}

interface SignedValue {
  date: string | null;
  text: string | null;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
const shown = (v: CellValue) => (v instanceof Date ? iso(v) : v instanceof CellError ? v.code : String(v));

/**
 * The SIGNED cell. A date is kept when its year is possible; text dates are read when the
 * reading is unambiguous ('05/082025' and '7/72025' lack the slash before a four-digit
 * year: 2025-05-08, 2025-07-07); the html-derived lists write YYYY-MM-DD text. Anything
 * else is NULL, with the text kept.
 */
function readSigned(v: CellValue | undefined): SignedValue & { how: 'date' | 'iso-text' | 'us-text' | 'slash-missing' | 'impossible' | 'unreadable' | 'empty' } {
  if (v === undefined || (typeof v === 'string' && v.trim() === '')) return { date: null, text: null, how: 'empty' };
  if (v instanceof Date) {
    const y = v.getUTCFullYear();
    if (y < 1990 || y > 2100) return { date: null, text: iso(v), how: 'impossible' };
    return { date: iso(v), text: null, how: 'date' };
  }
  const t = shown(v).trim();
  const valid = (y: string, m: string, d: string) => {
    const s = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
    const dt = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(dt.getTime()) && iso(dt) === s && Number(y) >= 1990 && Number(y) <= 2100 ? s : null;
  };
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) {
    const d = valid(m[1]!, m[2]!, m[3]!);
    return d ? { date: d, text: t, how: 'iso-text' } : { date: null, text: t, how: Number(m[1]) > 2100 || Number(m[1]) < 1990 ? 'impossible' : 'unreadable' };
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (m) {
    const d = valid(m[3]!, m[1]!, m[2]!);
    return d ? { date: d, text: t, how: 'us-text' } : { date: null, text: t, how: 'unreadable' };
  }
  m = /^(\d{1,2})\/(\d{1,2})(\d{4})$/.exec(t);
  if (m) {
    const d = valid(m[3]!, m[1]!, m[2]!);
    return d ? { date: d, text: t, how: 'slash-missing' } : { date: null, text: t, how: 'unreadable' };
  }
  return { date: null, text: t, how: 'unreadable' };
}

/* ------------------------------------------------------------------ the list's date */

interface ListDate {
  date: string | null;
  basis: DateBasis;
}

/**
 * The list's date. ICE's name gives it (participatingAgencies05182026am.xlsx → 2026-05-18)
 * unless the content shows the name is wrong:
 * - a signing after the name's date, or a save more than a day after it (a list cannot be
 *   saved after it was posted): the name's date is corrected by one part (the year or the
 *   month, from the save date) when that gives a date on or after the latest signing and
 *   within two weeks of the save; else the save date is used (`filename-date-mismatch`);
 * - a save more than STALE_DAYS before the name's date: an old list posted again under a new
 *   name; the list is dated by its save (`stale-list`), so the same bytes get the same date
 *   under either name;
 * - no real date in the name: the save date.
 * The archive's Wayback copies are dated by ICE's save, bounded by the capture; the
 * html-derived lists by the capture.
 */
function listDate(name: ListFileName, saved: string | null, latestSigned: string | null, fileName: string, anomalies: Anomaly[]): ListDate {
  const savedDay = saved?.slice(0, 10) ?? null;
  const captured = name.capturedAt?.slice(0, 10) ?? null;
  if (name.origin === 'html-derived') return { date: captured, basis: 'capture' };
  if (name.origin === 'wayback') {
    if (savedDay && captured && savedDay <= captured) return { date: savedDay, basis: 'saved' };
    return { date: captured, basis: 'capture' };
  }
  const nd = name.date;
  const plausible = nd !== null && Number(nd.slice(0, 4)) >= 2000 && (savedDay === null || daysBetween(savedDay, nd) <= 366);
  if (!plausible) {
    anomalies.push({
      code: 'filename-date-mismatch',
      severity: 'warning',
      subject: fileName,
      detail: `the name's date (${name.dateText ?? '?'}${nd ? `, read as ${nd}` : ''}) is not a possible date for this list${savedDay ? `; the list is dated by the workbook's save date, ${savedDay}` : ' and the workbook records no save date'}`,
    });
    return { date: savedDay, basis: 'saved' };
  }
  const signedAfter = latestSigned !== null && latestSigned > nd;
  const savedAfter = savedDay !== null && daysBetween(nd, savedDay) > 1;
  if (signedAfter || savedAfter) {
    const [y, m, d] = nd.split('-');
    const [sy, sm] = (savedDay ?? nd).split('-');
    const candidates = [`${sy}-${m}-${d}`, `${y}-${sm}-${d}`, `${sy}-${sm}-${d}`].filter((c, i, all) => all.indexOf(c) === i && c !== nd && !Number.isNaN(Date.parse(`${c}T00:00:00Z`)) && new Date(`${c}T00:00:00Z`).toISOString().slice(0, 10) === c);
    const fits = candidates.filter((c) => (latestSigned === null || c >= latestSigned) && (savedDay === null || (daysBetween(savedDay, c) >= -1 && daysBetween(savedDay, c) <= 14)));
    fits.sort((a, b) => Math.abs(daysBetween(savedDay ?? a, a)) - Math.abs(daysBetween(savedDay ?? b, b)));
    const corrected = fits[0] ?? savedDay ?? latestSigned;
    const why = [
      signedAfter ? `its latest signing is ${latestSigned}` : null,
      savedAfter ? `ICE saved the workbook on ${savedDay}` : null,
    ].filter((x) => x !== null).join(' and ');
    anomalies.push({
      code: 'filename-date-mismatch',
      severity: 'warning',
      subject: fileName,
      detail: `the name says ${nd} (${name.dateText}) but ${why}, after that date: the name is wrong. The list is dated ${corrected} (${fits[0] ? `the name's date with its ${fits[0].slice(0, 4) !== y ? 'year' : ''}${fits[0].slice(0, 4) !== y && fits[0].slice(5, 7) !== m ? ' and ' : ''}${fits[0].slice(5, 7) !== m ? 'month' : ''} taken from the save date` : savedDay ? 'the save date' : 'its latest signing: the workbook records no save date'})${savedDay ? `; workbook saved ${saved}` : ''}`,
    });
    return { date: corrected, basis: fits[0] ? 'file-name-corrected' : savedDay ? 'saved' : 'latest-signed' };
  }
  if (savedDay !== null && daysBetween(savedDay, nd) > STALE_DAYS) {
    anomalies.push({
      code: 'stale-list',
      severity: 'warning',
      subject: fileName,
      detail: `the name says ${nd} but ICE last saved the workbook on ${savedDay}, ${daysBetween(savedDay, nd)} days earlier${latestSigned ? `, and its latest signing is ${latestSigned}` : ''}: an old list posted again under a new name. It is dated ${savedDay}, the date of its content`,
    });
    return { date: savedDay, basis: 'saved' };
  }
  return { date: nd, basis: 'file-name' };
}

/* ------------------------------------------------------------------ parse */

const fiscalYearOf = (d: string | null) => (d ? Number(d.slice(0, 4)) + (Number(d.slice(5, 7)) >= 10 ? 1 : 0) : null);

/**
 * One ICE 287(g) list (participating or pending agencies), or one html-derived list
 * from before February 2025: one row per agreement with its sheet and row, the list's
 * date, and what is wrong in it as anomalies with the cells.
 */
export async function parseG287(file: SourceFile): Promise<ParsedRelease> {
  const name = parseListFileName(file.fileName);
  if (!name) throw new SourceFormatError({ file: file.path }, `not a 287(g) list name (participatingAgencies<MMDDYYYY><am|pm>.xlsx, pendingAgencies…, or the archive's …-<timestamp>.xlsx)`);
  const wb = await Workbook.open(file.bytes, file.path);
  const zip = await ZipArchive.open(file.bytes, file.path);
  const props = await documentProperties(zip);
  const { sheet, info, columns, headerTexts, lastCol } = await findListSheet(wb, file.path);
  const links = await hyperlinks(zip, info.part);
  const anomalies: Anomaly[] = [];
  const issues = new Issues();
  const col = (c: ListColumn) => columns.get(c);
  const listKind: ListKind = columns.has('signed') ? 'participating' : 'pending';
  const origin: FileOrigin = name.origin;

  const rows: AgreementRow[] = [];
  let untrimmed = 0;
  const untrimmedCells: string[] = [];
  let cleanedLinks = 0;
  const cleanedCells: string[] = [];
  const outside: string[] = [];
  const seen = new Map<string, number>();
  const text = (r: number, c: number | undefined) => (c === undefined ? null : normaliseText(sheet.text(r, c)) || null);
  const link = (r: number, c: number | undefined) => {
    if (c === undefined) return null;
    const target = links.get(sheet.ref(r, c));
    if (!target) return null;
    const { url, cleaned } = cleanLink(target);
    if (cleaned) {
      cleanedLinks++;
      cleanedCells.push(sheet.ref(r, c));
    }
    return url;
  };

  for (let r = 2; r <= sheet.maxRow; r++) {
    const width = sheet.rowWidth(r);
    if (width === 0) continue;
    for (let c = 1; c <= width; c++) {
      const v = sheet.get(r, c);
      if (typeof v === 'string' && v !== v.trim()) {
        untrimmed++;
        if (untrimmedCells.length < 8) untrimmedCells.push(sheet.ref(r, c));
      }
      if (c > lastCol && v !== undefined && !(typeof v === 'string' && v.trim() === '')) outside.push(`${sheet.ref(r, c)} ${JSON.stringify(shown(v))}`);
    }
    const stateText = text(r, col('state'));
    const agency = text(r, col('agency'));
    const supportText = text(r, col('support_type'));
    if (stateText === null && agency === null && supportText === null) {
      // a row with values only in columns the list does not use: reported above, not an agreement
      continue;
    }
    const where = `${stateText ?? '?'}, ${agency ?? '?'}`;
    if (stateText === null || agency === null || supportText === null) {
      const missing = [stateText === null ? 'STATE' : null, agency === null ? 'LAW ENFORCEMENT AGENCY' : null, supportText === null ? 'SUPPORT TYPE' : null].filter((x) => x).join(', ');
      issues.add('incomplete-row', 'warning', `row ${r}`, sheet.ref(r, 1), () => `row ${r} (${where}) has no ${missing}; kept as an agreement with that field empty`);
    }
    let state: string | null = stateText;
    let stateCode: string | null = null;
    if (stateText !== null) {
      const s = stateOf(stateText);
      if (s) {
        state = s.value;
        stateCode = s.state.code;
        if (s.variant) issues.add('value-typo', 'info', `state:${stateText}`, sheet.ref(r, col('state')!), (cells) => `STATE is "${stateText}" in ${plural(cells.length, 'row')}: read as ${s.value}`);
      } else {
        issues.add('unrecognised-label', 'warning', `state:${stateText}`, sheet.ref(r, col('state')!), (cells) => `STATE "${stateText}" (${plural(cells.length, 'row')}) is not in the state crosswalk (src/sources/ice/g287/columns.ts); kept as published, without a state code or a place on the map`);
      }
    }
    let model: string | null = supportText;
    if (supportText !== null) {
      const mdl = modelOf(supportText);
      if (mdl) {
        model = mdl.value;
        if (mdl.variant) issues.add('value-typo', 'info', `model:${supportText}`, sheet.ref(r, col('support_type')!), (cells) => `SUPPORT TYPE is "${supportText}" in ${plural(cells.length, 'row')} (${where}${cells.length > 1 ? ', …' : ''}): read as ${mdl.value}`);
      } else {
        issues.add('unrecognised-label', 'warning', `model:${supportText}`, sheet.ref(r, col('support_type')!), (cells) => `SUPPORT TYPE "${supportText}" (${plural(cells.length, 'row')}) is none of ${MODELS.join(', ')}; kept as published`);
      }
    }
    const typeText = text(r, col('type'));
    let agencyType: string | null = typeText;
    if (typeText !== null) {
      const t = agencyTypeOf(typeText);
      if (t) {
        agencyType = t.value;
        if (t.variant) issues.add('value-typo', 'info', `type:${typeText}`, sheet.ref(r, col('type')!), (cells) => `TYPE is "${typeText}" in ${plural(cells.length, 'row')}: read as ${t.value}`);
      } else {
        agencyType = null;
        issues.add('unrecognised-label', 'info', `type:${typeText}`, sheet.ref(r, col('type')!), (cells) => `TYPE "${typeText}" (${plural(cells.length, 'row')}) is not County, Municipality or State Agency; stored as unknown`);
      }
    }
    let signed: SignedValue = { date: null, text: null };
    const signedCol = col('signed');
    if (signedCol !== undefined) {
      const raw = sheet.get(r, signedCol);
      const s = readSigned(raw);
      const cell = sheet.ref(r, signedCol);
      signed = { date: s.date, text: s.how === 'date' || s.how === 'empty' || (s.how === 'iso-text' && origin === 'html-derived') ? null : s.text };
      if (s.how === 'impossible') {
        issues.add('impossible-date', 'warning', `signed:${cell}`, cell, () => `SIGNED is ${s.text} (${where}, ${model ?? '?'}): a year that cannot be. Stored as NULL with the published value in signed_text; not corrected, since which digit is wrong is a guess (probably ${s.text!.replace(/^\d/, '2')})`);
      } else if (s.how === 'slash-missing') {
        issues.add('invalid-date', 'warning', `signed:${cell}`, cell, () => `SIGNED is the text "${s.text}" (${where}), not a date: a slash is missing before the four-digit year; read as ${s.date}, the only reading`);
      } else if (s.how === 'us-text' || (s.how === 'iso-text' && origin !== 'html-derived')) {
        issues.add('invalid-date', 'info', `signed-text`, cell, (cells) => `SIGNED is text, not a date, in ${plural(cells.length, 'row')}; read as written (${s.text} → ${s.date})`);
      } else if (s.how === 'unreadable') {
        issues.add('invalid-date', 'warning', `signed:${cell}`, cell, () => `SIGNED is "${s.text}" (${where}), not a date; stored as NULL with the text in signed_text`);
      } else if (s.how === 'empty' && listKind === 'participating') {
        issues.add('missing-date', 'info', 'signed-empty', cell, (cells) => `SIGNED is empty in ${plural(cells.length, 'row')}`);
      }
    }
    const moaText = col('moa') !== undefined ? (sheet.get(r, col('moa')!) as CellValue | undefined) : undefined;
    const moaPublished = moaText === undefined ? null : shown(moaText);
    // the html-derived lists hold the MOA's address as text instead of a "link" cell with a hyperlink
    const moaIsUrl = moaPublished !== null && /^https?:\/\//i.test(moaPublished.trim());
    const moaStatus = moaPublished === null || moaPublished.trim() === '' ? null : moaIsUrl ? 'link' : (moaStatusOf(moaPublished) ?? normaliseText(moaPublished));
    const addendum = col('addendum') !== undefined ? (sheet.get(r, col('addendum')!) as CellValue | undefined) : undefined;
    const key = agency === null ? null : agencyKey(agency);
    const row: AgreementRow = {
      release_id: file.releaseId,
      list_kind: listKind,
      sheet: info.name,
      row: r,
      state,
      state_code: stateCode,
      agency,
      agency_key: key,
      agency_type: agencyType,
      county: text(r, col('county')),
      support_type: supportText,
      model,
      signed: signed.date,
      signed_text: signed.text,
      moa_text: moaPublished,
      moa_status: moaStatus,
      moa_url: moaIsUrl ? cleanLink(moaPublished).url : link(r, col('moa')),
      addendum_text: addendum === undefined ? null : shown(addendum),
      addendum_url: link(r, col('addendum')),
    };
    rows.push(row);
    const dupKey = `${stateCode ?? state}|${key}|${model}`;
    const first = seen.get(dupKey);
    if (first !== undefined) {
      issues.add('duplicate-key', 'warning', `dup:${dupKey}`, sheet.ref(r, 1), () => `row ${r} repeats row ${first} (${where}, ${model ?? '?'}); both are kept and counted`);
    } else seen.set(dupKey, r);
  }

  // the latest signing that can be: on or before the save (a signing after the save is a typo in that cell)
  const saveLimit = props.modified ? addDays(props.modified.slice(0, 10), 1) : null;
  let latestSigned: string | null = null;
  for (const row of rows) {
    if (row.signed === null) continue;
    if (saveLimit !== null && row.signed > saveLimit) {
      const cell = sheet.ref(row.row, col('signed')!);
      issues.add('impossible-date', 'warning', `future:${cell}`, cell, () => `SIGNED is ${row.signed} (${row.state}, ${row.agency}), after ICE saved the workbook (${props.modified}): stored as NULL with the published value in signed_text`);
      row.signed_text = row.signed;
      row.signed = null;
      continue;
    }
    if (latestSigned === null || row.signed > latestSigned) latestSigned = row.signed;
  }

  if (listKind !== name.kind) {
    anomalies.push({
      code: 'lists-swapped',
      severity: 'warning',
      subject: `${info.name}!A1:${sheet.ref(1, lastCol)}`,
      detail:
        listKind === 'participating'
          ? `the name says pending agencies but the file holds the participating list: its header has SIGNED (${headerTexts.join(', ')}) and ${plural(rows.length, 'row')} with signing dates up to ${latestSigned ?? '?'}. Stored as the participating list`
          : `the name says participating agencies but the file holds the pending list: its header has no SIGNED column (${headerTexts.join(', ')}), ${plural(rows.length, 'row')}${props.created ? `, and the workbook was created ${props.created} like ICE's pending lists` : ''}. Stored as the pending list`,
    });
  }
  if (name.dateNote && name.date) anomalies.push({ code: 'filename-date-malformed', severity: 'info', subject: file.fileName, detail: name.dateNote });
  const dated = listDate(name, props.modified, latestSigned, file.fileName, anomalies);
  if (dated.date !== null) {
    for (const row of rows) {
      if (row.signed !== null && row.signed > dated.date) {
        const cell = sheet.ref(row.row, col('signed')!);
        issues.add('signed-after-list-date', 'info', 'after', cell, (cells) => `${plural(cells.length, 'agreement')} signed after the list's date ${dated.date} (latest ${latestSigned})`);
      }
    }
  } else {
    anomalies.push({ code: 'missing-snapshot-date', severity: 'warning', subject: file.fileName, detail: 'neither the name nor the workbook gives the list a date' });
  }
  anomalies.push(...issues.anomalies(info.name));
  if (untrimmed > 0) {
    anomalies.push({ code: 'untrimmed-values', severity: 'info', subject: `${info.name}!${cellList(untrimmedCells, 4)}`, detail: `${plural(untrimmed, 'cell')} ${untrimmed === 1 ? 'has' : 'have'} leading or trailing spaces ("Jail Enforcement Model ", "TEXAS "); trimmed before grouping, kept as published in moa_text and addendum_text` });
  }
  if (cleanedLinks > 0) {
    anomalies.push({ code: 'wrapped-link', severity: 'info', subject: `${info.name}!${cellList(cleanedCells, 4)}`, detail: `${plural(cleanedLinks, 'hyperlink')} to MOA or addendum PDFs go through Outlook Safe Links, a browser extension's prefix or a "https:/" with one slash; stored as the ice.gov address they wrap (the wrapper, which names a mail recipient, is not kept)` });
  }
  if (outside.length > 0) {
    anomalies.push({ code: 'cell-outside-table', severity: 'warning', subject: `${info.name}!${outside[0]!.split(' ')[0]}`, detail: `${plural(outside.length, 'cell')} right of the last headed column, not read: ${cellList(outside, 4)}` });
  }
  for (const s of wb.sheets) {
    if (s === info || s.hidden) continue;
    anomalies.push({ code: 'unrecognised-sheet', severity: 'info', subject: s.name, detail: `sheet '${s.name}' is not the list (${info.name}) and was not read` });
  }
  if (origin === 'html-derived') {
    anomalies.push({
      code: 'not-an-agency-file',
      severity: 'info',
      subject: file.fileName,
      detail: `not a file ICE published: a research archive's transcription (saved by openpyxl) of the HTML table on ICE's 287(g) page as captured by the Wayback Machine on ${name.capturedAt ?? '?'}; ICE posted xlsx lists only from February 2025. MOA links point to the Wayback capture`,
    });
  }
  if (rows.length === 0) {
    anomalies.push({ code: 'empty-list', severity: 'info', subject: `${info.name}!A1:${sheet.ref(1, lastCol)}`, detail: `the list has its header row and no agency` });
  }

  // an agency is its state and key; ICE sometimes writes one agency two ways in the same list
  const spellings = new Map<string, Set<string>>();
  for (const r of rows) {
    const k = `${r.state_code ?? r.state}|${r.agency_key}`;
    const set = spellings.get(k) ?? new Set<string>();
    set.add(`${r.state}|${r.agency}`);
    spellings.set(k, set);
  }
  const variants = [...spellings.values()].filter((s) => s.size > 1);
  if (variants.length > 0) {
    const shownVariants = variants.slice(0, 4).map((s) => [...s].map((x) => `"${x.split('|')[1]}"`).join(' / ')).join('; ');
    anomalies.push({
      code: 'agency-spelling-variants',
      severity: 'info',
      subject: `${info.name}!B2:B${sheet.maxRow}`,
      detail: `${plural(variants.length, 'agency', 'agencies')} ${variants.length === 1 ? 'is' : 'are'} written in more than one way in this list (${shownVariants}${variants.length > 4 ? '; …' : ''}); each counts as one agency (${spellings.size.toLocaleString('en-US')} agencies, ${[...spellings.values()].reduce((n, s) => n + s.size, 0).toLocaleString('en-US')} spellings)`,
    });
  }
  const count = (pred: (r: AgreementRow) => boolean) => rows.filter(pred).length;
  const agencies = spellings.size;
  const summary: Record<string, number | string | null> = {
    list_kind: listKind,
    named_kind: name.kind,
    origin,
    list_date: dated.date,
    date_basis: dated.basis,
    agreements: rows.length,
    agencies,
    agency_spellings: [...spellings.values()].reduce((n, s) => n + s.size, 0),
    task_force_model: count((r) => r.model === 'Task Force Model'),
    warrant_service_officer: count((r) => r.model === 'Warrant Service Officer'),
    jail_enforcement_model: count((r) => r.model === 'Jail Enforcement Model'),
    states: new Set(rows.map((r) => r.state_code ?? r.state)).size,
    latest_signed: latestSigned,
    moa_link: count((r) => r.moa_status === 'link' || r.moa_status === 'link | addendum'),
    moa_pending: count((r) => r.moa_status === 'link pending'),
  };
  const list: Row = {
    release_id: file.releaseId,
    list_kind: listKind,
    named_kind: name.kind,
    origin,
    sheet: info.name,
    list_date: dated.date,
    list_time: name.time,
    date_basis: dated.basis,
    name_date: name.date && Number(name.date.slice(0, 4)) <= 2100 ? name.date : null,
    saved_at: props.modified ? new Date(props.modified) : null,
    captured_at: name.capturedAt ? new Date(name.capturedAt) : null,
    latest_signed: latestSigned,
    agreements: rows.length,
    columns: headerTexts.join(', '),
  };
  return {
    snapshotDate: dated.date,
    fiscalYear: fiscalYearOf(dated.date),
    summary,
    anomalies,
    tables: {
      [LISTS_TABLE]: [list],
      [AGREEMENTS_TABLE]: rows,
      release_sheets: wb.sheets.map((s) => ({ release_id: file.releaseId, sheet: s.name, position: s.index, hidden: s.hidden, status: s === info ? 'parsed' : s.hidden ? 'ignored-hidden' : 'not-parsed' })),
      release_tables: [
        {
          release_id: file.releaseId,
          sheet: info.name,
          title: `${listKind === 'participating' ? 'Participating' : 'Pending'} agencies`,
          table_id: listKind,
          cell: 'A1',
          first_row: 1,
          last_row: rows.at(-1)?.row ?? 1,
          facts: rows.length,
        },
      ],
    },
  };
}
