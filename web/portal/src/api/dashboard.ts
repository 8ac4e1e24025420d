import { http } from './http'

// The dealer's (or customer's) fleet in numbers: each number comes with the
// list behind it (the page links to the filtered list).

export interface AlertCounts {
  critical: number
  warning: number
  info: number
}

export interface CustomerFigures {
  id: number
  name: string
  devices: number
  open_alerts: AlertCounts
  not_reporting: number
  silent_collectors: number
  supplies_to_order: number
}

export interface Dashboard {
  totals: Omit<CustomerFigures, 'id' | 'name'> & { customers: number }
  customers: CustomerFigures[]
  customers_shown: number
  not_reporting_after_hours: number
  silent_after_hours: number
  order_within_days: number
  generated_at: string
}

export function getDashboard(signal?: AbortSignal): Promise<Dashboard> {
  return http.get<Dashboard>('/dashboard', undefined, signal)
}
