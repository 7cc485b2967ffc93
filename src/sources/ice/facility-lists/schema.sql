-- ICE's facility lists: one row per list (release), and one row per facility of the list,
-- with the sheet and row it came from. The full lists (2015 DMCP list, 2017 facility list)
-- carry ICE's facility code (DETLOC); the over-72-hour list has only name, city and state,
-- which src/facilities/match.ts matches to a code.
CREATE TABLE IF NOT EXISTS ice_facility_lists (
  release_id          VARCHAR NOT NULL,
  list_kind           VARCHAR NOT NULL,   -- facility-list | over-72-hour | legacy-xls
  title               VARCHAR,            -- the list's own title ("Facility List Report", "Authorized DMCP Facilities")
  sheet               VARCHAR,
  header_row          INTEGER,
  as_of               DATE,               -- "IIDS as of 11/06/2017": the date of the list's data
  declared_facilities INTEGER,            -- "1685 Facilities, Source: …", where the list states it
  facilities          INTEGER NOT NULL,   -- rows read
  status              VARCHAR NOT NULL,   -- read | unsupported
  note                VARCHAR             -- why a list was not read
);

CREATE TABLE IF NOT EXISTS ice_facility_list_rows (
  release_id            VARCHAR NOT NULL,
  list_kind             VARCHAR NOT NULL,
  sheet                 VARCHAR NOT NULL,
  "row"                 INTEGER NOT NULL,
  detloc                VARCHAR,            -- ICE's facility code; NULL in the over-72-hour list and where redacted
  name                  VARCHAR,            -- NULL only where ICE redacted it
  redacted              BOOLEAN NOT NULL DEFAULT false,  -- the list withholds code, name and place ("Redacted")
  address               VARCHAR,
  city                  VARCHAR,
  county                VARCHAR,
  state                 VARCHAR,
  zip                   VARCHAR,
  circuit               VARCHAR,
  aor                   VARCHAR,            -- AOR code (ATL, SNA …); from the block title in the over-72-hour list
  aor_title             VARCHAR,            -- the block title, over-72-hour list only ("Atlanta AOR")
  docket                VARCHAR,
  type                  VARCHAR,
  type_detailed         VARCHAR,            -- a code (IGSA, DIGSA, SPC …), spelled out in the over-72-hour list
  gender                VARCHAR,            -- "Male/Female" column
  capacity              VARCHAR,            -- a number, or ICE's text ("AS NEEDED")
  population_count      DOUBLE,
  date_of_last_use      DATE,
  date_of_first_use     DATE,
  guaranteed_minimum    DOUBLE,
  facility_operator     VARCHAR,
  facility_owner        VARCHAR,
  authorization_status  VARCHAR,
  authorizing_authority VARCHAR,
  over_under_72         VARCHAR,
  other_columns         JSON                -- every other column, header → value as published
);
