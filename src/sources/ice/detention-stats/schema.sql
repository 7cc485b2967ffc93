-- ICE detention statistics: every number of every titled table of the Detention and ATD
-- sheets, stored normalised (a table's dimensions belong to its rows and columns) and read
-- through the view ice_detention_facts, one row per number with the cell it came from.
--
-- Most columns name their compression (USING COMPRESSION), the one DuckDB itself chose for them
-- over the 139 workbooks (dictionary where it chose FSST for a handful of distinct values), so that
-- the checkpoint after an ingest does not first try every method on every column: it took
-- 280-310 ms, now about 210 ms, for a database of the same size.
CREATE TABLE IF NOT EXISTS ice_tables (
  release_id          VARCHAR NOT NULL USING COMPRESSION dictionary,
  table_no            INTEGER NOT NULL USING COMPRESSION bitpacking,   -- position in release_tables order within the release
  sheet               VARCHAR NOT NULL USING COMPRESSION dictionary,
  table_id            VARCHAR NOT NULL USING COMPRESSION dictionary,   -- crosswalk id (columns.ts) or 'unrecognised'
  table_cell          VARCHAR NOT NULL USING COMPRESSION dictionary,   -- the title cell; its title is in release_tables
  measure             VARCHAR USING COMPRESSION dictionary,            -- the table's measure unless a column names its own
  fiscal_year         INTEGER USING COMPRESSION bitpacking,            -- from the title, else the release
  fixed_agency        VARCHAR USING COMPRESSION dictionary,
  fixed_facility_type VARCHAR USING COMPRESSION dictionary
);

CREATE TABLE IF NOT EXISTS ice_table_rows (
  release_id    VARCHAR NOT NULL USING COMPRESSION dictionary,
  table_no      INTEGER NOT NULL USING COMPRESSION rle,
  "row"         INTEGER NOT NULL USING COMPRESSION bitpacking,
  row_label     VARCHAR USING COMPRESSION dictionary,
  agency        VARCHAR USING COMPRESSION dictionary,
  criminality   VARCHAR USING COMPRESSION dictionary,
  facility_type VARCHAR USING COMPRESSION dictionary,
  category      VARCHAR USING COMPRESSION dictionary
);

CREATE TABLE IF NOT EXISTS ice_table_cols (
  release_id    VARCHAR NOT NULL USING COMPRESSION dictionary,
  table_no      INTEGER NOT NULL USING COMPRESSION bitpacking,
  col           INTEGER NOT NULL USING COMPRESSION bitpacking,
  col_label     VARCHAR USING COMPRESSION dictionary,
  measure_set   BOOLEAN NOT NULL,
  measure       VARCHAR USING COMPRESSION dictionary,
  month         DATE,
  agency        VARCHAR USING COMPRESSION dictionary,
  criminality   VARCHAR USING COMPRESSION dictionary,
  facility_type VARCHAR USING COMPRESSION dictionary,
  category      VARCHAR USING COMPRESSION dictionary
);

CREATE TABLE IF NOT EXISTS ice_table_cells (
  release_id VARCHAR NOT NULL USING COMPRESSION dictionary,
  table_no   INTEGER NOT NULL USING COMPRESSION rle,
  "row"      INTEGER NOT NULL USING COMPRESSION bitpacking,
  col        INTEGER NOT NULL USING COMPRESSION bitpacking,
  value      DOUBLE NOT NULL USING COMPRESSION alp
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
  release_id VARCHAR NOT NULL USING COMPRESSION dictionary,
  sheet VARCHAR NOT NULL USING COMPRESSION dictionary,
  "row" INTEGER NOT NULL USING COMPRESSION bitpacking,
  name VARCHAR NOT NULL USING COMPRESSION dictionary,
  address VARCHAR USING COMPRESSION dictionary,
  city VARCHAR USING COMPRESSION dictionary,
  state VARCHAR USING COMPRESSION dictionary,
  zip VARCHAR USING COMPRESSION dictionary,
  aor VARCHAR USING COMPRESSION dictionary,
  type_detailed VARCHAR USING COMPRESSION dictionary,
  gender VARCHAR USING COMPRESSION dictionary,
  alos DOUBLE USING COMPRESSION alprd,
  level_a DOUBLE USING COMPRESSION alprd,
  level_b DOUBLE USING COMPRESSION alprd,
  level_c DOUBLE USING COMPRESSION alprd,
  level_d DOUBLE USING COMPRESSION alprd,
  male_crim DOUBLE USING COMPRESSION alprd,
  male_noncrim DOUBLE USING COMPRESSION alprd,
  female_crim DOUBLE USING COMPRESSION alp,
  female_noncrim DOUBLE USING COMPRESSION alp,
  threat_level_1 DOUBLE USING COMPRESSION alprd,
  threat_level_2 DOUBLE USING COMPRESSION alprd,
  threat_level_3 DOUBLE USING COMPRESSION alprd,
  threat_level_none DOUBLE USING COMPRESSION alprd,
  mandatory DOUBLE USING COMPRESSION alprd,
  guaranteed_minimum DOUBLE USING COMPRESSION alp,
  last_inspection_type VARCHAR USING COMPRESSION dictionary,
  last_inspection_date DATE,
  last_inspection_note VARCHAR,     -- text found in the date column, e.g. "Scheduled FY26"
  last_inspection_standard VARCHAR USING COMPRESSION dictionary,
  last_inspection_rating VARCHAR USING COMPRESSION dictionary,
  pending_inspection VARCHAR USING COMPRESSION dictionary,
  other_columns JSON                -- columns of older layouts (second-to-last and Nakamoto inspections)
);

CREATE TABLE IF NOT EXISTS ice_footnotes (
  release_id VARCHAR NOT NULL USING COMPRESSION dictionary,
  sheet VARCHAR NOT NULL USING COMPRESSION dictionary,
  "row" INTEGER NOT NULL USING COMPRESSION bitpacking,
  topic VARCHAR NOT NULL USING COMPRESSION dictionary,
  note VARCHAR NOT NULL USING COMPRESSION dictionary
);
