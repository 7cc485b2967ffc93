import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoDateToDays, usDateToIso } from '../../src/lib/dates.js';

/** The calendar as Date knows it, for comparison: the text is a day when Date gives back the same day. */
function throughDate(m: number, d: number, y: number): string | null {
  const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const t = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === iso ? iso : null;
}

test('usDateToIso agrees with the calendar on every month and day number of years around the leap-year rules', () => {
  for (const y of [1900, 1999, 2000, 2019, 2020, 2024, 2025, 2100, 2400]) {
    for (let m = 0; m <= 13; m++) {
      for (let d = 0; d <= 32; d++) {
        if (m === 0 || m > 12 || d === 0 || d > 31) assert.equal(usDateToIso(`${m}/${d}/${y}`), null, `${m}/${d}/${y}`);
        else assert.equal(usDateToIso(`${m}/${d}/${y}`), throughDate(m, d, y), `${m}/${d}/${y}`);
      }
    }
  }
});

test('usDateToIso reads M/D/YYYY with or without leading zeros and surrounding spaces, and nothing else', () => {
  assert.equal(usDateToIso('2/29/2025'), null); // ICE's Facilities FY26!Y62
  assert.equal(usDateToIso('2/29/2024'), '2024-02-29');
  assert.equal(usDateToIso(' 04/09/2026 '), '2026-04-09');
  assert.equal(usDateToIso('4/9/2026'), '2026-04-09');
  assert.equal(usDateToIso('19/04/2019'), null);
  for (const bad of ['', 'Scheduled FY26', '2026-04-09', '4/9/26', '4/9/2026 12:00', '123/1/2026']) assert.equal(usDateToIso(bad), null, bad);
});

test('isoDateToDays gives the day number of every calendar day and nothing for the rest', () => {
  for (const y of [1900, 1969, 1970, 2000, 2024, 2025, 2100]) {
    for (let m = 0; m <= 13; m++) {
      for (let d = 0; d <= 32; d++) {
        const text = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const expected = throughDate(m, d, y) === null ? undefined : Date.parse(`${text}T00:00:00Z`) / 86_400_000;
        assert.equal(isoDateToDays(text), expected, text);
      }
    }
  }
  assert.equal(isoDateToDays('1970-01-01'), 0);
  assert.equal(isoDateToDays('2026-04-04'), 20547);
  for (const bad of ['', '2026-4-4', '2026-04-04T00:00:00Z', ' 2026-04-04', '04/04/2026']) assert.equal(isoDateToDays(bad), undefined, bad);
});
