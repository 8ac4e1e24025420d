-- Sites and device groups, and the restricted accounts they make possible.
--
-- A site (a building, a floor, a branch office) is an organisation of kind
-- 'site' under a customer, so it sits in the one tree every policy reads:
-- whoever sees the customer sees its sites. A device may belong to one site
-- of its own customer. A device group is a customer's named set of its
-- devices, across sites. A restricted account (users.site_ids,
-- users.device_group_ids; the API sets openmps.site_ids and
-- openmps.device_group_ids beside openmps.org_path) sees only the devices
-- of its sites and groups, and everything per device only for those.

ALTER TABLE organisations DROP CONSTRAINT organisations_kind_check;
ALTER TABLE organisations
  ADD CONSTRAINT organisations_kind_check CHECK (kind IN ('root', 'dealer', 'customer', 'site'));
-- Dealer and customer names stay unique (the command line names them);
-- site names only within their customer ("Head office" is everyone's).
DROP INDEX organisations_kind_name;
CREATE UNIQUE INDEX organisations_kind_name ON organisations (kind, lower(name))
  WHERE kind <> 'site';
CREATE UNIQUE INDEX organisations_site_name ON organisations (parent_id, lower(name))
  WHERE kind = 'site';
-- Only a site has a customer for a parent, so (site, parent) = (site_id,
-- customer_id) below means "a site of the device's own customer".
CREATE UNIQUE INDEX organisations_id_parent ON organisations (id, parent_id);

ALTER TABLE devices ADD COLUMN site_id bigint;
ALTER TABLE devices ADD CONSTRAINT devices_site FOREIGN KEY (site_id, customer_id)
  REFERENCES organisations (id, parent_id) ON DELETE SET NULL (site_id);
CREATE INDEX devices_site ON devices (site_id, id) WHERE site_id IS NOT NULL;
CREATE UNIQUE INDEX devices_id_customer ON devices (id, customer_id);

CREATE TABLE device_groups (
  id           bigserial PRIMARY KEY,
  customer_id  bigint NOT NULL REFERENCES organisations (id),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, customer_id)
);
CREATE UNIQUE INDEX device_groups_name ON device_groups (customer_id, lower(name));

-- A member is a device of the group's own customer (both keys carry it).
CREATE TABLE device_group_members (
  group_id     bigint NOT NULL,
  device_id    bigint NOT NULL,
  customer_id  bigint NOT NULL,
  PRIMARY KEY (group_id, device_id),
  FOREIGN KEY (group_id, customer_id) REFERENCES device_groups (id, customer_id) ON DELETE CASCADE,
  FOREIGN KEY (device_id, customer_id) REFERENCES devices (id, customer_id) ON DELETE CASCADE
);
CREATE INDEX device_group_members_device ON device_group_members (device_id, group_id);

-- The restriction of the caller: its sites and groups ('{}' when none).
-- Policies read them as (SELECT ...): an uncorrelated subquery is computed
-- once per statement, not once per row.
CREATE FUNCTION openmps_scope_sites() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(nullif(current_setting('openmps.site_ids', true), '')::bigint[], '{}')
$$;
CREATE FUNCTION openmps_scope_groups() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(nullif(current_setting('openmps.device_group_ids', true), '')::bigint[], '{}')
$$;
CREATE FUNCTION openmps_scope_restricted() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT cardinality(openmps_scope_sites()) > 0 OR cardinality(openmps_scope_groups()) > 0
$$;
-- Whether a device is in one of the caller's groups. Read as the owner
-- (the members' policy would otherwise be planned into every query that
-- touches devices, a few milliseconds each); the devices policy still
-- limits the device to the caller's organisations first.
CREATE FUNCTION openmps_in_scope_groups(device bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT EXISTS (SELECT 1 FROM device_group_members m
                 WHERE m.device_id = device AND m.group_id = ANY (openmps_scope_groups()))
$$;

-- A restricted account sees its customer and the sites it is given.
DROP POLICY tenant_scope ON organisations;
CREATE POLICY tenant_scope ON organisations USING (
  path @> ARRAY[openmps_scope_org()]
  AND (kind <> 'site' OR NOT (SELECT openmps_scope_restricted())
       OR id = ANY ((SELECT openmps_scope_sites())::bigint[])));

ALTER TABLE device_groups ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON device_groups USING (
  EXISTS (SELECT 1 FROM organisations o WHERE o.id = device_groups.customer_id)
  AND (NOT (SELECT openmps_scope_restricted())
       OR id = ANY ((SELECT openmps_scope_groups())::bigint[])));
ALTER TABLE device_group_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON device_group_members USING (
  EXISTS (SELECT 1 FROM device_groups g WHERE g.id = device_group_members.group_id));

-- Every per-device table reaches devices, so this one rule limits them all.
DROP POLICY tenant_scope ON devices;
CREATE POLICY tenant_scope ON devices USING (
  EXISTS (SELECT 1 FROM organisations o WHERE o.id = devices.customer_id)
  AND (NOT (SELECT openmps_scope_restricted())
       OR site_id = ANY ((SELECT openmps_scope_sites())::bigint[])
       OR openmps_in_scope_groups(id)));

-- An alert about a device is seen by whoever sees the device; an alert
-- about a collector by whoever sees its customer.
DROP POLICY tenant_scope ON alerts;
CREATE POLICY tenant_scope ON alerts USING (
  EXISTS (SELECT 1 FROM organisations o WHERE o.id = alerts.customer_id)
  AND (device_id IS NULL OR EXISTS (SELECT 1 FROM devices d WHERE d.id = alerts.device_id)));
