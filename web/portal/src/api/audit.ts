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
