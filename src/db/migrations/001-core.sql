-- Releases: one official file as published (one sha256), whatever names it had.
CREATE TABLE IF NOT EXISTS releases (
  release_id     VARCHAR PRIMARY KEY,  -- first 12 hex digits of the sha256
  source_id      VARCHAR NOT NULL,
  sha256         VARCHAR NOT NULL UNIQUE,
  bytes          BIGINT NOT NULL,
  snapshot_date  DATE,                 -- read from the content, never guessed
  fiscal_year    INTEGER,
  summary        JSON,
  ingested_at    TIMESTAMP NOT NULL,
  archive_path   VARCHAR
);

-- Every name and place a release was seen under.
CREATE TABLE IF NOT EXISTS release_files (
  release_id     VARCHAR NOT NULL,
  file_name      VARCHAR NOT NULL,     -- the agency's file name
  url            VARCHAR,              -- official URL, or the URL the name corresponds to
  origin         VARCHAR NOT NULL,     -- fetch | mirror | file
  local_path     VARCHAR,
  retrieved_at   TIMESTAMP,            -- when it was downloaded, where known
  etag           VARCHAR,
  last_modified  VARCHAR,
  added_at       TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS release_anomalies (
  release_id  VARCHAR NOT NULL,
  code        VARCHAR NOT NULL,
  severity    VARCHAR NOT NULL,
  subject     VARCHAR NOT NULL,
  detail      VARCHAR NOT NULL,
  cross_release BOOLEAN NOT NULL DEFAULT false  -- recomputed whenever a release of the source is added
);

CREATE TABLE IF NOT EXISTS release_sheets (
  release_id VARCHAR NOT NULL,
  sheet      VARCHAR NOT NULL,
  position   INTEGER NOT NULL,
  hidden     BOOLEAN NOT NULL,
  status     VARCHAR NOT NULL           -- parsed | not-parsed | ignored-hidden
);

CREATE TABLE IF NOT EXISTS release_tables (
  release_id VARCHAR NOT NULL,
  sheet      VARCHAR NOT NULL,
  title      VARCHAR NOT NULL,
  table_id   VARCHAR NOT NULL,          -- crosswalk id, or 'unrecognised'
  cell       VARCHAR NOT NULL,          -- the title cell
  first_row  INTEGER NOT NULL,
  last_row   INTEGER NOT NULL,
  facts      INTEGER NOT NULL
);

-- One row per ingest or fetch run.
CREATE TABLE IF NOT EXISTS ingest_runs (
  run_id       VARCHAR PRIMARY KEY,
  command      VARCHAR NOT NULL,
  started_at   TIMESTAMP NOT NULL,
  finished_at  TIMESTAMP,
  files_seen   INTEGER,
  ingested     INTEGER,
  duplicates   INTEGER,
  skipped      INTEGER,
  errors       INTEGER,
  report       JSON
);

-- When each release was known and where it sits in time. A release whose footnote
-- date is flagged as stale or outside its fiscal year is placed by its retrieval date.
CREATE OR REPLACE VIEW release_order AS
SELECT r.release_id,
       r.source_id,
       r.snapshot_date,
       r.fiscal_year,
       f.first_seen,
       coalesce(f.first_seen::DATE, r.snapshot_date) AS known_at,
       (a.release_id IS NOT NULL) AS date_suspect,
       CASE WHEN a.release_id IS NOT NULL OR r.snapshot_date IS NULL
            THEN coalesce(f.first_seen::DATE, r.snapshot_date) ELSE r.snapshot_date END AS effective_date
  FROM releases r
  LEFT JOIN (SELECT release_id, min(retrieved_at) AS first_seen FROM release_files GROUP BY release_id) f USING (release_id)
  LEFT JOIN (SELECT DISTINCT release_id FROM release_anomalies
              WHERE code IN ('stale-snapshot', 'snapshot-outside-fiscal-year', 'missing-snapshot-date')) a USING (release_id);
