import { flushPromises } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Me } from '../api/types'
import { fakeFetch, mountAt, type Api } from '../testing/harness'
import { settle } from '@shared/testing/settle'

const me = (operations: string[]): Me => ({
  kind: 'user', id: 7, username: 'dana', role: 'dealer_admin',
  organisation: { id: 2, name: 'Print Partner', kind: 'dealer' },
  stage: 'complete', csrf_token: 'csrf-1', organisation_path: [1, 2], operations,
})

const device = (id: number, kind: 'printer' | 'scanner', site: { id: number; name: string } | null = null) => ({
  id, serial: `SER-${id}`, manufacturer: 'HP', model: kind === 'scanner' ? 'ScanJet' : 'LaserJet', ip: `10.0.0.${id}`,
  host_name: '', location: '', customer: { id: 5, name: 'Acme' }, site, kind, last_seen_at: null, status: null,
  counters: {}, supplies: [], mac: '', firmware: '', contact: '', sys_object_id: '', sys_descr: '',
  first_seen_at: '2026-01-01T00:00:00Z', collector: null, capabilities: {},
})

const group = { id: 9, name: 'Floor 2', customer: { id: 5, name: 'Acme' }, device_count: 1, created_at: '2026-01-01T00:00:00Z' }

beforeEach(() => {
  vi.resetModules()
})

async function open(page: 'DevicesPage' | 'DevicePage', path: string, operations: string[], api: Api) {
  const calls = fakeFetch((method, p, body) => (p === '/me' ? { body: me(operations) } : api(method, p, body)))
  const component = (page === 'DevicesPage' ? await import('./DevicesPage.vue') : await import('./DevicePage.vue')).default
  const mounted = await mountAt(component, path)
  return { ...mounted, calls }
}

describe('DevicesPage', () => {
  it('shows each device kind and filters by kind and device group through the API', async () => {
    const { wrapper, calls } = await open('DevicesPage', '/devices', ['listDevices', 'getDevice', 'listDeviceGroups'], (_m, p) => {
      if (p.startsWith('/devices?')) {
        const kind = new URLSearchParams(p.split('?')[1]).get('kind')
        const items = [device(1, 'printer'), device(2, 'scanner')].filter((d) => !kind || d.kind === kind)
        return { body: { items, next_after: null } }
      }
      if (p.startsWith('/device-groups')) return { body: { items: [group], next_after: null } }
      if (p.startsWith('/organisations')) return { body: { items: [], next_after: null } }
      return undefined
    })
    expect(wrapper.findAll('[data-test=kind]').map((c) => c.text())).toEqual(['Printer', 'Scanner'])

    await wrapper.get('#device-kind').setValue('scanner')
    await settle(() => expect(wrapper.findAll('[data-test=kind]').map((c) => c.text())).toEqual(['Scanner']))
    expect(calls.some((c) => c.path.startsWith('/devices?') && c.path.includes('kind=scanner'))).toBe(true)

    await wrapper.get('#device-group').setValue('9')
    await flushPromises()
    await settle(() => expect(calls.some((c) => c.path.includes('group_id=9') && c.path.includes('kind=scanner'))).toBe(true))
  })

  it('offers no group filter when the role may not list groups', async () => {
    const { wrapper } = await open('DevicesPage', '/devices', ['listDevices'], (_m, p) =>
      p.startsWith('/devices?') ? { body: { items: [device(1, 'printer')], next_after: null } } : { body: { items: [], next_after: null } })
    expect(wrapper.find('#device-kind').exists()).toBe(true)
    expect(wrapper.find('#device-group').exists()).toBe(false)
  })
})

describe('DevicePage', () => {
  it('puts the device on a site and into a group', async () => {
    const members: number[] = []
    const { wrapper, calls } = await open('DevicePage', '/devices/2', ['getDevice', 'updateDevice', 'listOrganisations', 'listDeviceGroups', 'updateDeviceGroup'], (m, p, body) => {
      if (p === '/devices/2' && m === 'GET') return { body: device(2, 'scanner') }
      if (p === '/devices/2' && m === 'PATCH') {
        expect(body).toEqual({ site_id: 4 })
        return { body: device(2, 'scanner', { id: 4, name: 'Head office' }) }
      }
      if (p.startsWith('/organisations?')) return { body: { items: [{ id: 4, kind: 'site', name: 'Head office', parent_id: 5, path: [1, 2, 5, 4], created_at: '' }], next_after: null } }
      if (p.startsWith('/device-groups?')) return { body: { items: [group], next_after: null } }
      if (p === '/device-groups/9' && m === 'GET') return { body: { ...group, device_ids: [...members, 1] } }
      if (p === '/device-groups/9' && m === 'PATCH') {
        members.push(...(body as { device_ids: number[] }).device_ids.filter((id) => id !== 1))
        return { body: { ...group, device_ids: (body as { device_ids: number[] }).device_ids } }
      }
      if (p.startsWith('/devices/2/')) return { body: p.includes('forecast') ? { items: [], order_lead_days: 7 } : p.includes('events') ? { items: [], next_after: null } : { series: [] } }
      return undefined
    })
    await settle(() => expect(wrapper.find('#device-site').exists()).toBe(true))
    expect(wrapper.get('[data-test=device-kind]').text()).toBe('Scanner')

    await wrapper.get('#device-site').setValue('4')
    await settle(() => expect(wrapper.get('[role=status]').text()).toContain('Head office'))

    const box = wrapper.get('fieldset input[type=checkbox]')
    expect((box.element as HTMLInputElement).checked).toBe(false)
    await box.setValue(true)
    await settle(() => expect(wrapper.get('[role=status]').text()).toContain('Floor 2'))
    const patch = calls.find((c) => c.method === 'PATCH' && c.path === '/device-groups/9')!
    expect(patch.body).toEqual({ device_ids: [1, 2] })
    expect(patch.headers['X-CSRF-Token']).toBe('csrf-1')
  })
})
