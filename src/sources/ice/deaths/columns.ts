import { STATE_NAMES } from '../../../facilities/normalise.js';

/**
 * The two layouts of the death lists, as the research repository wrote them (matched by
 * header name), and the text clean-up their PDF extraction needs.
 */

export type Layout = 'foia-list' | 'report-index';

/** Where each row comes from: ICE's FOIA list, an ICE death report, or another source the file cites. */
export type RecordSource = 'ice-foia-list' | 'ice-death-report' | 'other-source';

/**
 * `_extracted_foia_2003_2017.csv`: the table of ICE's FOIA PDF "Detainee Death Reporting
 * 2003–2017", one row per death; `index` is the PDF's entry number.
 */
export const FOIA_COLUMNS = [
  'index', 'name', 'sex', 'dob', 'country', 'date_of_death', 'location_of_death', 'location_last_detention', 'ihsc', 'facility_type', 'cause', 'age',
] as const;

/**
 * `detailed_death_data.csv`: one row per death in the index of ICE's detainee death
 * reports (FY2018 on), fields read from the report PDFs; `Subject` packs
 * `Name|YYYY-MM-DD|FY|Administration`.
 */
export const INDEX_COLUMNS = [
  'Subject', 'Sex', 'Age', 'Country of Citizenship', 'Cause of Death', 'Facility Name', 'Facility Location', 'Facility Type', 'PDF URL', 'Error',
] as const;

export const LAYOUTS: Record<Layout, { columns: readonly string[]; fileName: RegExp; describe: string }> = {
  'foia-list': { columns: FOIA_COLUMNS, fileName: /^_?extracted_foia_\d{4}_\d{4}\.csv$/i, describe: "ICE's FOIA list of detainee deaths (PDF), as extracted" },
  'report-index': { columns: INDEX_COLUMNS, fileName: /^detailed_death_data\.csv$/i, describe: "the index of ICE's detainee death reports, as extracted" },
};

export function layoutOf(fileName: string): Layout | undefined {
  return (Object.keys(LAYOUTS) as Layout[]).find((l) => LAYOUTS[l].fileName.test(fileName));
}

/** ICE's own pages: the death-report index, and the FOIA PDF the 2003–2017 list was extracted from. */
export const ICE_DEATH_REPORTING_PAGE = 'https://www.ice.gov/detain/detainee-death-reporting';
export const ICE_FOIA_DEATH_LIST_PDF = 'https://www.ice.gov/doclib/foia/reports/detaineedeaths-2003-2017.pdf';

/** A URL of an ICE document (a death report PDF), as opposed to another source the file cites. */
export const isIceUrl = (url: string) => /^https?:\/\/(www\.)?ice\.gov\//i.test(url.trim());

const HYPHENS = /[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]/g;

/**
 * Text as the PDF printed it, without the extraction's noise: no-break spaces (2,102 in the
 * FOIA list) and runs of spaces become one space, the U+2010 hyphens a '-'.
 */
export function cleanText(value: string): string {
  return value.replace(/\u00a0/g, ' ').replace(HYPHENS, '-').replace(/\s+/g, ' ').trim();
}

/**
 * A name or place: cleaned, and a hyphen that ended a line of the PDF joined to the next
 * word again ('CACERES‐ Maradiaga' → 'CACERES-Maradiaga', 'ANTIGUA‐ BARBUDA').
 */
export function cleanName(value: string): string {
  return cleanText(value).replace(/\s*-\s+|\s+-\s*/g, '-');
}

const STATE_BY_NAME = new Map(Object.entries(STATE_NAMES).map(([code, name]) => [name, code]));

/** A state as the files write it ('TX', 'Texas', 'Louisiana (LA)') → its two-letter code, or null. */
export function stateCodeOf(text: string): string | null {
  const t = text.replace(/\([^)]*\)/g, ' ').replace(/\./g, '').replace(/\s+/g, ' ').trim().toUpperCase();
  if (STATE_NAMES[t]) return t;
  const byName = STATE_BY_NAME.get(t);
  if (byName) return byName;
  // 'Louisiana (LA)', 'Texas (TX)': the bracketed code
  const code = /\(([A-Z]{2})\)/i.exec(text)?.[1]?.toUpperCase();
  return code && STATE_NAMES[code] ? code : null;
}

/**
 * The FOIA list's "location of last detention": 'Adelanto Correctional Facility, CA' →
 * the facility and its state (the list gives no city).
 */
export function splitFacilityAndState(text: string): { facility: string; state: string | null } {
  const m = /^(.*),\s*([^,]+)$/.exec(text);
  if (m) {
    const state = stateCodeOf(m[2]!);
    if (state) return { facility: m[1]!.trim(), state };
  }
  return { facility: text, state: null };
}

/**
 * The report index's "Facility Location": 'Los Fresnos, Texas', 'Jena, Louisiana (LA)',
 * 'Winnfield, Louisiana (WCC) / Alexandria, Louisiana (CSFC)' (the first place is the facility's).
 */
export function splitCityAndState(text: string): { city: string | null; state: string | null } {
  const first = text.split(' / ')[0]!.trim();
  const m = /^(.*),\s*([^,]+)$/.exec(first);
  if (!m) return { city: first === '' ? null : first, state: stateCodeOf(first) };
  return { city: m[1]!.trim() || null, state: stateCodeOf(m[2]!) };
}

/** ICE's fiscal year (October–September) of a date YYYY-MM-DD. */
export function fiscalYearOf(date: string): number {
  return Number(date.slice(0, 4)) + (Number(date.slice(5, 7)) >= 10 ? 1 : 0);
}

/** Sex as the files write it: M/F (FOIA list), Male/Female (report index). */
export const SEX: Readonly<Record<string, string>> = { M: 'male', MALE: 'male', F: 'female', FEMALE: 'female' };
