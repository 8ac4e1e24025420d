import { http } from './http'
import type { Page } from './types'

// Alerts, their rules and subscriptions (server/alerts behind /api/v1).

export type Severity = 'info' | 'warning' | 'critical'

export interface Alert {
  id: number
  condition: string
  subject: string
  stage: string
  severity: Severity
  state: 'pending' | 'open' | 'cleared' | 'cancelled'
  title: string
  since: string
  due_at: string | null
  raised_at: string | null
  cleared_at: string | null
  acknowledged_at: string | null
  acknowledged_by: string | null
  note: string
  escalated_at: string | null
  last_notified_at: string | null
  events: number
  customer: { id: number; name: string }
  device: { id: number; model: string; serial: string; location: string; address: string } | null
  collector_id: number | null
  detail: Record<string, unknown>
}

export interface AlertQuery {
  state?: string
  severity?: string
  condition?: string
  customer_id?: number
  device_id?: number
  after?: string
  limit?: number
  locale?: string
}

export type RulesDocument = Record<string, unknown>

export interface AlertRules {
  scope: 'organisation' | 'device'
  id: number
  settings: RulesDocument
  effective: RulesDocument
}

export interface Subscription {
  id: number
  organisation: { id: number; name: string }
  channel: 'email' | 'webhook'
  user: { id: number; username: string } | null
  role: string | null
  address: string | null
  url: string | null
  locale: string | null
  min_severity: Severity
  conditions: string[]
  include_clears: boolean
  enabled: boolean
  created_at: string
}

export interface NewSubscription {
  organisation_id: number
  channel: 'email' | 'webhook'
  user_id?: number
  role?: string
  address?: string
  url?: string
  locale?: string
  min_severity?: Severity
  conditions?: string[]
  include_clears?: boolean
}

export const conditions = [
  'toner', 'drum', 'fuser', 'waste_toner', 'kit', 'jam', 'door_open', 'paper_out', 'service_requested', 'offline',
  'vendor_error', 'printer_alert', 'device_silent', 'collector_silent', 'meter_missing', 'counter_backwards',
  'counter_reset', 'counter_jump', 'device_swapped', 'runs_out',
] as const

export function listAlerts(query: AlertQuery, signal?: AbortSignal): Promise<Page<Alert>> {
  return http.get<Page<Alert>>('/alerts', { ...query }, signal)
}

export function acknowledge(id: number, note: string): Promise<Alert> {
  return http.post<Alert>(`/alerts/${id}/acknowledgement`, { note })
}

export function organisationRules(id: number, signal?: AbortSignal): Promise<AlertRules> {
  return http.get<AlertRules>(`/organisations/${id}/alert-rules`, undefined, signal)
}

export function saveOrganisationRules(id: number, settings: RulesDocument): Promise<AlertRules> {
  return http.put<AlertRules>(`/organisations/${id}/alert-rules`, { settings })
}

export function deviceRules(id: number, signal?: AbortSignal): Promise<AlertRules> {
  return http.get<AlertRules>(`/devices/${id}/alert-rules`, undefined, signal)
}

export function saveDeviceRules(id: number, settings: RulesDocument): Promise<AlertRules> {
  return http.put<AlertRules>(`/devices/${id}/alert-rules`, { settings })
}

export function listSubscriptions(signal?: AbortSignal): Promise<{ items: Subscription[] }> {
  return http.get('/alert-subscriptions', undefined, signal)
}

export function createSubscription(s: NewSubscription): Promise<{ subscription: Subscription; secret: string | null }> {
  return http.post('/alert-subscriptions', s)
}

// Who an e-mail subscription reaches (one of user, role or address), its
// language ("" for the recipients' own) and what it sends.
export type SubscriptionChange = Pick<NewSubscription, 'user_id' | 'role' | 'address' | 'min_severity' | 'conditions' | 'include_clears'> & { locale?: string }

export function updateSubscription(id: number, change: SubscriptionChange): Promise<Subscription> {
  return http.patch(`/alert-subscriptions/${id}`, change)
}

export function deleteSubscription(id: number): Promise<void> {
  return http.delete(`/alert-subscriptions/${id}`)
}

export function testSubscription(id: number): Promise<unknown> {
  return http.post(`/alert-subscriptions/${id}/test`, {})
}
