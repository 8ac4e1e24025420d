import { beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeDaemon, mountAt, submitForm } from '../testing/harness'
import { settle } from '@shared/testing/settle'

const reading = {
  address: '10.0.0.7', manufacturer: 'HP', model: 'LaserJet M507', serial: 'PHB1234', read_at: '2026-12-05T06:00:00Z',
  counters: { total: 12345 }, supplies: [{ index: 1, description: 'Black Cartridge', level_percent: 40 }],
}

async function mountDevices(reply: Parameters<typeof fakeDaemon>[0]) {
  const calls = fakeDaemon(reply)
  const { default: DevicesPage } = await import('./DevicesPage.vue')
  const { wrapper } = await mountAt(DevicesPage, '/devices')
  return { calls, wrapper }
}

describe('devices page', () => {
  beforeEach(() => vi.resetModules())

  it('lists the printers found with their last reading', async () => {
    const { wrapper } = await mountDevices(() => ({ status: 200, body: { items: [{ ...reading, state: 'ok' }] } }))
    const table = wrapper.find('[data-test=devices]').text()
    expect(table).toContain('10.0.0.7')
    expect(table).toContain('PHB1234')
    expect(table).toContain('12,345')
    expect(table).toContain('40%')
  })

  it('says why a printer fails and how often it failed', async () => {
    const failing = { ...reading, state: 'failing', failures: 3, error: 'timeout after 2 tries' }
    const { wrapper } = await mountDevices(() => ({ status: 200, body: { items: [failing] } }))
    const table = wrapper.find('[data-test=devices]').text()
    expect(table).toContain('failing')
    expect(table).toContain('(3 failed reads in a row)')
    expect(table).toContain('timeout after 2 tries')
  })

  it('probes one address and shows the result as a reading', async () => {
    const { calls, wrapper } = await mountDevices((method) =>
      method === 'POST' ? { status: 200, body: reading } : { status: 200, body: { items: [] } })
    await wrapper.find('input[name=address]').setValue(' 10.0.0.7 ')
    await submitForm(wrapper, 0)
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({ path: '/probe', body: { address: '10.0.0.7' } })
    expect(wrapper.find('[data-test=reading]').text()).toContain('LaserJet M507')
  })

  it('refuses a name or a malformed address without asking the daemon', async () => {
    const { calls, wrapper } = await mountDevices(() => ({ status: 200, body: { items: [] } }))
    await wrapper.find('input[name=address]').setValue('printer.local')
    await submitForm(wrapper, 0)
    expect(wrapper.find('.field-error').exists()).toBe(true)
    expect(calls.filter((c) => c.method === 'POST')).toEqual([])
  })

  it('reads one printer now and shows the new reading', async () => {
    let read = false
    const { calls, wrapper } = await mountDevices((method) => {
      if (method === 'POST') {
        read = true
        return { status: 200, body: reading }
      }
      return { status: 200, body: { items: [{ ...reading, state: 'ok', counters: { total: read ? 12400 : 12345 } }] } }
    })
    await wrapper.find('[data-test=devices] button').trigger('click')
    await settle(() => expect(wrapper.find('[data-test=devices]').text()).toContain('12,400'))
    expect(calls.find((c) => c.method === 'POST')?.path).toBe('/devices/10.0.0.7/read')
  })
})
