/**
 * Dated, sourced events: deportation flights and announcements reported in the news or by
 * governments, kept beside the agencies' numbers for context. They are not in the agencies'
 * files. The list is `events.json` beside this module, reviewed by hand; every event names
 * its countries (ISO 3166-1 alpha-3), the number of people and what that number counts,
 * whether it is confirmed (and by whom) or only reported (and by whom), and its sources.
 *
 * `parseEvents` validates the whole file and throws on the first problem, naming the event
 * and the field; the module loads the file once, at import, so a bad edit fails every test
 * and the server's start rather than showing a wrong event.
 */
import { readFileSync } from 'node:fs';
import { countryByIso3, isIsoCountry } from '../lib/countries.js';

export type EventStatus = 'confirmed' | 'reported';
export const EVENT_STATUSES: readonly EventStatus[] = ['confirmed', 'reported'];

export interface EventSource {
  /** Who wrote the report or statement (the news agency for a syndicated wire story). */
  publisher: string;
  /** The site the URL points to, when it republishes another publisher's story. */
  via?: string;
  title: string;
  /** https only. */
  url: string;
  /** YYYY-MM-DD: the day the story or statement was published. */
  date: string;
}

export interface PeopleBreakdown {
  count: number;
  approximate?: boolean;
  /** ISO alpha-3; one of the event's nationalities. */
  nationality?: string;
  /** What this part counts; required when no nationality says it. */
  counts?: string;
}

export interface EventPeople {
  count: number;
  /** "about 400": the source gives a round or approximate figure. */
  approximate?: boolean;
  /** What the number counts, in the sources' terms. */
  counts: string;
  breakdown?: PeopleBreakdown[];
}

export interface EnforcementEvent {
  /** Stable slug: the anchor on /events and the key in the API. */
  id: string;
  /** YYYY-MM-DD, as the sources give it; for a span, its first day. */
  date: string;
  /** Last day of a span (inclusive), when the sources date the event over several days. */
  end_date?: string;
  /** A few words for chart annotations. */
  label: string;
  /** Where the people were sent (ISO 3166-1 alpha-3). */
  to: string[];
  /** Citizenships of the people (ISO 3166-1 alpha-3). */
  nationalities: string[];
  people: EventPeople;
  /** One neutral sentence: what happened. */
  summary: string;
  status: EventStatus;
  /** Who confirmed it (status confirmed) or who reported it (status reported). */
  status_by: string;
  /** Dates that differ between sources, figures that disagree, what is not known. */
  note?: string;
  sources: EventSource[];
}

/** What a chart needs to mark an event. */
export interface EventAnnotation {
  date: string;
  label: string;
  /** The event on the events page. */
  url: string;
}

export class EventsFileError extends Error {}

const EVENT_KEYS = new Set(['id', 'date', 'end_date', 'label', 'to', 'nationalities', 'people', 'summary', 'status', 'status_by', 'note', 'sources']);
const PEOPLE_KEYS = new Set(['count', 'approximate', 'counts', 'breakdown']);
const BREAKDOWN_KEYS = new Set(['count', 'approximate', 'nationality', 'counts']);
const SOURCE_KEYS = new Set(['publisher', 'via', 'title', 'url', 'date']);
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True for a real calendar day written YYYY-MM-DD (no 2025-02-30, no 2025-13-01). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** An ISO 3166-1 alpha-3 code written in upper case (or XKX, Kosovo's user-assigned code). */
export function isEventCountry(code: unknown): code is string {
  if (typeof code !== 'string' || !/^[A-Z]{3}$/.test(code)) return false;
  return code === 'XKX' || (isIsoCountry(code) && countryByIso3(code) !== undefined);
}

/**
 * Validates a parsed events file and returns it typed. Throws an EventsFileError naming the
 * event (by id, or by position when the id is missing) and the field on the first of: a value
 * that is not an array of objects, an unknown or missing field, a bad or impossible date, an
 * end date before the start, a country code not in ISO 3166-1 (XKX aside), an empty or
 * duplicated country list, a count that is not a positive whole number, an empty summary,
 * status or status_by, an unknown status, no sources, a source URL that is not https, and a
 * duplicate id.
 */
export function parseEvents(value: unknown, file = 'events.json'): EnforcementEvent[] {
  if (!Array.isArray(value)) throw new EventsFileError(`${file}: expected an array of events`);
  const seen = new Set<string>();
  return value.map((raw, i) => {
    const where = isObj(raw) && typeof raw.id === 'string' && raw.id ? `${file}: event '${raw.id}'` : `${file}: event #${i + 1}`;
    const fail = (msg: string): never => {
      throw new EventsFileError(`${where}: ${msg}`);
    };
    if (!isObj(raw)) return fail('not an object');
    const e = raw;
    for (const k of Object.keys(e)) if (!EVENT_KEYS.has(k)) fail(`unknown field '${k}'`);

    const text = (o: Obj, key: string, label = key, optional = false): string | undefined => {
      const v = o[key];
      if (v === undefined && optional) return undefined;
      if (typeof v !== 'string' || v.trim() === '') return fail(`${label} is missing or empty`);
      return v;
    };
    const date = (o: Obj, key: string, label = key, optional = false): string | undefined => {
      const v = o[key];
      if (v === undefined && optional) return undefined;
      if (!isIsoDate(v)) return fail(`${label} ${JSON.stringify(v)} is not a calendar date written YYYY-MM-DD`);
      return v;
    };
    const countries = (key: 'to' | 'nationalities'): string[] => {
      const v = e[key];
      if (!Array.isArray(v) || v.length === 0) return fail(`${key} must be a non-empty list of ISO 3166-1 alpha-3 codes`);
      for (const c of v) if (!isEventCountry(c)) fail(`${key}: ${JSON.stringify(c)} is not an ISO 3166-1 alpha-3 code (upper case)`);
      if (new Set(v).size !== v.length) fail(`${key} lists a country twice`);
      return v as string[];
    };
    const count = (o: Obj, label: string): number => {
      const v = o.count;
      if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) return fail(`${label} must be a positive whole number, not ${JSON.stringify(v)}`);
      return v;
    };
    const flag = (o: Obj, key: string, label: string): boolean | undefined => {
      const v = o[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'boolean') return fail(`${label} must be true or false`);
      return v;
    };

    const id = text(e, 'id')!;
    if (!SLUG.test(id)) fail(`id '${id}' is not a slug (lower-case letters, digits and single hyphens)`);
    if (seen.has(id)) fail(`duplicate id '${id}'`);
    seen.add(id);

    const start = date(e, 'date')!;
    const end = date(e, 'end_date', 'end_date', true);
    if (end !== undefined && end < start) fail(`end_date ${end} is before date ${start}`);
    const label = text(e, 'label')!;
    const to = countries('to');
    const nationalities = countries('nationalities');

    if (!isObj(e.people)) return fail('people is missing (an object with count and counts)');
    const p = e.people;
    for (const k of Object.keys(p)) if (!PEOPLE_KEYS.has(k)) fail(`people: unknown field '${k}'`);
    const people: EventPeople = { count: count(p, 'people.count'), counts: text(p, 'counts', 'people.counts')! };
    const approx = flag(p, 'approximate', 'people.approximate');
    if (approx !== undefined) people.approximate = approx;
    if (p.breakdown !== undefined) {
      if (!Array.isArray(p.breakdown) || p.breakdown.length === 0) fail('people.breakdown must be a non-empty list when present');
      people.breakdown = (p.breakdown as unknown[]).map((b, j) => {
        const at = `people.breakdown[${j}]`;
        if (!isObj(b)) return fail(`${at} is not an object`);
        for (const k of Object.keys(b)) if (!BREAKDOWN_KEYS.has(k)) fail(`${at}: unknown field '${k}'`);
        const part: PeopleBreakdown = { count: count(b, `${at}.count`) };
        const a = flag(b, 'approximate', `${at}.approximate`);
        if (a !== undefined) part.approximate = a;
        if (b.nationality !== undefined) {
          if (!isEventCountry(b.nationality)) fail(`${at}.nationality ${JSON.stringify(b.nationality)} is not an ISO 3166-1 alpha-3 code`);
          if (!nationalities.includes(b.nationality as string)) fail(`${at}.nationality ${String(b.nationality)} is not among the event's nationalities`);
          part.nationality = b.nationality as string;
        }
        const c = text(b, 'counts', `${at}.counts`, part.nationality !== undefined);
        if (c !== undefined) part.counts = c;
        if (part.count > people.count) fail(`${at}.count ${part.count} is more than people.count ${people.count}`);
        return part;
      });
    }

    const summary = text(e, 'summary')!;
    const status = text(e, 'status')!;
    if (!(EVENT_STATUSES as readonly string[]).includes(status)) fail(`unknown status '${status}' (expected ${EVENT_STATUSES.join(' or ')})`);
    const statusBy = text(e, 'status_by', `status_by (who ${status === 'reported' ? 'reported' : 'confirmed'} it)`)!;
    const note = text(e, 'note', 'note', true);

    if (!Array.isArray(e.sources) || e.sources.length === 0) return fail('sources must list at least one source');
    const sources = (e.sources as unknown[]).map((s, j): EventSource => {
      const at = `sources[${j}]`;
      if (!isObj(s)) return fail(`${at} is not an object`);
      for (const k of Object.keys(s)) if (!SOURCE_KEYS.has(k)) fail(`${at}: unknown field '${k}'`);
      const url = text(s, 'url', `${at}.url`)!;
      let parsed: URL | undefined;
      try {
        parsed = new URL(url);
      } catch {
        parsed = undefined;
      }
      if (!parsed || parsed.protocol !== 'https:' || !parsed.hostname.includes('.')) fail(`${at}.url '${url}' is not an https URL`);
      const src: EventSource = { publisher: text(s, 'publisher', `${at}.publisher`)!, title: text(s, 'title', `${at}.title`)!, url, date: date(s, 'date', `${at}.date`)! };
      const via = text(s, 'via', `${at}.via`, true);
      if (via !== undefined) src.via = via;
      return src;
    });
    if (new Set(sources.map((s) => s.url)).size !== sources.length) fail('a source URL is listed twice');

    const event: EnforcementEvent = { id, date: start, label, to, nationalities, people, summary, status: status as EventStatus, status_by: statusBy, sources };
    if (end !== undefined) event.end_date = end;
    if (note !== undefined) event.note = note;
    return event;
  });
}

const FILE = new URL('./events.json', import.meta.url);

/** Reads and validates an events file (the reviewed one by default). */
export function loadEvents(file: URL | string = FILE): EnforcementEvent[] {
  const text = readFileSync(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new EventsFileError(`events.json is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseEvents(value);
}

/** Every event of the reviewed file, in the file's order (by date). */
export const EVENTS: readonly EnforcementEvent[] = Object.freeze(loadEvents());

/** The events a country is part of, as destination or as the citizenship of the people, by date. */
export function eventsForCountry(iso3: string, events: readonly EnforcementEvent[] = EVENTS): EnforcementEvent[] {
  const code = iso3.trim().toUpperCase();
  return events.filter((e) => e.to.includes(code) || e.nationalities.includes(code)).sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id));
}

/** A country's events as chart annotations: date, short label, link to the event on /events. */
export function eventAnnotations(iso3: string, events: readonly EnforcementEvent[] = EVENTS): EventAnnotation[] {
  return eventsForCountry(iso3, events).map((e) => ({ date: e.date, label: e.status === 'reported' && !/reported/i.test(e.label) ? `${e.label} (reported)` : e.label, url: `/events#${e.id}` }));
}
