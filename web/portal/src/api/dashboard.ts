import { http } from './http'

// The dealer's (or customer's) fleet in numbers: each number comes with the
// list behind it (the page links to the filtered list).

export interface DashboardFigures {
  devices: number
  errors: number
  warnings: number
  not_reporting: number
  silent_collectors: number
  supplies_to_order: number
  open_alerts: { critical: number; warning: number; info: number }
}

export interface CustomerFigures extends DashboardFigures {
  id: number
  name: string
}

export interface Dashboard {
  totals: DashboardFigures & { customers: number }
  customers: CustomerFigures[]
  customers_shown: number
  not_reporting_after_hours: number
  silent_after_hours: number
  generated_at: string
}

export function getDashboard(signal?: AbortSignal): Promise<Dashboard> {
  return http.get<Dashboard>('/dashboard', undefined, signal)
}
