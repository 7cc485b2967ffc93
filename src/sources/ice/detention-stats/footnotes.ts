import { usDateToIso } from '../../../lib/dates.js';
import type { Sheet } from '../../../xlsx/sheet.js';

export interface FootnoteRow {
  release_id: string;
  sheet: string;
  row: number;
  topic: string;
  note: string;
}

export interface FootnotesResult {
  rows: FootnoteRow[];
  /** The currently-detained snapshot date (YYYY-MM-DD) and the cell it was read from. */
  snapshotDate: string | null;
  snapshotCell: string | null;
  iidsRunDate: string | null;
}


// "a snapshot as of 04/04/2026"; FY2023 releases put two spaces before the date
const SNAPSHOT = /snapshot as of\s+(\d{1,2}\/\d{1,2}\/\d{4})/i;
const IIDS_RUN = /IIDS Run Date\s+(\d{1,2}\/\d{1,2}\/\d{4})/i;

/**
 * A note with its runs of white space made one space, remembered: the same notes come back in
 * release after release (4.3 MB of text over the 139 workbooks, 1,500 distinct), and collapsing
 * them all again took 70 ms of an ingest.
 */
const collapsed = new Map<string, string>();
function oneSpaced(text: string): string {
  let out = collapsed.get(text);
  if (out === undefined) {
    if (collapsed.size >= 20_000) collapsed.clear();
    collapsed.set(text, (out = text.replace(/\s+/g, ' ')));
  }
  return out;
}

/**
 * Reads the Footnotes sheet (topic | note). The snapshot date of the
 * currently-detained tables is the "snapshot as of" date of the National Docket
 * note; other notes ("… Detention Facilities data are a snapshot as of …") describe
 * other tables and are used only when the National Docket note has no date.
 */
export function parseFootnotes(sheet: Sheet, releaseId: string): FootnotesResult {
  const rows: FootnoteRow[] = [];
  let topic = '';
  let docket: { date: string; cell: string; run: string | null } | undefined;
  let anySnapshot: { date: string; cell: string; run: string | null } | undefined;
  for (let r = 1; r <= sheet.maxRow; r++) {
    const a = oneSpaced(sheet.text(r, 1));
    const b = oneSpaced(sheet.text(r, 2));
    if (a !== '') topic = a;
    if (b === '') continue;
    rows.push({ release_id: releaseId, sheet: sheet.name, row: r, topic, note: b });
    const m = SNAPSHOT.exec(b);
    const date = m ? usDateToIso(m[1]!) : null;
    if (date === null) continue;
    const run = IIDS_RUN.exec(b);
    const found = { date, cell: sheet.ref(r, 2), run: run ? usDateToIso(run[1]!) : null };
    if (!docket && /national docket/i.test(b)) docket = found;
    if (!anySnapshot) anySnapshot = found;
  }
  const pick = docket ?? anySnapshot;
  return { rows, snapshotDate: pick?.date ?? null, snapshotCell: pick?.cell ?? null, iidsRunDate: pick?.run ?? null };
}
