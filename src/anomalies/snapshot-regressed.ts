import { fiscalYearOfFileName } from '../sources/ice/detention-stats/parse.js';
import { ICE_DETENTION_STATS } from '../sources/ice/detention-stats/source-id.js';
import { releasesOf, type ReleaseInfo } from './releases.js';
import type { Detector, Finding } from './types.js';

interface Sighting {
  release: ReleaseInfo;
  file_name: string;
  retrieved_at: string;
  /** Files of one family are compared: ICE's by the fiscal year their name claims, CBP's by family. */
  family: string;
  fy: number;
}

const MONTH_WORDS = /(?:^|[-_ ])(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)(?=[-_ .])/gi;

/** The family a file belongs to and the fiscal year it claims, from its name. */
function familyOf(sourceId: string, fileName: string, contentFy: number | null): { family: string; fy: number } {
  if (sourceId === ICE_DETENTION_STATS) return { family: sourceId, fy: fiscalYearOfFileName(fileName) ?? contentFy ?? 0 };
  // nationwide-encounters-fy23-fy26-nov-state.csv → nationwide-encounters-state.csv
  const family = fileName.toLowerCase().replace(/fy\d{2,4}/g, '').replace(MONTH_WORDS, '').replace(/\d+/g, '').replace(/[-_ ]+/g, '-');
  return { family: `${sourceId}:${family}`, fy: contentFy ?? 0 };
}

/**
 * A file retrieved after another of its family (same publisher, same or earlier fiscal year
 * in its name) whose snapshot date is older than that file's: the agency put an older file
 * (back) online, or the new file carries a stale date. Every sighting counts, so a
 * byte-identical file seen again after newer ones is found at its second sighting.
 */
export const snapshotDateRegressed: Detector = {
  code: 'snapshot-date-regressed',
  severity: 'warning',
  title: 'Snapshot date older than a file seen before it',
  explain:
    'This file was retrieved after another file of the same series, yet its snapshot date is older. Either the agency put an older file (back) on its page ' +
    '(then the same bytes were often seen before), or the date in the new file’s footnotes was not updated. Its numbers are not the latest ones.',
  async run(db, sourceId, memo): Promise<Finding[]> {
    const sightings: Sighting[] = [];
    for (const r of await releasesOf(db, sourceId, memo)) {
      if (r.snapshot_date === null) continue;
      for (const s of r.sightings) {
        // a file cannot be retrieved on or before its own snapshot date: that retrieval date is not a date
        // of retrieval (a mirror's folder date), so it says nothing about the order of publication
        if (s.retrieved_at === null || s.retrieved_at <= r.snapshot_date) continue;
        sightings.push({ release: r, file_name: s.file_name, retrieved_at: s.retrieved_at, ...familyOf(sourceId, s.file_name, r.fiscal_year) });
      }
    }
    sightings.sort((a, b) => a.retrieved_at.localeCompare(b.retrieved_at) || a.release.release_id.localeCompare(b.release.release_id));
    const out: Finding[] = [];
    for (const s of sightings) {
      const snapshot = s.release.snapshot_date!;
      // the newest snapshot among files of the family retrieved on an earlier day
      let newest: Sighting | undefined;
      for (const p of sightings) {
        if (p.retrieved_at >= s.retrieved_at) break;
        if (p.family !== s.family || p.fy > s.fy || p.release === s.release) continue;
        if (!newest || p.release.snapshot_date! > newest.release.snapshot_date!) newest = p;
      }
      if (!newest || newest.release.snapshot_date! <= snapshot) continue;
      const cell = typeof s.release.summary.snapshot_cell === 'string' ? ` (${s.release.summary.snapshot_cell})` : '';
      const earlier = s.release.sightings.find((x) => x.retrieved_at !== null && x.retrieved_at < s.retrieved_at);
      const days = Math.round((Date.parse(newest.release.snapshot_date!) - Date.parse(snapshot)) / 86_400_000);
      out.push({
        release_id: s.release.release_id,
        subject: `${s.file_name} retrieved ${s.retrieved_at}`,
        detail:
          `${s.file_name}, retrieved ${s.retrieved_at}, has snapshot date ${snapshot}${cell}, ${days} days older than ${newest.release.snapshot_date} ` +
          `of ${newest.file_name} (release ${newest.release.release_id}), retrieved earlier (${newest.retrieved_at})` +
          (earlier
            ? `; the same bytes were first seen ${earlier.retrieved_at} as ${earlier.file_name}: an older file was put back online`
            : `: the file is older than its place in time, or its footnote date was not updated`),
      });
    }
    return out;
  },
};
