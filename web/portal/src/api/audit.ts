import { http } from './http'
import type { Page } from './types'

export interface AuditEntry {
  id: number
  at: string
  organisation: { id: number; name: string } | null
  actor: { kind: string; id: number | null; name: string }
  peer: string
  action: string
  target_kind: string
  target_id: string
  before: unknown
  after: unknown
  note: string
}

export interface AuditQuery {
  action?: string
  actor?: string
  organisation_id?: number
  from?: string
  to?: string
  after?: string
  limit?: number
}

export function listAudit(query: AuditQuery, signal?: AbortSignal): Promise<Page<AuditEntry>> {
  return http.get<Page<AuditEntry>>('/audit-log', { ...query }, signal)
}

// The actions the server writes, by area: the audit page offers them as its
// filter (the API filters by an action or its start, so an area with one
// common start is offered as a whole too).
export const auditAreas: { key: string; prefix?: string; actions: string[] }[] = [
  { key: 'session', prefix: 'session.', actions: ['session.sign_in', 'session.sign_in_failed', 'session.second_factor_failed', 'session.locked', 'session.password_accepted', 'session.sign_out'] },
  {
    key: 'user',
    prefix: 'user.',
    actions: ['user.create', 'user.update', 'user.disable', 'user.enable', 'user.password_reset', 'user.password_change', 'user.password_change_failed',
      'user.totp_enrolment_start', 'user.totp_enable', 'user.totp_confirm_failed', 'user.totp_reset', 'user.totp_disable', 'user.totp_disable_failed',
      'user.recovery_code_used', 'user.recovery_codes_renew', 'user.recovery_codes_failed'],
  },
  { key: 'organisation', prefix: 'organisation.', actions: ['organisation.create', 'organisation.update', 'organisation.delete'] },
  { key: 'collector', prefix: 'collector.', actions: ['collector.create', 'collector.revoke'] },
  { key: 'api_token', prefix: 'api_token.', actions: ['api_token.create', 'api_token.revoke'] },
  { key: 'alert', prefix: 'alert', actions: ['alert.acknowledge', 'alert_rules.update', 'alert_subscription.create', 'alert_subscription.update', 'alert_subscription.delete'] },
  { key: 'notification', prefix: 'notification.', actions: ['notification.retry'] },
  { key: 'report', prefix: 'report_', actions: ['report_run.create', 'report_schedule.create', 'report_schedule.update', 'report_schedule.delete'] },
  { key: 'device', prefix: 'device', actions: ['device.update', 'device_group.create', 'device_group.update', 'device_group.delete'] },
  { key: 'settings', actions: ['erp_meter_name.set', 'erp_meter_name.delete', 'duty_cycle.set', 'duty_cycle.delete'] },
]
