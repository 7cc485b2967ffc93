-- The facility registry: one row per ICE facility code (DETLOC), joining every source that
-- knows the code, and the names of the sources that carry no code, matched to one.
--
-- This file is run by src/facilities/registry.ts, section by section. A section marked
-- `@view NAME requires T1, T2` is created only when those tables exist (a source not
-- ingested yet, or not built yet); otherwise NAME is created as an empty view with the
-- same columns, so the views above it never break. Sightings views all have the columns
-- detloc, source, evidence, release_id, name, city, state, aor, type, type_detailed,
-- first_seen, last_seen, rank, recency: `evidence` is 'code' where the source states the
-- code and 'name-match' where src/facilities/match.ts matched its name to one; `rank`
-- orders the sources for the best-known values (lower wins, then the most recent).

-- @always
-- Every join to the ledger (releases, release_order) is a LEFT JOIN: the registry is rebuilt
-- inside the transaction of an ingest, before the ledger rows of that ingest's releases exist.

-- One row per distinct facility name of the sources without codes, with the code it was
-- matched to (NULL when none), the rule that matched it and how sure the rule is.
CREATE TABLE IF NOT EXISTS facility_name_matches (
  source         VARCHAR NOT NULL,   -- ice.detention-stats | ice.facility-lists/over-72-hour
  name           VARCHAR NOT NULL,   -- as published
  city           VARCHAR,
  state          VARCHAR,
  detloc         VARCHAR,            -- NULL: no code matched
  method         VARCHAR NOT NULL,   -- crosswalk | exact | prefix | name-only | name-prefix | ambiguous | unmatched
  score          DOUBLE,             -- 1 = same name; less for a cut-short or place-less match
  matched_name   VARCHAR,            -- the coded name the rule matched
  matched_source VARCHAR,            -- the source of that name
  candidates     VARCHAR             -- names not matched: the closest codes of the same state, for review
);

-- @view facility_sightings_lists requires ice_facility_list_rows, ice_facility_lists
CREATE OR REPLACE VIEW facility_sightings_lists AS
SELECT r.detloc, 'ice.facility-lists' AS source, 'code' AS evidence, r.release_id, r.name, r.city, r.state, r.aor, r.type, r.type_detailed,
       least(r.date_of_first_use, l.as_of) AS first_seen, greatest(r.date_of_last_use, l.as_of) AS last_seen,
       2 AS rank, l.as_of AS recency
  FROM ice_facility_list_rows r JOIN ice_facility_lists l USING (release_id)
 WHERE r.detloc IS NOT NULL;

-- @view facility_sightings_over72 requires ice_facility_list_rows
-- the over-72-hour list has no codes: its rows count where their name was matched; it states no date
CREATE OR REPLACE VIEW facility_sightings_over72 AS
SELECT m.detloc, 'ice.facility-lists', 'name-match', r.release_id, r.name, r.city, r.state, r.aor, NULL, r.type_detailed,
       NULL::DATE, NULL::DATE, 5, NULL::DATE
  FROM ice_facility_list_rows r
  JOIN facility_name_matches m
    ON m.source = 'ice.facility-lists/over-72-hour' AND m.name = r.name AND m.city IS NOT DISTINCT FROM r.city AND m.state IS NOT DISTINCT FROM r.state
 WHERE r.list_kind = 'over-72-hour' AND m.detloc IS NOT NULL;

-- @view facility_sightings_uwchr requires uwchr_facilities, releases
CREATE OR REPLACE VIEW facility_sightings_uwchr AS
SELECT f.detloc, 'uwchr.facilities' AS source, 'code' AS evidence, f.release_id, f.name, f.city, f.state, f.aor, f.type, f.type_detailed,
       f.date_of_first_use AS first_seen, f.date_of_last_use AS last_seen, 3 AS rank, r.snapshot_date AS recency
  FROM uwchr_facilities f LEFT JOIN releases r USING (release_id);

-- @view facility_sightings_detention_stats requires ice_facilities, release_order
-- The Facilities sheet of every release, by matched name; a name the rules matched exactly
-- is ICE's current public name and wins, a cut-short or place-less match does not.
CREATE OR REPLACE VIEW facility_sightings_detention_stats AS
SELECT m.detloc, 'ice.detention-stats' AS source, 'name-match' AS evidence, f.release_id, f.name, f.city, f.state, f.aor, NULL AS type, f.type_detailed,
       o.effective_date AS first_seen, o.effective_date AS last_seen,
       CASE WHEN m.method IN ('exact', 'crosswalk') THEN 1 ELSE 4 END AS rank, o.effective_date AS recency
  FROM ice_facilities f
  LEFT JOIN release_order o USING (release_id)
  JOIN facility_name_matches m
    ON m.source = 'ice.detention-stats' AND m.name = f.name AND m.city IS NOT DISTINCT FROM f.city AND m.state IS NOT DISTINCT FROM f.state
 WHERE m.detloc IS NOT NULL;

-- @view facility_sightings_stateless requires ice_tables, ice_table_rows, release_order
-- ICE's table of stateless detainees by facility labels each row "NAME / DETLOC": the one
-- place in the detention statistics where a code stands beside a name.
CREATE OR REPLACE VIEW facility_sightings_stateless AS
SELECT DISTINCT regexp_extract(r.row_label, '/\s*([A-Z0-9]{3,8})\s*$', 1) AS detloc, 'ice.detention-stats' AS source, 'code' AS evidence, r.release_id,
       trim(regexp_extract(r.row_label, '^(.*?)\s*/\s*[A-Z0-9]{3,8}\s*$', 1)) AS name, NULL AS city, NULL AS state, NULL AS aor, NULL AS type, NULL AS type_detailed,
       o.effective_date AS first_seen, o.effective_date AS last_seen, 6 AS rank, o.effective_date AS recency
  FROM ice_table_rows r
  JOIN ice_tables t USING (release_id, table_no)
  LEFT JOIN release_order o USING (release_id)
 WHERE t.table_id = 'stateless_by_facility' AND regexp_matches(r.row_label, '^.+/\s*[A-Z0-9]{3,8}\s*$');

-- @view facility_sightings_ddp requires ddp_facility_population
CREATE OR REPLACE VIEW facility_sightings_ddp AS
SELECT detention_facility_code AS detloc, 'ddp.facility-population' AS source, 'code' AS evidence, release_id, detention_facility AS name,
       NULL AS city, NULL AS state, NULL AS aor, NULL AS type, NULL AS type_detailed,
       min(date) AS first_seen, max(date) AS last_seen, 7 AS rank, max(date) AS recency
  FROM ddp_facility_population
 WHERE detention_facility_code IS NOT NULL
 GROUP BY release_id, detention_facility_code, detention_facility;

-- @view facility_sightings_foia requires foia_detention_stints, releases
-- ICE's detention stints, from the raw FOIA productions (ice.foia-detentions) or DDP's
-- processed files (ddp.detention-stints), labelled by the release's source. A stint still
-- open has no book-out: its book-in is the last day it is known to have been seen.
CREATE OR REPLACE VIEW facility_sightings_foia AS
SELECT s.facility_code AS detloc, coalesce(any_value(r.source_id), 'ice.foia-detentions') AS source, 'code' AS evidence, s.release_id, s.facility AS name,
       NULL AS city, NULL AS state, NULL AS aor, NULL AS type, NULL AS type_detailed,
       CAST(min(s.book_in_at) AS DATE) AS first_seen, CAST(max(coalesce(s.book_out_at, s.book_in_at)) AS DATE) AS last_seen,
       8 AS rank, CAST(max(coalesce(s.book_out_at, s.book_in_at)) AS DATE) AS recency
  FROM foia_detention_stints s LEFT JOIN releases r USING (release_id)
 WHERE s.facility_code IS NOT NULL AND trim(s.facility_code) <> ''
 GROUP BY s.release_id, s.facility_code, s.facility;

-- @always
-- The names sources state beside a code: what the names without codes are matched against.
CREATE OR REPLACE VIEW facility_code_sightings AS
SELECT * FROM facility_sightings_lists
UNION ALL SELECT * FROM facility_sightings_uwchr
UNION ALL SELECT * FROM facility_sightings_stateless
UNION ALL SELECT * FROM facility_sightings_ddp
UNION ALL SELECT * FROM facility_sightings_foia;

-- @always
CREATE OR REPLACE VIEW facility_sightings AS
SELECT * FROM facility_code_sightings
UNION ALL SELECT * FROM facility_sightings_detention_stats
UNION ALL SELECT * FROM facility_sightings_over72;

-- @always
-- One row per DETLOC: the best-known name, place, AOR and type (by source rank, then the
-- most recent sighting), when the code was first and last seen anywhere, which sources
-- know it, and every name it has gone by.
CREATE OR REPLACE VIEW facility_registry AS
WITH s AS (
  SELECT *, rank * 100000 - coalesce(date_diff('day', DATE '1900-01-01', recency), 0) AS pref
    FROM facility_sightings
   WHERE detloc IS NOT NULL AND detloc <> ''
)
SELECT detloc,
       arg_min(name, pref) FILTER (WHERE name IS NOT NULL) AS name,
       arg_min(city, pref) FILTER (WHERE city IS NOT NULL) AS city,
       arg_min(state, pref) FILTER (WHERE state IS NOT NULL) AS state,
       arg_min(aor, pref) FILTER (WHERE aor IS NOT NULL) AS aor,
       arg_min(type, pref) FILTER (WHERE type IS NOT NULL) AS type,
       arg_min(type_detailed, pref) FILTER (WHERE type_detailed IS NOT NULL AND rank < 5) AS type_detailed,
       min(first_seen) AS first_seen,
       max(last_seen) AS last_seen,
       list(DISTINCT source ORDER BY source) AS sources,
       arg_min(source, pref) FILTER (WHERE name IS NOT NULL) AS name_source,
       list(DISTINCT name ORDER BY name) FILTER (WHERE name IS NOT NULL) AS names
  FROM s
 GROUP BY detloc;

-- @view facility_name_appearances_detention_stats requires ice_facilities, release_order
CREATE OR REPLACE VIEW facility_name_appearances_detention_stats AS
SELECT 'ice.detention-stats' AS source, f.name, f.city, f.state, count(DISTINCT f.release_id) AS releases,
       min(o.effective_date) AS first_seen, max(o.effective_date) AS last_seen, arg_max(f.release_id, o.effective_date) AS last_release_id
  FROM ice_facilities f LEFT JOIN release_order o USING (release_id)
 GROUP BY f.name, f.city, f.state;

-- @view facility_name_appearances_over72 requires ice_facility_list_rows
CREATE OR REPLACE VIEW facility_name_appearances_over72 AS
SELECT 'ice.facility-lists/over-72-hour' AS source, name, city, state, count(DISTINCT release_id) AS releases,
       NULL::DATE AS first_seen, NULL::DATE AS last_seen, max(release_id) AS last_release_id
  FROM ice_facility_list_rows
 WHERE list_kind = 'over-72-hour' AND name IS NOT NULL
 GROUP BY name, city, state;

-- @always
-- Every published name of the sources without codes (what match.ts matches).
CREATE OR REPLACE VIEW facility_name_appearances AS
SELECT * FROM facility_name_appearances_detention_stats
UNION ALL SELECT * FROM facility_name_appearances_over72;

-- @always
-- The names no code was matched to, and the names published since the last matching
-- ('not-yet-matched'): none is dropped without a trace.
CREATE OR REPLACE VIEW facility_names_unmatched AS
SELECT a.source, a.name, a.city, a.state, coalesce(m.method, 'not-yet-matched') AS method, m.candidates,
       a.releases, a.first_seen, a.last_seen, a.last_release_id
  FROM facility_name_appearances a
  LEFT JOIN facility_name_matches m
    ON m.source = a.source AND m.name = a.name AND m.city IS NOT DISTINCT FROM a.city AND m.state IS NOT DISTINCT FROM a.state
 WHERE m.detloc IS NULL;
