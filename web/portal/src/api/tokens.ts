import { http } from './http'
import type { Page, Role } from './types'

export interface ApiToken {
  id: number
  name: string
  hint: string
  organisation_id: number
  role: Role
  created_by: number | null
  created_at: string
  expires_at: string | null
  revoked_at: string | null
  last_used_at: string | null
}

export function listApiTokens(after: string | undefined, signal?: AbortSignal): Promise<Page<ApiToken>> {
  return http.get<Page<ApiToken>>('/api-tokens', { after, limit: 50 }, signal)
}

export function createApiToken(token: { name: string; organisation_id: number; role: Role; expires_at?: string }): Promise<{ token: string; api_token: ApiToken }> {
  return http.post('/api-tokens', token)
}

export function revokeApiToken(id: number): Promise<void> {
  return http.delete(`/api-tokens/${id}`)
}
