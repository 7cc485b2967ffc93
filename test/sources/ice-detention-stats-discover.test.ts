import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createHttpClient } from '../../src/ingest/http.js';
import { SourceFormatError } from '../../src/lib/errors.js';
import {
  DETENTION_STATS_PAGE,
  discoverDetentionStats,
  findDetentionStatsLinks,
  isDetentionStatsFileName,
} from '../../src/sources/ice/detention-stats/discover.js';
import type { Effects } from '../../src/sources/types.js';

const PAGE = `<!DOCTYPE html>
<html><head>
<link rel="alternate" href="/doclib/detention/FY18_detentionStats.xlsx">
</head><body>
<h2>Detention Statistics</h2>
<ul>
  <li><a href="/doclib/detention/FY26_detentionStats_04092026.xlsx" title="FY26 > current">FY 2026 Detention Statistics</a></li>
  <li><a class="usa-link" href="https://www.ice.gov/doclib/detention/FY25_detentionStats_09242025.xlsx">FY 2025</a></li>
  <li><a href="/doclib/detention/FY26_detentionStats_04092026.xlsx">FY 2026 (again)</a></li>
  <li><a href="/doclib/detention/FY23_detentionStats221207.xlsx?v=2">FY 2023</a></li>
  <li><a href="/doclib/detention/FY22%5FdetentionStats%5F03172022b.xlsx">FY 2022</a></li>
  <li><a href="../doclib/detention/FY21_detention-stats_0301.xlsx">FY 2021 (March)</a></li>
  <li><a
      href="/doclib/detention/FY21_detentionStats04292021.xlsx?a=1&amp;b=2">FY 2021 (April)</a></li>
  <li><a href="FY20-detentionstats.xlsx">FY 2020</a></li>
  <li><A HREF='/doclib/detention/FY24_detentionStats.xlsx'>FY 2024</A></li>
  <li><a href="/doclib/detention/FY24_detentionStats.xlsx#sheet">FY 2024 (fragment)</a></li>
  <li><a href=/doclib/detention/FY22-detentionStats.xlsx>FY 2022 year end</a></li>
</ul>
<!-- <a href="/doclib/detention/FY19_detentionStats.xlsx">retired</a> -->
<p><a href="/doclib/detention/ICE_Facility_List_11-06-2017-web.xlsx">Facility list</a>
<a href="/doclib/detention/detentionStats.pdf">PDF</a>
<a href="/doclib/foia/FY24_detentionStatsSummary.xlsx">summary</a>
<a data-href="/doclib/detention/FY17_detentionStats.xlsx" href="/detain/facilities">facilities</a>
<a href="mailto:FY24_detentionStats.xlsx">mail</a>
<abbr href="/doclib/detention/FY16_detentionStats.xlsx">not a link</abbr>
</p></body></html>`;

describe('isDetentionStatsFileName', () => {
  for (const name of [
    'FY26_detentionStats_04092026.xlsx',
    'FY23_detentionStats221207.xlsx',
    'FY22_detentionStats_03172022b.xlsx',
    'FY21_detention-stats_0301.xlsx',
    'FY21_detentionStats04292021.xlsx',
    'FY20-detentionstats.xlsx',
    'FY24_detentionStats.xlsx',
    'FY22-detentionStats.xlsx',
    'fy24_DETENTIONSTATS.XLSX',
  ]) {
    it(`accepts ${name}`, () => assert.equal(isDetentionStatsFileName(name), true));
  }
  for (const name of [
    'ICE_Facility_List_11-06-2017-web.xlsx',
    'detentionStats.pdf',
    'detentionStats.xlsx',
    'FY24_detentionStats.xls',
    'FY24_detentionStats.xlsx.tmp',
    'FY24_detentionStatsSummary.xlsx',
    'FY24_detentionStats_backup.xlsx',
    'x_FY24_detentionStats.xlsx',
    '',
  ]) {
    it(`rejects '${name}'`, () => assert.equal(isDetentionStatsFileName(name), false));
  }
});

describe('findDetentionStatsLinks', () => {
  it('finds every workbook link once, resolved and decoded, in page order', () => {
    assert.deepEqual(findDetentionStatsLinks(PAGE, DETENTION_STATS_PAGE), [
      {
        url: 'https://www.ice.gov/doclib/detention/FY26_detentionStats_04092026.xlsx',
        fileName: 'FY26_detentionStats_04092026.xlsx',
      },
      {
        url: 'https://www.ice.gov/doclib/detention/FY25_detentionStats_09242025.xlsx',
        fileName: 'FY25_detentionStats_09242025.xlsx',
      },
      {
        url: 'https://www.ice.gov/doclib/detention/FY23_detentionStats221207.xlsx?v=2',
        fileName: 'FY23_detentionStats221207.xlsx',
      },
      {
        url: 'https://www.ice.gov/doclib/detention/FY22%5FdetentionStats%5F03172022b.xlsx',
        fileName: 'FY22_detentionStats_03172022b.xlsx',
      },
      {
        url: 'https://www.ice.gov/doclib/detention/FY21_detention-stats_0301.xlsx',
        fileName: 'FY21_detention-stats_0301.xlsx',
      },
      {
        url: 'https://www.ice.gov/doclib/detention/FY21_detentionStats04292021.xlsx?a=1&b=2',
        fileName: 'FY21_detentionStats04292021.xlsx',
      },
      { url: 'https://www.ice.gov/detain/FY20-detentionstats.xlsx', fileName: 'FY20-detentionstats.xlsx' },
      { url: 'https://www.ice.gov/doclib/detention/FY24_detentionStats.xlsx', fileName: 'FY24_detentionStats.xlsx' },
      { url: 'https://www.ice.gov/doclib/detention/FY22-detentionStats.xlsx', fileName: 'FY22-detentionStats.xlsx' },
    ]);
  });

  it('returns an empty list for a page without workbook links', () => {
    assert.deepEqual(findDetentionStatsLinks('<a href="/doclib/x.pdf">x</a>', DETENTION_STATS_PAGE), []);
  });
});

describe('discoverDetentionStats', () => {
  let server: Server;
  let base = '';
  const pages = new Map<string, string>();

  before(async () => {
    server = createServer((req, res) => {
      const body = pages.get(req.url ?? '');
      if (body === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const fx = (): Effects => ({
    http: createHttpClient({ retries: 0 }),
    logger: { info: () => undefined, warn: () => undefined },
    now: () => new Date('2026-04-10T12:00:00Z'),
  });

  it('fetches the page and resolves links against it', async () => {
    pages.set('/detain/detention-management', PAGE);
    const files = await discoverDetentionStats(fx(), `${base}/detain/detention-management`);
    assert.equal(files.length, 9);
    assert.deepEqual(files[0], {
      url: `${base}/doclib/detention/FY26_detentionStats_04092026.xlsx`,
      fileName: 'FY26_detentionStats_04092026.xlsx',
    });
    assert.equal(files[6]?.url, `${base}/detain/FY20-detentionstats.xlsx`);
  });

  it('throws SourceFormatError naming the page when no workbook is linked', async () => {
    pages.set('/redesigned', '<html><body><a href="/doclib/detention/ICE_Facility_List.xlsx">list</a></body></html>');
    const pageUrl = `${base}/redesigned`;
    await assert.rejects(discoverDetentionStats(fx(), pageUrl), (err) => {
      assert.ok(err instanceof SourceFormatError);
      assert.deepEqual(err.location, { file: pageUrl });
      assert.match(err.message, /no detentionStats workbook link/);
      return true;
    });
  });
});
