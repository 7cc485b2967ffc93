-- ICE's 287(g) lists (ice.gov/identify-and-arrest/287g): one row per list (release), and one row
-- per agreement of the list with the sheet and row it came from. An agency with several
-- models has one row per model, as ICE lists them.
CREATE TABLE IF NOT EXISTS ice_287g_lists (
  release_id     VARCHAR NOT NULL,
  list_kind      VARCHAR NOT NULL,   -- what the content is: participating (has SIGNED) | pending
  named_kind     VARCHAR NOT NULL,   -- what the file name says; differs for the files ICE swapped on 2025-09-22
  origin         VARCHAR NOT NULL,   -- ice | wayback (ICE's file from a Wayback capture) | html-derived (not an ICE file)
  sheet          VARCHAR NOT NULL,
  list_date      DATE,               -- the list's date: see date_basis
  list_time      VARCHAR,            -- am | pm, from ICE's name; orders two lists of one day
  date_basis     VARCHAR NOT NULL,   -- file-name | file-name-corrected | saved | latest-signed | capture
  name_date      DATE,               -- the date as the file name reads (NULL when it names no real date)
  saved_at       TIMESTAMP,          -- docProps modified: when ICE last saved the workbook (UTC)
  captured_at    TIMESTAMP,          -- Wayback capture time, for the archive's names
  latest_signed  DATE,               -- latest SIGNED date of the list (participating lists)
  agreements     INTEGER NOT NULL,   -- data rows read
  columns        VARCHAR NOT NULL    -- the header row, as published
);

CREATE TABLE IF NOT EXISTS ice_287g_agreements (
  release_id     VARCHAR NOT NULL,
  list_kind      VARCHAR NOT NULL,
  sheet          VARCHAR NOT NULL,
  "row"          INTEGER NOT NULL,   -- 1-based sheet row
  state          VARCHAR,            -- upper case, ICE's misspellings corrected (columns.ts); the published text when unknown
  state_code     VARCHAR,            -- USPS code; NULL when the state is not recognised
  agency         VARCHAR,            -- LAW ENFORCEMENT AGENCY, whitespace trimmed and collapsed
  agency_key     VARCHAR,            -- the agency's key across lists (columns.ts agencyKey)
  agency_type    VARCHAR,            -- County | Municipality | State Agency; the published text when unknown
  county         VARCHAR,            -- from March 2025
  support_type   VARCHAR,            -- SUPPORT TYPE as published, trimmed
  model          VARCHAR,            -- Task Force Model | Warrant Service Officer | Jail Enforcement Model
  signed         DATE,               -- NULL where SIGNED is missing or impossible (see signed_text)
  signed_text    VARCHAR,            -- SIGNED as published when it is not a clean date (text, year 5025)
  moa_text       VARCHAR,            -- MOA cell as published, spaces kept ('link', 'link pending', 'link ')
  moa_status     VARCHAR,            -- link | link pending | link | addendum
  moa_url        VARCHAR,            -- the MOA cell's hyperlink (Outlook Safe Links and browser prefixes removed)
  addendum_text  VARCHAR,
  addendum_url   VARCHAR
);
