-- What the device definition reads a device as: a printer (or MFP) or a
-- document scanner, billed by its scan counter. Readings carry it
-- (identity.kind); devices stored before it are printers.

ALTER TABLE devices ADD COLUMN kind text NOT NULL DEFAULT 'printer'
  CONSTRAINT devices_kind CHECK (kind IN ('printer', 'scanner'));
