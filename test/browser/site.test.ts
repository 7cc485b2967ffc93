import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { buildApp } from '../../src/server/app.js';
import { PAGES } from '../../src/server/pages/index.js';
import { DATASETS } from '../../src/sources/registry.js';
import { requireSharedData, sharedDataDir } from '../helpers/shared-data.js';

/**
 * Every page of the site in a real browser (Debian's chromium, driven by playwright-core)
 * on a desktop and a phone viewport: no console errors, no failed requests, a title, an
 * h1, labelled charts and form fields, and a full-page screenshot of each for people to
 * look at. Then the facilities table's sorting, filtering and state form, and the
 * overview's permalink.
 */

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 900 }, isMobile: false },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true },
] as const;
/** Detained on the 04/04/2026 snapshot (Detention!F20 of FY26_detentionStats_04092026.xlsx). */
const DETAINED_2026_04_04 = '60,311';

/** Skips (with the reason) when chromium is absent; under CI=true that is a failure. */
function requireChromium(t: TestContext): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} not found: .ci/run installs Debian's chromium (apt-get install chromium)`);
  t.skip(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium fonts-dejavu-core) to run the browser tests`);
  return false;
}

const ready = (t: TestContext) => requireSharedData(t) !== undefined && requireChromium(t);

/** Settles within `ms` whatever `p` does, and says whether `p` finished in time. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it returns true or `ms` pass. */
async function until(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/** Kills the chromium processes this process started (by pid), when close() did not return. */
function killOwnChromium(): void {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && /chrom/i.test(stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')))) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Values for the path parameters of PAGES, taken from the app's own JSON. */
function findSlug(data: unknown, prefer: RegExp): string | undefined {
  const found: Array<{ slug: string; text: string }> = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.slug === 'string') found.push({ slug: o.slug, text: JSON.stringify(o) });
      Object.values(o).forEach(visit);
    }
  };
  visit(data);
  return (found.find((f) => prefer.test(f.text)) ?? found[0])?.slug;
}

function shotName(url: string): string {
  const name = url.replace(/\?.*$/, '').replace(/^\/+|\/+$/g, '').replace(/[^A-Za-z0-9_.]+/g, '-').replace(/^-+/, '');
  return name === '' ? 'overview' : name;
}

const numberIn = (text: string): number => {
  const cleaned = text.replace(/[,\s\u00a0]/g, '').replace(/[\u2212]/g, '-');
  return /^-?\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : NaN;
};

/**
 * Console errors, page errors and failed same-origin requests of one page. Chromium
 * asks for /favicon.ico on its own when a page names no icon: that 404 is not the
 * page's request, so it is noted (in `notes`) rather than counted as a problem.
 */
function watch(page: Page, origin: string): { problems: string[]; notes: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  const favicon = (url: string | undefined) => url !== undefined && url !== '' && new URL(url).pathname === '/favicon.ico';
  const report = (url: string | undefined, text: string) => (favicon(url) ? notes : problems).push(text);
  page.on('console', (msg) => {
    if (msg.type() === 'error') report(msg.location().url, `console error: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    if (new URL(req.url()).origin === origin) report(req.url(), `request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText ?? '?'}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && new URL(res.url()).origin === origin) report(res.url(), `HTTP ${res.status()} for ${res.url()}`);
  });
  return { problems, notes };
}

/** Form fields (other than hidden fields and buttons) with no label, as HTML snippets. */
async function unlabelledFields(page: Page): Promise<string[]> {
  return page.locator('input:not([type="hidden"]):not([type="submit"]):not([type="button"]):not([type="reset"]):not([type="image"]), select, textarea').evaluateAll((els) =>
    els
      .filter((el) => {
        const field = el as unknown as { labels: ArrayLike<{ textContent: string | null }> | null; getAttribute(name: string): string | null };
        const labelText = Array.from(field.labels ?? []).some((l) => (l.textContent ?? '').trim() !== '');
        return !labelText && !(field.getAttribute('aria-label') ?? '').trim() && !(field.getAttribute('aria-labelledby') ?? '').trim();
      })
      .map((el) => (el as unknown as { outerHTML: string }).outerHTML.slice(0, 200)),
  );
}

/** The cells' texts of column `col` in the visible body rows of `table`. */
async function columnTexts(table: Locator, col: number): Promise<string[]> {
  return table.locator('tbody tr').evaluateAll(
    (rows, c) =>
      rows
        .filter((r) => {
          const row = r as unknown as { hidden: boolean; getClientRects(): ArrayLike<unknown> };
          return !row.hidden && row.getClientRects().length > 0;
        })
        .map((r) => {
          const cells = (r as unknown as { cells: ArrayLike<{ textContent: string | null }> }).cells;
          return (cells[c]?.textContent ?? '').trim();
        }),
    col,
  );
}

/** Index of the header cell of `table` whose text matches `re`. */
async function columnIndex(table: Locator, re: RegExp): Promise<number> {
  const headers = (await table.locator('thead tr').last().locator('th, td').allTextContents()).map((h) => h.trim());
  const i = headers.findIndex((h) => re.test(h));
  assert.ok(i >= 0, `no column matching ${re} among the headers ${JSON.stringify(headers)}`);
  return i;
}

const sortedDesc = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! >= x);
const sortedAsc = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! <= x);

let dir = '';
let db: Database | undefined;
let app: FastifyInstance | undefined;
let browser: Browser | undefined;
let origin = '';
let shots = '';
const contexts = new Map<string, BrowserContext>();
/** The URL of every page in PAGES, parameters filled with real values. */
const urls: string[] = [];

describe('the site in a browser', { timeout: 10 * 60_000 }, () => {
  before(
    async () => {
      const data = sharedDataDir();
      if (!data || !existsSync(CHROMIUM)) return; // each test says why it is skipped (or fails under CI)
      dir = mkdtempSync(join(tmpdir(), 'tracker-browser-'));
      db = await Database.open(join(dir, 'site.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
      const report = await ingestPaths([join(data, 'ice-detention-stats/raw/FY2026'), join(data, 'ice-detention-stats/carwilb')], {
        db,
        archive: new Archive(join(dir, 'archive')),
        origin: 'mirror',
      });
      assert.equal(report.errors, 0, JSON.stringify(report.outcomes.filter((o) => o.status === 'error')));
      app = await buildApp(db);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      assert.ok(address && typeof address === 'object');
      origin = `http://127.0.0.1:${address.port}`;

      const json = async (path: string): Promise<unknown> => {
        const res = await fetch(origin + path);
        assert.equal(res.status, 200, `${path}: HTTP ${res.status}`);
        return res.json();
      };
      for (const page of PAGES) {
        let url = page.path;
        for (const [, param] of page.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)) {
          let value: string | undefined;
          if (page.path.startsWith('/-/releases/') && param === 'id') {
            value = ((await json('/-/releases.json')) as { releases: Array<{ release_id: string }> }).releases[0]?.release_id;
          } else if (page.path.startsWith('/facilities/') && param === 'slug') {
            value = findSlug(await json('/facilities.json'), /STEWART/i);
          } else if (page.path.startsWith('/countries/') && param === 'iso3') {
            value = 'IRN';
          } else {
            assert.fail(`no value known for :${param} of ${page.path}: teach test/browser/site.test.ts where to find one`);
          }
          assert.ok(value, `no value found for :${param} of ${page.path}`);
          url = url.replace(`:${param}`, encodeURIComponent(value));
        }
        urls.push(url);
      }

      browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 60_000 });
      for (const v of VIEWPORTS) {
        const context = await browser.newContext({ viewport: v.viewport, isMobile: v.isMobile, hasTouch: v.isMobile, deviceScaleFactor: 1 });
        context.setDefaultTimeout(15_000);
        context.setDefaultNavigationTimeout(30_000);
        contexts.set(v.name, context);
      }
      shots = join(tmpdir(), `tracker-screenshots-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      mkdirSync(shots, { recursive: true });
    },
    { timeout: 5 * 60_000 },
  );

  after(
    async () => {
      if (browser && !(await within(browser.close(), 15_000))) killOwnChromium();
      if (app) await within(app.close(), 10_000);
      db?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
    { timeout: 60_000 },
  );

  test('every page loads without errors on desktop and phone, titled, with an h1 and labelled charts and fields', async (t) => {
    if (!ready(t)) return;
    t.diagnostic(`screenshots: ${shots}`);
    t.diagnostic(`pages: ${urls.join(' ')}`);
    for (const url of urls) {
      for (const v of VIEWPORTS) {
        await t.test(`${url} (${v.name} ${v.viewport.width}×${v.viewport.height})`, async (st) => {
          const page = await contexts.get(v.name)!.newPage();
          const { problems, notes } = watch(page, origin);
          try {
            const res = await page.goto(origin + url, { waitUntil: 'load' });
            assert.equal(res?.status(), 200, `${url}: HTTP ${res?.status()}`);
            await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);

            const title = await page.title();
            assert.match(title, /^\S.* · Enforcement Tracker$/, `${url}: title ${JSON.stringify(title)}`);
            const h1 = (await page.locator('h1').allTextContents()).map((s) => s.trim());
            assert.ok(h1.length >= 1 && h1.every((s) => s !== ''), `${url}: h1 ${JSON.stringify(h1)}`);
            const unlabelledCharts = await page.locator('svg[role="img"]').evaluateAll((els) =>
              els.filter((el) => !(el.getAttribute('aria-label') ?? '').trim()).map((el) => el.outerHTML.slice(0, 160)),
            );
            assert.deepEqual(unlabelledCharts, [], `${url}: svg[role=img] without aria-label`);
            assert.deepEqual(await unlabelledFields(page), [], `${url}: form fields without a label`);

            // not a failure: a page wider than the phone's screen is worth a look at the screenshot
            const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
            if (typeof overflow === 'number' && overflow > 0) st.diagnostic(`${url}: the page is ${overflow}px wider than the ${v.name} viewport`);

            const file = join(shots, `${shotName(url)}-${v.name}.png`);
            await page.screenshot({ path: file, fullPage: true });
            st.diagnostic(`screenshot ${file}`);
            for (const n of new Set(notes)) st.diagnostic(`${url}: ${n} (Chromium's own request: the site has no favicon)`);
            assert.deepEqual(problems, [], `${url}: console errors, page errors or failed requests`);
          } finally {
            await page.close();
          }
        });
      }
    }
  });

  test('facilities: the table sorts by ADP, filters by name, and the state form narrows it to one state', async (t) => {
    if (!ready(t)) return;
    if (!PAGES.some((p) => p.path === '/facilities')) {
      t.skip('there is no /facilities page in PAGES yet');
      return;
    }
    const page = await contexts.get('desktop')!.newPage();
    const { problems } = watch(page, origin);
    try {
      assert.equal((await page.goto(`${origin}/facilities`))?.status(), 200);
      const table = page.locator('table[data-sortable]').filter({ has: page.locator('thead th', { hasText: /ADP/ }) }).first();
      await table.waitFor();
      const adp = await columnIndex(table, /ADP/);
      const header = table.locator('thead tr').last().locator('th, td').nth(adp);
      // enhance.js puts a button in each header of a sortable table
      const button = header.locator('button');
      assert.ok(await until(async () => (await button.count()) > 0), 'the ADP header has no sort button (enhance.js did not run?)');

      const firstNumbers = async () => (await columnTexts(table, adp)).map(numberIn).filter((x) => !Number.isNaN(x)).slice(0, 8);
      const before = await columnTexts(table, adp);
      await button.first().click();
      let first: number[] = [];
      assert.ok(
        await until(async () => {
          first = await firstNumbers();
          return first.length >= 3 && (sortedDesc(first) || sortedAsc(first));
        }),
        `after one click on ADP the first rows are not sorted by ADP: ${JSON.stringify(first)} (before: ${JSON.stringify(before.slice(0, 8))})`,
      );
      const wasDesc = sortedDesc(first) && !sortedAsc(first);
      t.diagnostic(`ADP after one click (${wasDesc ? 'descending' : 'ascending'}): ${first.join(', ')}; aria-sort=${await header.getAttribute('aria-sort')}`);
      await button.first().click();
      let second: number[] = [];
      assert.ok(
        await until(async () => {
          second = await firstNumbers();
          return second.length >= 3 && (wasDesc ? sortedAsc(second) : sortedDesc(second)) && second.join() !== first.join();
        }),
        `a second click on ADP does not reverse the order: ${JSON.stringify(second)} after ${JSON.stringify(first)}`,
      );

      // the filter box enhance.js adds above the table
      const names = await columnIndex(table, /facility|name/i);
      const allRows = (await columnTexts(table, names)).length;
      // (not the search box of the page's own GET form, which filters on the server)
      const textBoxes = page.locator('input[type="search"], input[type="text"], input:not([type])');
      const outsideForms = async () => (await textBoxes.evaluateAll((els) => els.map((el) => el.closest('form') === null))).indexOf(true);
      assert.ok(await until(async () => (await outsideForms()) >= 0), 'no filter input (outside the forms) on /facilities');
      const box = textBoxes.nth(await outsideForms());
      await box.fill('STEWART');
      let visible: string[] = [];
      assert.ok(
        await until(async () => {
          visible = await columnTexts(table, names);
          return visible.length >= 1 && visible.length < allRows && visible.every((n) => /stewart/i.test(n));
        }),
        `after typing STEWART, visible rows: ${JSON.stringify(visible.slice(0, 10))} (${visible.length} of ${allRows})`,
      );
      const rowTexts = await table.locator('tbody tr').evaluateAll((rows) =>
        rows.filter((r) => !r.hidden && r.getClientRects().length > 0).map((r) => (r.textContent ?? '').replace(/\s+/g, ' ').trim()),
      );
      assert.ok(rowTexts.every((r) => /stewart/i.test(r)), `rows that do not match STEWART are visible: ${JSON.stringify(rowTexts)}`);
      t.diagnostic(`filter STEWART: ${visible.length} of ${allRows} rows visible: ${visible.join('; ')}`);

      // the state form: a plain GET form that works without JavaScript
      const select = page.locator('form select[name="state"]');
      assert.equal(await select.count(), 1, 'no <form> with a <select name="state"> on /facilities');
      await select.selectOption('GA');
      if (!/[?&]state=GA\b/.test(page.url())) {
        const form = select.locator('xpath=ancestor::form');
        const submit = form.locator('button:not([type="button"]):not([type="reset"]), input[type="submit"]');
        await Promise.all([
          page.waitForURL(/[?&]state=GA\b/),
          (await submit.count()) > 0 ? submit.first().click() : form.evaluate((f) => (f as unknown as { requestSubmit(): void }).requestSubmit()),
        ]);
      }
      await page.waitForLoadState('load');
      assert.match(page.url(), /[?&]state=GA\b/);
      const stateTable = page.locator('table').filter({ has: page.locator('thead th', { hasText: /^\s*State\s*$/i }) }).first();
      const stateCol = await columnIndex(stateTable, /^State$/i);
      const states = await columnTexts(stateTable, stateCol);
      assert.ok(states.length >= 1, 'no rows for GA');
      assert.deepEqual([...new Set(states)], ['GA'], `states shown after choosing GA: ${JSON.stringify([...new Set(states)])}`);
      t.diagnostic(`state=GA: ${states.length} rows, all GA`);
      assert.deepEqual(problems, [], '/facilities: console errors, page errors or failed requests');
    } finally {
      await page.close();
    }
  });

  test('the overview footer permalink loads and shows the same detained total', async (t) => {
    if (!ready(t)) return;
    const page = await contexts.get('desktop')!.newPage();
    const { problems } = watch(page, origin);
    try {
      assert.equal((await page.goto(`${origin}/`))?.status(), 200);
      const total = (await page.locator('#detained_total .v').textContent())?.trim();
      assert.equal(total, DETAINED_2026_04_04, 'detained total of the 04/04/2026 snapshot');
      const link = page.locator('footer p', { hasText: 'Permalink' }).locator('a').first();
      const href = await link.getAttribute('href');
      assert.ok(href && /[?&]vintage=[0-9a-f]{12}\b/.test(href), `permalink ${href} does not pin a release`);
      const [res] = await Promise.all([page.waitForResponse((r) => r.url() === origin + href && r.request().isNavigationRequest()), link.click()]);
      await page.waitForLoadState('load');
      assert.equal(res?.status(), 200, `${href}: HTTP ${res?.status()}`);
      assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, href);
      assert.equal((await page.locator('#detained_total .v').textContent())?.trim(), total, `${href} shows another detained total`);
      assert.match((await page.locator('main').textContent()) ?? '', /2026-04-04/);
      t.diagnostic(`${href}: detained ${total}`);
      assert.deepEqual(problems, [], 'console errors, page errors or failed requests');
    } finally {
      await page.close();
    }
  });
});
