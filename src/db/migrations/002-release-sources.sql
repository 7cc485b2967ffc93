-- Where an archived copy of a release was downloaded from when it was not the agency's own
-- site: a Wayback Machine capture, or a research mirror. release_files keeps the official
-- URL and name; this table keeps every copy that was found, one row per copy.
CREATE TABLE IF NOT EXISTS release_sources (
  release_id    VARCHAR NOT NULL,
  kind          VARCHAR NOT NULL,     -- wayback | ddp
  url           VARCHAR NOT NULL,     -- where the bytes were downloaded from
  original_url  VARCHAR,              -- the official URL the copy is of
  captured_at   TIMESTAMP,            -- the capture time (Wayback), or the mirror's download date
  digest        VARCHAR,              -- the archive's own content digest (Wayback: base32 SHA-1), when given
  added_at      TIMESTAMP NOT NULL
);
