-- UW Center for Human Rights: ICE's facility master list as UWCHR keeps it (built from the
-- 2017 ICE facility list, with updates), and two small crosswalks of the same repositories:
-- county → ICE area of responsibility (AOR), AOR → ERO field office. One row per line of
-- each file; `line` is the line in the (decompressed) file, the header being line 1.
CREATE TABLE IF NOT EXISTS uwchr_facilities (
  release_id            VARCHAR NOT NULL,
  line                  INTEGER NOT NULL,
  detloc                VARCHAR NOT NULL,   -- ICE's facility code (DETLOC)
  name                  VARCHAR,
  address               VARCHAR,
  city                  VARCHAR,
  county                VARCHAR,
  state                 VARCHAR,
  zip                   VARCHAR,
  circuit               VARCHAR,
  aor                   VARCHAR,
  docket                VARCHAR,
  type                  VARCHAR,
  type_detailed         VARCHAR,
  authorizing_authority VARCHAR,
  capacity              INTEGER,            -- UWCHR's "NA" is NULL here, as in every column
  guaranteed_minimum    INTEGER,
  date_of_last_use      DATE,
  date_of_first_use     DATE,
  over_72               BOOLEAN,
  dmcp_auth             BOOLEAN
);

CREATE TABLE IF NOT EXISTS uwchr_county_aor (
  release_id   VARCHAR NOT NULL,
  line         INTEGER NOT NULL,
  geoid        VARCHAR NOT NULL,   -- county FIPS code, 5 digits
  geoid_state  VARCHAR,
  geoid_county VARCHAR,
  name         VARCHAR,            -- "autauga county, alabama"
  aor          VARCHAR             -- ICE AOR code
);

CREATE TABLE IF NOT EXISTS uwchr_aor_field_offices (
  release_id        VARCHAR NOT NULL,
  line              INTEGER NOT NULL,
  aor               VARCHAR NOT NULL,
  field_office_addr VARCHAR,
  lat               DOUBLE,
  long              DOUBLE
);
