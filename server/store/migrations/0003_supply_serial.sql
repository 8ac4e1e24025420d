-- A supply's own serial number (the cartridge's CRUM chip, or what the
-- device's description carries after "SN"), beside its part number. Empty
-- where the device does not say. A new serial at the same index is a new
-- cartridge.
ALTER TABLE supplies ADD COLUMN serial text NOT NULL DEFAULT '';
