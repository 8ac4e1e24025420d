import { http } from './http'
import type { Page } from './types'

export interface Collector {
  id: number
  name: string
  customer: { id: number; name: string }
  created_at: string
  revoked_at: string | null
  last_seen_at: string | null
  last_carrier: string | null
  last_peer: string | null
  last_batch_seq: number | null
  missing_batches: number
  gaps: { first_missing: number; last_missing: number }[]
  devices?: number
  // silent: no report for a day (the server decides), unless revoked
  state: 'active' | 'silent' | 'revoked'
}

export function listCollectors(query: { customer_id?: number; state?: string; after?: string; limit?: number }, signal?: AbortSignal): Promise<Page<Collector>> {
  return http.get<Page<Collector>>('/collectors', { ...query }, signal)
}

export function createCollector(customerId: number, name: string): Promise<{ collector: Collector; enrollment: string }> {
  return http.post('/collectors', { customer_id: customerId, name })
}

export function revokeCollector(id: number): Promise<Collector> {
  return http.post<Collector>(`/collectors/${id}/revocation`, {})
}
