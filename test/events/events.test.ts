/**
 * The reviewed events file (src/events/events.json): it validates, it holds the five events
 * the tracker starts with, with their figures, countries, dates and sources; the validator
 * rejects each kind of bad input; the /events page renders them with working links; and the
 * chart helper draws them on a Plot chart.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import * as Plot from '@observablehq/plot';
import type { FastifyInstance } from 'fastify';
import { parseHTML } from 'linkedom';
import { Database } from '../../src/db/connection.js';
import { EVENTS, EventsFileError, eventAnnotations, eventsForCountry, parseEvents, type EnforcementEvent } from '../../src/events/events.js';
import { countryByIso3, isIsoCountry } from '../../src/lib/countries.js';
import { ParamError } from '../../src/metrics/params.js';
import { buildApp } from '../../src/server/app.js';
import { PAGES } from '../../src/server/pages/index.js';
import { eventDates, eventsPage } from '../../src/server/pages/events.js';
import type { PageResult } from '../../src/server/pages/types.js';
import { eventMarginTop, eventMarks } from '../../src/web/event-marks.js';

const FILE = new URL('../../src/events/events.json', import.meta.url);
const raw = () => JSON.parse(readFileSync(FILE, 'utf8')) as Array<Record<string, unknown>>;

/** The one event sent to `to` in the given month (YYYY-MM). */
function find(to: string, month: string): EnforcementEvent {
  const found = EVENTS.filter((e) => e.to.includes(to) && e.date.startsWith(month));
  assert.equal(found.length, 1, `one event to ${to} in ${month}`);
  return found[0]!;
}

const sorted = (codes: string[]) => [...codes].sort();

describe('the events file', () => {
  test('validates, and every event has https sources, ISO countries and a label', () => {
    assert.doesNotThrow(() => parseEvents(raw()));
    assert.deepEqual(parseEvents(raw()), EVENTS);
    assert.ok(EVENTS.length >= 5);
    for (const e of EVENTS) {
      assert.ok(e.sources.length > 0, e.id);
      for (const s of e.sources) assert.match(s.url, /^https:\/\/[^/\s]+\.[^/\s]+/, `${e.id}: ${s.url}`);
      for (const c of [...e.to, ...e.nationalities]) assert.ok(isIsoCountry(c) && countryByIso3(c), `${e.id}: ${c}`);
      assert.ok(e.summary.length > 20 && e.label.length > 0 && e.status_by.length > 0, e.id);
    }
  });

  test('dates are in order in the file and ids are unique', () => {
    const dates = EVENTS.map((e) => e.date);
    assert.deepEqual(dates, [...dates].sort());
    assert.equal(new Set(EVENTS.map((e) => e.id)).size, EVENTS.length);
  });

  test('Panama, February 2025: 119 people of ten nationalities, confirmed by Panama', () => {
    const e = find('PAN', '2025-02');
    assert.equal(e.date, '2025-02-12');
    assert.equal(e.end_date, undefined);
    assert.equal(e.people.count, 119);
    assert.ok(!e.people.approximate);
    assert.deepEqual(e.to, ['PAN']);
    assert.deepEqual(sorted(e.nationalities), sorted(['AFG', 'CHN', 'IND', 'IRN', 'NPL', 'PAK', 'LKA', 'TUR', 'UZB', 'VNM']));
    assert.equal(e.status, 'confirmed');
    assert.match(e.status_by, /Panama/);
    assert.match(e.status_by, /Mulino/);
    assert.match(e.status_by, /13 February 2025/);
  });

  test('El Salvador, 15–16 March 2025: 238 Venezuelans and 23 Salvadorans to CECOT', () => {
    const e = find('SLV', '2025-03');
    assert.equal(e.date, '2025-03-15');
    assert.equal(e.end_date, '2025-03-16');
    assert.deepEqual(e.to, ['SLV']);
    assert.deepEqual(sorted(e.nationalities), ['SLV', 'VEN']);
    assert.equal(e.people.count, 238 + 23);
    const by = new Map((e.people.breakdown ?? []).map((b) => [b.nationality, b.count]));
    assert.equal(by.get('VEN'), 238);
    assert.equal(by.get('SLV'), 23);
    assert.match(e.summary, /CECOT/);
    assert.equal(e.status, 'confirmed');
    assert.match(e.status_by, /El Salvador/);
  });

  test('South Sudan, July 2025: eight men from six countries', () => {
    const e = find('SSD', '2025-07');
    assert.ok(e.date >= '2025-07-01' && e.date <= '2025-07-10', e.date);
    assert.equal(e.people.count, 8);
    assert.match(e.people.counts, /^men\b/);
    assert.deepEqual(sorted(e.nationalities), ['CUB', 'LAO', 'MEX', 'MMR', 'SSD', 'VNM']);
    assert.equal((e.people.breakdown ?? []).reduce((n, b) => n + b.count, 0), 8, 'the breakdown adds up to 8');
    assert.equal(e.status, 'confirmed');
    assert.match(e.status_by, /South Sudan/);
  });

  test('Eswatini, mid-July 2025: five men', () => {
    const e = find('SWZ', '2025-07');
    assert.ok(e.date >= '2025-07-10' && e.date <= '2025-07-20', e.date);
    assert.equal(e.people.count, 5);
    assert.match(e.people.counts, /^men\b/);
    assert.deepEqual(sorted(e.nationalities), ['CUB', 'JAM', 'LAO', 'VNM', 'YEM']);
    assert.equal(e.status, 'confirmed');
    assert.match(e.status_by, /DHS/);
  });

  test("Iran, late September 2025: about 400 Iranians, 120 within days, reported by Iran, not acknowledged by the U.S.", () => {
    const e = find('IRN', '2025-09');
    assert.ok(e.date >= '2025-09-20' && e.date <= '2025-09-30', e.date);
    assert.deepEqual(e.to, ['IRN']);
    assert.deepEqual(e.nationalities, ['IRN']);
    assert.equal(e.people.count, 400);
    assert.equal(e.people.approximate, true);
    assert.ok((e.people.breakdown ?? []).some((b) => b.count === 120), 'a first group of 120');
    assert.equal(e.status, 'reported');
    assert.match(e.status_by, /Iran/);
    assert.match(`${e.summary} ${e.note ?? ''}`, /not acknowledged by the U\.S\./);
  });

  test('eventsForCountry finds an event by destination and by nationality; eventAnnotations link to /events', () => {
    assert.deepEqual(
      eventsForCountry('VEN').map((e) => e.to),
      [['SLV']],
    );
    assert.deepEqual(
      eventsForCountry('cub').map((e) => e.to[0]),
      ['SSD', 'SWZ'],
    );
    assert.equal(eventsForCountry('IRN').length, 2, 'Iranians on the Panama flight, and the Iran announcement');
    assert.deepEqual(eventsForCountry('NOR'), []);
    const iran = eventAnnotations('IRN');
    assert.deepEqual(
      iran.map((a) => a.date),
      ['2025-02-12', '2025-09-30'],
    );
    for (const a of iran) assert.match(a.url, /^\/events#[a-z0-9-]+$/);
    assert.match(iran[1]!.label, /reported/);
  });
});

describe('the validator', () => {
  const good = (): Record<string, unknown> => ({
    id: 'a-b',
    date: '2025-01-02',
    label: 'x',
    to: ['PAN'],
    nationalities: ['IND'],
    people: { count: 3, counts: 'people' },
    summary: 'Something happened.',
    status: 'confirmed',
    status_by: 'Someone',
    sources: [{ publisher: 'P', title: 'T', url: 'https://example.org/a', date: '2025-01-03' }],
  });
  const bad = (patch: (e: Record<string, unknown>) => void, message: RegExp, list?: unknown) => {
    const e = good();
    patch(e);
    assert.throws(() => parseEvents(list ?? [e]), (err: unknown) => err instanceof EventsFileError && message.test(err.message));
  };

  test('accepts a minimal good event, a span and Kosovo', () => {
    assert.equal(parseEvents([good()]).length, 1);
    const span = { ...good(), end_date: '2025-01-04', nationalities: ['XKX'] };
    assert.equal(parseEvents([span])[0]!.end_date, '2025-01-04');
  });

  test('rejects a value that is not an array of objects', () => {
    assert.throws(() => parseEvents({}), EventsFileError);
    assert.throws(() => parseEvents(['x']), /event #1: not an object/);
  });

  test('rejects bad and impossible dates', () => {
    bad((e) => (e.date = '2025-02-30'), /'a-b': date "2025-02-30" is not a calendar date/);
    bad((e) => (e.date = '2025-13-01'), /date "2025-13-01"/);
    bad((e) => (e.date = '2/3/2025'), /date "2\/3\/2025"/);
    bad((e) => delete e.date, /date undefined/);
    bad((e) => (e.end_date = '2025-1-5'), /end_date "2025-1-5"/);
    bad((e) => ((e.sources as Array<Record<string, unknown>>)[0]!.date = '2025-04-31'), /sources\[0\]\.date "2025-04-31"/);
  });

  test('rejects an end date before the start', () => {
    bad((e) => (e.end_date = '2025-01-01'), /end_date 2025-01-01 is before date 2025-01-02/);
  });

  test('rejects country codes that are not ISO 3166-1 alpha-3', () => {
    bad((e) => (e.to = ['XXX']), /to: "XXX" is not an ISO 3166-1 alpha-3 code/);
    bad((e) => (e.to = ['PA']), /to: "PA"/);
    bad((e) => (e.nationalities = ['pan']), /nationalities: "pan"/);
    bad((e) => (e.nationalities = ['XKK']), /nationalities: "XKK"/);
    bad((e) => (e.nationalities = []), /nationalities must be a non-empty list/);
    bad((e) => (e.to = ['PAN', 'PAN']), /to lists a country twice/);
    bad((e) => (e.people = { count: 3, counts: 'p', breakdown: [{ count: 1, nationality: 'VEN' }] }), /not among the event's nationalities/);
  });

  test('rejects missing or empty sources, and URLs that are not https', () => {
    bad((e) => (e.sources = []), /sources must list at least one source/);
    bad((e) => delete e.sources, /sources must list at least one source/);
    bad((e) => ((e.sources as Array<Record<string, unknown>>)[0]!.url = 'http://example.org/a'), /sources\[0\]\.url 'http:\/\/example\.org\/a' is not an https URL/);
    bad((e) => ((e.sources as Array<Record<string, unknown>>)[0]!.url = 'example.org/a'), /is not an https URL/);
    bad((e) => ((e.sources as Array<Record<string, unknown>>)[0]!.url = 'https://localhost/a'), /is not an https URL/);
    bad((e) => ((e.sources as Array<Record<string, unknown>>)[0]!.publisher = ''), /sources\[0\]\.publisher is missing or empty/);
    bad((e) => delete (e.sources as Array<Record<string, unknown>>)[0]!.title, /sources\[0\]\.title is missing/);
    bad((e) => (e.sources = [...(e.sources as unknown[]), ...(e.sources as unknown[])]), /a source URL is listed twice/);
  });

  test('rejects a missing summary or status, and an unknown status', () => {
    bad((e) => delete e.summary, /summary is missing or empty/);
    bad((e) => (e.summary = '  '), /summary is missing or empty/);
    bad((e) => delete e.status, /status is missing or empty/);
    bad((e) => (e.status = 'rumoured'), /unknown status 'rumoured'/);
    bad((e) => delete e.status_by, /status_by \(who confirmed it\) is missing/);
  });

  test('rejects a duplicate id, a bad slug and unknown fields', () => {
    bad(() => undefined, /duplicate id 'a-b'/, [good(), good()]);
    bad((e) => (e.id = 'A B'), /id 'A B' is not a slug/);
    bad((e) => (e.countries = ['PAN']), /unknown field 'countries'/);
    bad((e) => ((e.sources as Array<Record<string, unknown>>)[0]!.link = 'x'), /sources\[0\]: unknown field 'link'/);
  });

  test('rejects counts that are not positive whole numbers, and a missing "counts"', () => {
    bad((e) => (e.people = { count: 0, counts: 'p' }), /people\.count must be a positive whole number/);
    bad((e) => (e.people = { count: 2.5, counts: 'p' }), /people\.count/);
    bad((e) => (e.people = { count: '3', counts: 'p' }), /people\.count/);
    bad((e) => (e.people = { count: 3 }), /people\.counts is missing/);
    bad((e) => delete e.people, /people is missing/);
    bad((e) => (e.people = { count: 3, counts: 'p', breakdown: [{ count: 4, counts: 'q' }] }), /more than people\.count/);
    bad((e) => (e.people = { count: 3, counts: 'p', breakdown: [{ count: 1 }] }), /people\.breakdown\[0\]\.counts is missing/);
    bad((e) => (e.people = { count: 3, counts: 'p', approximate: 'yes' }), /people\.approximate must be true or false/);
  });
});

describe('the /events page', () => {
  let db: Database;
  let page: PageResult;
  before(async () => {
    db = await Database.open(':memory:');
    page = (await eventsPage.render({ db, vintage: 'latest', params: {}, query: {} }))!;
  });
  after(() => db.close());

  test('is served at /events with no releases in its footer', () => {
    assert.equal(eventsPage.path, '/events');
    assert.ok(page);
    assert.deepEqual(page.releases, []);
  });

  test('lists every event with its date, people, status and source links', () => {
    const { document } = parseHTML(`<!doctype html><html><body>${page.body}</body></html>`);
    assert.match(document.querySelector('h1')!.textContent!, /Events/);
    const intro = document.querySelector('p')!.textContent!;
    assert.match(intro, /reported in the news or announced by governments/);
    assert.match(intro, /not in the agencies' files/);
    assert.match(intro, /reported event is not a confirmed one/);
    assert.ok(document.querySelector('.table-wrap table'), 'the table is wrapped for narrow screens');
    const rows = [...document.querySelectorAll('tbody tr')];
    assert.equal(rows.length, EVENTS.length);
    // newest first
    assert.deepEqual(
      rows.map((r) => r.getAttribute('id')),
      [...EVENTS].sort((a, b) => b.date.localeCompare(a.date)).map((e) => e.id),
    );
    for (const e of EVENTS) {
      const tr = document.getElementById(e.id)!;
      assert.ok(tr, e.id);
      const text = tr.textContent!.replace(/\s+/g, ' ');
      assert.ok(text.includes(eventDates(e)), `${e.id}: ${eventDates(e)}`);
      assert.ok(text.includes(e.people.count.toLocaleString('en-US')), `${e.id}: people`);
      assert.ok(text.includes(e.status_by), `${e.id}: status by`);
      assert.match(text, e.status === 'confirmed' ? /Confirmed by/ : /Reported only by/);
      const hrefs = [...tr.querySelectorAll('a')].map((a) => a.getAttribute('href')!);
      for (const s of e.sources) assert.ok(hrefs.includes(s.url), `${e.id}: link to ${s.url}`);
      for (const c of [...e.to, ...e.nationalities]) {
        const link = [...tr.querySelectorAll(`a[href="/countries/${c}"]`)];
        assert.ok(link.length > 0, `${e.id}: link to /countries/${c}`);
        assert.equal(link[0]!.textContent, countryByIso3(c)!.name);
      }
    }
  });

  test('shows the five events the tracker starts with', () => {
    const text = page.body.replace(/\s+/g, ' ');
    for (const s of ['12 February 2025', '15–16 March 2025', '4–5 July 2025', '15–16 July 2025', '30 September 2025', 'Panama', 'El Salvador', 'South Sudan', 'Eswatini', 'Iran']) {
      assert.ok(text.includes(s), s);
    }
    assert.match(text, /about 400/);
    assert.match(text, /Reported only/);
  });

  test('the JSON form is the validated events list, equal to the file', () => {
    assert.deepEqual(page.data.events, EVENTS);
    assert.deepEqual(JSON.parse(JSON.stringify(page.data.events)), raw());
    assert.equal(page.data.count, EVENTS.length);
  });

  test('the CSV form has one row per event', () => {
    assert.equal(page.csv.rows.length, EVENTS.length);
    const iran = page.csv.rows.find((r) => r.to === 'IRN')!;
    assert.equal(iran.status, 'reported');
    assert.equal(iran.people, 400);
    assert.equal(iran.people_approximate, true);
  });

  test('?country= keeps one country’s events and rejects a code that is not ISO', async () => {
    const cuba = (await eventsPage.render({ db, vintage: 'latest', params: {}, query: { country: 'cub' } }))!;
    assert.equal(cuba.data.country, 'CUB');
    assert.deepEqual(
      (cuba.data.events as EnforcementEvent[]).map((e) => e.to[0]),
      ['SSD', 'SWZ'],
    );
    await assert.rejects(eventsPage.render({ db, vintage: 'latest', params: {}, query: { country: 'XYZ' } }), ParamError);
  });

  test('eventDates writes one day, a span in one month and a span over two months', () => {
    assert.equal(eventDates({ date: '2025-02-12' }), '12 February 2025');
    assert.equal(eventDates({ date: '2025-03-15', end_date: '2025-03-16' }), '15–16 March 2025');
    assert.equal(eventDates({ date: '2025-06-30', end_date: '2025-07-02' }), '30 June – 2 July 2025');
    assert.equal(eventDates({ date: '2024-12-31', end_date: '2025-01-01' }), '31 December 2024 – 1 January 2025');
  });
});

describe('/events through the app', () => {
  let db: Database;
  let app: FastifyInstance;
  // the page is added to the site's list here for this process (index.ts may not list it yet)
  const added = !PAGES.some((p) => p.path === eventsPage.path);
  before(async () => {
    if (added) PAGES.push(eventsPage);
    db = await Database.open(':memory:');
    app = await buildApp(db);
  });
  after(async () => {
    await app.close();
    db.close();
    if (added) PAGES.splice(PAGES.indexOf(eventsPage), 1);
  });

  test('serves the page as HTML, JSON and CSV', async () => {
    const html = await app.inject({ url: '/events' });
    assert.equal(html.statusCode, 200);
    assert.match(html.headers['content-type'] as string, /text\/html/);
    assert.ok(html.body.includes('href="/countries/SSD"'));
    const json = await app.inject({ url: '/events.json' });
    assert.equal(json.statusCode, 200);
    const body = json.json() as { ok: boolean; events: unknown };
    assert.equal(body.ok, true);
    assert.deepEqual(body.events, raw());
    const csv = await app.inject({ url: '/events.csv' });
    assert.equal(csv.statusCode, 200);
    const lines = csv.body.trim().split(/\r?\n/);
    assert.match(lines[0]!, /^id,date,end_date,to,nationalities,people/);
    assert.equal(lines.length, EVENTS.length + 1);
  });

  test('?country= filters, and a bad code is a 400 that says why', async () => {
    const res = await app.inject({ url: '/events.json?country=IRN' });
    assert.equal(res.statusCode, 200);
    assert.equal((res.json() as { count: number }).count, 2);
    const badRes = await app.inject({ url: '/events?country=ZZZ' });
    assert.equal(badRes.statusCode, 400);
    assert.match((badRes.json() as { error: string }).error, /ZZZ/);
  });
});

describe('event marks on a chart', () => {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const points = ['2025-01-01', '2025-04-01', '2025-07-01', '2025-10-01'].map((d, i) => ({ d: new Date(`${d}T00:00:00Z`), value: 100 + i * 10 }));
  const domain = ['2025-01-01', '2025-10-01'] as const;

  test('draws a rule and a linked label for each event inside the x domain, and none outside', () => {
    const events = [...eventAnnotations('CUB'), { date: '2024-06-01', label: 'Outside the domain', url: '/events#outside' }];
    const svg = Plot.plot({
      document,
      width: 720,
      height: 260,
      marginTop: eventMarginTop(),
      x: { type: 'utc' },
      marks: [Plot.lineY(points, { x: 'd', y: 'value' }), ...eventMarks(domain, events)],
    }) as unknown as { outerHTML: string };
    const html = svg.outerHTML;
    assert.match(html, /^<svg/);
    assert.ok(html.includes('8 men sent to South Sudan'), 'the South Sudan label');
    assert.ok(html.includes('5 men sent to Eswatini'), 'the Eswatini label');
    assert.ok(html.includes('href="/events#2025-07-04-south-sudan-eight-men"'), 'the label links to the event');
    assert.ok(html.includes('2025-07-15: 5 men sent to Eswatini'), 'a tooltip with the date');
    assert.ok(!html.includes('Outside the domain'), 'an event outside the domain is not drawn');
    const { document: doc } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
    // a label's own text is its first node; its tooltip is the <title> inside it
    const labels = [...doc.querySelectorAll('text')].map((t) => t.firstChild?.textContent);
    assert.ok(labels.includes('8 men sent to South Sudan') && labels.includes('5 men sent to Eswatini'));
    // eleven days apart: the two labels go on different rows rather than over each other
    const rowOf = (label: string) => {
      const text = [...doc.querySelectorAll('text')].find((t) => t.firstChild?.textContent === label)!;
      return (text.parentNode!.parentNode as unknown as { getAttribute(k: string): string | null }).getAttribute('transform');
    };
    assert.notEqual(rowOf('8 men sent to South Sudan'), rowOf('5 men sent to Eswatini'));
  });

  test('returns no marks when no event falls inside the domain', () => {
    assert.deepEqual(eventMarks(['2020-01-01', '2020-12-31'], eventAnnotations('IRN')), []);
    assert.deepEqual(eventMarks(domain, []), []);
  });
});
