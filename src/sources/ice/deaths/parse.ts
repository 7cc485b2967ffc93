import { resolveCountry } from '../../../lib/countries.js';
import { SourceFormatError } from '../../../lib/errors.js';
import type { Anomaly, ParsedRelease, Row, SourceFile } from '../../types.js';
import {
  cleanName,
  cleanText,
  fiscalYearOf,
  isIceUrl,
  LAYOUTS,
  SEX,
  splitCityAndState,
  splitFacilityAndState,
  type Layout,
  type RecordSource,
} from './columns.js';
import { deathFile } from './discover.js';

/** One CSV record with the file line it starts on (the header is line 1). */
interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Splits CSV text into records: commas, double quotes ("" inside quotes is a quote),
 * quoted fields may hold line breaks. A quote left open at the end of the file is an error.
 */
function records(file: string, text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      quoted = true;
      any = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      any = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (any || field !== '') out.push({ line: start, fields });
      fields = [];
      field = '';
      any = false;
      start = ++line;
    } else {
      field += ch;
      any = true;
    }
  }
  if (quoted) throw new SourceFormatError({ file, line: start }, 'a quoted field is not closed before the end of the file (the file looks truncated)');
  if (any || field !== '') {
    fields.push(field);
    out.push({ line: start, fields });
  }
  return out;
}

function decode(file: string, bytes: Uint8Array): string {
  if (bytes.length === 0) throw new SourceFormatError({ file }, 'the file is empty');
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (bytes[bom] === 0x3c /* < */) {
    throw new SourceFormatError({ file, line: 1 }, 'this is not a CSV file: it starts with "<" (an HTML page, perhaps an error page saved in place of the file)');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(bom));
  } catch {
    let line = 1;
    for (let end = 0, begin = bom; begin < bytes.length; begin = end + 1, line++) {
      end = bytes.indexOf(0x0a, begin);
      if (end === -1) end = bytes.length;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(begin, end));
      } catch {
        break;
      }
    }
    throw new SourceFormatError({ file, line }, 'the line has bytes that are not valid UTF-8 (the file may be in Windows-1252 or Latin-1; the research repository writes UTF-8)');
  }
}

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(y: number, m: number, d: number): string | null {
  const iso = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === iso ? iso : null;
}

interface Context {
  file: string;
  line: number;
}

function fail(ctx: Context, column: string, reason: string): never {
  throw new SourceFormatError({ file: ctx.file, line: ctx.line, column }, reason);
}

/** M/D/YYYY (the FOIA list) or YYYY-MM-DD (the report index) → YYYY-MM-DD; empty → null when allowed. */
function date(ctx: Context, column: string, raw: string, required: boolean): string | null {
  const v = raw.trim();
  if (v === '') {
    if (required) fail(ctx, column, 'the date is empty; every death needs its date');
    return null;
  }
  const us = US_DATE.exec(v);
  const isoParts = ISO_DATE.exec(v);
  const iso = us ? validDate(Number(us[3]), Number(us[1]), Number(us[2])) : isoParts ? validDate(Number(isoParts[1]), Number(isoParts[2]), Number(isoParts[3])) : null;
  if (!iso) fail(ctx, column, `"${v}" is not a date (M/D/YYYY or YYYY-MM-DD)`);
  return iso;
}

/** A whole number of years ('46', or '54.0' as the report index writes it); empty → null. */
function age(ctx: Context, column: string, raw: string): number | null {
  const v = raw.trim();
  if (v === '') return null;
  const n = Number(v);
  if (!/^\d{1,3}(\.0+)?$/.test(v) || !Number.isInteger(n) || n > 120) fail(ctx, column, `"${v}" is not an age in whole years`);
  return n;
}

const blank = (v: string) => (v === '' ? null : v);

/** Checks the header against the layout: a missing column is named; unknown columns are an anomaly. */
function readHeader(file: string, layout: Layout, header: string[], anomalies: Anomaly[]): Map<string, number> {
  const expected = LAYOUTS[layout].columns;
  const names = header.map((h) => cleanText(h));
  if (names.length === 1 && expected.length > 1) {
    const other = [';', '\t', '|'].find((d) => names[0]!.includes(d));
    throw new SourceFormatError({ file, line: 1 }, other ? `the header is separated by ${other === '\t' ? 'tabs' : `'${other}'`}, not commas` : `the header has one column ("${names[0]!.slice(0, 80)}"); expected ${expected.join(',')}`);
  }
  const missing = expected.filter((c) => !names.includes(c));
  if (missing.length) {
    const unknown = names.filter((n) => !expected.includes(n));
    throw new SourceFormatError(
      { file, line: 1, column: missing[0] },
      `column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')} missing from the header${unknown.length ? ` (found instead: ${unknown.map((c) => `'${c}'`).join(', ')}; renamed?)` : ''}; the layout of ${LAYOUTS[layout].describe} is ${expected.join(',')}`,
    );
  }
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new SourceFormatError({ file, line: 1, column: dup }, 'the header names the column twice');
  const extra = names.filter((n) => !expected.includes(n));
  if (extra.length) anomalies.push({ code: 'unrecognised-column', severity: 'info', subject: extra.join(', '), detail: 'columns not in the known layout; not loaded' });
  return new Map(names.map((n, i) => [n, i]));
}

interface Death extends Row {
  release_id: string;
  line: number;
  series: Layout;
  record_source: RecordSource;
  record_no: number | null;
  name: string | null;
  sex: string | null;
  age: number | null;
  date_of_birth: string | null;
  date_of_death: string;
  fiscal_year: number;
  fiscal_year_stated: number | null;
  administration: string | null;
  country: string | null;
  country_iso3: string | null;
  country_name: string | null;
  cause: string | null;
  facility: string | null;
  facility_reported: string | null;
  city: string | null;
  state: string | null;
  location_reported: string | null;
  place_of_death: string | null;
  facility_type: string | null;
  ihsc: boolean | null;
  url: string | null;
  extraction_error: string | null;
}

/** Sex: 'male', 'female', or null; a value of another form is kept as written, with an anomaly. */
function sex(ctx: Context, raw: string, anomalies: Anomaly[]): string | null {
  const v = cleanText(raw);
  if (v === '') return null;
  const known = SEX[v.toUpperCase()];
  if (known) return known;
  anomalies.push({ code: 'unrecognised-label', severity: 'info', subject: `line ${ctx.line}`, detail: `sex "${v}" is neither M/Male nor F/Female; kept as written` });
  return v;
}

function country(value: string): { country: string | null; country_iso3: string | null; country_name: string | null; resolved: boolean } {
  if (value === '') return { country: null, country_iso3: null, country_name: null, resolved: true };
  const r = resolveCountry(value);
  if (!r) return { country: value, country_iso3: null, country_name: value, resolved: false };
  if ('iso3' in r) return { country: value, country_iso3: r.iso3, country_name: r.name, resolved: true };
  // a group ('Not stated') or a former country: the name as written
  return { country: value, country_iso3: null, country_name: value, resolved: true };
}

function foiaRow(ctx: Context, releaseId: string, get: (c: string) => string, anomalies: Anomaly[]): Death {
  const indexText = get('index').trim();
  if (indexText !== '' && !/^\d+$/.test(indexText)) fail(ctx, 'index', `"${indexText}" is not an entry number`);
  const ihscText = cleanText(get('ihsc')).toUpperCase();
  if (ihscText !== '' && ihscText !== 'YES' && ihscText !== 'NO') {
    anomalies.push({ code: 'unrecognised-label', severity: 'info', subject: `line ${ctx.line}`, detail: `ihsc "${cleanText(get('ihsc'))}" is neither Yes nor No; stored as unknown` });
  }
  const last = cleanName(get('location_last_detention'));
  const { facility, state } = splitFacilityAndState(last);
  const died = date(ctx, 'date_of_death', get('date_of_death'), true)!;
  const { resolved, ...c } = country(cleanName(get('country')));
  if (!resolved) anomalies.push({ code: 'unrecognised-country', severity: 'warning', subject: `line ${ctx.line}`, detail: `country "${c.country}" is in neither the country crosswalk nor the ISO list; the row is kept with the name as written` });
  return {
    release_id: releaseId,
    line: ctx.line,
    series: 'foia-list',
    record_source: 'ice-foia-list',
    record_no: indexText === '' ? null : Number(indexText),
    name: blank(cleanName(get('name'))),
    sex: sex(ctx, get('sex'), anomalies),
    age: age(ctx, 'age', get('age')),
    date_of_birth: date(ctx, 'dob', get('dob'), false),
    date_of_death: died,
    fiscal_year: fiscalYearOf(died),
    fiscal_year_stated: null,
    administration: null,
    ...c,
    cause: blank(cleanText(get('cause'))),
    facility: blank(facility),
    facility_reported: blank(last),
    city: null,
    state,
    location_reported: null,
    place_of_death: blank(cleanName(get('location_of_death'))),
    facility_type: blank(cleanText(get('facility_type'))),
    ihsc: ihscText === 'YES' ? true : ihscText === 'NO' ? false : null,
    url: null,
    extraction_error: null,
  };
}

function indexRow(ctx: Context, releaseId: string, get: (c: string) => string, anomalies: Anomaly[]): Death {
  const subject = get('Subject');
  const parts = subject.split('|').map((p) => p.trim());
  if (parts.length < 2) fail(ctx, 'Subject', `"${subject.slice(0, 80)}" is not Name|YYYY-MM-DD|FY|Administration`);
  const died = date(ctx, 'Subject', parts[1]!, true)!;
  const fy = fiscalYearOf(died);
  const statedText = parts[2] ?? '';
  if (statedText !== '' && !/^\d{4}$/.test(statedText)) fail(ctx, 'Subject', `the fiscal year "${statedText}" (third part of the subject) is not a year`);
  const stated = statedText === '' ? null : Number(statedText);
  if (stated !== null && stated !== fy) {
    anomalies.push({
      code: 'fiscal-year-mismatch',
      severity: 'warning',
      subject: `line ${ctx.line}, column 'Subject'`,
      detail: `the file labels the death of ${died} FY${stated}; ICE's fiscal year (October–September) of that date is FY${fy}, which the tracker uses`,
    });
  }
  const url = cleanText(get('PDF URL'));
  const fromIce = url !== '' && isIceUrl(url);
  if (!fromIce) {
    anomalies.push({
      code: 'not-an-ice-report',
      severity: 'warning',
      subject: `line ${ctx.line}, column 'PDF URL'`,
      detail: url === '' ? 'the row has no report URL; kept and marked other-source' : `the row cites ${url}, not an ICE death report; kept, counted and marked other-source`,
    });
  }
  const location = cleanText(get('Facility Location'));
  const { city, state } = splitCityAndState(location);
  if (location !== '' && !state) anomalies.push({ code: 'unrecognised-state', severity: 'info', subject: `line ${ctx.line}, column 'Facility Location'`, detail: `no U.S. state found in "${location}"` });
  const c = country(cleanText(get('Country of Citizenship')));
  if (!c.resolved) anomalies.push({ code: 'unrecognised-country', severity: 'warning', subject: `line ${ctx.line}`, detail: `country "${c.country}" is in neither the country crosswalk nor the ISO list; the row is kept with the name as written` });
  const error = cleanText(get('Error'));
  if (error !== '') anomalies.push({ code: 'extraction-error', severity: 'warning', subject: `line ${ctx.line}, column 'Error'`, detail: `the research repository flagged the row: "${error.slice(0, 200)}"; kept` });
  const facility = cleanText(get('Facility Name'));
  return {
    release_id: releaseId,
    line: ctx.line,
    series: 'report-index',
    record_source: fromIce ? 'ice-death-report' : 'other-source',
    record_no: null,
    name: blank(parts[0]!),
    sex: sex(ctx, get('Sex'), anomalies),
    age: age(ctx, 'Age', get('Age')),
    date_of_birth: null,
    date_of_death: died,
    fiscal_year: fy,
    fiscal_year_stated: stated,
    administration: blank(parts[3] ?? ''),
    country: c.country,
    country_iso3: c.country_iso3,
    country_name: c.country_name,
    cause: blank(cleanText(get('Cause of Death'))),
    facility: blank(facility),
    facility_reported: blank(facility),
    city,
    state,
    location_reported: blank(location),
    place_of_death: null,
    facility_type: blank(cleanText(get('Facility Type'))),
    ihsc: null,
    url: blank(url),
    extraction_error: blank(error),
  };
}

/** Entry numbers the FOIA list skips or repeats (the PDF numbers its deaths 1…N). */
function numberingAnomalies(rows: Death[]): Anomaly[] {
  const numbers = rows.map((r) => r.record_no).filter((n): n is number => n !== null);
  if (numbers.length === 0) return [];
  const seen = new Map<number, number>();
  const out: Anomaly[] = [];
  for (const r of rows) {
    if (r.record_no === null) continue;
    const first = seen.get(r.record_no);
    if (first !== undefined) out.push({ code: 'duplicate-key', severity: 'warning', subject: `line ${r.line}, column 'index'`, detail: `entry ${r.record_no} repeats line ${first}; both rows kept` });
    else seen.set(r.record_no, r.line);
  }
  const max = Math.max(...numbers);
  const missing: number[] = [];
  for (let n = 1; n <= max; n++) if (!seen.has(n)) missing.push(n);
  if (missing.length) {
    out.push({
      code: 'missing-record',
      severity: 'warning',
      subject: `column 'index'`,
      detail: `the list numbers its entries 1 to ${max} but has no entry ${missing.join(', ')}: ${missing.length === 1 ? 'a death' : `${missing.length} deaths`} of ICE's PDF ${missing.length === 1 ? 'is' : 'are'} missing from the extraction`,
    });
  }
  return out;
}

/** The same name and date of death twice: kept, and reported. */
function duplicateDeaths(rows: Death[]): Anomaly[] {
  const seen = new Map<string, number>();
  const out: Anomaly[] = [];
  for (const r of rows) {
    if (r.name === null) continue;
    const key = `${r.name.toUpperCase().replace(/[^A-Z]/g, '')}|${r.date_of_death}`;
    const first = seen.get(key);
    if (first !== undefined) out.push({ code: 'duplicate-key', severity: 'warning', subject: `line ${r.line}`, detail: `same name and date of death (${r.date_of_death}) as line ${first}; both rows kept` });
    else seen.set(key, r.line);
  }
  return out;
}

/** One of the two death lists, by its name; every row is kept, what looks wrong is an anomaly. */
export async function parseDeaths(file: SourceFile): Promise<ParsedRelease> {
  const known = deathFile(file.fileName);
  if (!known) throw new SourceFormatError({ file: file.path }, 'not one of the death lists (_extracted_foia_2003_2017.csv, detailed_death_data.csv)');
  const layout = known.layout;
  const all = records(file.path, decode(file.path, file.bytes));
  if (all.length === 0) throw new SourceFormatError({ file: file.path, line: 1 }, 'the file has no header');
  const anomalies: Anomaly[] = [];
  const columns = readHeader(file.path, layout, all[0]!.fields, anomalies);
  const width = all[0]!.fields.length;
  const rows: Death[] = [];
  for (const rec of all.slice(1)) {
    const ctx = { file: file.path, line: rec.line };
    if (rec.fields.length !== width) {
      const header = [...columns.keys()];
      // a short line is named by its first missing column, a long one by the first field past the header
      fail(ctx, rec.fields.length < width ? header[rec.fields.length]! : `field ${width + 1} (no such column)`, `the line has ${rec.fields.length} fields where the header has ${width}`);
    }
    const get = (c: string) => rec.fields[columns.get(c)!]!;
    const row = layout === 'foia-list' ? foiaRow(ctx, file.releaseId, get, anomalies) : indexRow(ctx, file.releaseId, get, anomalies);
    if (row.name === null) anomalies.push({ code: 'missing-value', severity: 'warning', subject: `line ${rec.line}`, detail: 'the name is empty; the row is kept' });
    rows.push(row);
  }
  if (rows.length === 0) throw new SourceFormatError({ file: file.path, line: 2 }, 'the file has a header but no data lines');
  if (layout === 'foia-list') anomalies.push(...numberingAnomalies(rows));
  anomalies.push(...duplicateDeaths(rows));
  const dates = rows.map((r) => r.date_of_death).sort();
  const last = dates.at(-1)!;
  const count = (s: RecordSource) => rows.filter((r) => r.record_source === s).length;
  return {
    // the lists state no date of their own: the last death they list is the day their data reach
    snapshotDate: last,
    fiscalYear: fiscalYearOf(last),
    summary: {
      deaths: rows.length,
      first_death: dates[0]!,
      last_death: last,
      ice_foia_list: count('ice-foia-list'),
      ice_death_reports: count('ice-death-report'),
      other_sources: count('other-source'),
    },
    tables: { ice_deaths: rows },
    anomalies,
  };
}
