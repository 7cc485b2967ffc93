import { EVENTS, EVENT_STATUSES, eventsForCountry, isEventCountry, type EnforcementEvent } from '../../events/events.js';
import { countryByIso3 } from '../../lib/countries.js';
import { ParamError } from '../../metrics/params.js';
import { esc, fmt } from '../render/html.js';
import type { PageRoute } from './types.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const day = (iso: string) => `${Number(iso.slice(8, 10))} ${MONTHS[Number(iso.slice(5, 7)) - 1] ?? '?'} ${iso.slice(0, 4)}`;

/** "15–16 March 2025", "30 June – 2 July 2025", "12 February 2025". */
export function eventDates(e: Pick<EnforcementEvent, 'date' | 'end_date'>): string {
  const end = e.end_date;
  if (!end || end === e.date) return day(e.date);
  const [a, b] = [day(e.date).split(' '), day(end).split(' ')];
  if (a[2] !== b[2]) return `${day(e.date)} – ${day(end)}`;
  if (a[1] !== b[1]) return `${a[0]} ${a[1]} – ${day(end)}`;
  return `${a[0]}–${day(end)}`;
}

const name = (iso3: string) => countryByIso3(iso3)?.name ?? iso3;
const countryLink = (iso3: string) => `<a href="/countries/${esc(iso3)}">${esc(name(iso3))}</a>`;

function peopleText(e: EnforcementEvent): string {
  const p = e.people;
  const head = `<strong>${p.approximate ? 'about ' : ''}${esc(fmt(p.count))}</strong> <span class="muted">${esc(p.counts)}</span>`;
  if (!p.breakdown?.length) return head;
  const parts = p.breakdown.map((b) => {
    // "counts" says who they are; without it, the nationality does
    const who = b.counts ?? (b.nationality ? `from ${name(b.nationality)}` : '');
    return `<li>${b.approximate ? 'about ' : ''}${esc(fmt(b.count))} ${esc(who)}</li>`;
  });
  return `${head}<ul style="margin:.2rem 0;padding-left:1.1rem">${parts.join('')}</ul>`;
}

function sourceList(e: EnforcementEvent): string {
  const items = e.sources.map(
    (s) =>
      `<li>${esc(s.publisher)}${s.via ? ` <span class="muted">(via ${esc(s.via)})</span>` : ''}, ${esc(day(s.date))}: <a href="${esc(s.url)}" rel="noopener noreferrer">${esc(s.title)}</a></li>`,
  );
  return `<ul style="margin:0;padding-left:1.1rem">${items.join('')}</ul>`;
}

function row(e: EnforcementEvent): string {
  const status =
    e.status === 'confirmed'
      ? `<strong>Confirmed</strong> by ${esc(e.status_by)}`
      : `<span class="tag">Reported only</span> by ${esc(e.status_by)}`;
  return `<tr id="${esc(e.id)}">
<td class="date"><a href="#${esc(e.id)}">${esc(eventDates(e))}</a></td>
<td><span class="muted">Sent to</span> ${e.to.map(countryLink).join(', ')}<br><span class="muted">Citizens of</span> ${e.nationalities.map(countryLink).join(', ')}</td>
<td>${peopleText(e)}</td>
<td>${esc(e.summary)}${e.note ? `<p class="muted" style="margin:.3rem 0 0;font-size:.88rem">${esc(e.note)}</p>` : ''}</td>
<td>${status}</td>
<td>${sourceList(e)}</td>
</tr>`;
}

/** One CSV line per event; lists joined by ';' (countries) or ' ' (URLs). */
function csvRow(e: EnforcementEvent): Record<string, unknown> {
  return {
    id: e.id,
    date: e.date,
    end_date: e.end_date ?? '',
    to: e.to.join(';'),
    nationalities: e.nationalities.join(';'),
    people: e.people.count,
    people_approximate: e.people.approximate ?? false,
    people_counts: e.people.counts,
    status: e.status,
    status_by: e.status_by,
    summary: e.summary,
    note: e.note ?? '',
    source_urls: e.sources.map((s) => s.url).join(' '),
  };
}

const COLUMNS = ['id', 'date', 'end_date', 'to', 'nationalities', 'people', 'people_approximate', 'people_counts', 'status', 'status_by', 'summary', 'note', 'source_urls'];

/**
 * /events: the reviewed events file (src/events/events.json), newest first, each with its
 * countries, people, status and sources. `?country=ISO3` keeps the events of one country.
 * The JSON form is the validated list, in the file's order.
 */
export const eventsPage: PageRoute = {
  path: '/events',
  async render({ query }) {
    let events: EnforcementEvent[] = [...EVENTS];
    let country: string | undefined;
    if (query.country !== undefined) {
      country = query.country.trim().toUpperCase();
      if (!isEventCountry(country)) throw new ParamError('country', `'${query.country}' is not an ISO 3166-1 alpha-3 country code`);
      events = eventsForCountry(country, EVENTS);
    }
    const newestFirst = [...events].sort((a, b) => b.date.localeCompare(a.date) || a.id.localeCompare(b.id));
    const reported = events.filter((e) => e.status === 'reported').length;
    const heading = country ? `Events: ${name(country)}` : 'Events';
    const filterNote = country
      ? `<p>Events involving ${countryLink(country)}, as destination or as the citizenship of the people sent. <a href="/events">All events</a>.</p>`
      : '';
    const body = `<h1>${esc(heading)}</h1>
<p>These are events reported in the news or announced by governments: deportation flights and statements about them. They are kept here beside the agencies' numbers for context. <strong>They are not in the agencies' files</strong>, which count people by month or year, not by flight. A <em>reported</em> event is not a confirmed one: it rests on what one party said, and the other has not confirmed it.</p>
<p class="muted">Each event gives its date as the sources give it, the countries people were sent to and their citizenships, the number of people and what that number counts, who confirmed or reported it, and the sources. The list is a reviewed file in the repository (<code>src/events/events.json</code>), checked by a test; ${esc(fmt(events.length))} event${events.length === 1 ? '' : 's'} here${reported ? `, ${esc(fmt(reported))} of them reported only` : ''}.</p>
${filterNote}
${
  newestFirst.length
    ? `<div class="table-wrap"><table style="min-width:860px">
<caption class="muted" style="text-align:left">Events, newest first. Country names link to the country's page.</caption>
<thead><tr><th scope="col">Date</th><th scope="col">Countries</th><th scope="col">People</th><th scope="col">What happened</th><th scope="col">Status</th><th scope="col">Sources</th></tr></thead>
<tbody>${newestFirst.map(row).join('\n')}</tbody></table></div>`
    : '<p class="note">No event involves this country yet.</p>'
}`;
    return {
      title: heading,
      body,
      data: {
        ...(country ? { country } : {}),
        statuses: [...EVENT_STATUSES],
        count: events.length,
        events,
      },
      csv: { rows: events.map(csvRow), columns: COLUMNS },
      releases: [],
    };
  },
};
