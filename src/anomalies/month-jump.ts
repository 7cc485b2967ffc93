import type { Database } from '../db/connection.js';
import { ICE_DETENTION_STATS as ICE } from '../sources/ice/detention-stats/source-id.js';
import { byDate, nationalFacts, num, releasesOf, sheetRef } from './releases.js';
import type { Detector, Finding } from './types.js';

/** A change is a jump when it is this many times the largest change the series had shown before… */
export const JUMP_FACTOR = 1.5;
/** …and at least this many people (per day for ADP, per month for book-ins)… */
export const JUMP_MIN_PEOPLE = 1000;
/** …with at least this many month-to-month changes behind it to compare with. */
export const JUMP_MIN_HISTORY = 12;

const SERIES = [
  { id: 'adp', label: 'national average daily population', table: 'adp_by_agency_month_criminality' },
  { id: 'book_ins', label: 'national initial book-ins', table: 'book_ins_by_agency_month' },
] as const;

interface MonthValue {
  value: number;
  release_id: string;
  cell: string;
}

const monthName = (m: string) => new Date(`${m}T00:00:00Z`).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
/** A function of a month text, remembered: the check asks again for the same hundred months thousands of times. */
const remembered = (f: (m: string) => string) => {
  const seen = new Map<string, string>();
  return (m: string) => {
    let v = seen.get(m);
    if (v === undefined) seen.set(m, (v = f(m)));
    return v;
  };
};
const previousMonth = remembered((m) => {
  const d = new Date(`${m}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 10);
});
const lastDay = remembered((m) => {
  const d = new Date(`${m}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1, 0);
  return d.toISOString().slice(0, 10);
});

/**
 * A month-to-month change in the national ADP or book-ins larger than any the series had
 * shown before: JUMP_FACTOR × the largest earlier |change %|, and JUMP_MIN_PEOPLE. Only whole
 * months count (a release's current month is partial, its later months are zeros), each
 * month with the value of the latest release that reports it whole; a month is tested once,
 * in the first release that reports it whole, against the history known then.
 */
export const monthJump: Detector = {
  code: 'month-jump',
  severity: 'warning',
  title: 'A month-to-month change larger than ever before',
  explain:
    'The national average daily population or the national book-ins changed from one month to the next by more than one and a half times the largest change the series had ever shown, ' +
    `and by at least ${JUMP_MIN_PEOPLE.toLocaleString('en-US')} people. It may be a real event (the pandemic of 2020, a policy change) or an error in the file: check the two cells.`,
  sources: [ICE],
  async run(db: Database, _source, memo): Promise<Finding[]> {
    const releases = (await releasesOf(db, ICE, memo)).filter((r) => !r.date_suspect && r.snapshot_date !== null);
    const facts = (await nationalFacts(db, memo)).filter(
      (f) => f.month !== null && f.agency === 'all' && f.facility_type === 'all' && (f.table_id === 'adp_by_agency_month_criminality' || f.table_id === 'book_ins_by_agency_month'),
    );
    const byRelease = new Map<string, typeof facts>();
    for (const f of facts) {
      const list = byRelease.get(f.release_id) ?? [];
      list.push(f);
      byRelease.set(f.release_id, list);
    }
    const out: Finding[] = [];
    for (const s of SERIES) {
      const known = new Map<string, MonthValue>();
      const tested = new Set<string>();
      for (const r of releases) {
        const whole = (byRelease.get(r.release_id) ?? []).filter((f) => f.table_id === s.table && lastDay(f.month!) <= r.snapshot_date!);
        for (const f of whole) known.set(f.month!, { value: f.value, release_id: r.release_id, cell: sheetRef(f.sheet, f.cell) });
        const months = [...known.keys()].sort();
        const change = (m: string) => {
          const a = known.get(previousMonth(m));
          const b = known.get(m)!;
          return a && a.value > 0 ? { m, a, b, pct: (b.value - a.value) / a.value } : undefined;
        };
        for (const f of whole.sort((x, y) => byDate(x.month!, y.month!))) {
          const m = f.month!;
          if (tested.has(m)) continue;
          tested.add(m);
          const c = change(m);
          if (!c) continue;
          const history = months.filter((x) => x < m).map(change).filter((x) => x !== undefined);
          if (history.length < JUMP_MIN_HISTORY) continue;
          const largest = history.reduce((x, y) => (Math.abs(y.pct) > Math.abs(x.pct) ? y : x));
          const limit = JUMP_FACTOR * Math.abs(largest.pct);
          if (Math.abs(c.pct) <= limit || Math.abs(c.b.value - c.a.value) < JUMP_MIN_PEOPLE) continue;
          const cellA = c.a.release_id === r.release_id ? c.a.cell : `${c.a.cell} of release ${c.a.release_id}`;
          out.push({
            release_id: r.release_id,
            subject: `${s.id} ${m.slice(0, 7)}`,
            detail:
              `${s.label} ${c.pct < 0 ? 'fell' : 'rose'} from ${num(c.a.value, 1)} in ${monthName(previousMonth(m))} (${cellA}) to ${num(c.b.value, 1)} in ${monthName(m)} (${c.b.cell}): ` +
              `${c.pct > 0 ? '+' : ''}${num(c.pct * 100, 1)}%, ${c.pct > 0 ? '+' : ''}${num(c.b.value - c.a.value, 1)}; ` +
              `the largest change in the ${history.length} month-to-month changes before it was ${largest.pct > 0 ? '+' : ''}${num(largest.pct * 100, 1)}% ` +
              `(${monthName(previousMonth(largest.m))} to ${monthName(largest.m)}), so the limit was ${num(limit * 100, 1)}%`,
          });
        }
      }
    }
    return out;
  },
};
