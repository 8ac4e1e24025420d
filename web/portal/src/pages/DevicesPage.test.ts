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

  it('shows the consumable nearest empty as the lowest supply, never a paper tray', async () => {
    const supply = (index: number, description: string, type: string, level: number) =>
      ({ index, description, type, color: '', level_percent: level, state: 'ok' })
    const printer = { ...device(1, 'printer'), supplies: [supply(1, 'MP tray', 'input', 0), supply(2, 'Black toner', 'toner', 35), supply(3, 'Drum', 'opc', 60)] }
    const { wrapper } = await open('DevicesPage', '/devices', ['listDevices'], (_m, p) =>
      p.startsWith('/devices?') ? { body: { items: [printer], next_after: null } } : { body: { items: [], next_after: null } })
    await settle(() => expect(wrapper.find('table.devices .supply-name').exists()).toBe(true))
    expect(wrapper.get('table.devices .supply-name').text()).toBe('Black toner')
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
  it('explains the forecast interval, says an order date that passed is due now, and names a supply event', async () => {
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString()
    const forecast = (index: number, description: string, low: number, mid: number, high: number, orderBy: string) => ({
      supply_index: index, description, color: '', level_percent: 20, state: 'forecast', days_to_empty: mid,
      days_to_empty_low: low, days_to_empty_high: high, empty_on: day(mid), order_by: orderBy, points_used: 30,
    })
    const { wrapper } = await open('DevicePage', '/devices/2', ['getDevice'], (_m, p) => {
      if (p === '/devices/2') return { body: device(2, 'printer') }
      if (p === '/devices/2/forecast') {
        return { body: { items: [forecast(1, 'Cyan', 8, 12, 19, day(5)), forecast(2, 'Yellow', 4, 4, 4, day(-3))], order_lead_days: 7 } }
      }
      if (p.startsWith('/devices/2/events')) {
        return { body: { items: [{ at: day(-1), kind: 'supply_level', detail: { description: 'yellow toner', before: 12, after: 10, type: 'toner' } }], next_after: null } }
      }
      if (p.startsWith('/devices/2/')) return { body: { series: [] } }
      return undefined
    })
    await settle(() => expect(wrapper.findAll('table.forecast tbody tr')).toHaveLength(2))
    expect(wrapper.text()).toContain('9 times in 10 it runs out between them')
    const [cyan, yellow] = wrapper.findAll('table.forecast tbody tr').map((r) => r.findAll('td').map((c) => c.text()))
    expect(cyan![2]).toBe('12 days (between 8 and 19)')
    expect(cyan![4]).not.toContain('now')
    expect(yellow![2]).toBe('4 days')
    expect(yellow![4]).toMatch(/^now \(was due .+\)$/)
    await settle(() => expect(wrapper.get('ul.events').text()).toContain('yellow toner: 12% → 10%'))
  })

  it('says a custom range that ends before it starts is backwards, and asks nothing for it', async () => {
    const { wrapper, calls } = await open('DevicePage', '/devices/2', ['getDevice'], (_m, p) => {
      if (p === '/devices/2') return { body: device(2, 'printer') }
      if (p === '/devices/2/forecast') return { body: { items: [], order_lead_days: 7 } }
      if (p.startsWith('/devices/2/events')) return { body: { items: [], next_after: null } }
      if (p.startsWith('/devices/2/')) return { body: { series: [] } }
      return undefined
    })
    await settle(() => expect(wrapper.find('#range-from').exists()).toBe(true))
    await wrapper.get('#range-to').setValue('2026-11-10')
    await wrapper.get('#range-from').setValue('2026-11-20')
    await flushPromises()
    expect(wrapper.get('.range-picker [role=alert]').text()).toContain('after its end')
    expect(calls.filter((c) => c.path.startsWith('/devices/2/meters')).some((c) => c.path.includes('from=2026-11-19') || c.path.includes('from=2026-11-20'))).toBe(false)
    await wrapper.get('#range-from').setValue('2026-11-01')
    await settle(() => expect(wrapper.find('.range-picker [role=alert]').exists()).toBe(false))
  })

  it('lists paper trays apart from the supplies, and a custom counter by its own name', async () => {
    const supply = (index: number, description: string, type: string, level: number) =>
      ({ index, description, type, color: '', level_percent: level, state: 'ok' })
    const printer = {
      ...device(2, 'printer'), counters: { total: 1200, 'custom.jams': 4 },
      supplies: [supply(1, 'Black toner', 'toner', 35), supply(2, 'Tray 1', 'input', 0), supply(3, 'Drum', 'opc', 60)],
    }
    const { wrapper } = await open('DevicePage', '/devices/2', ['getDevice'], (_m, p) => {
      if (p === '/devices/2') return { body: printer }
      if (p === '/devices/2/forecast') return { body: { items: [], order_lead_days: 7 } }
      if (p.startsWith('/devices/2/events')) return { body: { items: [], next_after: null } }
      if (p.startsWith('/devices/2/')) return { body: { series: [] } }
      return undefined
    })
    await settle(() => expect(wrapper.find('ul.supply-list').exists()).toBe(true))
    const names = (sel: string) => wrapper.findAll(`${sel} .supply-name`).map((n) => n.text())
    expect(names('ul.supply-list:not(.trays)')).toEqual(['Black toner', 'Drum'])
    expect(names('ul.supply-list.trays')).toEqual(['Tray 1'])
    expect(wrapper.text()).toContain('Paper trays')
    expect(wrapper.findAll('.panel tbody th').map((h) => h.text())).toContain('jams')
  })
})
