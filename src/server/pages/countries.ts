import { ParamError } from '../../metrics/params.js';
import { rankBars, type NamedValue } from '../../web/border-charts.js';
import { esc, fmt } from '../render/html.js';
import { classifyName, dataContext, loadMeasures, MEASURES, nameKey, periodText, releaseLinks, releasesOf, sortableTable, type MeasureLoad, type NameClass } from './country-data.js';
import type { PageRoute } from './types.js';

/** Countries drawn in the ranking chart; the table lists all of them. */
const TOP = 15;

interface Cell {
  value: number;
  /** Every row of the name withheld by the agency ("D"). */
  withheld?: boolean;
  rank: number | null;
  previous: number | null;
  spellings: string[];
}

interface Entity {
  key: string;
  cls: NameClass;
  values: Record<string, Cell>;
}

/** The period a measure is ranked on: its latest complete fiscal year, or a stock's latest day. */
const periodOf = (l: MeasureLoad) => (l.spec.kind === 'flow' ? l.latestComplete : l.latestPeriod);
const previousOf = (l: MeasureLoad) => {
  const p = periodOf(l);
  if (!p) return null;
  if (l.spec.kind === 'stock') return l.yearEarlier;
  const prev = `FY${Number(p.slice(2)) - 1}`;
  return l.totals.has(prev) && !l.partial.has(prev) ? prev : null;
};

const ABSENT: Record<string, string> = {
  'not-named': 'not broken out by CBP (inside OTHER)',
  rounded: 'no row in the OHSS workbook: none, or fewer than 5 (rounded to 10)',
  zero: 'no record in the productions loaded (none in their area and years)',
  'not-listed': "not in the agency's table",
  threshold: 'not listed in the yearbook: under its threshold (inside “All other countries”), or none',
};

function collect(loads: MeasureLoad[]): Map<string, Entity> {
  const out = new Map<string, Entity>();
  for (const l of loads) {
    const period = periodOf(l);
    const prev = previousOf(l);
    if (l.status !== 'ok' || !period) continue;
    for (const r of l.rows) {
      if (r.period !== period && r.period !== prev) continue;
      const cls = classifyName(r.name);
      const key = nameKey(cls);
      let e = out.get(key);
      if (!e) {
        e = { key, cls, values: {} };
        out.set(key, e);
      }
      const cell = (e.values[l.spec.key] ??= { value: 0, rank: null, previous: null, spellings: [] });
      if (r.period === period) {
        if (r.withheld) cell.withheld ??= true;
        else {
          cell.value += r.value;
          cell.withheld = false;
        }
        if (!cell.spellings.includes(r.name)) cell.spellings.push(r.name);
      } else if (!r.withheld) cell.previous = (cell.previous ?? 0) + r.value;
    }
  }
  // a country present only in the year before has no value in the year ranked: drop its empty cell's value to 0 only for FOIA records
  for (const e of out.values()) {
    for (const [k, c] of Object.entries(e.values)) {
      if (c.spellings.length === 0) {
        const l = loads.find((x) => x.spec.key === k)!;
        if (l.spec.absent !== 'zero') delete e.values[k];
      }
    }
  }
  // ranks among countries only (groups are not countries); ties share a rank
  for (const l of loads) {
    const ranked = [...out.values()].filter((e) => e.cls.kind === 'country' && e.values[l.spec.key] && e.values[l.spec.key]!.spellings.length > 0 && !e.values[l.spec.key]!.withheld).sort((a, b) => b.values[l.spec.key]!.value - a.values[l.spec.key]!.value);
    let rank = 0;
    let last: number | null = null;
    ranked.forEach((e, i) => {
      const v = e.values[l.spec.key]!.value;
      if (v !== last) rank = i + 1;
      last = v;
      e.values[l.spec.key]!.rank = rank;
    });
  }
  return out;
}

const label = (c: NameClass) => (c.kind === 'country' ? c.name : c.label);
const KIND_TEXT: Record<string, string> = {
  group: 'not one country (an aggregate, unknown or stateless)',
  historic: 'a former country: never assigned to a successor',
  unresolved: 'a spelling nobody has reviewed yet (kept as written)',
  missing: 'no value in the record',
};

/**
 * /countries: every country any loaded source names, ranked by each measure in that measure's
 * latest complete fiscal year (a stock on its latest day). `?by=KEY` picks the measure the rows
 * and the chart are ranked by; the table also sorts in the browser. Names that are not one
 * country (CBP's OTHER, UNKNOWN, former countries) are listed apart and never ranked.
 */
export const countriesPage: PageRoute = {
  path: '/countries',
  async render({ db, vintage, query }) {
    if (query.by !== undefined && !MEASURES.some((m) => m.key === query.by)) {
      throw new ParamError('by', `'${query.by}' is not a measure; the measures are ${MEASURES.map((m) => m.key).join(', ')}`);
    }
    const ctx = await dataContext(db, vintage);
    const loads = await loadMeasures(ctx);
    const ok = loads.filter((l) => l.status === 'ok' && periodOf(l));
    const by = query.by ?? ok[0]?.spec.key ?? 'cbp';
    const rankedBy = ok.find((l) => l.spec.key === by);
    if (query.by !== undefined && !rankedBy) {
      throw new ParamError('by', `'${by}' has no figures in this data version; the measures with figures are ${ok.map((l) => l.spec.key).join(', ') || 'none'}`);
    }
    const entities = collect(ok);
    const valueFor = (e: Entity) => {
      const c = rankedBy ? e.values[rankedBy.spec.key] : undefined;
      return c && c.spellings.length && !c.withheld ? c.value : null;
    };
    const order = (a: Entity, b: Entity) => {
      const [va, vb] = [valueFor(a), valueFor(b)];
      if (va === null || vb === null) return va === null && vb === null ? label(a.cls).localeCompare(label(b.cls)) : va === null ? 1 : -1;
      return vb - va || label(a.cls).localeCompare(label(b.cls));
    };
    // a name with rows only in the year before the one shown has nothing to show
    const shownEntities = [...entities.values()].filter((e) => Object.values(e.values).some((c) => c.spellings.length > 0));
    const countries = shownEntities.filter((e) => e.cls.kind === 'country').sort(order);
    const groups = shownEntities.filter((e) => e.cls.kind !== 'country').sort(order);
    const missing = loads.filter((l) => !ok.includes(l));

    const cell = (e: Entity, l: MeasureLoad) => {
      const c = e.values[l.spec.key];
      if (!c || c.spellings.length === 0) {
        const why = c ? `none in ${periodOf(l)}` : ABSENT[l.spec.absent]!;
        return `<td class="num" data-sort=""><span class="muted" title="${esc(why)}">–</span></td>`;
      }
      if (c.withheld) return `<td class="num" data-sort=""><span class="muted" title="withheld by the agency (a small number), not zero">withheld</span></td>`;
      return `<td class="num" data-sort="${c.value}">${esc(fmt(c.value))}${c.rank !== null ? ` <span class="muted" style="font-size:.8em">#${c.rank}</span>` : ''}</td>`;
    };
    const head: Array<[string, boolean]> = [
      ['Country', false],
      ['ISO', false],
      ...ok.map((l): [string, boolean] => [`${l.spec.label}, ${periodText(periodOf(l)!)}`, true]),
      ...(rankedBy ? [[`${rankedBy.spec.label}: change on ${periodText(previousOf(rankedBy) ?? 'the year before')}`, true] as [string, boolean]] : []),
    ];
    const change = (e: Entity) => {
      if (!rankedBy) return '';
      const c = e.values[rankedBy.spec.key];
      if (!c || !c.spellings.length || c.previous === null || !previousOf(rankedBy)) return '<td class="num" data-sort=""></td>';
      const d = c.value - c.previous;
      const p = c.previous ? ` (${d > 0 ? '+' : d < 0 ? '−' : ''}${Math.abs(Math.round((d / c.previous) * 1000) / 10)}%)` : '';
      return `<td class="num" data-sort="${d}">${d > 0 ? '+' : d < 0 ? '−' : '±'}${esc(fmt(Math.abs(d)))}${esc(p)}</td>`;
    };
    const rows = countries.map((e) => {
      const c = e.cls as Extract<NameClass, { kind: 'country' }>;
      return `<tr><td><a href="/countries/${esc(c.iso3)}">${esc(c.name)}</a></td><td><code>${esc(c.iso3)}</code></td>${ok.map((l) => cell(e, l)).join('')}${change(e)}</tr>`;
    });
    const groupRows = groups.map((e) => `<tr><td>${esc(label(e.cls))}</td><td class="muted">${esc(KIND_TEXT[e.cls.kind] ?? '')}</td>${ok.map((l) => cell(e, l)).join('')}</tr>`);
    const keep = vintage !== 'latest' ? `vintage=${encodeURIComponent(vintage)}&` : '';
    const switcher = ok.map((l) => (l.spec.key === by ? `<strong>${esc(l.spec.label)}</strong>` : `<a href="/countries?${keep}by=${esc(l.spec.key)}">${esc(l.spec.label)}</a>`)).join(' · ');
    const chartRows: NamedValue[] = rankedBy
      ? [
          ...countries.filter((e) => valueFor(e) !== null).slice(0, TOP).map((e) => ({ label: label(e.cls), value: valueFor(e)! })),
          ...groups.filter((e) => valueFor(e) !== null && e.cls.kind === 'group').map((e) => ({ label: label(e.cls), value: valueFor(e)!, remainder: true })),
        ]
      : [];
    const shown = releasesOf(ctx, ok.flatMap((l) => l.releases));
    const measureNotes = ok.map((l) => {
      const cov = l.coverage?.text ? ` Coverage: ${l.coverage.text}.` : '';
      return `<li><strong>${esc(l.spec.label)}</strong>, ${esc(periodText(periodOf(l)!))}${l.spec.kind === 'flow' ? ' (its latest complete fiscal year)' : ' (the latest day in the records)'}: ${esc(l.spec.caveat)}${esc(cov)} Files: ${releaseLinks(ctx, l.releases)}.${l.csv ? ` <a href="${esc(l.csv)}">CSV</a>` : ''}</li>`;
    });

    const body = `<h1>Countries</h1>
<p>Every country a loaded source names, with each source's figure in its own latest complete fiscal year (October–September), and its rank among countries (#). The sources count different things (CBP encounters, the Border Patrol's share of them, ICE's records of one area) over different years: compare a country's rank within a column, not numbers across columns. Each country links to its page, with every figure's source, coverage and caveat.</p>
${vintage !== 'latest' ? `<p class="note">Vintage <code>${esc(vintage)}</code>: only the files known by then are used.</p>` : ''}
${ok.length ? `<p>Ranked by: ${switcher}. Click a column header to sort by it.</p>` : '<p class="note">No source with a citizenship breakdown is loaded.</p>'}
${
  chartRows.length && rankedBy
    ? `<figure>${rankBars(chartRows, { title: `${rankedBy.spec.label} in ${periodText(periodOf(rankedBy)!)}: the ${Math.min(TOP, countries.length)} largest countries${chartRows.some((r) => r.remainder) ? ' and the groups that are not one country' : ''}`, xLabel: `${rankedBy.spec.unit} in ${periodText(periodOf(rankedBy)!)}` })}
<figcaption><p>${esc(rankedBy.spec.label)}, ${esc(periodText(periodOf(rankedBy)!))}: the ${Math.min(TOP, countries.length)} countries with most${chartRows.some((r) => r.remainder) ? ', and in grey the names that are not one country (such as CBP\'s OTHER, every citizenship CBP does not break out): they are not ranked' : ''}. ${esc(rankedBy.spec.caveat)}</p></figcaption></figure>`
    : ''
}
${ok.length ? sortableTable(`Countries ranked by ${rankedBy ? `${rankedBy.spec.label}, ${periodText(periodOf(rankedBy)!)}` : 'name'}; – means no figure (hover for why)`, head, rows) : ''}
<p class="muted">– : CBP does not break the country out (it is inside OTHER); OHSS has no row (none, or fewer than 5: OHSS rounds to 10); ICE's table does not list it; the yearbook puts it in “All other countries”; the FOIA productions loaded have no record of it (none in their area and years). “withheld”: the agency withheld a small number (not zero). A country no source names is not listed; its page still exists at <code>/countries/ISO3</code>.</p>
<h2 id="groups">Not countries</h2>
<p>Names the agencies use that are not one country. They are shown apart and never ranked, split or subtracted: CBP's OTHER is every citizenship CBP does not break out (Iran among them), a different set in each file; UNKNOWN is a person who gave no country; a former country (USSR, Yugoslavia) is not assigned to a successor.</p>
${groupRows.length ? sortableTable('Names that are not one country, in the same years as above', [['Name as written', false], ['What it is', false], ...ok.map((l): [string, boolean] => [`${l.spec.label}, ${periodText(periodOf(l)!)}`, true])], groupRows) : '<p class="muted">None in the data loaded.</p>'}
<h2 id="sources">The measures</h2>
<ul>${measureNotes.join('\n')}</ul>
${missing.length ? `<p>No figures: ${missing.map((l) => `<strong>${esc(l.spec.label)}</strong>: ${esc(l.why)}`).join(' ')}</p>` : ''}
<p class="muted">ICE's biweekly detention statistics have no nationality. <a href="/third-country-removals">Third-country removals</a> · <a href="/events">Events</a></p>`;

    const measures = loads.map((l) => ({
      key: l.spec.key,
      metric: l.spec.metric,
      label: l.spec.label,
      status: ok.includes(l) ? 'ok' : l.status,
      why: l.why || null,
      period: periodOf(l),
      previous_period: previousOf(l),
      caveat: l.spec.caveat,
      coverage: l.coverage,
      csv: l.csv,
      releases: l.releases,
    }));
    const entityJson = (e: Entity) => ({
      ...(e.cls.kind === 'country' ? { iso3: e.cls.iso3, name: e.cls.name } : { name: e.cls.label, kind: e.cls.kind }),
      values: Object.fromEntries(
        Object.entries(e.values)
          .filter(([, c]) => c.spellings.length > 0)
          .map(([k, c]) => [k, c.withheld ? { ...c, value: null, rank: null } : { ...c, withheld: undefined }]),
      ),
    });
    const csvColumns = ['iso3', 'name', 'kind', ...MEASURES.flatMap((m) => [`${m.key}_period`, m.key, `${m.key}_rank`])];
    const csvRow = (e: Entity) => {
      const row: Record<string, unknown> = { iso3: e.cls.kind === 'country' ? e.cls.iso3 : '', name: label(e.cls), kind: e.cls.kind };
      for (const m of MEASURES) {
        const l = ok.find((x) => x.spec.key === m.key);
        const c = e.values[m.key];
        row[`${m.key}_period`] = l ? periodOf(l) : '';
        row[m.key] = c && c.spellings.length ? (c.withheld ? 'withheld' : c.value) : '';
        row[`${m.key}_rank`] = c && c.spellings.length ? (c.rank ?? '') : '';
      }
      return row;
    };
    return {
      title: 'Countries',
      body,
      data: { vintage, by: rankedBy ? by : null, measures, countries: countries.map(entityJson), groups: groups.map(entityJson) },
      csv: { rows: [...countries, ...groups].map(csvRow), columns: csvColumns },
      releases: shown,
    };
  },
};
