-- ICE detention statistics: every number of every titled table, one row per cell,
-- with the release, sheet and cell it came from.
CREATE TABLE IF NOT EXISTS ice_detention_facts (
  release_id    VARCHAR NOT NULL,
  sheet         VARCHAR NOT NULL,
  "row"         INTEGER NOT NULL,
  cell          VARCHAR NOT NULL,
  table_id      VARCHAR NOT NULL,   -- crosswalk id (columns.ts) or 'unrecognised'
  table_title   VARCHAR NOT NULL,
  row_label     VARCHAR,
  col_label     VARCHAR,
  measure       VARCHAR,            -- detained, book_ins, book_outs, adp, alos, removals, atd_participants, …
  fiscal_year   INTEGER,
  month         DATE,               -- first day of the calendar month; NULL = fiscal-year-to-date or snapshot
  agency        VARCHAR,            -- all | ICE | CBP (arresting agency)
  criminality   VARCHAR,            -- all | convicted | pending | other | non_criminal
  facility_type VARCHAR,            -- all | adult | family
  category      VARCHAR,            -- all, or the table's own row category (disposition, release reason, AOR, …)
  value         DOUBLE NOT NULL
);

-- The Facilities sheet: one row per facility per release.
CREATE TABLE IF NOT EXISTS ice_facilities (
  release_id VARCHAR NOT NULL,
  sheet VARCHAR NOT NULL,
  "row" INTEGER NOT NULL,
  name VARCHAR NOT NULL,
  address VARCHAR,
  city VARCHAR,
  state VARCHAR,
  zip VARCHAR,
  aor VARCHAR,
  type_detailed VARCHAR,
  gender VARCHAR,
  alos DOUBLE,
  level_a DOUBLE,
  level_b DOUBLE,
  level_c DOUBLE,
  level_d DOUBLE,
  male_crim DOUBLE,
  male_noncrim DOUBLE,
  female_crim DOUBLE,
  female_noncrim DOUBLE,
  threat_level_1 DOUBLE,
  threat_level_2 DOUBLE,
  threat_level_3 DOUBLE,
  threat_level_none DOUBLE,
  mandatory DOUBLE,
  guaranteed_minimum DOUBLE,
  last_inspection_type VARCHAR,
  last_inspection_date DATE,
  last_inspection_note VARCHAR,     -- text found in the date column, e.g. "Scheduled FY26"
  last_inspection_standard VARCHAR,
  last_inspection_rating VARCHAR,
  pending_inspection VARCHAR,
  other_columns JSON                -- columns of older layouts (second-to-last and Nakamoto inspections)
);

CREATE TABLE IF NOT EXISTS ice_footnotes (
  release_id VARCHAR NOT NULL,
  sheet VARCHAR NOT NULL,
  "row" INTEGER NOT NULL,
  topic VARCHAR NOT NULL,
  note VARCHAR NOT NULL
);
