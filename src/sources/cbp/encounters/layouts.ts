/**
 * The CBP encounter CSV families as data: the header each publishes and the canonical
 * column each header maps to. A file is one of these families or an error naming the
 * columns that differ; a new CBP layout is a new entry here after review.
 */
export type Family = 'state' | 'aor' | 'sbo';

/** Canonical dimension columns of `cbp_encounters`. */
export type Canonical =
  | 'fy_label'
  | 'month_grouping'
  | 'month_abbv'
  | 'component'
  | 'region'
  | 'state'
  | 'aor'
  | 'aor_abbv'
  | 'demographic'
  | 'citizenship'
  | 'citizenship_group'
  | 'title'
  | 'encounter_type'
  | 'encounters';

export interface Layout {
  family: Family;
  title: string;
  /** Published header, in order, with the canonical column of each. */
  columns: Array<[header: string, canonical: Canonical]>;
  /** Values a family does not carry as a column but implies (the Southwest file is one region). */
  implied: Partial<Record<Canonical, string>>;
}

export const LAYOUTS: Layout[] = [
  {
    family: 'state',
    title: 'Nationwide Encounters by state',
    columns: [
      ['Fiscal Year', 'fy_label'],
      ['Month Grouping', 'month_grouping'],
      ['Month (abbv)', 'month_abbv'],
      ['Land Border Region', 'region'],
      ['State', 'state'],
      ['Demographic', 'demographic'],
      ['Citizenship', 'citizenship'],
      ['Title of Authority', 'title'],
      ['Encounter Count', 'encounters'],
    ],
    implied: {},
  },
  {
    family: 'aor',
    title: 'Nationwide Encounters by area of responsibility',
    columns: [
      ['Fiscal Year', 'fy_label'],
      ['Month Grouping', 'month_grouping'],
      ['Month (abbv)', 'month_abbv'],
      ['Component', 'component'],
      ['Land Border Region', 'region'],
      ['Area of Responsibility', 'aor'],
      ['AOR (Abbv)', 'aor_abbv'],
      ['Demographic', 'demographic'],
      ['Citizenship', 'citizenship'],
      ['Title of Authority', 'title'],
      ['Encounter Type', 'encounter_type'],
      ['Encounter Count', 'encounters'],
    ],
    implied: {},
  },
  {
    family: 'sbo',
    title: 'Southwest Land Border Encounters',
    columns: [
      ['Fiscal Year', 'fy_label'],
      ['Month Grouping', 'month_grouping'],
      ['Month (abbv)', 'month_abbv'],
      ['Component', 'component'],
      ['Demographic', 'demographic'],
      ['Citizenship Grouping', 'citizenship_group'],
      ['Title of Authority', 'title'],
      ['Encounter Type', 'encounter_type'],
      ['Encounter Count', 'encounters'],
    ],
    implied: { region: 'Southwest Land Border' },
  },
];

/** Published labels CBP has renamed between releases → the label stored. */
export const DEMOGRAPHIC_RENAMES: Record<string, string> = { 'UC / Single Minors': 'UAC' };

export const FISCAL_MONTHS = ['OCT', 'NOV', 'DEC', 'JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP'];

/** The vocabularies a load checks, so a new value is reported rather than stored unnoticed. */
export const KNOWN_VALUES: Partial<Record<Canonical, string[]>> = {
  month_grouping: ['FYTD', 'Remaining'],
  month_abbv: FISCAL_MONTHS,
  component: ['U.S. Border Patrol', 'Office of Field Operations'],
  region: ['Southwest Land Border', 'Northern Land Border', 'Other'],
  demographic: ['Single Adults', 'FMUA', 'Accompanied Minors', 'UAC', 'UC / Single Minors'],
  title: ['Title 8', 'Title 42'],
  encounter_type: ['Apprehensions', 'Inadmissibles', 'Expulsions'],
};

/** The family a header belongs to, or the closest one and what differs. */
export function matchLayout(header: string[]): { layout: Layout } | { closest: Layout; differences: string[] } {
  for (const layout of LAYOUTS) {
    if (layout.columns.length === header.length && layout.columns.every(([h], i) => h === header[i])) return { layout };
  }
  const score = (l: Layout) => l.columns.filter(([h]) => header.includes(h)).length - Math.abs(l.columns.length - header.length) / 100;
  const closest = [...LAYOUTS].sort((a, b) => score(b) - score(a))[0]!;
  const differences: string[] = [];
  closest.columns.forEach(([h], i) => {
    if (!header.includes(h)) differences.push(`column ${i + 1} should be '${h}' but ${header[i] === undefined ? 'is missing' : `is '${header[i]}'`}`);
    else if (header[i] !== h) differences.push(`'${h}' is column ${header.indexOf(h) + 1}, expected column ${i + 1}`);
  });
  header.forEach((h, i) => {
    if (!closest.columns.some(([c]) => c === h) && closest.columns[i]?.[0] === undefined) differences.push(`unexpected column ${i + 1} '${h}'`);
  });
  return { closest, differences };
}
