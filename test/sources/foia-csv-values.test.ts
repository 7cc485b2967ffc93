/**
 * The ERO-LESA CSV load trims the spaces DuckDB's trim() takes off (the ASCII space and the
 * other Unicode "Zs" spaces, such as U+00A0 and U+3000), and trims only the values that start
 * or end with one, by a cheaper test in a file of ASCII bytes only. Both kinds of file must
 * store what a full trim would: the expectations are trimmed here with a regular expression.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Database } from '../../src/db/connection.js';
import { Archive } from '../../src/ingest/archive.js';
import { ingestPaths } from '../../src/ingest/pipeline.js';
import { LAYOUTS } from '../../src/sources/ice/foia/layouts.js';
import { DATASETS } from '../../src/sources/registry.js';
import { lesaCsvText } from '../helpers/lesa.js';

const dir = mkdtempSync(join(tmpdir(), 'tracker-foia-values-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const layout = LAYOUTS.find((l) => l.id === 'removals-2025-07')!;
const zsTrim = (s: string) => s.replace(/^\p{Zs}+|\p{Zs}+$/gu, '');

/** Rows of (departed date, departure country, birth year, citizenship country) as written in the file. */
async function load(name: string, rows: string[][]): Promise<Record<string, unknown>[]> {
  const at = (header: string) => layout.columns.findIndex((c) => c.header === header);
  const placed = [at('Departed Date'), at('Departure Country'), at('Birth Year'), at('Citizenship Country')];
  const file = join(dir, name);
  writeFileSync(file, lesaCsvText(layout, 'ICE removals (test)', rows.map((r) => layout.columns.map((_, i) => (placed.includes(i) ? `"${r[placed.indexOf(i)]!}"` : '')))));
  const db = await Database.open(join(dir, `${name}.duckdb`), { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    const report = await ingestPaths([file], { db, archive: new Archive(join(dir, `archive-${name}`)), origin: 'file' });
    assert.equal(report.errors, 0, JSON.stringify(report.outcomes));
    return await db.all(`SELECT strftime(departed_date, '%Y-%m-%d') AS departed, departure_country, birth_year, citizenship_country FROM foia_removals ORDER BY "row"`);
  } finally {
    db.close();
  }
}

const expected = (rows: string[][]) =>
  rows.map(([d, dc, y, cc]) => ({
    departed: d!.trim() === '' ? null : `${d!.trim().slice(6, 10)}-${d!.trim().slice(0, 2)}-${d!.trim().slice(3, 5)}`,
    departure_country: zsTrim(dc!) === '' ? null : zsTrim(dc!),
    birth_year: zsTrim(y!) === '' ? null : Number(zsTrim(y!)),
    citizenship_country: zsTrim(cc!) === '' ? null : zsTrim(cc!),
  }));

test('an ASCII file: values padded with spaces are stored trimmed, blank ones as missing, the rest as they are', async () => {
  const rows = [
    ['03/04/2025', 'MEXICO', '1990', 'MEXICO'],
    ['  03/05/2025 ', ' GUATEMALA  ', ' 1988', 'HONDURAS '],
    ['03/06/2025', '   ', '1991 ', ' EL SALVADOR'],
    [' ', 'A  B', '  ', 'X'],
  ];
  assert.deepEqual(await load('Removals ascii.csv', rows), expected(rows));
});

test('a file with non-ASCII text: Unicode spaces at either end are trimmed too, and accented letters kept', async () => {
  const rows = [
    ['03/04/2025', '\u00a0CÔTE D\'IVOIRE\u00a0', '1990', 'PERÚ'],
    ['03/05/2025', 'GUATEMALA\u3000', '\u00a01988', ' PERÚ '],
    ['03/06/2025', 'ÉCUADOR', '1991', '\u2003\u00a0'],
    ['03/07/2025', 'MEXICO', '1992', 'SÃO\u00a0TOMÉ'],
  ];
  assert.deepEqual(await load('Removals unicode.csv', rows), expected(rows));
});

test('one call with a good CSV, one with an unreadable date and one with a line of too many fields: the good one stored, the others errors naming the line, no stage left', async () => {
  const write = (name: string, rows: string[][], extra = '') => {
    const at = (header: string) => layout.columns.findIndex((c) => c.header === header);
    const placed = [at('Departed Date'), at('Departure Country')];
    const lines = rows.map((r) => layout.columns.map((_, i) => (placed.includes(i) ? r[placed.indexOf(i)]! : '')));
    if (extra) lines.push([extra]);
    const file = join(dir, name);
    writeFileSync(file, lesaCsvText(layout, 'ICE removals (test)', lines));
    return file;
  };
  const good = write('Removals good.csv', [['03/04/2025', 'MEXICO'], ['03/05/2025', 'PERU']]);
  const badDate = write('Removals bad date.csv', [['03/04/2025', 'MEXICO'], ['31/31/2025', 'PERU']]);
  const badLine = write('Removals bad line.csv', [['03/04/2025', 'MEXICO']], 'x,'.repeat(layout.columns.length + 2));
  const db = await Database.open(join(dir, 'batch.duckdb'), { schemas: DATASETS.map((d) => d.schemaSql) });
  try {
    const report = await ingestPaths([good, badDate, badLine], { db, archive: new Archive(join(dir, 'archive-batch')), origin: 'file' });
    const byPath = new Map(report.outcomes.map((o) => [o.path, o]));
    assert.equal(byPath.get(good)!.status, 'ingested');
    assert.equal(byPath.get(badDate)!.status, 'error');
    assert.match((byPath.get(badDate) as { error: string }).error, /line 9.*Departed Date/);
    assert.equal(byPath.get(badLine)!.status, 'error');
    assert.match((byPath.get(badLine) as { error: string }).error, /line 9/);
    assert.deepEqual(await db.all(`SELECT departure_country FROM foia_removals ORDER BY "row"`), [{ departure_country: 'MEXICO' }, { departure_country: 'PERU' }]);
    assert.deepEqual(await db.all(`SELECT table_name FROM duckdb_tables() WHERE temporary`), [], 'no stage left behind');
  } finally {
    db.close();
  }
});
