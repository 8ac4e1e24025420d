import { http } from './http'
import type { Page } from './types'

// The notification outbox of the caller's subtree (server/notify behind
// /api/v1/notifications): every e-mail and webhook of alerts and reports.

export type NotificationState = 'queued' | 'sent' | 'dead'

export interface Notification {
  id: number
  message_id: string
  organisation_id: number
  organisation: string
  kind: string
  channel: 'email' | 'webhook'
  recipient: string
  locale: string
  subject: string
  state: NotificationState
  attempts: number
  last_error: string | null
  created_at: string
  next_attempt_at: string | null
  sent_at: string | null
}

export interface NotificationQuery {
  state?: NotificationState
  channel?: 'email' | 'webhook'
  kind?: string
  organisation_id?: number
  after?: string
  limit?: number
}

export function listNotifications(query: NotificationQuery, signal?: AbortSignal): Promise<Page<Notification>> {
  return http.get<Page<Notification>>('/notifications', { ...query }, signal)
}

export interface TestMessage {
  organisation_id: number
  channel: 'email' | 'webhook'
  address?: string
  url?: string
  secret?: string
  locale?: string
}

export function sendTestNotification(message: TestMessage): Promise<{ notification_id: number }> {
  return http.post('/notifications/test', message)
}

export function retryNotification(id: number): Promise<Notification> {
  return http.post<Notification>(`/notifications/${id}/retry`)
}
