import { http } from './http'
import type { Page, Role, User } from './types'

// People of the caller's organisation subtree (server/auth's routes).

export interface NewUser {
  username: string
  organisation_id: number
  role: Role
  display_name?: string
  email?: string
  locale?: string
  site_ids?: number[]
  device_group_ids?: number[]
}

export interface UserChanges {
  display_name?: string
  email?: string
  role?: Role
  locale?: string
  site_ids?: number[]
  device_group_ids?: number[]
  disabled?: boolean
}

export function listUsers(query: { organisation_id?: number; after?: string; limit?: number }, signal?: AbortSignal): Promise<Page<User>> {
  return http.get<Page<User>>('/users', query, signal)
}

export function createUser(user: NewUser): Promise<{ user: User; one_time_password?: string }> {
  return http.post('/users', user)
}

export async function updateUser(id: number, changes: UserChanges): Promise<User> {
  const current = await http.request<User>(`/users/${id}`)
  return http.patch<User>(`/users/${id}`, changes, current.etag)
}

export function resetPassword(id: number): Promise<{ one_time_password?: string }> {
  return http.post(`/users/${id}/password-reset`, {})
}

export function resetTotp(id: number): Promise<unknown> {
  return http.post(`/users/${id}/totp-reset`, {})
}

// Which roles fit an organisation of each kind (the API checks it too).
export const rolesFor: Record<string, Role[]> = {
  root: ['root_admin'],
  dealer: ['dealer_admin', 'dealer_technician'],
  customer: ['customer_admin', 'customer_viewer'],
  site: [],
}
