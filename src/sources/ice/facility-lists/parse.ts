import { refreshRegistryLoad } from '../../../facilities/registry.js';
import { SourceFormatError } from '../../../lib/errors.js';
import { ZipArchive } from '../../../xlsx/zip.js';
import { Workbook } from '../../../xlsx/workbook.js';
import type { Anomaly, ParsedRelease, Row, SourceFile } from '../../types.js';
import { looksLikeOver72, parseMainSheet, parseOver72Sheet, type ListResult } from './sheets.js';

const OLE2_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/**
 * Why a legacy .xls is not read. The check behind it (docs/facilities.md): no reader of
 * BIFF .xls files on the npm registry is both maintained and free of open advisories.
 * SheetJS `xlsx` stops at 0.18.5 on npm, with GHSA-4r6h-8v6p-xvw6 (prototype pollution,
 * fixed in 0.19.3) and GHSA-5pgg-2g8v-p4x9 (ReDoS, fixed in 0.20.2) open; `xlsjs`,
 * `xls-parser` and `xls-to-json` depend on that `xlsx`; the scoped republishes of later
 * SheetJS builds are unofficial copies; `cfb` reads the OLE2 container, not the records.
 */
export const LEGACY_XLS_REASON =
  'no maintained reader without open security advisories exists on npm (SheetJS `xlsx` 0.18.5 has GHSA-4r6h-8v6p-xvw6 and GHSA-5pgg-2g8v-p4x9 and is no longer published to npm; `xlsjs`, `xls-parser` and `xls-to-json` depend on it); save the file as .xlsx in a spreadsheet program and ingest that';

const isOle2 = (bytes: Uint8Array) => OLE2_SIGNATURE.every((b, i) => bytes[i] === b);

/** BIFF8 keeps its records in a stream named "Workbook"; BIFF5/7 in one named "Book". */
function biffVersion(bytes: Uint8Array): 'BIFF8' | 'BIFF5' | null {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.indexOf(Buffer.from('Workbook', 'utf16le')) !== -1) return 'BIFF8';
  if (buf.indexOf(Buffer.from('Book\u0000', 'utf16le')) !== -1) return 'BIFF5';
  return null;
}

const fiscalYearOf = (isoDate: string | null) => (isoDate ? Number(isoDate.slice(0, 4)) + (Number(isoDate.slice(5, 7)) >= 10 ? 1 : 0) : null);

/**
 * A legacy .xls is recorded, not read: a release with no facility rows, an error-level
 * anomaly saying why, and a row in ice_facility_lists with status 'unsupported'. Its bytes
 * stay in the archive, so it can be read again once a reader qualifies.
 */
function legacyXls(file: SourceFile): ParsedRelease {
  const version = biffVersion(file.bytes) ?? 'BIFF';
  const detail = `legacy .xls (${version}) is not supported: ${LEGACY_XLS_REASON}`;
  const anomaly: Anomaly = { code: 'unsupported-format', severity: 'error', subject: file.fileName, detail };
  return {
    snapshotDate: null,
    fiscalYear: null,
    summary: { list_kind: 'legacy-xls', status: 'unsupported', format: `OLE2 compound file, ${version}`, facilities: 0 },
    tables: {
      ice_facility_lists: [{ release_id: file.releaseId, list_kind: 'legacy-xls', title: null, sheet: null, header_row: null, as_of: null, declared_facilities: null, facilities: 0, status: 'unsupported', note: detail }],
    },
    anomalies: [anomaly],
  };
}

/** `dcterms:modified` of docProps/core.xml: when the workbook was last saved (not the data's date). */
async function workbookModified(bytes: Uint8Array, file: string): Promise<string | null> {
  const xml = (await (await ZipArchive.open(bytes, file)).read('docProps/core.xml'))?.toString('utf8');
  return /<dcterms:modified[^>]*>(\d{4}-\d{2}-\d{2})/.exec(xml ?? '')?.[1] ?? null;
}

/**
 * One ICE facility list: the "Facility List - Main" sheet of the full lists (with DETLOC
 * codes), or the AOR blocks of the over-72-hour list. A legacy .xls (OLE2) is recorded as
 * unsupported, with the reason.
 */
export async function parseFacilityList(file: SourceFile): Promise<ParsedRelease> {
  if (isOle2(file.bytes)) return legacyXls(file);
  const wb = await Workbook.open(file.bytes, file.path);
  const visible = wb.visibleSheets();
  const main = visible.find((s) => /^facility list\s*-\s*main$/i.test(s.name.trim()));
  let result: ListResult | undefined;
  let used: string | undefined;
  if (main) {
    result = parseMainSheet(await wb.sheet(main), file.path, file.releaseId);
    used = main.name;
  } else {
    for (const info of visible) {
      const sheet = await wb.sheet(info);
      if (!looksLikeOver72(sheet)) continue;
      result = parseOver72Sheet(sheet, file.path, file.releaseId);
      used = info.name;
      break;
    }
  }
  if (!result || used === undefined) {
    throw new SourceFormatError(
      { file: file.path, table: 'facility list' },
      `no sheet "Facility List - Main" and no sheet of AOR blocks with a "Facility Name, City, State" header (sheets: ${wb.sheets.map((s) => s.name).join(', ')})`,
    );
  }
  const anomalies = [...result.anomalies];
  const summary: Record<string, number | string | null> = {
    list_kind: result.kind,
    title: result.title,
    as_of: result.asOf,
    facilities: result.rows.length,
    with_code: result.rows.filter((r) => r.detloc).length,
    declared_facilities: result.declared,
  };
  if (result.asOf === null) {
    const modified = await workbookModified(file.bytes, file.path);
    summary.workbook_modified = modified;
    anomalies.push({
      code: 'missing-snapshot-date',
      severity: 'info',
      subject: used,
      detail: `the list states no date${modified ? `; the workbook was last saved on ${modified} (document properties), which is not used as the data's date` : ''}`,
    });
  }
  const sheets: Row[] = wb.sheets.map((s) => ({
    release_id: file.releaseId,
    sheet: s.name,
    position: s.index,
    hidden: s.hidden,
    status: s.name === used ? 'parsed' : s.hidden ? 'ignored-hidden' : 'not-parsed',
  }));
  return {
    snapshotDate: result.asOf,
    fiscalYear: fiscalYearOf(result.asOf),
    summary,
    tables: {
      ice_facility_lists: [
        {
          release_id: file.releaseId,
          list_kind: result.kind,
          title: result.title,
          sheet: used,
          header_row: result.headerRow,
          as_of: result.asOf,
          declared_facilities: result.declared,
          facilities: result.rows.length,
          status: 'read',
          note: result.notes ? `${result.notes} note or legend rows under the list were not read as facilities` : null,
        },
      ],
      ice_facility_list_rows: result.rows,
      release_sheets: sheets,
    },
    anomalies,
    // the facility registry (src/facilities) is rebuilt with the list's codes and names
    directLoads: [refreshRegistryLoad],
  };
}
