-- ICE detention statistics: every number of every titled table of the Detention and ATD
-- sheets, stored normalised (a table's dimensions belong to its rows and columns) and read
-- through the view ice_detention_facts, one row per number with the cell it came from.
CREATE TABLE IF NOT EXISTS ice_tables (
  release_id          VARCHAR NOT NULL,
  table_no            INTEGER NOT NULL,   -- position in release_tables order within the release
  sheet               VARCHAR NOT NULL,
  table_id            VARCHAR NOT NULL,   -- crosswalk id (columns.ts) or 'unrecognised'
  table_cell          VARCHAR NOT NULL,   -- the title cell; its title is in release_tables
  measure             VARCHAR,            -- the table's measure unless a column names its own
  fiscal_year         INTEGER,            -- from the title, else the release
  fixed_agency        VARCHAR,
  fixed_facility_type VARCHAR
);

CREATE TABLE IF NOT EXISTS ice_table_rows (
  release_id    VARCHAR NOT NULL,
  table_no      INTEGER NOT NULL,
  "row"         INTEGER NOT NULL,
  row_label     VARCHAR,
  agency        VARCHAR,
  criminality   VARCHAR,
  facility_type VARCHAR,
  category      VARCHAR
);

CREATE TABLE IF NOT EXISTS ice_table_cols (
  release_id    VARCHAR NOT NULL,
  table_no      INTEGER NOT NULL,
  col           INTEGER NOT NULL,
  col_label     VARCHAR,
  measure_set   BOOLEAN NOT NULL,
  measure       VARCHAR,
  month         DATE,
  agency        VARCHAR,
  criminality   VARCHAR,
  facility_type VARCHAR,
  category      VARCHAR
);

CREATE TABLE IF NOT EXISTS ice_table_cells (
  release_id VARCHAR NOT NULL,
  table_no   INTEGER NOT NULL,
  "row"      INTEGER NOT NULL,
  col        INTEGER NOT NULL,
  value      DOUBLE NOT NULL
);

CREATE OR REPLACE MACRO excel_col(n) AS
  CASE WHEN n <= 26 THEN chr(64 + n) ELSE chr(64 + (n - 1) // 26) || chr(65 + (n - 1) % 26) END;

-- One row per number: a column's dimension wins over its row's, then the table's fixed value, then 'all'.
CREATE OR REPLACE VIEW ice_detention_facts AS
SELECT c.release_id,
       t.sheet,
       c."row",
       excel_col(c.col) || c."row" AS cell,
       t.table_id,
       t.table_cell,
       r.row_label,
       k.col_label,
       CASE WHEN k.measure_set THEN k.measure ELSE t.measure END AS measure,  -- detained, book_ins, book_outs, adp, alos, removals, atd_participants, …
       t.fiscal_year,
       k.month,                                                                    -- first day of the calendar month; NULL = fiscal-year-to-date or snapshot
       coalesce(k.agency, r.agency, t.fixed_agency, 'all') AS agency,              -- all | ICE | CBP (arresting agency)
       coalesce(k.criminality, r.criminality, 'all') AS criminality,               -- all | convicted | pending | other | non_criminal
       coalesce(k.facility_type, r.facility_type, t.fixed_facility_type, 'all') AS facility_type,  -- all | adult | family
       coalesce(k.category, r.category, 'all') AS category,                        -- the table's own row category
       c.value
  FROM ice_table_cells c
  JOIN ice_tables t USING (release_id, table_no)
  JOIN ice_table_rows r USING (release_id, table_no, "row")
  JOIN ice_table_cols k USING (release_id, table_no, col);

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
