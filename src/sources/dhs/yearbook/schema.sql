-- Yearbook of Immigration Statistics enforcement tables (CSV exports of the OHSS web tables): one
-- row per published cell, with the file, line and column it came from. Each yearbook is a vintage:
-- later yearbooks revise earlier fiscal years, and every yearbook's numbers are kept.
CREATE TABLE IF NOT EXISTS dhs_yearbook_facts (
  release_id      VARCHAR NOT NULL,
  file            VARCHAR NOT NULL,  -- the file name, e.g. 'Yearbook2022_Table42…_D.csv'
  line            INTEGER NOT NULL,  -- 1-based line of the CSV (the header is line 1)
  "column"        VARCHAR NOT NULL,  -- the column header as written, e.g. '2022 [8]'
  yearbook        INTEGER NOT NULL,  -- the yearbook (its fiscal year)
  table_number    INTEGER NOT NULL,  -- as published that year: not stable (removals by country: 41, then 42)
  table_kind      VARCHAR NOT NULL,  -- what the table is, from its title: 'removals-by-nationality', 'repatriations-by-year', …
  part            VARCHAR NOT NULL,  -- the part letter (order of the tables on the page)
  measure         VARCHAR NOT NULL,  -- 'removals', 'apprehensions_and_title42_expulsions', 'administrative_returns', 'expulsions', …
  geography       VARCHAR NOT NULL,  -- 'country', 'region' (of nationality) or 'national' (by-year tables)
  label           VARCHAR,           -- the first column as written ('Mexico', 'All other countries [4]', 'Total'); NULL in by-year tables
  citizenship     VARCHAR,           -- the label without its footnote mark
  citizenship_kind VARCHAR,          -- 'total', 'country', 'group' (regions, All other countries, Unknown), 'historic', 'unmapped'
  iso3            VARCHAR,           -- ISO 3166-1 alpha-3 (XKX Kosovo) when the label is one country
  criminal_status VARCHAR NOT NULL,  -- 'all', 'criminal', 'non_criminal'
  fiscal_year     INTEGER NOT NULL,  -- October–September
  value           BIGINT,            -- NULL where OHSS wrote D, X or nothing
  flag            VARCHAR,           -- the code written instead of a number: 'D' withheld, '-' zero, 'X' not applicable, '' blank
  withheld        BOOLEAN NOT NULL   -- true for 'D': withheld to limit disclosure (not zero)
);
