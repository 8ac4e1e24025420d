import { http } from './http'
import type { Page } from './types'

// Devices and their histories (server/api's device routes).

export interface DeviceStatus {
  printer_status: string
  device_status: string
  errors: string[]
}

export interface SupplyNow {
  index: number
  description: string
  type: string
  color: string
  level_percent: number | null
  state: string
  part_number?: string
  serial?: string
}

export type DeviceKind = 'printer' | 'scanner'

export interface DeviceSummary {
  id: number
  serial: string
  manufacturer: string
  model: string
  ip: string
  host_name: string
  location: string
  customer: { id: number; name: string }
  site?: { id: number; name: string } | null
  // What its device definition reads it as; a scanner is billed by its scans.
  kind: DeviceKind
  last_seen_at: string | null
  status: DeviceStatus | null
  counters: Record<string, number>
  supplies: SupplyNow[]
  open_alerts?: number
}

export interface Device extends DeviceSummary {
  mac: string
  firmware: string
  contact: string
  sys_object_id: string
  sys_descr: string
  first_seen_at: string
  collector: { id: number; name: string } | null
  capabilities: Record<string, unknown>
}

export interface DeviceQuery {
  q?: string
  customer_id?: number
  site_id?: number
  group_id?: number
  kind?: DeviceKind
  status?: string
  supply?: string
  reporting?: string
  sort?: string
  after?: string
  limit?: number
}

export type Point = [string, number]

export interface CounterSeries {
  counter: string
  points: Point[]
}

export interface SupplySeries {
  index: number
  description: string
  color: string
  points: Point[]
}

export interface DeviceEvent {
  at: string
  kind: string
  detail: Record<string, unknown>
}

export interface Forecast {
  supply_index: number
  description: string
  color: string
  level_percent: number | null
  state: 'forecast' | 'not_enough_data' | 'not_falling' | 'empty' | 'level_unknown' | 'no_data'
  days_to_empty: number | null
  days_to_empty_low: number | null
  days_to_empty_high: number | null
  empty_on: string | null
  order_by: string | null
  points_used: number
}

export function listDevices(query: DeviceQuery, signal?: AbortSignal): Promise<Page<DeviceSummary>> {
  return http.get<Page<DeviceSummary>>('/devices', { ...query }, signal)
}

export function getDevice(id: number, signal?: AbortSignal): Promise<Device> {
  return http.get<Device>(`/devices/${id}`, undefined, signal)
}

// Puts the device on a site of its customer, or on none.
export function updateDevice(id: number, changes: { site_id: number | null }): Promise<Device> {
  return http.patch<Device>(`/devices/${id}`, changes)
}

export function counterHistory(id: number, from: string, to: string, signal?: AbortSignal): Promise<{ series: CounterSeries[] }> {
  return http.get(`/devices/${id}/meters`, { from, to }, signal)
}

export function supplyHistory(id: number, from: string, to: string, signal?: AbortSignal): Promise<{ series: SupplySeries[] }> {
  return http.get(`/devices/${id}/supply-levels`, { from, to }, signal)
}

export function deviceEvents(id: number, after: string | undefined, signal?: AbortSignal): Promise<Page<DeviceEvent>> {
  return http.get(`/devices/${id}/events`, { after, limit: 20 }, signal)
}

export function deviceForecast(id: number, signal?: AbortSignal): Promise<{ items: Forecast[]; order_lead_days: number }> {
  return http.get(`/devices/${id}/forecast`, undefined, signal)
}
