import { SourceFormatError } from '../../../lib/errors.js';
import { findFileLinks } from '../../links.js';
import type { DiscoveredFile, Effects } from '../../types.js';

/** ICE's 287(g) page: it links the participating and the pending agencies lists (xlsx). */
export const G287_PAGE = 'https://www.ice.gov/identify-and-arrest/287g';

/** Where ICE puts the lists (the page's links, e.g. …/287g/participatingAgencies05182026am.xlsx). */
export const G287_FILES = 'https://www.ice.gov/doclib/about/offices/ero/287g/';

export type ListKind = 'participating' | 'pending';

/**
 * Where a file comes from, by its name:
 * - 'ice': ICE's own name, `participatingAgencies05182026am.xlsx`, `pendingAgencies01082026am.xlsx`
 *   (also `287gParticipatingAgencies091526pm.xlsx`, `ParticipatingAgency091826am.xlsx`);
 * - 'wayback': ICE's file as captured by the Wayback Machine, named by the archive after the capture
 *   time (`participatingAgencies-20250221214937.xlsx`);
 * - 'html-derived': `ParticipatingEntities-20210113002027.xlsx`, not an ICE file: a research archive's
 *   transcription of the HTML table the page carried before ICE posted xlsx lists (February 2025).
 */
export type FileOrigin = 'ice' | 'wayback' | 'html-derived';

export interface ListFileName {
  /** The list the name says it is (the content may say otherwise: see parse.ts). */
  kind: ListKind;
  origin: FileOrigin;
  /** The date the name gives (YYYY-MM-DD), null when it names no real date. */
  date: string | null;
  /** The digits of the date as the name writes them. */
  dateText: string | null;
  /** How the date was read when the digits are not MMDDYYYY or MMDDYY. */
  dateNote: string | null;
  time: 'am' | 'pm' | null;
  /** Wayback capture time (ISO, UTC) for the archive's names. */
  capturedAt: string | null;
}

const ICE_NAME = /^(?:287g)?(participating|pending)Agenc(?:ies|y)(\d{6,9})(am|pm)?\.xlsx$/i;
const ARCHIVE_NAME = /^(participating|pending)(Agencies|Entities)-(\d{14})\.xlsx$/i;

/** YYYY-MM-DD of a real calendar day, or null. */
function isoDay(y: number, m: number, d: number): string | null {
  if (!(y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31)) return null;
  const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const dt = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(dt.getTime()) && dt.toISOString().slice(0, 10) === iso ? iso : null;
}

const mmddyyyy = (s: string) => isoDay(Number(s.slice(4, 8)), Number(s.slice(0, 2)), Number(s.slice(2, 4)));

/**
 * The date in ICE's names: MMDDYYYY, or MMDDYY (seen from September 2026). Nine digits
 * (`090022025`) hold one digit too many: every way of dropping one digit that leaves a
 * real MMDDYYYY date is tried, and the date is read only when they all agree.
 */
export function nameDate(digits: string): { date: string | null; note: string | null } {
  if (digits.length === 8) return { date: mmddyyyy(digits), note: null };
  if (digits.length === 6) return { date: isoDay(2000 + Number(digits.slice(4, 6)), Number(digits.slice(0, 2)), Number(digits.slice(2, 4))), note: null };
  if (digits.length === 9) {
    const readings = new Set<string>();
    for (let i = 0; i < 9; i++) {
      const d = mmddyyyy(digits.slice(0, i) + digits.slice(i + 1));
      if (d) readings.add(d);
    }
    if (readings.size === 1) {
      const date = [...readings][0]!;
      return { date, note: `the date in the name has nine digits (${digits}); the only reading as MMDDYYYY with one digit dropped is ${date}` };
    }
    return { date: null, note: `the date in the name has nine digits (${digits}) and ${readings.size === 0 ? 'no' : `${readings.size}`} readings as MMDDYYYY with one digit dropped` };
  }
  return { date: null, note: `the date in the name (${digits}) is neither MMDDYYYY nor MMDDYY` };
}

/** What a file's name says about it, or undefined when it is not a 287(g) list name. */
export function parseListFileName(fileName: string): ListFileName | undefined {
  const ice = ICE_NAME.exec(fileName);
  if (ice) {
    const { date, note } = nameDate(ice[2]!);
    return {
      kind: ice[1]!.toLowerCase() as ListKind,
      origin: 'ice',
      date,
      dateText: ice[2]!,
      dateNote: note,
      time: (ice[3]?.toLowerCase() as 'am' | 'pm' | undefined) ?? null,
      capturedAt: null,
    };
  }
  const archived = ARCHIVE_NAME.exec(fileName);
  if (archived) {
    const ts = archived[3]!;
    const day = isoDay(Number(ts.slice(0, 4)), Number(ts.slice(4, 6)), Number(ts.slice(6, 8)));
    const capturedAt = day ? `${day}T${ts.slice(8, 10)}:${ts.slice(10, 12)}:${ts.slice(12, 14)}Z` : null;
    return {
      kind: archived[1]!.toLowerCase() as ListKind,
      origin: archived[2]!.toLowerCase() === 'entities' ? 'html-derived' : 'wayback',
      date: null,
      dateText: null,
      dateNote: null,
      time: null,
      capturedAt,
    };
  }
  return undefined;
}

export function isG287FileName(name: string): boolean {
  return parseListFileName(name) !== undefined;
}

/** ICE's URL of a file under ICE's own name; null for the archive's names. */
export function g287FileUrl(fileName: string): string | null {
  return parseListFileName(fileName)?.origin === 'ice' ? `${G287_FILES}${encodeURIComponent(fileName)}` : null;
}

/**
 * Fetch the 287(g) page and list its participating and pending list links. Finding none
 * is an error: the page has linked both lists since February 2025.
 */
export async function discoverG287(fx: Effects, pageUrl = G287_PAGE): Promise<DiscoveredFile[]> {
  const res = await fx.http.get(pageUrl);
  const html = new TextDecoder('utf-8').decode(res.body);
  const files = findFileLinks(html, res.url || pageUrl, isG287FileName);
  if (files.length === 0) {
    throw new SourceFormatError(
      { file: pageUrl },
      'no participatingAgencies….xlsx or pendingAgencies….xlsx link was found on the page; the page may have been redesigned',
    );
  }
  const kinds = new Set(files.map((f) => parseListFileName(f.fileName)!.kind));
  if (!kinds.has('participating')) fx.logger.warn(`${pageUrl}: no participating agencies list link, only ${[...kinds].join(', ')}`);
  fx.logger.info(`${pageUrl}: ${files.length} 287(g) list link(s)`);
  return files;
}
