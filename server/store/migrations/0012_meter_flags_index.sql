-- The readings ingest flagged as lower than the one before (flags bit 0:
-- a counter reset, a controller swap, a misreading) are few; this partial
-- index finds them per device and time without touching the others, so
-- billing asks for every reading of a counter only where one exists
-- (server/reports/pg_report_source.cpp, the billing aggregate).
CREATE INDEX meter_readings_flagged ON meter_readings (device_id, read_at) WHERE flags <> 0;
