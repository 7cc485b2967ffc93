import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  countryByIso3,
  countryCrosswalk,
  isIsoCountry,
  libraryAlpha3,
  normaliseAgencyName,
  parseCrosswalk,
  resolveCountry,
  type CountryResolution,
} from '../../src/lib/countries.js';
import { Workbook } from '../../src/xlsx/workbook.js';
import { requireSharedData } from '../helpers/shared-data.js';
import { parseCsv } from '../helpers/csv.js';

function iso3(name: string): string | undefined {
  const r = resolveCountry(name);
  return r && 'iso3' in r ? r.iso3 : undefined;
}

describe('normaliseAgencyName', () => {
  it('trims, collapses spaces (no-break spaces too) and upper-cases', () => {
    assert.equal(normaliseAgencyName('  El\u00a0 Salvador '), 'EL SALVADOR');
    assert.equal(normaliseAgencyName('BRITISH  VIRGIN  ISLANDS'), 'BRITISH VIRGIN ISLANDS');
  });
  it('strips the footnote marks OHSS attaches', () => {
    assert.equal(normaliseAgencyName('All other countries [4]'), 'ALL OTHER COUNTRIES');
    assert.equal(normaliseAgencyName('Czechoslovakia (former) [2]'), 'CZECHOSLOVAKIA (FORMER)');
    assert.equal(normaliseAgencyName('Single Adults1'), 'SINGLE ADULTS');
    assert.equal(normaliseAgencyName('Mexico*'), 'MEXICO');
    assert.equal(normaliseAgencyName('Iran\u00b2'), 'IRAN');
    assert.equal(normaliseAgencyName('Cuba 3'), 'CUBA');
    assert.equal(normaliseAgencyName('CONGO (KINSHASA)'), 'CONGO (KINSHASA)', 'a bracketed word is not a footnote');
  });
  it('unifies quotes, apostrophes and dashes', () => {
    assert.equal(normaliseAgencyName('Cote d\u2019Ivoire'), "COTE D'IVOIRE");
    assert.equal(normaliseAgencyName('China, People`s Republic'), "CHINA, PEOPLE'S REPUBLIC");
    assert.equal(normaliseAgencyName('ANTIGUA\u2010 BARBUDA'), 'ANTIGUA-BARBUDA');
    assert.equal(normaliseAgencyName('Guinea \u2013 Bissau'), 'GUINEA-BISSAU');
  });
});

describe('resolveCountry', () => {
  it('resolves plain names through the library', () => {
    assert.deepEqual(resolveCountry('Iran'), { iso3: 'IRN', name: 'Iran' });
    assert.deepEqual(resolveCountry('Mexico'), { iso3: 'MEX', name: 'Mexico' });
    assert.deepEqual(resolveCountry('El Salvador'), { iso3: 'SLV', name: 'El Salvador' });
    assert.equal(iso3('Islamic Republic of Iran'), 'IRN');
    assert.equal(iso3('Eswatini'), 'SWZ');
    assert.equal(iso3("Côte d'Ivoire"), 'CIV');
    assert.equal(iso3("Cote d'Ivoire"), 'CIV');
  });

  it('is case-insensitive', () => {
    for (const n of ['IRAN', 'Iran', 'iran', 'iRaN', ' iran ']) assert.equal(iso3(n), 'IRN', n);
    for (const n of ['EL SALVADOR', 'el salvador', 'El  Salvador']) assert.equal(iso3(n), 'SLV', n);
    for (const n of ['KOREA, SOUTH', 'Korea, South', 'korea, south']) assert.equal(iso3(n), 'KOR', n);
    for (const n of ['CONGO (KINSHASA)', 'Congo (Kinshasa)']) assert.equal(iso3(n), 'COD', n);
  });

  it('resolves the agency spellings of the crosswalk', () => {
    const expected: Record<string, string> = {
      'CHINA, PEOPLES REPUBLIC OF': 'CHN',
      "China, People's Republic": 'CHN',
      CHINA: 'CHN',
      'KOREA, SOUTH': 'KOR',
      'KOREA, NORTH': 'PRK',
      'SOUTH KOREA': 'KOR',
      KOREA: 'KOR',
      BURMA: 'MMR',
      'MYANMAR (BURMA)': 'MMR',
      'Burma (Myanmar)': 'MMR',
      'CONGO (KINSHASA)': 'COD',
      'CONGO (BRAZZAVILLE)': 'COG',
      'DEM REP OF THE CONGO': 'COD',
      'Congo, Democratic Republic': 'COD',
      'Congo, Republic': 'COG',
      CONGO: 'COG',
      'IVORY COAST': 'CIV',
      SWAZILAND: 'SWZ',
      MACEDONIA: 'MKD',
      'North Macedonia (formerly Macedonia)': 'MKD',
      'CZECH REPUBLIC': 'CZE',
      Czechia: 'CZE',
      'CAPE VERDE': 'CPV',
      'Cabo Verde': 'CPV',
      TURKEY: 'TUR',
      'HONG KONG': 'HKG',
      MACAU: 'MAC',
      KOSOVO: 'XKX',
      'WEST BANK': 'PSE',
      'GAZA STRIP': 'PSE',
      PALESTINE: 'PSE',
      TAIWAN: 'TWN',
      RUSSIA: 'RUS',
      'SOUTH SUDAN': 'SSD',
      SUDAN: 'SDN',
      'SAINT KITTS AND NEVIS': 'KNA',
      'ST. KITTS-NEVIS': 'KNA',
      'ST. LUCIA': 'LCA',
      'ST. VINCENT-GRENADINES': 'VCT',
      'ANTIGUA-BARBUDA': 'ATG',
      'ANTIGUA\u2010 BARBUDA': 'ATG',
      'BOSNIA-HERZEGOVINA': 'BIH',
      LAOS: 'LAO',
      SYRIA: 'SYR',
      MOLDOVA: 'MDA',
      MICRONESIA: 'FSM',
      'Micronesia, Federated States': 'FSM',
      'BRITISH VIRGIN ISLANDS': 'VGB',
      'Republic of Trinidad and Tobago': 'TTO',
      'AFGHANISTA N': 'AFG',
      'UNITED STATES': 'USA',
      GEORGIA: 'GEO',
    };
    for (const [name, code] of Object.entries(expected)) assert.equal(iso3(name), code, name);
  });

  it('gives display names, not the library long forms', () => {
    assert.deepEqual(resolveCountry('TAIWAN'), { iso3: 'TWN', name: 'Taiwan' });
    assert.deepEqual(resolveCountry('CHINA, PEOPLES REPUBLIC OF'), { iso3: 'CHN', name: 'China' });
    assert.deepEqual(resolveCountry('KOSOVO'), { iso3: 'XKX', name: 'Kosovo' });
    assert.deepEqual(resolveCountry('KOREA, SOUTH'), { iso3: 'KOR', name: 'South Korea' });
  });

  it('returns groups for names that are not one country', () => {
    const groups: Array<[string, string]> = [
      ['OTHER', 'OTHER'],
      ['Other', 'OTHER'],
      ['Others', 'OTHERS'],
      ['All Other', 'ALL OTHER'],
      ['All other countries [4]', 'ALL OTHER COUNTRIES'],
      ['All other, including stateless and unknown', 'ALL OTHER, INCLUDING STATELESS AND UNKNOWN'],
      ['Total', 'TOTAL'],
      ['UNKNOWN', 'UNKNOWN'],
      ['Unknown', 'UNKNOWN'],
      ['Not stated', 'NOT STATED'],
      ['Stateless', 'STATELESS'],
      ['Africa', 'AFRICA'],
      ['North America', 'NORTH AMERICA'],
    ];
    for (const [name, group] of groups) assert.deepEqual(resolveCountry(name), { group }, name);
  });

  it('returns former countries as historic, without a successor', () => {
    for (const name of ['YUGOSLAVIA', 'SOVIET UNION', 'USSR', 'Soviet Union (former) [11]', 'SERBIA AND MONTENEGRO', 'Serbia and Montenegro (former) [3]', 'NETHERLANDS ANTILLES', 'CZECHOSLOVAKIA', 'Czechoslovakia (former)']) {
      const r = resolveCountry(name);
      assert.ok(r && 'historic' in r, name);
      assert.equal((r as { successor?: string }).successor, undefined, name);
    }
  });

  it('returns undefined for a name it does not know (the caller reports it)', () => {
    assert.equal(resolveCountry('Atlantis'), undefined);
    assert.equal(resolveCountry(''), undefined);
    assert.equal(resolveCountry('   '), undefined);
    assert.equal(resolveCountry('ZAIRE'), undefined, 'not in any file yet: reported, not guessed');
  });

  it('returns frozen results (they are shared between callers)', () => {
    const r = resolveCountry('Iran');
    assert.ok(Object.isFrozen(r));
    assert.equal(resolveCountry('Iran'), r);
    assert.ok(Object.isFrozen(resolveCountry('OTHER')));
    assert.ok(Object.isFrozen(countryCrosswalk()[0]));
  });

  it('does not let the library decide a name it gives to two countries', () => {
    assert.equal(libraryAlpha3('Congo'), undefined);
    assert.equal(iso3('Congo'), 'COG', 'the crosswalk decides');
  });
});

describe('countryByIso3 and isIsoCountry', () => {
  it('gives name, alpha-2 and alpha-3 of an ISO code, any case', () => {
    assert.deepEqual(countryByIso3('IRN'), { name: 'Iran', alpha2: 'IR', alpha3: 'IRN' });
    assert.deepEqual(countryByIso3('mex'), { name: 'Mexico', alpha2: 'MX', alpha3: 'MEX' });
    assert.equal(countryByIso3('PRK')?.alpha2, 'KP');
  });
  it('gives Kosovo under the user-assigned XKX, flagged', () => {
    assert.deepEqual(countryByIso3('XKX'), { name: 'Kosovo', alpha2: 'XK', alpha3: 'XKX', userAssigned: true });
    assert.equal(isIsoCountry('XKX'), false);
    assert.equal(isIsoCountry('XK'), false);
  });
  it('returns undefined for a non-ISO code', () => {
    for (const code of ['YUG', 'SUN', 'ANT', 'SCG', 'CSK', 'ZZZ', 'XKK', 'IR', '', 'IRAN']) {
      assert.equal(countryByIso3(code), undefined, code);
      if (code.length === 3) assert.equal(isIsoCountry(code), false, code);
    }
  });
  it('isIsoCountry accepts alpha-3 and alpha-2', () => {
    for (const code of ['IRN', 'irn', 'IR', 'USA', 'PSE', 'TWN', 'SSD']) assert.equal(isIsoCountry(code), true, code);
    for (const code of ['ZZ', 'XKK', 'EU', 'UN', '123', '']) assert.equal(isIsoCountry(code), false, code);
  });
});

describe('the crosswalk file', () => {
  const entries = countryCrosswalk();

  it('loads, with every line valid', () => {
    assert.ok(entries.length >= 70, `only ${entries.length} lines`);
    for (const e of entries) {
      assert.ok(e.note.length > 0, e.agencyName);
      if (e.kind === 'country') assert.ok(isIsoCountry(e.iso3) || e.iso3 === 'XKX', `${e.agencyName}: ${e.iso3}`);
      else if (e.kind === 'group') assert.equal(e.iso3, '', e.agencyName);
    }
    assert.deepEqual(
      entries.filter((e) => e.kind === 'country' && !isIsoCountry(e.iso3)).map((e) => `${e.agencyName}→${e.iso3}`),
      ['KOSOVO→XKX'],
      'XKX is the only non-ISO code',
    );
  });

  it('resolves every crosswalk line to what it says', () => {
    for (const e of entries) {
      const r = resolveCountry(e.agencyName) as CountryResolution;
      if (e.kind === 'country') assert.equal('iso3' in r && r.iso3, e.iso3, e.agencyName);
      else if (e.kind === 'group') assert.deepEqual(r, { group: e.agencyName });
      else assert.deepEqual(r, { historic: e.agencyName });
    }
  });

  it('repeats the library only in lines marked "Pinned", and never contradicts it silently', () => {
    const agree = entries.filter((e) => e.kind === 'country' && libraryAlpha3(e.agencyName) === e.iso3).map((e) => e.agencyName);
    const pinned = entries.filter((e) => e.note.startsWith('Pinned')).map((e) => e.agencyName);
    assert.deepEqual(agree, pinned, 'a line the library already resolves the same way says "Pinned" and why');
    assert.deepEqual(pinned, ['CAPE VERDE', 'CHINA', 'CZECH REPUBLIC', 'HONG KONG', 'IVORY COAST', 'PALESTINE', 'RUSSIA', 'SOUTH SUDAN', 'TAIWAN', 'TURKEY']);
    const overrides = entries.filter((e) => {
      const lib = libraryAlpha3(e.agencyName);
      return lib !== undefined && lib !== e.iso3;
    });
    assert.deepEqual(overrides.map((e) => e.agencyName), [], 'no line overrides a library answer today');
  });

  it('rejects a bad crosswalk at load', () => {
    const H = 'agency_name,iso3,kind,note\n';
    const bad: Array<[string, RegExp]> = [
      ['agency,iso3,kind,note\nIRAN,IRN,country,x', /header/],
      [H + 'BURMA,MMR,country,x\nBURMA,MMR,country,y', /duplicates line 2/],
      [H + 'BURMA,MMR,country,x\nBURMA ,MMR,country,y', /not written in normal form|duplicates/],
      [H + 'BURMA,MMR,country,x\nbURMA,MMR,country,y', /not written in normal form/],
      [H + 'COTE D\'IVOIRE,CIV,country,x\nCÔTE D\'IVOIRE,CIV,country,y', /duplicates line 2/],
      [H + 'YUGOSLAVIA,YUG,country,x', /not an ISO 3166-1 alpha-3/],
      [H + 'KOSOVO,XKK,country,x', /not an ISO 3166-1 alpha-3/],
      [H + 'BURMA,mmr,country,x', /not an ISO 3166-1 alpha-3/],
      [H + 'BURMA,,country,x', /without an iso3/],
      [H + 'OTHER,MEX,group,x', /is a group/],
      [H + 'BURMA,MMR,nation,x', /kind must be/],
      [H + 'BURMA,MMR,country,', /has no note/],
      [H + 'BURMA,MMR,country', /expected 4 fields/],
      [H + '"BURMA,MMR,country,x', /unterminated quote/],
      [H + 'MEXICO1,MEX,country,x', /normal form/],
    ];
    for (const [text, re] of bad) assert.throws(() => parseCrosswalk(text), re, text);
  });

  it('accepts XKX, a quoted comma and a historic successor', () => {
    const parsed = parseCrosswalk(
      'agency_name,iso3,kind,note\nKOSOVO,XKX,country,user-assigned\n"KOREA, SOUTH",KOR,country,"inverted, as OHSS"\nZAIRE (FORMER),COD,historic,renamed\n',
    );
    assert.deepEqual(
      parsed.map((e) => [e.agencyName, e.iso3, e.kind, e.note, e.line]),
      [
        ['KOSOVO', 'XKX', 'country', 'user-assigned', 2],
        ['KOREA, SOUTH', 'KOR', 'country', 'inverted, as OHSS', 3],
        ['ZAIRE (FORMER)', 'COD', 'historic', 'renamed', 4],
      ],
    );
  });
});

/* ------------------------------------------------------------------------------------------------
 * Coverage: every citizenship / nationality / country value of every file of the shared data that
 * has one, read here independently of the ingest code.
 * ---------------------------------------------------------------------------------------------- */

/** Values of one named column, the header being on line `headerLine` (1-based). */
function csvColumn(file: string, column: string, headerLine = 1): string[] {
  const rows = parseCsv(readFileSync(file, 'utf8'));
  const header = rows[headerLine - 1] ?? [];
  const i = header.indexOf(column);
  assert.ok(i >= 0, `${file}: no column '${column}' on line ${headerLine} (${header.join(' | ')})`);
  return rows
    .slice(headerLine)
    .filter((r) => r.length > 1)
    .map((r) => r[i] ?? '');
}

function files(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name)) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

async function openWorkbook(file: string): Promise<Workbook> {
  return Workbook.open(readFileSync(file), file);
}

/** Distinct non-empty values per file family (as written, before any normalisation). */
type Collected = Map<string, Set<string>>;

function add(out: Collected, family: string, values: Iterable<string>): void {
  let set = out.get(family);
  if (!set) out.set(family, (set = new Set()));
  for (const v of values) if (v.trim() !== '') set.add(v);
}

/** OHSS monthly tables: the country names in the header row of every by-citizenship sheet (MANIFEST §8). */
async function monthlyTableHeaders(file: string): Promise<{ sheets: string[]; names: string[] }> {
  const wb = await openWorkbook(file);
  const sheets: string[] = [];
  const names: string[] = [];
  for (const info of wb.sheets) {
    // by citizenship: 'SWB Encounters by Citizenship', 'DHS Adm Returns by Citizens', '… by Citp', the top-100
    // sheets, and the sheets whose columns are countries (CBP One appointments, CHNV processes)
    if (!/Citizen|Citp|^Nationwide (USBP|OFO)$|^SWB USBP$|^CBP One|^CHNV/.test(info.name.trim())) continue;
    const sheet = await wb.sheet(info);
    let header = 0;
    for (let r = 1; r <= 6 && header === 0; r++) if (sheet.text(r, 1) === 'Fiscal Year') header = r;
    assert.ok(header > 0, `${file} '${info.name}': no 'Fiscal Year' header in rows 1-6`);
    // 'CBP SWB Book-Outs by Citp' puts the countries in the group row above outcome headers
    const row = /Book-Outs by Citp/.test(info.name) ? header - 1 : header;
    const before = names.length;
    for (let c = 3; c <= sheet.maxCol; c++) if (sheet.text(row, c) !== '') names.push(sheet.text(row, c));
    assert.ok(names.length > before, `${file} '${info.name}': no names in row ${row}`);
    sheets.push(info.name.trim());
  }
  return { sheets, names };
}

async function collectAll(data: string): Promise<{ values: Collected; facts: Record<string, number> }> {
  const values: Collected = new Map();
  const facts: Record<string, number> = {};

  // §2 CBP encounters: 'Citizenship' (state files), 'Citizenship Grouping' (Southwest file)
  for (const f of files(join(data, 'cbp-encounters'), /\.csv$/)) {
    const sbo = /^sbo-/.test(f.split('/').pop()!);
    const v = csvColumn(f, sbo ? 'Citizenship Grouping' : 'Citizenship');
    facts[`cbp:${f.split('/').pop()}`] = new Set(v).size;
    add(values, 'cbp-encounters', v);
  }

  // §5 ICE ERO-LESA FOIA removals (Seattle): header on line 7
  for (const f of files(join(data, 'foia-ice-seattle-removals'), /\.csv$/)) {
    const v = csvColumn(f, 'Country of Citizenship', 7);
    facts[`seattle:${f.split('/').pop()}`] = new Set(v).size;
    add(values, 'foia-ice-seattle-removals', v);
  }

  // §10 ICE removals by citizenship FY2017-FY2018
  for (const f of files(join(data, 'ice-removals-by-citizenship'), /\.csv$/)) add(values, 'ice-removals-by-citizenship', csvColumn(f, 'CountryOfCitizenship'));

  // §12 ICE detainee deaths: 'country' (FOIA list, PDF-extracted) and 'Country of Citizenship' (report index)
  for (const f of files(join(data, 'ice-detainee-deaths'), /\.csv$/)) {
    const header = parseCsv(readFileSync(f, 'utf8'))[0] ?? [];
    const column = header.includes('Country of Citizenship') ? 'Country of Citizenship' : 'country';
    const v = csvColumn(f, column);
    facts[`deaths:${f.split('/').pop()}`] = new Set(v).size;
    add(values, 'ice-detainee-deaths', v);
  }

  // §9 yearbook tables: the first column of the region and country parts (Table 33/36/39 are by year)
  let yearbookParts = 0;
  for (const f of files(join(data, 'dhs-ohss', 'yearbook-web-tables'), /\.csv$/)) {
    const rows = parseCsv(readFileSync(f, 'utf8'));
    if (!/^(country|region) of nationality$/i.test(rows[0]?.[0] ?? '')) {
      assert.match(rows[0]?.[0] ?? '', /^Year$/, `${f}: first column neither a country, a region nor a year`);
      continue;
    }
    yearbookParts++;
    add(values, 'yearbook-web-tables', rows.slice(1).map((r) => r[0] ?? ''));
  }
  facts['yearbook:parts'] = yearbookParts;

  // §8 OHSS monthly tables: header rows of the by-citizenship sheets
  for (const f of files(join(data, 'dhs-ohss', 'monthly-tables'), /\.xlsx$/)) {
    const { sheets, names } = await monthlyTableHeaders(f);
    facts[`monthly:sheets:${f.split('/').pop()}`] = sheets.length;
    add(values, 'monthly-tables', names);
  }

  // §3 OHSS KHSM USBP encounters: the 'Citizenship' column of the citizenship sheets
  for (const f of files(join(data, 'dhs-ohss'), /^KHSM.*\.xlsx$/)) {
    const wb = await openWorkbook(f);
    let sheets = 0;
    for (const info of wb.sheets) {
      const sheet = await wb.sheet(info);
      for (let c = 1; c <= sheet.maxCol; c++) {
        if (sheet.text(1, c) !== 'Citizenship') continue;
        sheets++;
        const v: string[] = [];
        for (let r = 2; r <= sheet.maxRow; r++) v.push(sheet.text(r, c));
        add(values, 'khsm-usbp', v);
      }
    }
    facts['khsm:sheets'] = sheets;
  }

  // §1/§13 ICE detention statistics: the 'Citizenship Country' tables (TPS countries) of the Semiannual sheet
  let iceWorkbooks = 0;
  let iceTables = 0;
  let iceWithTables = 0;
  for (const f of [...files(join(data, 'ice-detention-stats'), /\.xlsx$/), ...files(join(data, 'ice-detention-stats-extra'), /\.xlsx$/)]) {
    iceWorkbooks++;
    const wb = await openWorkbook(f);
    let found = 0;
    for (const info of wb.visibleSheets()) {
      if (!/semiannual/i.test(info.name)) continue;
      const sheet = await wb.sheet(info);
      for (const cell of sheet.cells()) {
        if (typeof cell.value !== 'string' || !/^citizenship country$/i.test(cell.value.trim())) continue;
        found++;
        const v: string[] = [];
        for (let r = cell.row + 1; r <= sheet.maxRow && sheet.text(r, cell.col) !== ''; r++) v.push(sheet.text(r, cell.col));
        add(values, 'ice-detention-stats', v);
      }
    }
    iceTables += found;
    if (found > 0) iceWithTables++;
  }
  facts['ice:workbooks'] = iceWorkbooks;
  facts['ice:workbooks-with-tables'] = iceWithTables;
  facts['ice:tables'] = iceTables;
  return { values, facts };
}

function describeResolution(r: CountryResolution | undefined): string {
  if (!r) return 'UNRESOLVED';
  if ('iso3' in r) return r.iso3;
  if ('group' in r) return `group ${r.group}`;
  return `historic ${r.historic}`;
}

describe('coverage of the shared data', () => {
  it('the crosswalk and the library resolve every citizenship value in every file of ../shared/data', async (t: TestContext) => {
    const data = requireSharedData(t);
    if (!data) return;
    const { values, facts } = await collectAll(data);

    const unresolved: string[] = [];
    const all = new Set<string>();
    const normalised = new Set<string>();
    for (const [family, set] of values) {
      for (const v of set) {
        all.add(v);
        normalised.add(normaliseAgencyName(v));
        if (resolveCountry(v) === undefined) unresolved.push(`${family}: ${JSON.stringify(v)} (normalised ${JSON.stringify(normaliseAgencyName(v))})`);
      }
    }
    assert.deepEqual(unresolved, [], `unresolved names — add them to src/lib/country-crosswalk.csv:\n${unresolved.join('\n')}`);

    // distinct values per family, as written (case and spelling variants count apart)
    const counts = Object.fromEntries([...values].map(([k, v]) => [k, v.size]));
    assert.deepEqual(counts, {
      'cbp-encounters': 27, // 21 countries + OTHER upper case (state files); 5 title case (Southwest file)
      'foia-ice-seattle-removals': 158,
      'ice-removals-by-citizenship': 196, // one row per country
      'ice-detainee-deaths': 87,
      'yearbook-web-tables': 209,
      'monthly-tables': 139,
      'khsm-usbp': 161,
      'ice-detention-stats': 17, // TPS countries
    });
    assert.equal(all.size, 431, 'distinct values as written, all families together');
    assert.equal(normalised.size, 244, 'distinct names once normalised');

    // per file, as MANIFEST describes them
    assert.equal(facts['cbp:nationwide-encounters-fy21-fy24-state.csv'], 22);
    assert.equal(facts['cbp:nationwide-encounters-fy22-fy25-state.csv'], 22);
    assert.equal(facts['cbp:nationwide-encounters-fy23-fy26-nov-state.csv'], 22);
    assert.equal(facts['cbp:sbo-encounters-fy22-fy25-aug.csv'], 5);
    assert.equal(facts['seattle:SeattleAORExpeditedRemovals.csv'], 111);
    assert.equal(facts['seattle:SeattleAOROtherRemovals.csv'], 148);
    assert.equal(facts['deaths:_extracted_foia_2003_2017.csv'], 45);
    assert.equal(facts['deaths:detailed_death_data.csv'], 42);
    assert.equal(facts['yearbook:parts'], 28); // 32 files less Tables 33, 36 and 39 (by year)
    for (const k of Object.keys(facts).filter((k) => k.startsWith('monthly:sheets:'))) assert.equal(facts[k], 17, k);
    assert.equal(facts['khsm:sheets'], 4);
    assert.equal(facts['ice:workbooks'], 141);
    assert.equal(facts['ice:workbooks-with-tables'], 93);
    assert.equal(facts['ice:tables'], 279);

    // what the names resolve to
    const kinds = { country: new Set<string>(), group: 0, historic: 0 };
    for (const n of normalised) {
      const r = resolveCountry(n)!;
      if ('iso3' in r) kinds.country.add(r.iso3);
      else if ('group' in r) kinds.group++;
      else kinds.historic++;
    }
    assert.equal(kinds.country.size, 196, 'distinct countries named (ISO codes, and XKX)');
    assert.equal(kinds.group, 15); // OTHER and its kin, TOTAL, UNKNOWN, NOT STATED, six regions
    assert.equal(kinds.historic, 8); // USSR, Yugoslavia, Czechoslovakia, Serbia and Montenegro, Netherlands Antilles (+ OHSS '(former)' labels)

    // spot checks across families
    const check = (n: string, want: string): void => assert.equal(describeResolution(resolveCountry(n)), want, n);
    check('CHINA, PEOPLES REPUBLIC OF', 'CHN');
    check("China, People's Republic", 'CHN');
    check('MYANMAR (BURMA)', 'MMR');
    check('Burma (Myanmar)', 'MMR');
    check('DEM REP OF THE CONGO', 'COD');
    check('Congo, Republic', 'COG');
    check('All other countries [11]', 'group ALL OTHER COUNTRIES');
    check('Soviet Union (former) [11]', 'historic SOVIET UNION (FORMER)');
    check('MOZAMBIQU E', 'MOZ');
  });

  it('the other files have no country column (287(g) lists, UWCHR, DDP, facility lists)', async (t: TestContext) => {
    const data = requireSharedData(t);
    if (!data) return;
    const COUNTRY_HEADER = /^(country|citizenship|nationality|country of (citizenship|nationality|birth)|citizenship country)$/i;
    const offending: string[] = [];
    const csvLike = [...files(join(data, 'uwchr'), /\.csv(\.gz)?$/), ...files(join(data, 'ddp-derived'), /\.csv$/)];
    for (const f of csvLike) {
      const bytes = readFileSync(f);
      const text = f.endsWith('.gz') ? gunzipSync(bytes).subarray(0, 4096).toString('utf8') : bytes.subarray(0, 4096).toString('utf8');
      const header = (text.split(/\r?\n/)[0] ?? '').split(/[|,]/);
      for (const h of header) if (COUNTRY_HEADER.test(h.trim())) offending.push(`${relative(data, f)}: ${h}`);
    }
    const workbooks = [...files(join(data, 'ice-287g'), /\.xlsx$/), ...files(join(data, 'ice-facility-lists'), /\.xlsx$/)];
    assert.ok(workbooks.length >= 42, `${workbooks.length} workbooks`);
    for (const f of workbooks) {
      const wb = await openWorkbook(f);
      for (const info of wb.sheets) {
        const sheet = await wb.sheet(info);
        // header rows: row 1 (287(g)), up to row 12 (facility lists: row 7 or 9)
        for (let r = 1; r <= Math.min(12, sheet.maxRow); r++) {
          for (let c = 1; c <= sheet.maxCol; c++) if (COUNTRY_HEADER.test(sheet.text(r, c))) offending.push(`${relative(data, f)} '${info.name}'!${sheet.ref(r, c)}`);
        }
      }
    }
    assert.deepEqual(offending, [], 'a file with a country column: add it to the coverage test above');
  });
});
