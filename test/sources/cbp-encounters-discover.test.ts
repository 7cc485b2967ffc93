import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceFormatError } from '../../src/lib/errors.js';
import { CBP_PAGES, discoverCbpEncounters, isCbpEncountersFileName } from '../../src/sources/cbp/encounters/discover.js';
import type { Effects, HttpResponse } from '../../src/sources/types.js';

// shaped like CBP's document pages: file links under /sites/default/files/<year-month>/, next to PDFs and the dashboard link
const NATIONWIDE = `<html><body><div class="field--name-field-document">
<a href="/sites/default/files/2025-12/nationwide-encounters-fy23-fy26-nov-aor.csv" type="text/csv">Nationwide Encounters FY23-FY26 (FYTD) Nov AOR (CSV)</a>
<a href="https://www.cbp.gov/sites/default/files/2025-12/nationwide-encounters-fy23-fy26-nov-state.csv">Nationwide Encounters FY23-FY26 (FYTD) Nov State (CSV)</a>
<a href="/sites/default/files/2025-12/nationwide-encounters-fy23-fy26-nov-state.csv#top">again</a>
<a href="/sites/default/files/2025-11/encounters-data-dictionary.pdf">Data dictionary</a>
<a href="/newsroom/stats/nationwide-encounters">Dashboard</a>
</div></body></html>`;
const SOUTHWEST = `<html><body>
<a href="/sites/default/files/2025-09/sbo-encounters-fy22-fy25-aug.csv">Southwest Land Border Encounters FY22 - FY25 (FYTD) Aug (CSV)</a>
<a href="/sites/default/files/2025-09/sbo-encounters-fy22-fy25-aug.xlsx">xlsx</a>
</body></html>`;

function fx(pages: Record<string, string>): Effects & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    now: () => new Date('2026-11-29T00:00:00Z'),
    logger: { info: (m) => log.push(m), warn: (m) => log.push(m) },
    http: {
      get: async (url): Promise<HttpResponse> => ({ url, status: 200, headers: {}, body: new TextEncoder().encode(pages[url] ?? '<html></html>'), notModified: false }),
    },
  };
}

test('CBP file names: the state, AOR and Southwest families, with or without a month', () => {
  for (const ok of ['nationwide-encounters-fy21-fy24-state.csv', 'nationwide-encounters-fy23-fy26-nov-state.csv', 'nationwide-encounters-fy22-fy25-aor.csv', 'sbo-encounters-fy22-fy25-aug.csv', 'sbo-encounters-fy22-fy25.csv', 'nationwide-encounters-fy23-fy26-sept-aor.csv']) {
    assert.ok(isCbpEncountersFileName(ok), ok);
  }
  for (const no of ['nationwide-encounters-fy23-fy26-nov-state.xlsx', 'encounters.csv', 'nationwide-encounters-state.csv', 'sbo-encounters-fy22-fy25-aug.csv.pdf']) {
    assert.equal(isCbpEncountersFileName(no), false, no);
  }
});

test('discovery reads both CBP pages and lists each CSV once, resolved to cbp.gov', async () => {
  const effects = fx({ [CBP_PAGES[0]!]: NATIONWIDE, [CBP_PAGES[1]!]: SOUTHWEST });
  const files = await discoverCbpEncounters(effects);
  assert.deepEqual(files, [
    { url: 'https://www.cbp.gov/sites/default/files/2025-12/nationwide-encounters-fy23-fy26-nov-aor.csv', fileName: 'nationwide-encounters-fy23-fy26-nov-aor.csv' },
    { url: 'https://www.cbp.gov/sites/default/files/2025-12/nationwide-encounters-fy23-fy26-nov-state.csv', fileName: 'nationwide-encounters-fy23-fy26-nov-state.csv' },
    { url: 'https://www.cbp.gov/sites/default/files/2025-09/sbo-encounters-fy22-fy25-aug.csv', fileName: 'sbo-encounters-fy22-fy25-aug.csv' },
  ]);
  assert.equal(effects.log.length, 2);
});

test('pages that link no CSV are an error saying the pages may have been redesigned', async () => {
  await assert.rejects(discoverCbpEncounters(fx({})), (err: unknown) => err instanceof SourceFormatError && /may have been redesigned/.test(err.message));
});
