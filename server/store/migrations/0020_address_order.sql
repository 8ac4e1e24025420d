-- The device list sorted by address puts 10.9.0.2 before 10.9.0.10, as a
-- person reads addresses: the key pads each part of an IPv4 address to
-- three digits (010.009.000.002), so text order is numeric order and the
-- cursor stays a text key. Anything else (IPv6, a host name the client
-- fell back to, an empty address) sorts as it is written; IPv4 keys start
-- with a digit triple and so keep together.
CREATE FUNCTION openmps_address_sort_key(address text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN address ~ '^[0-9]{1,3}(\.[0-9]{1,3}){3}$'
    THEN lpad(split_part(address, '.', 1), 3, '0') || '.' || lpad(split_part(address, '.', 2), 3, '0')
         || '.' || lpad(split_part(address, '.', 3), 3, '0') || '.'
         || lpad(split_part(address, '.', 4), 3, '0')
    ELSE address END
$$;

DROP INDEX devices_ip_id;
CREATE INDEX devices_address_id ON devices (openmps_address_sort_key(ip), id);
