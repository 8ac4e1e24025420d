import { http } from './http'
import type { Page } from './types'

// Device groups: a customer's named sets of its devices (server/api's
// device-group routes); restricted accounts may be limited to them.

export interface DeviceGroup {
  id: number
  name: string
  customer: { id: number; name: string }
  device_count: number
  created_at: string
}

export interface DeviceGroupDetail extends DeviceGroup {
  device_ids: number[]
}

export function listDeviceGroups(query: { customer_id?: number; after?: string; limit?: number }, signal?: AbortSignal): Promise<Page<DeviceGroup>> {
  return http.get<Page<DeviceGroup>>('/device-groups', { ...query }, signal)
}

export function getDeviceGroup(id: number, signal?: AbortSignal): Promise<DeviceGroupDetail> {
  return http.get<DeviceGroupDetail>(`/device-groups/${id}`, undefined, signal)
}

export function createDeviceGroup(group: { customer_id: number; name: string; device_ids?: number[] }): Promise<DeviceGroupDetail> {
  return http.post<DeviceGroupDetail>('/device-groups', group)
}

export function updateDeviceGroup(id: number, changes: { name?: string; device_ids?: number[] }): Promise<DeviceGroupDetail> {
  return http.patch<DeviceGroupDetail>(`/device-groups/${id}`, changes)
}

export function deleteDeviceGroup(id: number): Promise<void> {
  return http.delete(`/device-groups/${id}`)
}

// Adds or removes one device, keeping the other members as the server has
// them now.
export async function setMembership(groupId: number, deviceId: number, member: boolean): Promise<DeviceGroupDetail> {
  const group = await getDeviceGroup(groupId)
  const others = group.device_ids.filter((id) => id !== deviceId)
  return updateDeviceGroup(groupId, { device_ids: member ? [...others, deviceId] : others })
}
