import { http } from './http'
import type { OrganisationKind, Page } from './types'

export interface Organisation {
  id: number
  kind: OrganisationKind
  name: string
  parent_id: number | null
  path: number[]
  created_at: string
  time_zone?: string
  billing_day?: number
  order_lead_days?: number
  locale?: string
}

export interface OrganisationQuery {
  kind?: OrganisationKind
  parent_id?: number
  q?: string
  sort?: string
  after?: string
  limit?: number
}

export function listOrganisations(query: OrganisationQuery, signal?: AbortSignal): Promise<Page<Organisation>> {
  return http.get<Page<Organisation>>('/organisations', { ...query }, signal)
}

export function getOrganisation(id: number, signal?: AbortSignal): Promise<Organisation> {
  return http.get<Organisation>(`/organisations/${id}`, undefined, signal)
}

export function createOrganisation(org: { kind: OrganisationKind; name: string; parent_id: number }): Promise<Organisation> {
  return http.post<Organisation>('/organisations', org)
}

export async function updateOrganisation(id: number, changes: Partial<Pick<Organisation, 'name' | 'time_zone' | 'billing_day' | 'order_lead_days' | 'locale'>>): Promise<Organisation> {
  const current = await http.request<Organisation>(`/organisations/${id}`)
  return http.patch<Organisation>(`/organisations/${id}`, changes, current.etag)
}

// Only sites may be removed; their devices stay with the customer.
export function deleteOrganisation(id: number): Promise<void> {
  return http.delete(`/organisations/${id}`)
}
