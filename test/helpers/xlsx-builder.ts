/**
 * Builds small .xlsx files in memory for the reader's tests. Each part is the
 * minimal SpreadsheetML Excel itself accepts, written as text so that a test can
 * put an exact quirk (a cell without `r`, a phonetic run, an absolute relationship
 * target) into the bytes the reader sees.
 *
 *   const bytes = buildXlsx({
 *     sharedStrings: [si.plain('R&D'), si.rich(['Hello ', 'World'])],
 *     sheets: [{ name: 'Data', rows: [row(1, cell.shared('A1', 0), cell.num('B1', 46116, STYLE.builtinDate))] }],
 *   });
 */
import { strToU8, zipSync, type Zippable } from 'fflate';

/** Escapes text for an XML text node or a double-quoted attribute value. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
}

/**
 * Style indexes (positions in `cellXfs`) of the default styles part written by
 * `buildXlsx`.
 */
export const STYLE = {
  /** numFmtId 0, General. */
  general: 0,
  /** numFmtId 14, the built-in short date (m/d/yyyy). */
  builtinDate: 1,
  /** numFmtId 164, custom `yyyy\-mm\-dd`. */
  customDate: 2,
  /** numFmtId 0 with a fill and border: what Excel leaves on empty formatted cells. */
  styled: 3,
  /** numFmtId 165, custom `0.0" days"`: a number format whose quoted text holds a 'd' and a 'y'. */
  daysNumber: 4,
  /** numFmtId 166, custom `#,##0`: a plain number. */
  thousands: 5,
} as const;

export const DEFAULT_STYLES_XML =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  '<numFmts count="3">' +
  '<numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>' +
  '<numFmt numFmtId="165" formatCode="0.0&quot; days&quot;"/>' +
  '<numFmt numFmtId="166" formatCode="#,##0"/>' +
  '</numFmts>' +
  '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>' +
  '<fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/><bgColor indexed="64"/></patternFill></fill></fills>' +
  '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>' +
  '<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="6">' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="0" fontId="0" fillId="2" borderId="1" xfId="0" applyFill="1" applyBorder="1"><alignment horizontal="center"/></xf>' +
  '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '</cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

const styleAttr = (s: number | undefined): string => (s === undefined ? '' : ` s="${s}"`);

/** `<c>` elements for the common cell types; `ref` is an A1 reference, or null to omit `r`. */
export const cell = {
  num: (ref: string | null, n: number, s?: number): string => `<c${refAttr(ref)}${styleAttr(s)}><v>${n}</v></c>`,
  /** A shared string: `<v>` holds the index into sharedStrings.xml. */
  shared: (ref: string | null, index: number, s?: number): string =>
    `<c${refAttr(ref)}${styleAttr(s)} t="s"><v>${index}</v></c>`,
  inline: (ref: string | null, text: string): string =>
    `<c${refAttr(ref)} t="inlineStr"><is><t xml:space="preserve">${xmlEscape(text)}</t></is></c>`,
  /** A formula whose cached result is text (`t="str"`). */
  str: (ref: string | null, formula: string, value: string): string =>
    `<c${refAttr(ref)} t="str"><f>${xmlEscape(formula)}</f><v>${xmlEscape(value)}</v></c>`,
  /** A numeric formula with its cached value. */
  formula: (ref: string | null, formula: string, value: number, s?: number): string =>
    `<c${refAttr(ref)}${styleAttr(s)}><f>${xmlEscape(formula)}</f><v>${value}</v></c>`,
  bool: (ref: string | null, b: boolean): string => `<c${refAttr(ref)} t="b"><v>${b ? 1 : 0}</v></c>`,
  error: (ref: string | null, code: string, formula?: string): string =>
    `<c${refAttr(ref)} t="e">${formula ? `<f>${xmlEscape(formula)}</f>` : ''}<v>${xmlEscape(code)}</v></c>`,
  /** A styled cell with no value, self-closing as Excel writes it. */
  empty: (ref: string | null, s: number = STYLE.styled): string => `<c${refAttr(ref)}${styleAttr(s)}/>`,
};

function refAttr(ref: string | null): string {
  return ref === null ? '' : ` r="${ref}"`;
}

/** A `<row>` element; `r` null omits the row number. */
export function row(r: number | null, ...cells: string[]): string {
  return `<row${r === null ? '' : ` r="${r}"`}>${cells.join('')}</row>`;
}

/** `<si>` items of sharedStrings.xml. */
export const si = {
  plain: (text: string): string => `<si><t>${xmlEscape(text)}</t></si>`,
  /** Text with leading or trailing blanks, kept by `xml:space="preserve"`. */
  preserved: (text: string): string => `<si><t xml:space="preserve">${xmlEscape(text)}</t></si>`,
  /** Rich text: one `<r>` run per piece, with run properties as Excel writes them. */
  rich: (runs: string[]): string =>
    '<si>' +
    runs
      .map(
        (t, i) =>
          `<r><rPr>${i % 2 ? '<b/>' : ''}<sz val="11"/><color theme="1"/><rFont val="Calibri"/><family val="2"/><scheme val="minor"/></rPr>` +
          `<t xml:space="preserve">${xmlEscape(t)}</t></r>`,
      )
      .join('') +
    '</si>',
  /** East-Asian text with its phonetic reading in an `<rPh>` run, which is not part of the value. */
  phonetic: (text: string, reading: string): string =>
    `<si><t>${xmlEscape(text)}</t><rPh sb="0" eb="${[...text].length}"><t>${xmlEscape(reading)}</t></rPh><phoneticPr fontId="1"/></si>`,
  /** An empty item, `<si/>`. */
  empty: (): string => '<si/>',
  /** Raw `<si>` XML, written as given. */
  raw: (xml: string): string => xml,
};

export interface SheetSpec {
  name: string;
  state?: 'visible' | 'hidden' | 'veryHidden';
  /** `<row>` elements (see `row()`), written inside `<sheetData>` as given. */
  rows?: string[];
  /** Merged ranges such as `A1:C1`. */
  merged?: string[];
  /** How xl/_rels/workbook.xml.rels points at the part: `worksheets/sheetN.xml` (default) or `/xl/worksheets/sheetN.xml`. */
  target?: 'relative' | 'absolute';
  /** Zip path of the part (default `xl/worksheets/sheetN.xml`, N the 1-based position). */
  part?: string;
  /** Leave the part out of the zip (the relationship still points at it). */
  omitPart?: boolean;
  /** The whole worksheet part, written as given (rows and merged are ignored). */
  xml?: string;
}

export interface XlsxSpec {
  sheets: SheetSpec[];
  /** `<si>` items (see `si`); no sharedStrings.xml is written when undefined. */
  sharedStrings?: string[];
  /** The styles part; DEFAULT_STYLES_XML when undefined, none when null. */
  stylesXml?: string | null;
  date1904?: boolean;
  /** Extra zip entries, or replacements for the generated ones (null removes one). */
  files?: Record<string, string | Uint8Array | null>;
  /** zip compression level, 0 to store the parts (default 6). */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
}

const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const REL_TYPE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const CT = 'application/vnd.openxmlformats-officedocument.spreadsheetml';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** The worksheet part for a sheet spec. */
export function worksheetXml(sheet: Pick<SheetSpec, 'rows' | 'merged'>): string {
  const rows = sheet.rows ?? [];
  const merged = sheet.merged ?? [];
  return (
    XML_DECL +
    `<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
    '<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>' +
    '<sheetFormatPr defaultRowHeight="15"/>' +
    (rows.length ? `<sheetData>${rows.join('')}</sheetData>` : '<sheetData/>') +
    (merged.length ? `<mergeCells count="${merged.length}">${merged.map((m) => `<mergeCell ref="${m}"/>`).join('')}</mergeCells>` : '') +
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>' +
    '</worksheet>'
  );
}

/** The zip entries of a workbook, as text (before zipping), for tests that alter one part. */
export function xlsxParts(spec: XlsxSpec): Record<string, string | Uint8Array> {
  const parts: Record<string, string | Uint8Array> = {};
  const sheetParts = spec.sheets.map((s, i) => s.part ?? `xl/worksheets/sheet${i + 1}.xml`);
  const hasStrings = spec.sharedStrings !== undefined;
  const stylesXml = spec.stylesXml === undefined ? DEFAULT_STYLES_XML : spec.stylesXml;

  parts['[Content_Types].xml'] =
    XML_DECL +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    `<Override PartName="/xl/workbook.xml" ContentType="${CT}.sheet.main+xml"/>` +
    sheetParts.map((p) => `<Override PartName="/${p}" ContentType="${CT}.worksheet+xml"/>`).join('') +
    (stylesXml !== null ? `<Override PartName="/xl/styles.xml" ContentType="${CT}.styles+xml"/>` : '') +
    (hasStrings ? `<Override PartName="/xl/sharedStrings.xml" ContentType="${CT}.sharedStrings+xml"/>` : '') +
    '</Types>';

  parts['_rels/.rels'] =
    XML_DECL +
    `<Relationships xmlns="${NS_PKG_REL}">` +
    `<Relationship Id="rId1" Type="${REL_TYPE}/officeDocument" Target="xl/workbook.xml"/>` +
    '</Relationships>';

  parts['xl/workbook.xml'] =
    XML_DECL +
    `<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
    `<workbookPr${spec.date1904 ? ' date1904="1"' : ''} defaultThemeVersion="166925"/>` +
    '<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="28800" windowHeight="12300"/></bookViews>' +
    '<sheets>' +
    spec.sheets
      .map(
        (s, i) =>
          `<sheet name="${xmlEscape(s.name)}" sheetId="${i + 1}"` +
          (s.state && s.state !== 'visible' ? ` state="${s.state}"` : '') +
          ` r:id="rId${i + 1}"/>`,
      )
      .join('') +
    '</sheets><calcPr calcId="191029"/></workbook>';

  const n = spec.sheets.length;
  parts['xl/_rels/workbook.xml.rels'] =
    XML_DECL +
    `<Relationships xmlns="${NS_PKG_REL}">` +
    spec.sheets
      .map((s, i) => {
        const inXl = sheetParts[i]!.replace(/^xl\//, '');
        const target = s.target === 'absolute' ? `/${sheetParts[i]}` : inXl;
        return `<Relationship Id="rId${i + 1}" Type="${REL_TYPE}/worksheet" Target="${target}"/>`;
      })
      .join('') +
    (stylesXml !== null ? `<Relationship Id="rId${n + 1}" Type="${REL_TYPE}/styles" Target="styles.xml"/>` : '') +
    (hasStrings ? `<Relationship Id="rId${n + 2}" Type="${REL_TYPE}/sharedStrings" Target="sharedStrings.xml"/>` : '') +
    '</Relationships>';

  if (stylesXml !== null) parts['xl/styles.xml'] = stylesXml;
  if (hasStrings) {
    const items = spec.sharedStrings!;
    parts['xl/sharedStrings.xml'] =
      XML_DECL + `<sst xmlns="${NS_MAIN}" count="${items.length}" uniqueCount="${items.length}">${items.join('')}</sst>`;
  }
  spec.sheets.forEach((s, i) => {
    if (!s.omitPart) parts[sheetParts[i]!] = s.xml ?? worksheetXml(s);
  });
  for (const [name, content] of Object.entries(spec.files ?? {})) {
    if (content === null) delete parts[name];
    else parts[name] = content;
  }
  return parts;
}

/** Zips entries given as text (UTF-8) or bytes. */
export function zipFiles(files: Record<string, string | Uint8Array>, level: XlsxSpec['level'] = 6): Uint8Array {
  const zippable: Zippable = {};
  for (const [name, content] of Object.entries(files)) {
    zippable[name] = typeof content === 'string' ? strToU8(content) : content;
  }
  return zipSync(zippable, { level });
}

/** The bytes of an .xlsx built from `spec`. */
export function buildXlsx(spec: XlsxSpec): Uint8Array {
  return zipFiles(xlsxParts(spec), spec.level);
}
