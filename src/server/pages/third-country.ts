import { EVENTS, type EnforcementEvent, type EventAnnotation } from '../../events/events.js';
import { countryByIso3 } from '../../lib/countries.js';
import { esc, fmt } from '../render/html.js';
import {
  apiCsv,
  dataContext,
  loadMeasure,
  measureByKey,
  monthlyChart,
  monthName,
  nameKey,
  numCell,
  pairRows,
  pct,
  releaseLinks,
  releasesOf,
  sortableTable,
  type NameClass,
  type PairRow,
} from './country-data.js';
import type { PageRoute } from './types.js';

const KEYS = [
  { key: 'third', label: 'to another country than the citizenship', color: '#e15759' },
  { key: 'same', label: 'to the country of citizenship', color: '#1f5f99' },
  { key: 'unknown', label: 'unknown (no departure country, or not one country)', color: '#bab0ab' },
];

const PITFALLS: Array<{ id: string; title: string; text: string }> = [
  {
    id: 'dual-nationality',
    title: 'Dual nationality',
    text: 'ICE records one country of citizenship. A person with two nationalities removed to the second shows up as a removal to another country, although it is their own.',
  },
  {
    id: 'transit',
    title: 'Transit stops',
    text: 'The departure country can be where the removal flight stopped or the person was handed over (Mexico, Panama, Guatemala for onward travel), not where the person ended up. Panama, for one, received people in 2025 only to send them on.',
  },
  {
    id: 'stateless',
    title: 'Stateless people',
    text: 'A stateless person has no country of citizenship: the records say STATELESS or UNKNOWN, which is not one country, so such removals are counted as unknown here, although any removal of a stateless person is to a country that is not theirs.',
  },
  {
    id: 'spelling',
    title: 'Spelling differences between columns',
    text: "ICE's citizenship and departure-country columns do not always spell a country the same way (BURMA and MYANMAR, KOREA and SOUTH KOREA). Both are resolved to ISO 3166-1 codes and compared by code, never by the names as written. The metric's own third_country flag (foia.removals?by=third_country) compares the names as written, so it can count a spelling difference as a third-country removal; the count of such rows is stated above.",
  },
  {
    id: 'not-one-country',
    title: 'Names that are not one country',
    text: 'UNKNOWN, former countries (USSR, Yugoslavia, Serbia and Montenegro) and names nobody has reviewed are not compared: they are counted as unknown, never guessed.',
  },
  {
    id: 'missing',
    title: 'Missing departure country',
    text: 'Older productions (the Seattle area-of-responsibility files, FY2012–FY2019) have no departure-country column at all, and redacted values are missing: those removals are unknown, and their share is stated rather than left out of the denominator silently.',
  },
  {
    id: 'coverage',
    title: 'Coverage',
    text: 'Each FOIA production covers its own area and dates. A count from one area of responsibility is not a national figure.',
  },
];

/** Events where people were sent to a country other than their own: some nationality is not among the destinations. */
export function thirdCountryEvents(events: readonly EnforcementEvent[] = EVENTS): EnforcementEvent[] {
  return events.filter((e) => e.nationalities.some((n) => !e.to.includes(n)));
}

const nameOf = (iso3: string) => countryByIso3(iso3)?.name ?? iso3;
const classLabel = (c: NameClass) => (c.kind === 'country' ? c.name : c.label);
const link = (c: NameClass, raw: string) => (c.kind === 'country' ? `<a href="/countries/${esc(c.iso3)}">${esc(c.name)}</a>` : `${esc(raw)} <span class="muted">(${esc(c.kind === 'missing' ? 'not recorded' : c.kind === 'historic' ? 'former country' : c.kind === 'group' ? 'not one country' : 'unreviewed name')})</span>`);

interface MonthRow {
  month: string;
  removals: number;
  same: number;
  third: number;
  unknown_missing: number;
  unknown_not_one_country: number;
  partial: boolean;
}

/**
 * /third-country-removals: removals of people to a country other than their citizenship, from
 * ICE's FOIA removal records, by month, destination and citizenship, compared by ISO code. What
 * is unknown (no departure country, a name that is not one country) is counted and its share
 * stated; the pitfalls of reading a difference as a third-country removal are listed; the
 * reported third-country deportations of the events list are shown beside, as events, not rows.
 */
export const thirdCountryPage: PageRoute = {
  path: '/third-country-removals',
  async render({ db, vintage }) {
    const ctx = await dataContext(db, vintage);
    const load = await loadMeasure(ctx, measureByKey('foia_removals')!);
    const rows: PairRow[] = load.status === 'ok' ? pairRows(load, 'month') : [];
    const events = thirdCountryEvents();
    const annotations: EventAnnotation[] = events.map((e) => ({ date: e.date, label: e.status === 'reported' && !/reported/i.test(e.label) ? `${e.label} (reported)` : e.label, url: `/events#${e.id}` }));

    /* totals */
    const t = { removals: 0, same: 0, third: 0, unknown_missing: 0, unknown_not_one_country: 0, spelling_only: 0, raw_flag_yes: 0 };
    const months = new Map<string, MonthRow>();
    const dest = new Map<string, { cls: NameClass; raw: string; value: number; from: Map<string, { cls: NameClass; raw: string; value: number }> }>();
    const cits = new Map<string, { cls: NameClass; raw: Set<string>; total: number; same: number; third: number; unknown: number }>();
    const unknownNames = new Map<string, { raw: string; column: 'citizenship' | 'departure country'; kind: string; value: number }>();
    const spellings = new Map<string, { citizenship: string; departure_country: string; iso3: string; value: number }>();
    for (const r of rows) {
      t.removals += r.value;
      if (r.kind === 'same') t.same += r.value;
      else if (r.kind === 'third') t.third += r.value;
      else if (r.unknown_why === 'missing') t.unknown_missing += r.value;
      else t.unknown_not_one_country += r.value;
      const m = months.get(r.period) ?? { month: r.period, removals: 0, same: 0, third: 0, unknown_missing: 0, unknown_not_one_country: 0, partial: load.monthPartial.has(r.period) };
      m.removals += r.value;
      if (r.kind === 'same') m.same += r.value;
      else if (r.kind === 'third') m.third += r.value;
      else if (r.unknown_why === 'missing') m.unknown_missing += r.value;
      else m.unknown_not_one_country += r.value;
      months.set(r.period, m);
      const ck = nameKey(r.cit);
      const c = cits.get(ck) ?? { cls: r.cit, raw: new Set<string>(), total: 0, same: 0, third: 0, unknown: 0 };
      c.raw.add(r.citizenship);
      c.total += r.value;
      if (r.kind === 'same') c.same += r.value;
      else if (r.kind === 'third') c.third += r.value;
      else c.unknown += r.value;
      cits.set(ck, c);
      // the metric's own flag: the names as written differ (and neither is missing)
      if (r.cit.kind !== 'missing' && r.dep.kind !== 'missing' && r.citizenship.trim().toUpperCase() !== r.departure_country.trim().toUpperCase()) t.raw_flag_yes += r.value;
      if (r.spelling_only) {
        t.spelling_only += r.value;
        const k = `${r.citizenship}\u0000${r.departure_country}`;
        const s = spellings.get(k) ?? { citizenship: r.citizenship, departure_country: r.departure_country, iso3: r.cit.kind === 'country' ? r.cit.iso3 : '', value: 0 };
        s.value += r.value;
        spellings.set(k, s);
      }
      if (r.kind === 'third') {
        const dk = nameKey(r.dep);
        const d = dest.get(dk) ?? { cls: r.dep, raw: r.departure_country, value: 0, from: new Map() };
        d.value += r.value;
        const f = d.from.get(ck) ?? { cls: r.cit, raw: r.citizenship, value: 0 };
        f.value += r.value;
        d.from.set(ck, f);
        dest.set(dk, d);
      }
      if (r.unknown_why === 'not-one-country') {
        for (const [cls, raw, column] of [[r.cit, r.citizenship, 'citizenship'], [r.dep, r.departure_country, 'departure country']] as const) {
          if (cls.kind === 'country' || cls.kind === 'missing') continue;
          const k = `${column}\u0000${raw}`;
          const u = unknownNames.get(k) ?? { raw, column, kind: cls.kind, value: 0 };
          u.value += r.value;
          unknownNames.set(k, u);
        }
      }
    }
    const unknown = t.unknown_missing + t.unknown_not_one_country;
    const known = t.same + t.third;
    const totals = {
      ...t,
      unknown,
      unknown_share_pct: t.removals ? Math.round((unknown / t.removals) * 1000) / 10 : null,
      third_share_of_known_pct: known ? Math.round((t.third / known) * 1000) / 10 : null,
    };
    const monthRows = [...months.values()].sort((a, b) => a.month.localeCompare(b.month));
    const destRows = [...dest.values()].sort((a, b) => b.value - a.value || classLabel(a.cls).localeCompare(classLabel(b.cls)));
    const citRows = [...cits.values()].sort((a, b) => b.third - a.third || b.total - a.total || classLabel(a.cls).localeCompare(classLabel(b.cls)));
    const coverage = load.coverage;
    const shown = releasesOf(ctx, load.releases);

    /* html */
    const statusLine =
      load.status !== 'ok'
        ? `<p class="note">${esc(load.why)}</p>`
        : t.removals === 0
          ? '<p class="note">The productions loaded hold no removal with a departure date.</p>'
          : `<p>In the FOIA productions loaded${coverage?.text ? ` (${esc(coverage.text)})` : ''}: <strong>${esc(fmt(t.removals))}</strong> removals. <strong>${esc(fmt(t.third))}</strong> were to a country other than the person's citizenship and ${esc(fmt(t.same))} to the country of citizenship${
              known ? ` (${esc(pct(t.third, known))} of the removals whose destination is known)` : ''
            }. <strong>Unknown: ${esc(fmt(unknown))} (${esc(pct(unknown, t.removals))})</strong>: ${esc(fmt(t.unknown_missing))} with no departure country or no citizenship recorded${t.unknown_missing === t.removals ? ' — these productions have no departure-country column, so nothing can be said here about where anyone was sent' : ''}, and ${esc(fmt(t.unknown_not_one_country))} where one of the two is not one country (UNKNOWN, STATELESS, a former country).</p>
<p class="muted">Spelling differences: ${esc(fmt(t.spelling_only))} removals have a citizenship and a departure country written differently that name the same country; the metric's own <code>third_country</code> flag, which compares the names as written, counts ${esc(fmt(t.raw_flag_yes))} as “yes”, this page ${esc(fmt(t.third))}.</p>`;
    const chart = monthRows.length
      ? `<figure>${monthlyChart(
          monthRows.flatMap((m) => [
            { month: m.month, key: 'third', value: m.third, partial: m.partial },
            { month: m.month, key: 'same', value: m.same, partial: m.partial },
            { month: m.month, key: 'unknown', value: m.unknown_missing + m.unknown_not_one_country, partial: m.partial },
          ]),
          KEYS,
          { title: 'ICE removals each month from the FOIA records: to another country than the citizenship, to the country of citizenship, and unknown', yLabel: 'removals', events: annotations },
        )}<figcaption><p>Removals by month of departure, stacked: to another country (red), to the country of citizenship (blue), unknown (grey). Events, dashed, are reported third-country deportations (<a href="#events">listed below</a>); they are drawn only where the records cover their dates. Files: ${releaseLinks(ctx, load.releases) || 'none'}.</p>
<p>Download CSV: <a href="/third-country-removals.csv${vintage !== 'latest' ? `?vintage=${esc(vintage)}` : ''}">this table by month</a>${load.def && load.dim && load.pairs ? ` · <a href="${esc(apiCsv(load.def, { grain: 'month', by: [load.dim, 'departure_country'] }, load.pin))}">removals by month, citizenship and departure country</a>` : ''}</p></figcaption></figure>`
      : '';
    const monthTable = monthRows.length
      ? `<details><summary>By month (${monthRows.length} months)</summary>${sortableTable(
          'Removals by month of departure',
          [['Month', false], ['Removals', true], ['To another country', true], ['To the country of citizenship', true], ['Unknown: not recorded', true], ['Unknown: not one country', true], ['Note', false]],
          [...monthRows].reverse().map(
            (m) =>
              `<tr><td data-sort="${esc(m.month)}">${esc(monthName(m.month))}</td>${numCell(m.removals)}${numCell(m.third)}${numCell(m.same)}${numCell(m.unknown_missing)}${numCell(m.unknown_not_one_country)}<td>${m.partial ? '<span class="tag">partial</span>' : ''}</td></tr>`,
          ),
        )}</details>`
      : '';
    const destTable = destRows.length
      ? sortableTable(
          'Removals to a country other than the citizenship, by departure country',
          [['Departure country', false], ['Removals', true], ['Citizenships (most first)', false]],
          destRows.map(
            (d) =>
              `<tr><td>${link(d.cls, d.raw)}</td>${numCell(d.value)}<td>${[...d.from.values()]
                .sort((a, b) => b.value - a.value)
                .slice(0, 8)
                .map((f) => `${link(f.cls, f.raw)} ${esc(fmt(f.value))}`)
                .join(', ')}${d.from.size > 8 ? ', …' : ''}</td></tr>`,
          ),
        )
      : `<p class="note">No removal in the records loaded has a citizenship and a different departure country${t.removals && t.unknown_missing === t.removals ? ': the productions loaded record no departure country' : ''}.</p>`;
    const citTable = citRows.length
      ? sortableTable(
          'Removals by citizenship: to another country, to the country of citizenship, unknown',
          [['Citizenship', false], ['Removals', true], ['To another country', true], ['To the country of citizenship', true], ['Unknown', true], ['Share to another country (of known)', true]],
          citRows.map(
            (c) =>
              `<tr><td>${link(c.cls, [...c.raw].join(', '))}</td>${numCell(c.total)}${numCell(c.third)}${numCell(c.same)}${numCell(c.unknown)}<td class="num" data-sort="${c.same + c.third ? c.third / (c.same + c.third) : ''}">${esc(c.same + c.third ? pct(c.third, c.same + c.third) : '–')}</td></tr>`,
          ),
        )
      : '';
    const unknownList = unknownNames.size
      ? `<p class="muted">Names that are not one country, counted as unknown: ${[...unknownNames.values()]
          .sort((a, b) => b.value - a.value)
          .map((u) => `<code>${esc(u.raw)}</code> (${esc(u.column)}, ${esc(u.kind === 'historic' ? 'former country' : u.kind === 'group' ? 'not one country' : 'unreviewed')}) ${esc(fmt(u.value))}`)
          .join(', ')}.</p>`
      : '';
    const eventItems = events.map((e) => {
      const others = e.nationalities.filter((n) => !e.to.includes(n));
      return `<li id="event-${esc(e.id)}"><a href="/events#${esc(e.id)}"><strong>${esc(e.date)}${e.end_date ? `–${esc(e.end_date)}` : ''}</strong>: ${esc(e.label)}</a> — sent to ${e.to.map((c) => `<a href="/countries/${esc(c)}">${esc(nameOf(c))}</a>`).join(', ')}; citizens of ${others.map((c) => `<a href="/countries/${esc(c)}">${esc(nameOf(c))}</a>`).join(', ')}${e.nationalities.length > others.length ? ` (and of the destination)` : ''}. <span class="muted">${e.status === 'confirmed' ? `Confirmed by ${esc(e.status_by)}` : `<span class="tag">reported only</span> by ${esc(e.status_by)}`}.</span></li>`;
    });

    const body = `<h1>Third-country removals</h1>
<p>People removed by ICE to a country other than the one of their citizenship, counted from ICE's individual removal records produced under the Freedom of Information Act: each record's country of citizenship against its departure country, both resolved to ISO 3166-1 codes and compared by code. A difference is not always a third-country removal: see <a href="#pitfalls">the pitfalls</a>.</p>
${vintage !== 'latest' ? `<p class="note">Vintage <code>${esc(vintage)}</code>: only the files known by then are used.</p>` : ''}
${statusLine}
${
  coverage?.productions.length
    ? `<p><strong>Coverage:</strong> ${esc(coverage.text)}. Productions: ${coverage.productions.map((p) => `“${esc(p.title ?? p.files.join(', '))}” (<a href="/-/releases/${esc(p.release_id)}">${esc(p.files.join(', '))}</a>)`).join('; ')}.</p>`
    : ''
}
<div style="display:grid;grid-template-columns:minmax(0,2fr) minmax(220px,1fr);gap:1rem;align-items:start">
<div>
<h2 id="month">By month</h2>
${chart}
${monthTable}
<h2 id="destination">By destination</h2>
${destTable}
<h2 id="citizenship">By citizenship</h2>
${citTable}
${unknownList}
</div>
<aside aria-labelledby="events">
<h2 id="events">Reported third-country deportations</h2>
<p class="muted">From the reviewed <a href="/events">events list</a>: flights and announcements reported in the news or by governments in which people were sent to a country not their own. <strong>These are reported events, not rows of the agency files</strong>: their passengers are inside ICE's records only if a production covers their dates and area, and cannot be picked out there.</p>
<ul>${eventItems.join('\n') || '<li class="muted">None in the list.</li>'}</ul>
</aside>
</div>
<h2 id="pitfalls">Pitfalls</h2>
<dl>${PITFALLS.map((p) => `<dt id="${esc(p.id)}"><strong>${esc(p.title)}</strong></dt><dd>${esc(p.text)}</dd>`).join('\n')}</dl>
${spellings.size ? `<p class="muted">Spelling pairs that name one country: ${[...spellings.values()].map((s) => `<code>${esc(s.citizenship)}</code> / <code>${esc(s.departure_country)}</code> (${esc(s.iso3)}) ${esc(fmt(s.value))}`).join(', ')}.</p>` : ''}`;

    return {
      title: 'Third-country removals',
      body,
      data: {
        vintage,
        status: load.status,
        why: load.why || null,
        metric: load.spec.metric,
        coverage,
        totals,
        months: monthRows,
        destinations: destRows.map((d) => ({
          departure_country: d.raw,
          iso3: d.cls.kind === 'country' ? d.cls.iso3 : null,
          name: classLabel(d.cls),
          removals: d.value,
          citizenships: [...d.from.values()].sort((a, b) => b.value - a.value).map((f) => ({ citizenship: f.raw, iso3: f.cls.kind === 'country' ? f.cls.iso3 : null, removals: f.value })),
        })),
        citizenships: citRows.map((c) => ({ citizenship: [...c.raw], iso3: c.cls.kind === 'country' ? c.cls.iso3 : null, name: classLabel(c.cls), kind: c.cls.kind, removals: c.total, third: c.third, same: c.same, unknown: c.unknown })),
        unknown_names: [...unknownNames.values()],
        spelling_differences: [...spellings.values()],
        pitfalls: PITFALLS,
        events,
        releases: shown.map((r) => r.release_id),
      },
      csv: { rows: monthRows.map((m) => ({ ...m })), columns: ['month', 'removals', 'third', 'same', 'unknown_missing', 'unknown_not_one_country', 'partial'] },
      releases: shown,
    };
  },
};
