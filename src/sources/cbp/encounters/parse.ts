import { SourceFormatError } from '../../../lib/errors.js';
import { inspectCsv } from '../../csv-file.js';
import type { ParsedRelease, SourceFile } from '../../types.js';
import { matchLayout } from './layouts.js';
import { loadCbpCsv } from './load.js';

/**
 * Checks a CBP encounter CSV in JavaScript (encoding, delimiter, header, last line) and
 * hands the rows to DuckDB's read_csv. Dates, totals and the family's own anomalies
 * come from the load, which sees every row.
 */
export async function parseCbpEncounters(file: SourceFile): Promise<ParsedRelease> {
  const shape = inspectCsv(file.path, file.bytes);
  const match = matchLayout(shape.header);
  if (!('layout' in match)) {
    throw new SourceFormatError(
      { file: file.path, line: 1, column: match.differences[0]?.match(/'([^']+)'/)?.[1] ?? shape.header[0] },
      `the header matches no CBP encounter layout; closest is "${match.closest.title}": ${match.differences.join('; ')}`,
    );
  }
  const { layout } = match;
  const anomalies = [...shape.anomalies];
  if (shape.bomBytes > 0) anomalies.push({ code: 'byte-order-mark', severity: 'info', subject: 'line 1', detail: 'the file starts with a UTF-8 byte-order mark, which CBP files usually do not have' });
  if (shape.dataLines === 0) throw new SourceFormatError({ file: file.path, line: 2 }, 'the file has a header but no data lines');
  return {
    snapshotDate: null,
    fiscalYear: null,
    summary: { family: layout.family },
    tables: {},
    anomalies,
    directLoads: [
      {
        run: (db, path) =>
          loadCbpCsv(db, { file: file.path, path, releaseId: file.releaseId, layout, dataLines: shape.dataLines }),
      },
    ],
  };
}
