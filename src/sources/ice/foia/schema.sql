-- ICE ERO-LESA FOIA records (individual level), one table per record kind. Every row keeps
-- where it came from (release, sheet, row: the sheet row, or the file line for CSV) and
-- which of its cells held a FOIA redaction code instead of a value (`redacted`: canonical
-- column names; the value itself is NULL, never the code). `person_id` is ICE's
-- Unique / Anonymized Identifier (NULL when absent or redacted).

CREATE TABLE IF NOT EXISTS foia_removals (
  release_id          VARCHAR NOT NULL,
  sheet               VARCHAR,
  row                 INTEGER NOT NULL,
  departed_date       DATE,
  port_of_departure   VARCHAR,
  departure_country   VARCHAR,
  citizenship_country VARCHAR,
  birth_country       VARCHAR,
  gender              VARCHAR,
  birth_year          INTEGER,
  docket_aor          VARCHAR,
  case_category       VARCHAR,
  case_criminality    VARCHAR,
  most_serious_conviction VARCHAR,
  final_program       VARCHAR,
  person_id           VARCHAR,
  redacted            VARCHAR[]
);

CREATE TABLE IF NOT EXISTS foia_arrests (
  release_id          VARCHAR NOT NULL,
  sheet               VARCHAR,
  row                 INTEGER NOT NULL,
  apprehension_at     TIMESTAMP,          -- date and time when the file gives a time, else midnight
  apprehension_date   DATE,
  aor                 VARCHAR,
  state               VARCHAR,
  arresting_agency    VARCHAR,
  apprehension_method VARCHAR,            -- 'ERO Reprocessed Arrest' rows are duplicates of an earlier arrest
  criminality         VARCHAR,
  final_program       VARCHAR,
  citizenship_country VARCHAR,
  departure_country   VARCHAR,
  gender              VARCHAR,
  birth_year          INTEGER,
  person_id           VARCHAR,
  redacted            VARCHAR[]
);

CREATE TABLE IF NOT EXISTS foia_detention_stints (
  release_id          VARCHAR NOT NULL,
  sheet               VARCHAR,
  row                 INTEGER NOT NULL,
  stay_book_in_at     TIMESTAMP,          -- start of the stay (a stay is one or more stints in a row)
  book_in_at          TIMESTAMP,          -- start of this stint (one facility)
  book_out_at         TIMESTAMP,          -- end of this stint; NULL while still detained
  stay_book_out_at    TIMESTAMP,
  facility_code       VARCHAR,            -- ICE's DETLOC
  facility            VARCHAR,
  release_reason      VARCHAR,
  stay_release_reason VARCHAR,
  criminality         VARCHAR,            -- Book In Criminality
  citizenship_country VARCHAR,
  gender              VARCHAR,
  birth_year          INTEGER,
  aor                 VARCHAR,            -- Book In AOR
  departure_country   VARCHAR,
  person_id           VARCHAR,
  redacted            VARCHAR[]
);

CREATE TABLE IF NOT EXISTS foia_detainers (
  release_id          VARCHAR NOT NULL,
  sheet               VARCHAR,
  row                 INTEGER NOT NULL,
  prepare_date        DATE,
  facility_state      VARCHAR,
  facility_aor        VARCHAR,
  detainer_facility   VARCHAR,
  facility_code       VARCHAR,
  criminality         VARCHAR,
  citizenship_country VARCHAR,
  departure_country   VARCHAR,
  gender              VARCHAR,
  birth_year          INTEGER,
  person_id           VARCHAR,
  redacted            VARCHAR[]
);

CREATE TABLE IF NOT EXISTS foia_encounters (
  release_id          VARCHAR NOT NULL,
  sheet               VARCHAR,
  row                 INTEGER NOT NULL,
  event_date          DATE,
  aor                 VARCHAR,
  event_type          VARCHAR,
  lead_event_type     VARCHAR,
  final_program       VARCHAR,
  criminality         VARCHAR,
  processing_disposition VARCHAR,
  citizenship_country VARCHAR,
  departure_country   VARCHAR,
  gender              VARCHAR,
  birth_year          INTEGER,
  person_id           VARCHAR,
  redacted            VARCHAR[]
);

-- Per release: which record kind and layout it is, and per sheet what was read.
CREATE TABLE IF NOT EXISTS foia_files (
  release_id  VARCHAR NOT NULL,
  kind        VARCHAR NOT NULL,   -- arrests | detainers | detentions | encounters | removals
  layout      VARCHAR NOT NULL,   -- the crosswalk entry the header matched
  title       VARCHAR,            -- the banner's title line
  series      VARCHAR NOT NULL,   -- the title without its dates: releases of one series are vintages of each other
  rows        BIGINT NOT NULL
);
