/**
 * The column layouts of ICE's ERO-LESA FOIA tables, as reviewed crosswalk data: each
 * known header (in file order) and the canonical column each header fills, or null for
 * a column that is read and not stored (kept in the archived file). The layouts are the
 * ones the Deportation Data Project's pipeline declares (../shared/data/ddp-derived/
 * DDP-RAW-SCHEMA.md) and the 2019 production UWCHR published. A header that matches none
 * is an error naming the closest layout and what differs; a new layout is a new entry here.
 */
export type Kind = 'arrests' | 'detainers' | 'detentions' | 'encounters' | 'removals';

export type ColumnType = 'text' | 'date' | 'datetime' | 'int';

export interface FoiaColumn {
  header: string;
  /** Canonical column of the kind's table, or null when the column is not stored. */
  canonical: string | null;
  type: ColumnType;
}

export interface FoiaLayout {
  id: string;
  kind: Kind;
  description: string;
  columns: FoiaColumn[];
}

export const TABLE_OF: Record<Kind, string> = {
  arrests: 'foia_arrests',
  detainers: 'foia_detainers',
  detentions: 'foia_detention_stints',
  encounters: 'foia_encounters',
  removals: 'foia_removals',
};

type Spec = Array<string | [header: string, canonical: string | null, type?: ColumnType]>;

/** A header given as a plain string is read and not stored. */
function cols(spec: Spec): FoiaColumn[] {
  return spec.map((s) => (typeof s === 'string' ? { header: s, canonical: null, type: 'text' } : { header: s[0], canonical: s[1], type: s[2] ?? 'text' }));
}

const ID: Spec[number] = ['Unique Identifier', 'person_id'];
const ANON_ID: Spec[number] = ['Anonymized Identifier', 'person_id'];

export const LAYOUTS: FoiaLayout[] = [
  {
    id: 'removals-uwchr-2019',
    kind: 'removals',
    description: 'ICE removals as produced to UW Center for Human Rights (FY2012–FY2019, Seattle AOR)',
    columns: cols([
      ['Departed Date', 'departed_date', 'date'],
      'Date of Birth',
      ['Gender', 'gender'],
      ['Country of Citizenship', 'citizenship_country'],
      'Event Number',
      ['Most Serious Conviction', 'most_serious_conviction'],
      ['Case Category', 'case_category'],
    ]),
  },
  {
    id: 'removals-2025-07',
    kind: 'removals',
    description: 'ICE removals, July 2025 release (41 columns, one sheet "Removals")',
    columns: cols([
      ['Departed Date', 'departed_date', 'date'],
      ['Port of Departure', 'port_of_departure'],
      ['Departure Country', 'departure_country'],
      ['Docket AOR', 'docket_aor'],
      'Apprehension State',
      'Apprehension County',
      'Case Status',
      ['Gender', 'gender'],
      ['Birth Country', 'birth_country'],
      ['Citizenship Country', 'citizenship_country'],
      'Birth Date',
      ['Birth Year', 'birth_year', 'int'],
      'Entry Date',
      'Entry Status',
      ['MSC NCIC Charge', 'most_serious_conviction'],
      'MSC NCIC Charge Code',
      'MSC Charge Date',
      'MSC Criminal Charge Status',
      'MSC Criminal Charge Status Code',
      'MSC Conviction Date',
      'Case Threat Level',
      ['Case Criminality', 'case_criminality'],
      'Felon',
      'Processing Disposition',
      ['Case Category', 'case_category'],
      ['Final Program', 'final_program'],
      'Final Program Code',
      'Case Category Time of Arrest',
      'Latest Arrest Program Current',
      'Latest Arrest Program Current Code',
      'Latest Person Apprehension Date',
      'Final Order Yes No',
      'Final Order Date',
      'Final Charge Code',
      'Final Charge Section Code',
      'Prior Deport Yes No',
      'Latest Person Departed Date',
      'Alien File Number',
      'EID Case ID',
      'EID Subject ID',
      ID,
    ]),
  },
  {
    id: 'arrests-latest',
    kind: 'arrests',
    description: 'ICE administrative arrests, latest release (25 columns)',
    columns: cols([
      ['Apprehension Date', 'apprehension_at', 'datetime'],
      'Apprehension Type',
      ['State', 'state'],
      'County',
      ['TOA Current Duty AOR', 'aor'],
      ['Apprehension Final Program', 'final_program'],
      ['Arresting Agency', 'arresting_agency'],
      ['Apprehension Method', 'apprehension_method'],
      ['Apprehension Criminality', 'criminality'],
      'Case Status',
      'Case Category',
      ['Departure Country', 'departure_country'],
      'Final Order Yes No',
      'Birth Date',
      ['Birth Year', 'birth_year', 'int'],
      ['Citizenship Country', 'citizenship_country'],
      ['Gender', 'gender'],
      'Departed Date',
      'Final Order Date',
      'Apprehension Site Landmark',
      'Operation',
      'TOA Current Duty Site',
      'Case Criminality',
      'Case Threat Level',
      ANON_ID,
    ]),
  },
  {
    id: 'arrests-2025-07',
    kind: 'arrests',
    description: 'ICE administrative arrests, July 2025 release (23 columns)',
    columns: cols([
      ['Apprehension Date', 'apprehension_at', 'datetime'],
      ['Apprehension State', 'state'],
      'Apprehension County',
      ['Apprehension AOR', 'aor'],
      ['Final Program', 'final_program'],
      'Final Program Group',
      ['Apprehension Method', 'apprehension_method'],
      ['Apprehension Criminality', 'criminality'],
      'Case Status',
      'Case Category',
      'Departed Date',
      ['Departure Country', 'departure_country'],
      'Final Order Yes No',
      'Final Order Date',
      'Birth Date',
      ['Birth Year', 'birth_year', 'int'],
      ['Citizenship Country', 'citizenship_country'],
      ['Gender', 'gender'],
      'Apprehension Site Landmark',
      'Alien File Number',
      'EID Case ID',
      'EID Subject ID',
      ID,
    ]),
  },
  {
    id: 'detentions-latest',
    kind: 'detentions',
    description: 'ICE detention stints, latest release (53 columns)',
    columns: cols([
      ['Stay Book In Date Time', 'stay_book_in_at', 'datetime'],
      ['Book In Date Time', 'book_in_at', 'datetime'],
      ['Detention Facility', 'facility'],
      ['Book Out Date Time', 'book_out_at', 'datetime'],
      ['Stay Book Out Date Time', 'stay_book_out_at', 'datetime'],
      ['Detention Release Reason', 'release_reason'],
      'Stay Book Out Date',
      ['Stay Release Reason', 'stay_release_reason'],
      'Religion',
      ['Gender', 'gender'],
      'Marital Status',
      'Ethnicity',
      'Birth Country',
      ['Citizenship Country', 'citizenship_country'],
      'Entry Status',
      'Known Terrorist Yes No',
      'Suspected Gang Yes No',
      'MSC Charge',
      'MSC Sentence Days',
      'MSC Sentence Months',
      'MSC Sentence Years',
      'MSC Charge Code',
      'Aggravated Felon Yes No',
      'Offense INA 236C Yes No',
      'Case INA 236C Yes No',
      'Bond Posted Date',
      'Bond Posted Amount',
      'Case Status',
      'Case Category',
      'Final Order Yes No',
      'Final Order Date',
      'Case Threat Level',
      'Detainee Classification',
      'Final Charge',
      'Departed Date',
      ['Departure Country', 'departure_country'],
      'Initial Bond Set Amount',
      'Initial Bond Set Date',
      ['Detention Facility Code', 'facility_code'],
      'Birth Date',
      ['Birth Year', 'birth_year', 'int'],
      ['Book In Criminality', 'criminality'],
      'Race',
      'Entry Date',
      'Apprehension Final Program',
      'MSC Charge Date',
      'MSC Conviction Date',
      'MSC Criminal Charge Status',
      'MSC Criminal Charge Status Code',
      'MSC Crime Class',
      'Book In Site',
      ['Book In AOR', 'aor'],
      ANON_ID,
    ]),
  },
  {
    id: 'detentions-2025-07',
    kind: 'detentions',
    description: 'ICE detention stints, July 2025 release (37 columns)',
    columns: cols([
      ['Stay Book In Date Time', 'stay_book_in_at', 'datetime'],
      ['Book In Date Time', 'book_in_at', 'datetime'],
      ['Detention Facility', 'facility'],
      ['Detention Facility Code', 'facility_code'],
      ['Detention Book Out Date Time', 'book_out_at', 'datetime'],
      ['Stay Book Out Date Time', 'stay_book_out_at', 'datetime'],
      ['Detention Release Reason', 'release_reason'],
      'Stay Book Out Date',
      ['Stay Release Reason', 'stay_release_reason'],
      'Religion',
      ['Gender', 'gender'],
      'Marital Status',
      'Birth Date',
      ['Birth Year', 'birth_year', 'int'],
      'Ethnicity',
      'Entry Status',
      'Felon',
      'Bond Posted Date',
      'Bond Posted Amount',
      'Case Status',
      'Case Category',
      'Final Order Yes No',
      'Final Order Date',
      'Case Threat Level',
      ['Book In Criminality', 'criminality'],
      'Final Charge',
      'Departed Date',
      ['Departure Country', 'departure_country'],
      'Initial Bond Set Amount',
      ['Citizenship Country', 'citizenship_country'],
      'Final Program',
      'Most Serious Conviction (MSC) Charge Code',
      'MSC Charge',
      'Alien File Number',
      'EID Case ID',
      'EID Subject ID',
      ID,
    ]),
  },
  {
    id: 'encounters-2025',
    kind: 'encounters',
    description: 'ICE encounters, 2025 release (25 columns; September 2023 – July 2025)',
    columns: cols([
      ['Event Date', 'event_date', 'date'],
      ['Responsible AOR', 'aor'],
      'Responsible Site',
      ['Lead Event Type', 'lead_event_type'],
      'Lead Source',
      ['Event Type', 'event_type'],
      ['Final Program', 'final_program'],
      'Final Program Group',
      ['Encounter Criminality', 'criminality'],
      ['Processing Disposition', 'processing_disposition'],
      'Case Status',
      'Case Category',
      'Departed Date',
      ['Departure Country', 'departure_country'],
      'Final Order Yes No',
      'Final Order Date',
      'Birth Date',
      ['Birth Year', 'birth_year', 'int'],
      ['Citizenship Country', 'citizenship_country'],
      ['Gender', 'gender'],
      'Event Landmark',
      'Alien File Number',
      'EID Case ID',
      'EID Subject ID',
      ID,
    ]),
  },
  ...detainerLayouts(),
];

/** Detainers: 65 columns in the latest release; the FY2023 and FY2024 files lack Birth Date. */
function detainerLayouts(): FoiaLayout[] {
  const spec: Spec = [
    ['Detainer Prepare Date', 'prepare_date', 'date'],
    ['Facility State', 'facility_state'],
    ['Facility AOR', 'facility_aor'],
    'Port of Departure',
    ['Departure Country', 'departure_country'],
    'Departed Date',
    'Case Status',
    ['Detainer Criminality', 'criminality'],
    ['Detainer Facility', 'detainer_facility'],
    ['Detainer Facility Code', 'facility_code'],
    'Facility City',
    'Detainer Threat Level',
    ['Gender', 'gender'],
    ['Citizenship Country', 'citizenship_country'],
    'Birth Country',
    'Birth Date',
    ['Birth Year', 'birth_year', 'int'],
    ...'Entry Status|MSC Charge|MSC Sentence Days|MSC Sentence Months|MSC Sentence Years|MSC Charge Code|MSC Charge Date|MSC Conviction Date|Aggravated Felon Yes No|Processing Disposition|Case Category|TOA Case Category|TOA Current Program|Apprehension Method|Final Order Yes No|Final Order Date|Apprehension Date|Entry Date|Prior Felony Yes No|Multiple Prior MISD Yes No|Violent Misdemeanor Yes No|Illegal Entry Yes No|Illegal Reentry Yes No|Immigration Fraud Yes No|Significant Risk Yes No|Other Removal Reason Yes No|Other Removal Reason|Criminal Street Gang Yes No|Aggravated Felony Yes No|Deportation Ordered Yes No|Order to Show Cause Served Yes No|Order to Show Cause Served Date|Biometric Match Yes No|Statements Made Yes No|Unlawful Attempt Yes No|Unlawful Entry Yes No|Visa Yes No|Federal Register Notice Yes No|Resume Custody Yes No|Detainer Lift Reason|Detainer Lift Reason Code|Active Investigation Yes No|Arrest Warrant Served Date|Detainer Type|Notify Release Request Yes No|TOD Current Duty Site|EID DTA ID'.split('|'),
    ANON_ID,
  ];
  const latest = cols(spec);
  return [
    { id: 'detainers-latest', kind: 'detainers', description: 'ICE detainers, latest release (65 columns)', columns: latest },
    { id: 'detainers-fy23-fy24', kind: 'detainers', description: 'ICE detainers, FY2023 and FY2024 files (64 columns: no Birth Date)', columns: latest.filter((c) => c.header !== 'Birth Date') },
  ];
}

const norm = (h: string) => h.replace(/\s+/g, ' ').trim().toLowerCase();

/** The layout a header is, or the closest of the kind and what differs. */
export function matchFoiaLayout(header: string[], kind?: Kind): { layout: FoiaLayout } | { closest: FoiaLayout; differences: string[] } {
  const h = header.map(norm);
  while (h.length > 0 && h[h.length - 1] === '') h.pop();
  const candidates = LAYOUTS.filter((l) => kind === undefined || l.kind === kind);
  for (const layout of candidates) {
    if (layout.columns.length === h.length && layout.columns.every((c, i) => norm(c.header) === h[i])) return { layout };
  }
  const score = (l: FoiaLayout) => l.columns.filter((c) => h.includes(norm(c.header))).length - Math.abs(l.columns.length - h.length) / 100;
  const closest = [...candidates].sort((a, b) => score(b) - score(a))[0]!;
  const differences: string[] = [];
  closest.columns.forEach((c, i) => {
    if (!h.includes(norm(c.header))) differences.push(`column ${i + 1} should be '${c.header}' but ${header[i] === undefined ? 'is missing' : `is '${header[i]}'`}`);
  });
  header.forEach((x, i) => {
    if (x.trim() !== '' && !closest.columns.some((c) => norm(c.header) === norm(x))) differences.push(`unexpected column ${i + 1} '${x}'`);
  });
  if (differences.length === 0) differences.push('the columns are in another order');
  return { closest, differences };
}

/** FOIA exemption codes written in place of a value: "(b)(6), (b)(7)(c)", "(b)(7)(E )". */
export const REDACTION = /^\s*\(\s*b\s*\)\s*\(\s*\d\s*\)/i;
