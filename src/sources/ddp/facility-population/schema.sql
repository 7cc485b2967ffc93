-- Deportation Data Project: people in ICE detention per facility and day, computed by DDP
-- from ICE's FOIA detention-stint records. One row per row of DDP's parquet file, typed as
-- published. `row` is the row's position in the file counting from 1 (DuckDB's
-- read_parquet(file, file_row_number = true) gives file_row_number = row - 1), so that any
-- value can be read back from the archived file. Columns are nullable so that a bad value is found by the check
-- after the insert (which names its row) instead of aborting the transaction; the checks
-- refuse NULL codes, dates and counts, and negative counts.
CREATE TABLE IF NOT EXISTS ddp_facility_population (
  release_id                    VARCHAR NOT NULL,
  "row"                         BIGINT NOT NULL,   -- from 1: file_row_number + 1
  detention_facility_code       VARCHAR,           -- ICE DETLOC code, e.g. STWRTGA
  detention_facility            VARCHAR,           -- facility name as in ICE's records
  date                          DATE,
  n_detained                    INTEGER,           -- people held at any time that day
  n_detained_at_midnight        INTEGER,           -- people still held at midnight (same-day releases and transfers out not counted)
  n_detained_male               INTEGER,
  n_detained_female             INTEGER,
  n_detained_convicted_criminal INTEGER,
  n_detained_possibly_under_18  INTEGER
);
