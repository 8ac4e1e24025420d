-- The alert history report (the alert engine's alerts) may be scheduled
-- like the others.
ALTER TABLE report_schedules DROP CONSTRAINT report_schedules_report_check;
ALTER TABLE report_schedules ADD CONSTRAINT report_schedules_report_check
  CHECK (report IN ('billing', 'billing-erp', 'supplies', 'inventory', 'usage', 'status',
                    'collectors', 'alerts'));
