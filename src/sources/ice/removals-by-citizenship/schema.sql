-- ICE "FY2017 and FY2018 ICE Removals by Country of Citizenship" (appendix of ICE ERO's FY2018
-- annual report, transcribed to CSV): one row per published number, with the file, line and column.
-- ICE removals only: not DHS-wide. The table has no total line; its total is the sum of its lines.
CREATE TABLE IF NOT EXISTS ice_removals_by_citizenship (
  release_id       VARCHAR NOT NULL,
  file             VARCHAR NOT NULL,  -- the file name
  line             INTEGER NOT NULL,  -- 1-based line of the CSV (the header is line 1)
  "column"         VARCHAR NOT NULL,  -- the column header as written, e.g. '2018'
  citizenship      VARCHAR NOT NULL,  -- the country as ICE writes it, e.g. 'MEXICO', 'KOREA', 'UNKNOWN'
  citizenship_kind VARCHAR NOT NULL,  -- 'country', 'group' (UNKNOWN), 'historic' (USSR, YUGOSLAVIA), 'unmapped'
  iso3             VARCHAR,           -- ISO 3166-1 alpha-3 (XKX Kosovo) when the name is one country
  fiscal_year      INTEGER NOT NULL,  -- October–September
  value            BIGINT NOT NULL    -- removals
);
