/**
 * CSV read the plain RFC 4180 way, for tests that check the tracker against the official
 * files: written apart from src/sources/csv-file.ts on purpose, so that a bug there cannot
 * hide itself by agreeing with its own test.
 */

/** Rows of cells; quoted fields may hold commas, doubled quotes and newlines; CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** The cells of one line ("CHINA, PEOPLES REPUBLIC OF" stays one cell). */
export function splitCsvLine(line: string): string[] {
  return parseCsv(line)[0] ?? [''];
}
