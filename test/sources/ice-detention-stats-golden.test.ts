import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { parseDetentionStats } from '../../src/sources/ice/detention-stats/parse.js';
import { readCriminality, readInventory } from '../helpers/inventory.js';
import { requireSharedData } from '../helpers/shared-data.js';

/**
 * Where INVENTORY.md's reader and ours disagree on purpose, the reason is in the file:
 * INVENTORY took the first "snapshot as of" note (one space before the date) and so read the
 * USCIS fear-decision note, where ours reads the National Docket note of the currently-detained table;
 * and it took the first ATD sheet in tab order, a stale 'ATD EOFY23 ' in this FY2024 release.
 */
const DELIBERATE: Record<string, { snapshot?: string; atd?: number }> = {
  'raw/FY2023/2023-01-20_FY23_detentionStats01192022.xlsx': { snapshot: '2023-01-15' }, // Footnotes!B72
  'raw/FY2023/2023-03-01_FY23_detentionStats02282023.xlsx': { snapshot: '2023-02-12' }, // Footnotes!B72
  'raw/FY2023/2023-03-04_FY23_detentionStats03032023.xlsx': { snapshot: '2023-02-26' }, // Footnotes!B72
  'raw/FY2024/2024-08-30_FY24_detentionStats08292024.xlsx': { atd: 175619 }, // 'ATD FY24 YTD'!B15, as of 08/24/2024
};

// Every workbook against the values INVENTORY.md and CRIMINALITY.tsv give for it, read independently with openpyxl.
test('all 139 ICE detention-statistics workbooks match INVENTORY.md and CRIMINALITY.tsv', async (t) => {
  const data = requireSharedData(t);
  if (!data) return;
  const inventory = readInventory(data);
  const criminality = readCriminality(data);
  assert.equal(inventory.length, 139);
  const failures: string[] = [];
  for (const inv of inventory) {
    try {
      await checkOne(inv);
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} workbooks differ from INVENTORY.md`);

  async function checkOne(inv: (typeof inventory)[number]): Promise<void> {
    const path = join(data!, 'ice-detention-stats', inv.file);
    const parsed = await parseDetentionStats({ path, fileName: basename(path), bytes: readFileSync(path), releaseId: inv.sha12 });
    const s = parsed.summary;
    const at = `${inv.file}`;
    assert.equal(s.detention_sheet, inv.detSheet, `${at}: detention sheet`);
    assert.equal(s.detained_total, inv.total, `${at}: detained total`);
    assert.equal(s.detained_ice, inv.ice, `${at}: detained ICE`);
    assert.equal(s.detained_cbp, inv.cbp, `${at}: detained CBP`);
    assert.ok(inv.adp !== null && Math.abs((s.adp_fy as number) - inv.adp) < 0.006, `${at}: ADP ${s.adp_fy} vs ${inv.adp}`);
    assert.equal(s.removals_fytd, inv.removals, `${at}: removals FYTD`);
    assert.equal(s.book_ins_fytd, inv.bookIns, `${at}: book-ins FYTD`);
    assert.equal(s.atd_total, DELIBERATE[inv.file]?.atd ?? inv.atd, `${at}: ATD total`);
    // INVENTORY counts every non-empty name cell under the header; notes below the list (no city, state or AOR)
    // are kept as footnotes, not facilities
    assert.equal((s.facility_rows as number) + (s.facility_note_rows as number), inv.facRows, `${at}: facility rows + note rows`);
    if (inv.snapshot.length > 0) {
      // where two notes carry dates, the first is the National Docket note of the currently-detained table
      assert.equal(parsed.snapshotDate, DELIBERATE[inv.file]?.snapshot ?? inv.snapshot[0], `${at}: snapshot date`);
    } else {
      // INVENTORY's reader missed "snapshot as of  MM/DD/YYYY" (two spaces) in FY2023–FY2024; the date must
      // still be found, and fall before the download date in the file name's prefix
      assert.ok(parsed.snapshotDate !== null, `${at}: snapshot date found`);
      const prefix = /(\d{4}-\d{2}-\d{2})_/.exec(inv.file)?.[1];
      if (prefix) assert.ok(parsed.snapshotDate! <= prefix, `${at}: snapshot ${parsed.snapshotDate} after download ${prefix}`);
    }
    const crim = criminality.get(inv.sha12);
    assert.ok(crim, `${at}: in CRIMINALITY.tsv`);
    assert.equal(s.detained_convicted, crim.convicted, `${at}: convicted`);
    assert.equal(s.detained_pending, crim.pending, `${at}: pending`);
    assert.equal(s.detained_other, crim.other, `${at}: other`);
  }
});
