/**
 * What changed between releases over HTTP (`/api/v1/releases/:a/diff/:b`, `/api/v1/changes`,
 * the release page, `/-/changes`) and the Atom feeds of releases and anomalies, on four FY2025
 * ICE releases around the 02/23/2025 swap and two CBP files.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { ParamError } from '../../src/metrics/params.js';
import type { ChangeSummary, ReleaseDiff } from '../../src/releases/diff.js';
import { buildApp } from '../../src/server/app.js';
import { changesPage } from '../../src/server/pages/changes.js';
import { registerChangesRoutes } from '../../src/server/routes/changes.js';
import { registerFeedRoutes, xmlText } from '../../src/server/routes/feeds.js';
import { DATASETS } from '../../src/sources/registry.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

const FILES = [
  'ice-detention-stats/raw/FY2025/2025-02-15_FY25_detentionStats02142025.xlsx', // 48cb922b19a3, 02/09/2025
  'ice-detention-stats/raw/FY2025/2025-02-28_FY25_detentionStats02272025.xlsx', // acc2bb0b2770, 02/23/2025
  'ice-detention-stats/raw/FY2025/2025-03-06_FY25_detentionStats03052025.xlsx', // cc8e500e93d7, 02/23/2025
  'ice-detention-stats/raw/FY2025/2025-03-15_FY25_detentionStats03142025.xlsx', // c1813f69e1b5, 03/09/2025
  'cbp-encounters/sbo-encounters-fy22-fy25-aug.csv', // 644a70518bea
  'cbp-encounters/nationwide-encounters-fy22-fy25-state.csv', // ec734beafafc
];
const ICE_IDS = ['48cb922b19a3', 'acc2bb0b2770', 'cc8e500e93d7', 'c1813f69e1b5'];
const ALL_IDS = [...ICE_IDS, '644a70518bea', 'ec734beafafc'];

/**
 * A small XML well-formedness check: one root, tags nested and closed, attributes quoted,
 * every `&` an entity, no text outside the root. Returns the elements as [name, attributes, text].
 */
function parseXml(xml: string): Array<{ name: string; attrs: Record<string, string>; text: string; path: string }> {
  const body = xml.replace(/^<\?xml version="1\.0" encoding="utf-8"\?>\n/, '');
  assert.notEqual(body, xml, 'XML declaration');
  const out: Array<{ name: string; attrs: Record<string, string>; text: string; path: string }> = [];
  const stack: Array<{ name: string; attrs: Record<string, string>; text: string }> = [];
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
  let roots = 0;
  const re = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(body)) !== null) {
    pos = re.lastIndex;
    const [, close, name, attrText, selfClose, text] = m;
    if (text !== undefined) {
      assert.equal(text.replace(entity, '').includes('&'), false, `a bare & in ${JSON.stringify(text.slice(0, 80))}`);
      if (stack.length === 0) assert.match(text, /^\s*$/, 'text outside the root element');
      else stack.at(-1)!.text += text;
      continue;
    }
    if (close) {
      const open = stack.pop();
      assert.equal(open?.name, name, `</${name}> closes <${open?.name}>`);
      out.push({ ...open!, path: [...stack.map((s) => s.name), name].join('/') });
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText!.matchAll(/([\w:.-]+)="([^"]*)"/g)) {
      assert.equal(a[2]!.replace(entity, '').includes('&'), false, `a bare & in attribute ${a[1]}`);
      attrs[a[1]!] = a[2]!;
    }
    if (stack.length === 0) roots++;
    if (selfClose) out.push({ name: name!, attrs, text: '', path: [...stack.map((s) => s.name), name].join('/') });
    else stack.push({ name: name!, attrs, text: '' });
  }
  assert.equal(pos, body.length, `unparsed XML at ${body.slice(pos, pos + 80)}`);
  assert.equal(stack.length, 0, 'unclosed elements');
  assert.equal(roots, 1, 'one root element');
  return out;
}
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

describe('changes, diff API and feeds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracker-changes-'));
  let db: Database | undefined;
  let app: FastifyInstance | undefined;

  before(async () => {
    const data = sharedDataDir();
    if (!data) return;
    const input = join(dir, 'in');
    mkdirSync(input);
    for (const f of FILES) copyFileSync(join(data, f), join(input, f.split('/').pop()!));
    db = await Database.open(join(dir, 't.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
    const report = await ingestPaths([input], { db, archive: new Archive(join(dir, 'archive')), origin: 'mirror' });
    assert.equal(report.ingested, 6, JSON.stringify(report.outcomes));
    app = await buildApp(db);
    // until app.ts registers them
    if (!app.hasRoute({ method: 'GET', url: '/api/v1/changes' })) registerChangesRoutes(app, db);
    if (!app.hasRoute({ method: 'GET', url: '/feeds/releases.atom' })) registerFeedRoutes(app, db);
  });
  after(async () => {
    await app?.close();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('GET /api/v1/releases/:a/diff/:b: the diff as JSON, and one row per change as .csv', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await app!.inject({ url: '/api/v1/releases/48cb922b19a3/diff/acc2bb0b2770' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^application\/json/);
    const { ok, diff } = res.json() as { ok: boolean; diff: ReleaseDiff };
    assert.equal(ok, true);
    assert.deepEqual([diff.from.release_id, diff.to.release_id], ['48cb922b19a3', 'acc2bb0b2770']);
    const ice = diff.headline.find((h) => h.field === 'detained_ice')!;
    assert.deepEqual([ice.before, ice.after, ice.cell_after], [19304, 21137, 'Detention FY25!B20']);
    assert.ok(diff.months.some((m) => m.measure === 'book_ins' && m.month === '2025-01' && m.kind === 'revised' && m.before === 21959 && m.after === 21953));
    assert.deepEqual(diff.anomalies.map((a) => a.code), ['agency-columns-swapped']);
    const csv = await app!.inject({ url: '/api/v1/releases/48cb922b19a3/diff/acc2bb0b2770.csv' });
    assert.match(csv.headers['content-type'] as string, /^text\/csv/);
    assert.match(csv.body, /^kind,what,before,after,change,cell_before,cell_after\nheadline,Detained \(snapshot\),41169,43759,2590,Detention FY25!F20,Detention FY25!F20\n/);
    assert.match(csv.body, /\nmonth revised,book_ins 2025-01,21959,21953,-6,Detention FY25!M20,Detention FY25!M20\n/);
    const cbp = (await app!.inject({ url: '/api/v1/releases/644a70518bea/diff/ec734beafafc' })).json() as { diff: ReleaseDiff };
    assert.equal(cbp.diff.cbp_revisions.length, 11);
    assert.deepEqual(cbp.diff.cbp_revisions.find((c) => c.month === '2025-01'), {
      month: '2025-01', region: 'Southwest Land Border', before: 61448, after: 61445, change: -3,
      cell_before: 'sbo-encounters-fy22-fy25-aug.csv: 2025-01, Southwest Land Border',
      cell_after: 'nationwide-encounters-fy22-fy25-state.csv: 2025-01, Southwest Land Border',
    });
  });

  test('diff and changes errors are the one JSON error body', async (t) => {
    if (!requireSharedData(t)) return;
    for (const [url, status, message] of [
      ['/api/v1/releases/48cb922b19a3/diff/000000000000', 404, /^no release 48cb922b19a3 or 000000000000/],
      ['/api/v1/releases/48cb922b19/diff/acc2bb0b2770', 400, /^from: '48cb922b19' is not a release id/],
      ['/api/v1/releases/48cb922b19a3/diff/ec734beafafc', 400, /^to: releases 48cb922b19a3 \(ice\.detention-stats\) and ec734beafafc \(cbp\.encounters\) are of different sources/],
      ['/api/v1/releases/48cb922b19a3/diff/acc2bb0b2770?x=1', 400, /^x: unknown parameter/],
      ['/api/v1/changes?limit=0', 400, /^limit: '0' is not a whole number from 1 to 200/],
      ['/api/v1/changes?source=ice.nothing', 400, /^source: 'ice\.nothing' is not a source/],
      ['/api/v1/changes?when=now', 400, /^when: unknown parameter; the parameters are source, limit/],
    ] as const) {
      const res = await app!.inject({ url });
      assert.equal(res.statusCode, status, `${url}: ${res.body}`);
      const body = res.json() as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['error', 'ok', 'status'], url);
      assert.equal(body.ok, false);
      assert.match(String(body.error), message, url);
    }
  });

  test('GET /api/v1/changes: the latest releases, newest first, each against the one before it', async (t) => {
    if (!requireSharedData(t)) return;
    const { changes } = (await app!.inject({ url: '/api/v1/changes' })).json() as { changes: ChangeSummary[] };
    assert.equal(changes.length, 6);
    // newest first by the date the data are of: the CBP file of September 2025, the sbo file of August, then ICE
    assert.deepEqual(changes.map((c) => c.release.release_id), ['ec734beafafc', '644a70518bea', 'c1813f69e1b5', 'cc8e500e93d7', 'acc2bb0b2770', '48cb922b19a3']);
    const by = new Map(changes.map((c) => [c.release.release_id, c]));
    assert.equal(by.get('ec734beafafc')!.previous?.release_id, '644a70518bea');
    assert.equal(by.get('ec734beafafc')!.cbp_months_revised, 11);
    assert.equal(by.get('48cb922b19a3')!.previous, null);
    assert.equal(by.get('cc8e500e93d7')!.previous?.release_id, 'acc2bb0b2770');
    assert.deepEqual(by.get('cc8e500e93d7')!.headline.map((h) => h.field), ['detained_ice', 'detained_cbp']);
    assert.ok(by.get('acc2bb0b2770')!.anomalies.some((a) => a.code === 'agency-columns-swapped' && a.severity === 'error'));
    const ice = (await app!.inject({ url: '/api/v1/changes?source=ice.detention-stats&limit=2' })).json() as { changes: ChangeSummary[] };
    assert.deepEqual(ice.changes.map((c) => c.release.release_id), ['c1813f69e1b5', 'cc8e500e93d7']);
    const csv = await app!.inject({ url: '/api/v1/changes.csv?limit=1' });
    assert.match(csv.body, /^release_id,source_id,snapshot_date,previous_release_id,headline_changes,months_revised,facilities_appeared,facilities_disappeared,cbp_months_revised,anomalies\nec734beafafc,cbp\.encounters,2025-09-30,644a70518bea,/);
  });

  test('/feeds/releases.atom: valid Atom, one entry per release with its id, date, link and headline values', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await app!.inject({ url: '/feeds/releases.atom' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/atom+xml; charset=utf-8');
    const els = parseXml(res.body);
    assert.equal(els.at(-1)!.name, 'feed');
    assert.equal(els.at(-1)!.attrs.xmlns, 'http://www.w3.org/2005/Atom');
    const feedChild = (name: string) => els.find((e) => e.path === `feed/${name}`)!;
    assert.equal(feedChild('id').text, 'urn:tracker:feed:releases');
    assert.match(feedChild('updated').text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(els.some((e) => e.path === 'feed/author/name'), 'a feed-level author, so entries need none');
    const entries = els.filter((e) => e.name === 'entry').length;
    assert.equal(entries, 6);
    const ids = els.filter((e) => e.path === 'feed/entry/id').map((e) => e.text);
    assert.deepEqual([...ids].sort(), ALL_IDS.map((id) => `urn:tracker:release:${id}`).sort());
    const updated = els.filter((e) => e.path === 'feed/entry/updated').map((e) => e.text);
    assert.ok(updated.every((u) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(u)));
    assert.deepEqual(updated, [...updated].sort().reverse(), 'newest ingested first');
    const links = els.filter((e) => e.path === 'feed/entry/link').map((e) => e.attrs.href);
    assert.deepEqual([...links].sort(), ALL_IDS.map((id) => `/-/releases/${id}`).sort());
    const titles = els.filter((e) => e.path === 'feed/entry/title').map((e) => unescape(e.text));
    assert.ok(titles.includes('ICE Detention Statistics: snapshot 2025-02-23 (FY25_detentionStats02272025.xlsx)'), JSON.stringify(titles));
    const summaries = els.filter((e) => e.path === 'feed/entry/summary').map((e) => unescape(e.text));
    assert.ok(
      summaries.some((s) => s.startsWith('43,759 people detained (ICE-arrested 21,137, CBP-arrested 22,622); average daily population 39,763') && /Anomalies: agency-columns-swapped/.test(s)),
      JSON.stringify(summaries),
    );
  });

  test('/feeds/anomalies.atom: one entry per warning or error, with the detail and what it means', async (t) => {
    if (!requireSharedData(t)) return;
    const res = await app!.inject({ url: '/feeds/anomalies.atom' });
    assert.equal(res.headers['content-type'], 'application/atom+xml; charset=utf-8');
    const els = parseXml(res.body);
    const entries = els.filter((e) => e.name === 'entry');
    const inDb = await db!.all(`SELECT count(*) AS n FROM release_anomalies WHERE severity IN ('warning', 'error')`);
    assert.equal(entries.length, inDb[0]!.n);
    const titles = els.filter((e) => e.path === 'feed/entry/title').map((e) => unescape(e.text));
    assert.ok(titles.includes('[error] ICE and CBP columns exchanged: detained ICE/CBP vs release cc8e500e93d7 (ICE Detention Statistics, release acc2bb0b2770)'), JSON.stringify(titles));
    const ids = els.filter((e) => e.path === 'feed/entry/id').map((e) => e.text);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    assert.ok(ids.every((id) => /^urn:tracker:anomaly:[0-9a-f]{12}:[a-z0-9-]+:[0-9a-f]{12}$/.test(id)));
    const summary = els.filter((e) => e.path === 'feed/entry/summary').map((e) => unescape(e.text)).find((s) => s.includes('ICE 21137 / CBP 22622'))!;
    assert.match(summary, /\n\nTwo releases with the same snapshot date give the same total/);
    assert.ok(els.filter((e) => e.path === 'feed/entry/link').every((e) => /^\/-\/releases\/[0-9a-f]{12}#anomalies$/.test(e.attrs.href!)));
  });

  test('xmlText escapes markup and drops characters XML forbids', () => {
    assert.equal(xmlText(`<a href="x">Tom & Jerry's</a>\u0001\u0007ok`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;ok');
    parseXml(`<?xml version="1.0" encoding="utf-8"?>\n<t a="${xmlText('"&<')}">${xmlText('& < > \u0000')}</t>`);
  });

  test('the release page shows the changes since the release before it, with the cells', async (t) => {
    if (!requireSharedData(t)) return;
    const html = (await app!.inject({ url: '/-/releases/acc2bb0b2770' })).body;
    assert.match(html, /<h2 id="changes">Changes since the previous release<\/h2><p>From <a href="\/-\/releases\/48cb922b19a3"><code>48cb922b19a3<\/code><\/a>/);
    assert.match(html, /<tr><td>ICE-arrested<\/td><td class="num">19,304<\/td><td class="num">21,137<\/td><td class="num">\+1,833<\/td><td>Detention FY25!B20 → Detention FY25!B20<\/td><\/tr>/);
    assert.match(html, /<td>Book-ins<\/td><td class="date">2025-01<\/td><td class="num">21,959<\/td><td class="num">21,953<\/td><td class="num">−6<\/td>/);
    assert.match(html, /Appeared \(\d+\): [^<]*MIAMI FEDERAL DETENTION/);
    const json = (await app!.inject({ url: '/-/releases/acc2bb0b2770.json' })).json() as { previous: string; diff: ReleaseDiff };
    assert.equal(json.previous, '48cb922b19a3');
    assert.equal(json.diff.to.release_id, 'acc2bb0b2770');
    const first = (await app!.inject({ url: '/-/releases/48cb922b19a3' })).body;
    assert.match(first, /This is the first release of its source loaded/);
  });

  test('/-/changes lists every release newest first, each linked to its page', async (t) => {
    if (!requireSharedData(t)) return;
    const page = (await changesPage.render({ db: db!, vintage: 'latest', params: {}, query: {} }))!;
    const linked = [...page.body.matchAll(/<tr><td><a href="\/-\/releases\/([0-9a-f]{12})">/g)].map((m) => m[1]);
    assert.deepEqual(linked, ['ec734beafafc', '644a70518bea', 'c1813f69e1b5', 'cc8e500e93d7', 'acc2bb0b2770', '48cb922b19a3']);
    assert.match(page.body, /<span class="tag" title="ICE and CBP columns exchanged">agency-columns-swapped<\/span>/);
    assert.match(page.body, /href="\/feeds\/releases\.atom"/);
    assert.equal((page.data.changes as ChangeSummary[]).length, 6);
    assert.deepEqual(page.releases.map((r) => r.release_id).sort(), [...ALL_IDS].sort());
    const pinned = (await changesPage.render({ db: db!, vintage: 'acc2bb0b2770', params: {}, query: { source: 'ice.detention-stats' } }))!;
    assert.deepEqual((pinned.data.changes as ChangeSummary[]).map((c) => c.release.release_id), ['acc2bb0b2770', '48cb922b19a3']);
    await assert.rejects(changesPage.render({ db: db!, vintage: 'latest', params: {}, query: { limit: 'all' } }), ParamError);
    await assert.rejects(changesPage.render({ db: db!, vintage: 'latest', params: {}, query: { source: 'x' } }), ParamError);
    if (app!.hasRoute({ method: 'GET', url: '/-/changes' })) {
      const res = await app!.inject({ url: '/-/changes' });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<h1>Changes<\/h1>/);
    }
  });
});
