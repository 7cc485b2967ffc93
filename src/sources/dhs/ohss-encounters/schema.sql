-- DHS OHSS "KHSM Encounters (USBP)": every row of the sixteen tidy sheets (an Annual and a
-- Monthly sheet per breakdown), one row per published number with the sheet and row it came from.
-- A dimension a sheet does not break out is NULL; each sheet is rounded to 10 on its own, so a
-- metric reads the one sheet whose breakdown it needs (see `breakdown`) and never sums a finer one.
CREATE TABLE IF NOT EXISTS ohss_usbp_encounters (
  release_id    VARCHAR NOT NULL,
  sheet         VARCHAR NOT NULL,   -- as named in the workbook, e.g. 'Monthly Rgn and Citp'
  "row"         INTEGER NOT NULL,   -- 1-based sheet row
  grain         VARCHAR NOT NULL,   -- 'fy' (Annual sheets) | 'month' (Monthly sheets)
  breakdown     VARCHAR NOT NULL,   -- 'total', 'region', 'citizenship', 'family_status', 'sector', 'region+citizenship', 'region+family_status', 'region+sector'
  fiscal_year   INTEGER NOT NULL,   -- October–September
  month_start   DATE,               -- first day of the calendar month (FY2025 "01 October" = 2024-10-01); NULL on Annual sheets
  region        VARCHAR,            -- 'Southwest Land Border', 'Northern Land Border', 'Coastal Border'
  citizenship   VARCHAR,            -- country of citizenship as OHSS writes it
  family_status VARCHAR,            -- 'Single Adults', 'Family Unit Individuals', 'Unaccompanied Children'
  sector        VARCHAR,            -- Border Patrol sector, e.g. 'Rio Grande Valley, TX'
  quantity      BIGINT NOT NULL     -- encounters (events), rounded to the nearest 10 by OHSS
);
