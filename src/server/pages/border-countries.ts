/**
 * CBP's citizenship names (the 21 countries its encounter files break out) to ISO 3166-1
 * alpha-3, the key of the country pages. 'OTHER' is every country CBP does not break out,
 * so it has no code and no page.
 */
const CBP_COUNTRIES: Record<string, string> = {
  BRAZIL: 'BRA',
  CANADA: 'CAN',
  'CHINA, PEOPLES REPUBLIC OF': 'CHN',
  COLOMBIA: 'COL',
  CUBA: 'CUB',
  ECUADOR: 'ECU',
  'EL SALVADOR': 'SLV',
  GUATEMALA: 'GTM',
  HAITI: 'HTI',
  HONDURAS: 'HND',
  INDIA: 'IND',
  MEXICO: 'MEX',
  'MYANMAR (BURMA)': 'MMR',
  NICARAGUA: 'NIC',
  PERU: 'PER',
  PHILIPPINES: 'PHL',
  ROMANIA: 'ROU',
  RUSSIA: 'RUS',
  TURKEY: 'TUR',
  UKRAINE: 'UKR',
  VENEZUELA: 'VEN',
};

/**
 * The ISO alpha-3 code of a CBP citizenship name, or undefined ('OTHER', or a name CBP
 * has not used yet). Case and spacing are ignored so the Southwest file's
 * 'El Salvador' finds the same code as the state files' 'EL SALVADOR'.
 */
export function cbpCountryIso3(name: string): string | undefined {
  return CBP_COUNTRIES[name.trim().replace(/\s+/g, ' ').toUpperCase()];
}

/** Every CBP citizenship name with a code, for tests and the methodology. */
export const CBP_COUNTRY_NAMES: readonly string[] = Object.keys(CBP_COUNTRIES);
