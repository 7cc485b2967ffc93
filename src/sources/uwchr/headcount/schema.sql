-- UW Center for Human Rights: people in ICE detention per facility and day, computed by
-- UWCHR from ICE's FOIA detention-placement records (2022-ICFO-09022, FY2012 to 4 January
-- 2024). One row per line of UWCHR's pipe-delimited file; `line` is the line of the
-- decompressed file (the header is line 1), numbered as DuckDB's read_csv reads the gzip
-- stream, in order, on one thread (checked against the file in the tests). Columns are
-- nullable so that a bad value is found by the check after the insert, which names its line.
CREATE TABLE IF NOT EXISTS uwchr_headcount (
  release_id              VARCHAR NOT NULL,
  line                    INTEGER NOT NULL,
  detention_facility_code VARCHAR,          -- ICE DETLOC code
  date                    DATE,
  n                       INTEGER           -- placements open at 00:00 of the date (UWCHR's headcount.R)
);
