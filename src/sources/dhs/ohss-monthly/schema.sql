-- DHS OHSS "Immigration Enforcement and Legal Processes Monthly Tables": every number of the
-- tables read (see src/sources/dhs/ohss-monthly/layouts.ts), one row per cell, with the sheet and
-- cell it came from. Each release is a vintage: later releases revise earlier months, and every
-- release's numbers are kept. A dimension a table does not break out is 'all' (its total).
CREATE TABLE IF NOT EXISTS ohss_monthly_facts (
  release_id     VARCHAR NOT NULL,
  sheet          VARCHAR NOT NULL,   -- as named in the workbook, e.g. 'ICE ERO R&R by Citizenship'
  cell           VARCHAR NOT NULL,   -- A1 reference of the number, e.g. 'L121'
  "row"          INTEGER NOT NULL,   -- 1-based sheet row (month rows are hidden in Excel and read all the same)
  table_id       VARCHAR NOT NULL,   -- layout id, e.g. 'ice-removals-returns-citizenship'
  measure        VARCHAR NOT NULL,   -- 'ero_arrests', 'ice_book_ins', 'ice_removals_returns', 'dhs_removals', 'cbp_encounters'
  fiscal_year    INTEGER NOT NULL,   -- October–September
  month_start    DATE,               -- first day of the month; NULL on a fiscal-year total row
  ytd            BOOLEAN NOT NULL,   -- the current fiscal year's total row ("2024 YTD") and its months
  component      VARCHAR NOT NULL,   -- 'all' (CBP), 'USBP', 'OFO'; 'all' outside CBP tables
  region         VARCHAR NOT NULL,   -- 'all' (nationwide), 'Southwest Land Border', 'Northern Land Border', 'Coastal Border', 'Air Ports of Entry'
  encounter_type VARCHAR NOT NULL,   -- 'all', 'enforcement', 'administrative' (CBP)
  arrest_agency  VARCHAR NOT NULL,   -- initial arresting agency: 'all', 'CBP', 'ICE'
  citizenship    VARCHAR,            -- the column header as OHSS writes it ('Total', 'Mexico', 'Other'); NULL in tables not by citizenship
  citizenship_kind VARCHAR,          -- 'total', 'country', 'group' (Other, All other …), 'historic', 'unmapped'; NULL with citizenship
  iso3           VARCHAR,            -- ISO 3166-1 alpha-3 (XKX Kosovo) when citizenship is one country
  value          BIGINT,             -- rounded to the nearest 10 by OHSS; NULL where OHSS wrote a code
  flag           VARCHAR             -- 'X' (not applicable) or 'NA' (not available) when value is NULL
);
