-- CBP encounter CSVs: one row per published line, typed. No line number is stored:
-- DuckDB's read_csv cannot give one without a window that doubles the load time of a
-- 5-million-line file; each row is cited by its key, which is unique within a file
-- (checked at load); an error names its line by re-reading the file. The published
-- labels are derivable: 'Fiscal Year' = fiscal_year || ' (FYTD)' when fytd, 'Month (abbv)'
-- = upper(strftime(month_start, '%b')); they are not stored twice, which keeps a
-- 5-million-line load near DuckDB's own speed. Columns are
-- nullable so that a bad value is found by a check after the insert (which can then
-- name its line) instead of aborting the transaction; the checks refuse any NULL.
CREATE TABLE IF NOT EXISTS cbp_encounters (
  release_id      VARCHAR NOT NULL,
  fiscal_year     SMALLINT,
  fytd            BOOLEAN,             -- the year was labelled '2025 (FYTD)': fiscal year to date
  month_grouping  VARCHAR,             -- FYTD | Remaining
  month_start     DATE,                -- the calendar month of the fiscal month: FY2025 'OCT' = 2024-10-01
  component       VARCHAR,             -- U.S. Border Patrol | Office of Field Operations (aor, sbo)
  region          VARCHAR,    -- Land Border Region; the Southwest file implies 'Southwest Land Border'
  state           VARCHAR,             -- state files
  aor             VARCHAR,             -- area of responsibility (aor files)
  aor_abbv        VARCHAR,
  demographic     VARCHAR,    -- 'UC / Single Minors' stored as 'UAC' (renamed by CBP in 2025)
  citizenship     VARCHAR,             -- as published (state, aor): 21 countries and OTHER
  citizenship_group VARCHAR,           -- Southwest file: El Salvador, Guatemala, Honduras, Mexico, Other
  title           VARCHAR,    -- Title 8 | Title 42
  encounter_type  VARCHAR,             -- Apprehensions | Inadmissibles | Expulsions (aor, sbo)
  encounters      INTEGER
);

-- One row per CBP release: which family it is and what it covers.
CREATE TABLE IF NOT EXISTS cbp_files (
  release_id   VARCHAR NOT NULL,
  family       VARCHAR NOT NULL,       -- state | aor | sbo
  header       VARCHAR NOT NULL,
  rows         BIGINT NOT NULL,
  first_month  DATE NOT NULL,
  last_month   DATE NOT NULL,
  encounters   BIGINT NOT NULL
);

-- Monthly totals per release, component and region: small, so revisions between
-- releases are found without scanning the row tables.
CREATE TABLE IF NOT EXISTS cbp_month_totals (
  release_id   VARCHAR NOT NULL,
  month_start  DATE NOT NULL,
  component    VARCHAR,                -- NULL: all components (state files do not split them)
  region       VARCHAR NOT NULL,
  title        VARCHAR NOT NULL,
  encounters   BIGINT NOT NULL
);
