-- A notification is about a whole organisation (its alerts, its reports),
-- not about the devices of one site or device group: an account restricted
-- to sites or groups sees none of them (the API refuses it too), and so
-- none of their attachments, whose policy reads notifications.
DROP POLICY tenant_scope ON notifications;
CREATE POLICY tenant_scope ON notifications USING (
  organisation_id IN (SELECT id FROM organisations)
  AND NOT (SELECT openmps_scope_restricted()));
