import type { DiscoveredFile, Effects } from '../../types.js';

export const UWCHR_ICE_DETAIN = 'https://github.com/UWCHR/ice-detain';

/**
 * The three files and where UWCHR keeps them. They are hand-made or frozen files of two
 * repositories, not a listing that grows, so discovery names them; a fetch asks for each
 * with a conditional request and ingests it only when it changed.
 */
export const UWCHR_FACILITY_FILES: ReadonlyArray<{ fileName: string; url: string; table: string }> = [
  { fileName: 'facilities.csv.gz', url: 'https://raw.githubusercontent.com/UWCHR/ice-detain/main/analyze/input/facilities.csv.gz', table: 'uwchr_facilities' },
  { fileName: 'county_aor.csv', url: 'https://raw.githubusercontent.com/UWCHR/ice-detain/main/share/hand/county_aor.csv', table: 'uwchr_county_aor' },
  { fileName: 'aor_ero_field_office.csv', url: 'https://raw.githubusercontent.com/UWCHR/ice-enforce/main/share/hand/aor_ero_field_office.csv', table: 'uwchr_aor_field_offices' },
];

export function uwchrFacilityFile(fileName: string) {
  return UWCHR_FACILITY_FILES.find((f) => f.fileName.toLowerCase() === fileName.toLowerCase());
}

export async function discoverUwchrFacilities(fx: Effects): Promise<DiscoveredFile[]> {
  fx.logger.info(`${UWCHR_ICE_DETAIN}: ${UWCHR_FACILITY_FILES.length} facility files (fixed paths)`);
  return UWCHR_FACILITY_FILES.map(({ fileName, url }) => ({ fileName, url }));
}
