/**
 * The columns of ICE's "FY2017 and FY2018 ICE Removals by Country of Citizenship" table, as
 * reviewed data: the first column names the country, every other column is a fiscal year.
 */

/** First-column headers (compared without spaces, case ignored). */
export const COUNTRY_HEADERS: readonly string[] = ['countryofcitizenship', 'citizenship', 'country'];

export function normaliseHeader(text: string): string {
  return text.replace(/[\s_]+/g, '').toLowerCase();
}

/** A fiscal-year column header: "2017", "FY2017", "FY 2017". */
export function fiscalYearOfHeader(text: string): number | undefined {
  const m = /^(?:FY\s*)?(\d{4})$/i.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

/** `FY2017andFY2018ICERemovalsbyCountryofCitizenship.csv` (ICE ERO annual report appendix table, transcribed). */
export const FILE_NAME = /^FY(\d{4})andFY(\d{4})ICERemovalsbyCountryofCitizenship\.csv$/i;
