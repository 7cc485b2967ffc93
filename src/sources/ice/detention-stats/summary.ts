import type { Fact } from './interpret.js';

/** The tables the headline values come from. */
export const SUMMARY_TABLES: ReadonlySet<string> = new Set([
  'detained_by_criminality_agency',
  'adp_by_agency_month_criminality',
  'removals',
  'book_ins_by_facility_criminality',
  'atd_by_technology',
]);

/**
 * Headline values of a release, each taken from one fact so it traces to a cell:
 * the figures ICE's own tables show, not sums we compute.
 */
export function summarise(facts: Fact[], facilityRows: number | null): Record<string, number | string | null> {
  const pick = (tableId: string, where: Partial<Fact>): number | null => {
    const f = facts.find(
      (x) =>
        x.table_id === tableId &&
        Object.entries(where).every(([k, v]) => (x as unknown as Record<string, unknown>)[k] === v),
    );
    return f ? f.value : null;
  };
  const detained = (agency: string, criminality: string) =>
    pick('detained_by_criminality_agency', { measure: 'detained', agency, criminality });
  return {
    detained_total: detained('all', 'all'),
    detained_ice: detained('ICE', 'all'),
    detained_cbp: detained('CBP', 'all'),
    detained_convicted: detained('all', 'convicted'),
    detained_pending: detained('all', 'pending'),
    detained_other: detained('all', 'other'),
    adp_fy: pick('adp_by_agency_month_criminality', { agency: 'all', criminality: 'all', month: null }),
    removals_fytd: pick('removals', { category: 'all' }),
    book_ins_fytd: pick('book_ins_by_facility_criminality', { facility_type: 'all', criminality: 'all' }),
    atd_total: pick('atd_by_technology', { measure: 'atd_participants', category: 'all' }),
    facility_rows: facilityRows,
  };
}
