-- Deaths in ICE custody: one row per death listed in one of the two CSVs the research
-- repository etchin/ice-detention-mortality extracted from ICE's PDFs (not agency files):
-- the FOIA list "Detainee Death Reporting 2003–2017" and the index of ICE's detainee death
-- reports (FY2018 on). `line` is the file line of the row (the header is line 1).
CREATE TABLE IF NOT EXISTS ice_deaths (
  release_id         VARCHAR NOT NULL,
  line               INTEGER NOT NULL,
  series             VARCHAR NOT NULL,   -- foia-list | report-index (the file's layout; complementary years)
  record_source      VARCHAR NOT NULL,   -- ice-foia-list | ice-death-report (URL on ice.gov) | other-source (the row cites another source)
  record_no          INTEGER,            -- the FOIA PDF's entry number
  name               VARCHAR,            -- as ICE's document writes it, extraction noise removed
  sex                VARCHAR,            -- male | female | NULL
  age                INTEGER,
  date_of_birth      DATE,               -- FOIA list only
  date_of_death      DATE NOT NULL,
  fiscal_year        INTEGER NOT NULL,   -- ICE's fiscal year (October–September) of date_of_death
  fiscal_year_stated INTEGER,            -- the report index's own FY label (third part of Subject), as written
  administration     VARCHAR,            -- the report index's label (fourth part of Subject), as written
  country            VARCHAR,            -- country of citizenship as written
  country_iso3       VARCHAR,            -- resolved by src/lib/countries.ts; NULL for a group, former or unknown country
  country_name       VARCHAR,            -- display name (the name as written when not resolved to one country)
  cause              VARCHAR,
  facility           VARCHAR,            -- facility (FOIA: of last detention, state tag removed) or place, as written
  facility_reported  VARCHAR,            -- the whole field as written (FOIA: 'Adelanto Correctional Facility, CA')
  city               VARCHAR,            -- report index only
  state              VARCHAR,            -- two-letter code read from the location
  location_reported  VARCHAR,            -- the report index's 'Facility Location', as written
  place_of_death     VARCHAR,            -- FOIA list only ('location_of_death': often a hospital)
  facility_type      VARCHAR,            -- as written (IGSA, DIGSA, CDF, 'Contract (CoreCivic)', 'Not stated' …)
  ihsc               BOOLEAN,            -- FOIA list: an ICE Health Service Corps facility
  url                VARCHAR,            -- the report the row cites (ICE's PDF, or another source)
  extraction_error   VARCHAR             -- the research repository's own 'Error' note
);
