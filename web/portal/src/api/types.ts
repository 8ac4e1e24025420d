// Shapes of the API's JSON as server/api/openapi.yaml declares them (the
// part the portal reads).

export type Role = 'root_admin' | 'dealer_admin' | 'dealer_technician' | 'customer_admin' | 'customer_viewer'
export type SessionStage = 'complete' | 'second_factor' | 'totp_enrolment' | 'password_change'

export interface Me {
  user: {
    id: number
    username: string
    display_name?: string
    email?: string
    role: Role
    organisation_id: number
    organisation_name?: string
    organisation_kind?: 'root' | 'dealer' | 'customer'
    locale?: string
    totp_enabled?: boolean
    restricted?: boolean
  }
  csrf_token?: string
  // operationIds of openapi.yaml this caller may use.
  operations: string[]
}

export interface Page<T> {
  items: T[]
  next?: string | null
}
