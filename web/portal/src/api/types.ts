// Shapes of the API's JSON as server/api/openapi.yaml declares them (the
// part the portal reads).

export type Role = 'root_admin' | 'dealer_admin' | 'dealer_technician' | 'customer_admin' | 'customer_viewer'
export type SessionStage = 'complete' | 'second_factor' | 'totp_enrolment' | 'password_change'
export type OrganisationKind = 'root' | 'dealer' | 'customer' | 'site'

export interface OrganisationRef {
  id: number
  name: string
  kind: OrganisationKind
}

export interface User {
  id: number
  username: string
  display_name: string
  email: string
  role: Role
  organisation: OrganisationRef
  site_ids: number[]
  device_group_ids: number[]
  restricted: boolean
  locale: string
  disabled: boolean
  disabled_reason: string | null
  totp_enabled: boolean
  has_password: boolean
  password_change_required: boolean
  last_sign_in_at: string | null
  created_at: string
  updated_at: string
}

export interface Me extends Partial<User> {
  kind: 'user' | 'api_token'
  id: number
  username: string
  role: Role
  organisation: OrganisationRef
  stage: SessionStage
  csrf_token: string | null
  totp_required?: boolean
  organisation_path: number[]
  // operationIds of openapi.yaml this caller may use.
  operations?: string[]
}

export interface Page<T> {
  items: T[]
  next_after: string | null
}
