-- Facts derived from the canonical FOIA tables (schema.sql) by refreshDerived
-- (src/sources/ice/foia/derive/refresh.ts), once per release at ingest, inside the release's
-- transaction. Rules: docs/sources/ice-foia-derived.md. Every row keeps its release_id; the
-- rows of a release are replaced whole when it is derived again.

-- People in custody per day, nationally and per breakdown, every day of the release's coverage
-- (zeros included). dimension 'all' (dim_value 'all') is the national count of distinct people;
-- 'facility' (dim_value = DETLOC code) counts a person once in each facility they were in that day;
-- 'aor', 'criminality', 'citizenship' attribute each person-day to one stint, so they add up to 'all'.
CREATE TABLE IF NOT EXISTS foia_daily_population (
  release_id  VARCHAR NOT NULL,
  day         DATE NOT NULL,
  dimension   VARCHAR NOT NULL,   -- all | facility | aor | criminality | citizenship
  dim_value   VARCHAR NOT NULL,   -- '(blank)' / '(redacted)' when the stint had no value
  count_kind  VARCHAR NOT NULL,   -- any: in custody at any time that day | midnight: at the midnight ending the day
  people      INTEGER NOT NULL
);

-- Book-ins per month, nationally and per breakdown (like foia_daily_population): 'initial' = the
-- stint that begins a stay at its start (ICE's "initial book-in"), dated by the stay's start;
-- 'transfer' = every other stint (a book-in at another facility during a stay), dated by its own
-- book-in. Only book-ins inside the release's coverage.
CREATE TABLE IF NOT EXISTS foia_book_ins (
  release_id   VARCHAR NOT NULL,
  month        DATE NOT NULL,
  stint_kind   VARCHAR NOT NULL,  -- initial | transfer
  dimension    VARCHAR NOT NULL,  -- all | facility | aor | criminality | citizenship
  dim_value    VARCHAR NOT NULL,
  book_ins     INTEGER NOT NULL
);

-- Arrests after de-duplication (the DDP rule: src/sources/ice/foia/derive/arrests.ts), one row per
-- arrest: the kept row's provenance, its time and the labels the metric breaks out by.
CREATE TABLE IF NOT EXISTS foia_arrests_deduped (
  release_id       VARCHAR NOT NULL,
  sheet            VARCHAR,
  "row"            INTEGER NOT NULL,
  arrest_at        TIMESTAMP,         -- NULL when the row has no date (counted in no period)
  aor              VARCHAR NOT NULL,  -- labels: the value, '(blank)' or '(redacted)'
  criminality      VARCHAR NOT NULL,
  citizenship      VARCHAR NOT NULL,
  method           VARCHAR NOT NULL,
  has_person_id    BOOLEAN NOT NULL,  -- false: the row could not be linked to other arrests
  cluster_rows     INTEGER NOT NULL,  -- rows of the file merged into this arrest
  cluster_first_at TIMESTAMP,
  cluster_last_at  TIMESTAMP
);

-- What each derivation covered and what it could not use, per release and record kind.
CREATE TABLE IF NOT EXISTS foia_derived_coverage (
  release_id        VARCHAR NOT NULL,
  kind              VARCHAR NOT NULL,  -- detentions | arrests
  first_day         DATE,              -- detentions: the earliest book-out; arrests: the first arrest date
  last_day          DATE,              -- detentions: the snapshot date, else the last date in the data; arrests: the last arrest date
  rows_total        BIGINT NOT NULL,
  rows_without_person BIGINT NOT NULL, -- counted, each as a person (or an arrest) of its own
  rows_without_start  BIGINT NOT NULL, -- no book-in / arrest date: in no day or month
  units             BIGINT,            -- detentions: initial book-ins (stays) in the coverage; arrests: arrests after de-duplication
  people_recomputed BIGINT,            -- detentions: people whose stints overlap irregularly, counted by the exact passes
  derive_ms         INTEGER,
  derived_at        TIMESTAMP NOT NULL
);
