/**
 * /287g: the map by state (U.S. state shapes bundled from us-atlas, drawn on the server),
 * the growth chart and the numbers of the latest list, as HTML, JSON and CSV, over the real
 * 287(g) folder; the map helper on its own; the page with no list loaded.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/connection.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { G287_METRICS } from '../../src/metrics/g287.js';
import { METRICS } from '../../src/metrics/registry.js';
import { buildApp } from '../../src/server/app.js';
import { g287Page } from '../../src/server/pages/g287.js';
import { PAGES } from '../../src/server/pages/index.js';
import { ice287g } from '../../src/sources/ice/g287/index.js';
import { DATASETS } from '../../src/sources/registry.js';
import { classBreaks, mappedFips, stateChoropleth } from '../../src/web/us-map.js';
import { openDb, tempStore, type TempStore } from '../helpers/ingest-fixtures.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

// the registries are edited by their owners: the dataset, metrics and page join them here when absent
if (!DATASETS.some((d) => d.id === ice287g.id)) DATASETS.push(ice287g);
for (const m of G287_METRICS) if (!METRICS.some((x) => x.id === m.id)) METRICS.push(m);
if (!PAGES.some((p) => p.path === g287Page.path)) PAGES.push(g287Page);

/** The SVG element whose aria-label matches. */
function svgLabelled(html: string, label: RegExp): string {
  for (const m of html.matchAll(/<svg\b[^>]*>[\s\S]*?<\/svg>/g)) {
    const aria = /aria-label="([^"]*)"/.exec(m[0].slice(0, m[0].indexOf('>') + 1))?.[1] ?? '';
    if (label.test(aria)) return m[0];
  }
  assert.fail(`no <svg> with an aria-label matching ${label}`);
}

describe('the U.S. map helper', () => {
  it('draws the 50 states and DC from the bundled shapes, coloured by class, with a legend', () => {
    assert.equal(mappedFips().size, 51);
    assert.ok(mappedFips().has('48') && mappedFips().has('02') && mappedFips().has('11'));
    const html = stateChoropleth(
      [
        { fips: '48', label: 'TX', value: 387 },
        { fips: '12', label: 'FL', value: 348 },
        { fips: '02', label: 'AK', value: 2 },
      ],
      { title: 'Test map', unit: 'agreements' },
    );
    const svg = svgLabelled(html, /^Test map$/);
    const paths = svg.match(/<path\b/g) ?? [];
    assert.ok(paths.length >= 52, `51 state shapes and the outline, found ${paths.length}`);
    assert.match(svg, /<title>Texas: 387 agreements<\/title>/);
    assert.match(svg, /<title>Vermont: 0 agreements<\/title>/);
    assert.match(svg, /TX 387/, 'Texas is large enough to carry its label');
    // no tiles, images or remote resources: every shape is in the page
    assert.ok(!/<image\b|href="http/.test(svg));
    assert.match(html, /agreements: .*none.*1–4.*250 or more/s);
    // coordinates rounded to 0.1 px
    assert.ok(!/\d\.\d{2,}/.test(/ d="([^"]*)"/.exec(svg)![1]!));
  });

  it('picks at most seven classes above zero', () => {
    assert.deepEqual(classBreaks(0), [1]);
    assert.deepEqual(classBreaks(387), [1, 5, 10, 25, 50, 100, 250]);
    assert.ok(classBreaks(5000).length <= 7);
  });
});

describe('/287g over the real lists', () => {
  let store: TempStore | undefined;
  let db: Database | undefined;
  let app: FastifyInstance | undefined;
  let ready: Promise<void> | undefined;

  const setUp = async (t: TestContext): Promise<FastifyInstance | undefined> => {
    const data = requireSharedData(t);
    if (!data) return undefined;
    ready ??= (async () => {
      store = tempStore();
      const opened = await openDb(store);
      db = opened.db;
      const report = await ingestPaths([join(sharedDataDir()!, 'ice-287g')], { db, archive: opened.archive, origin: 'mirror' });
      assert.deepEqual(report.outcomes.filter((o) => o.status === "error"), []);
      app = await buildApp(db);
    })();
    await ready;
    return app;
  };

  after(async () => {
    await app?.close();
    db?.close();
    store?.remove();
  });

  it('renders the map by state (paths for states), the growth chart and the numbers of the latest list', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    const res = await a.inject('/287g');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    const html = res.body;
    const map = svgLabelled(html, /287\(g\) agreements by state in ICE's list of May 18, 2026/);
    assert.ok((map.match(/<path\b/g) ?? []).length >= 52, 'a path for each state');
    assert.match(map, /<title>Texas: 387 agreements<\/title>/);
    assert.match(map, /<title>Florida: 348 agreements<\/title>/);
    assert.match(map, /<title>California: 0 agreements<\/title>/);
    const growth = svgLabelled(html, /participating agencies lists, by support model/);
    assert.ok((growth.match(/<circle\b/g) ?? []).length >= 29 * 4 - 20, 'a point per list and line');
    for (const n of ['1,843', '1,551', '1,162', '499', '182', '1,712']) assert.ok(new RegExp(`[>\\s]${n}[<\\s]`).test(html), `the page shows ${n}`);
    assert.match(html, /participatingAgencies05182026am\.xlsx/);
    assert.match(html, /Not on the map \(territories\): [^<]*GUAM/);
    // joined and left between the two latest lists, and ICE's errors with their cells
    assert.match(html, /<strong>85<\/strong> agreements joined and <strong>12<\/strong> left/);
    assert.match(html, /lists-swapped/);
    assert.match(html, /Sheet1!F639/);
    assert.match(html, /filename-date-mismatch/);
    // the permalink names the data version: the latest list's release
    assert.match(html, /Permalink \(this data version\): <a href="\/287g\?vintage=f2d0629e4a4c"/);
  });

  it('serves the same numbers as JSON and the table by state as CSV', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    const json = JSON.parse((await a.inject('/287g.json')).body) as {
      ok: boolean;
      latest: { date: string; agreements: number; by_model: Record<string, number>; states: number };
      by_state: Array<{ state: string; total: number; agencies: number; 'Task Force Model': number }>;
      series: { rows: Array<{ date: string; total: number }> };
      pending_latest: { date: string; agreements: number };
    };
    assert.equal(json.ok, true);
    assert.deepEqual([json.latest.date, json.latest.agreements], ['2026-05-18', 1843]);
    assert.deepEqual(json.latest.by_model, { 'Task Force Model': 1162, 'Warrant Service Officer': 499, 'Jail Enforcement Model': 182 });
    const tx = json.by_state.find((r) => r.state === 'TX')!;
    assert.equal(tx.total, 387);
    assert.equal(json.by_state.reduce((n, r) => n + r.total, 0), 1843);
    assert.equal(json.series.rows.length, 29, '29 participating lists, one per date');
    assert.deepEqual(json.series.rows.at(-1), { ...json.series.rows.at(-1), date: '2026-05-18', total: 1843 });
    assert.deepEqual([json.pending_latest.date, json.pending_latest.agreements], ['2026-02-27', 2]);
    const csv = (await a.inject('/287g.csv')).body.split(/\r?\n/);
    assert.equal(csv[0], 'state,name,total,Task Force Model,Warrant Service Officer,Jail Enforcement Model,agencies');
    assert.ok(csv.some((l) => l.startsWith(`TX,TEXAS,387,`)), csv.slice(0, 3).join('\n'));
  });

  it('a permalink pinned to an earlier list shows that list', async (t) => {
    const a = await setUp(t);
    if (!a) return;
    const releases = (JSON.parse((await a.inject('/api/v1/releases')).body) as { releases: Array<{ release_id: string; file_names: string[] }> }).releases;
    const april = releases.find((r) => r.file_names.includes('participatingAgencies04302026am.xlsx'))!;
    const json = JSON.parse((await a.inject(`/287g.json?vintage=${april.release_id}`)).body) as { latest: { date: string; agreements: number } };
    assert.deepEqual([json.latest.date, json.latest.agreements], ['2026-04-30', 1770]);
    const bad = await a.inject('/287g?vintage=yesterday');
    assert.equal(bad.statusCode, 400);
  });
});

describe('/287g with no list loaded', () => {
  it('says so and how to load one', async () => {
    const store = tempStore();
    const { db } = await openDb(store);
    const app = await buildApp(db);
    try {
      const res = await app.inject('/287g');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /No 287\(g\) participating agencies list is loaded/);
      const json = JSON.parse((await app.inject('/287g.json')).body) as { latest: unknown };
      assert.equal(json.latest, null);
    } finally {
      await app.close();
      db.close();
      store.remove();
    }
  });
});
