import { beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeDaemon, mountAt, submitForm } from '../testing/harness'
import { settle } from '@shared/testing/settle'

const settings = {
  networks: [{ name: 'head office', ranges: ['10.0.0.0/24'], exclude: ['10.0.0.1'] }],
  credentials: [
    { name: 'public', version: '2c', secret_set: true },
    { name: 'fleet-v3', version: '3', user: 'monitor', auth_protocol: 'sha256', priv_protocol: 'aes', secret_set: true },
  ],
  intervals: { discovery: '24h', meter: '24h', status: '5m' },
}

async function mountSettings(reply: Parameters<typeof fakeDaemon>[0]) {
  const calls = fakeDaemon(reply)
  const { default: SettingsPage } = await import('./SettingsPage.vue')
  const { wrapper } = await mountAt(SettingsPage, '/settings')
  return { calls, wrapper }
}

const patches = (calls: { method: string; body: unknown }[]) => calls.filter((c) => c.method === 'PATCH').map((c) => c.body)

describe('settings page', () => {
  beforeEach(() => vi.resetModules())

  it('shows the networks and intervals and never a secret', async () => {
    const leaky = { ...settings, credentials: [{ ...settings.credentials[0], community: 'must-not-show' }] }
    const { wrapper } = await mountSettings(() => ({ status: 200, body: leaky }))
    expect((wrapper.find('textarea[name="networks[0].ranges"]').element as HTMLTextAreaElement).value).toBe('10.0.0.0/24')
    expect((wrapper.find('textarea[name="networks[0].exclude"]').element as HTMLTextAreaElement).value).toBe('10.0.0.1')
    expect((wrapper.find('input[name="intervals.status"]').element as HTMLInputElement).value).toBe('5m')
    expect((wrapper.find('input[name="credentials[0].community"]').element as HTMLInputElement).value).toBe('')
    expect(wrapper.html()).not.toContain('must-not-show')
    expect(wrapper.text()).toContain('It is never shown here')
  })

  it('refuses a bad range before asking the daemon', async () => {
    const { calls, wrapper } = await mountSettings(() => ({ status: 200, body: settings }))
    await wrapper.find('textarea[name="networks[0].ranges"]').setValue('10.0.0.0/24\n10.0.0.300')
    await submitForm(wrapper, 0)
    expect(wrapper.find('[data-test=ranges-error]').text()).toContain('10.0.0.300')
    expect(patches(calls)).toEqual([])
  })

  it("shows the daemon's message next to the field it names", async () => {
    const { calls, wrapper } = await mountSettings((method) =>
      method === 'PATCH'
        ? { status: 422, body: { status: 422, title: 'Invalid configuration', invalid_params: [{ name: 'networks[0].ranges[1]', reason: 'overlaps 10.0.0.0/24' }] } }
        : { status: 200, body: settings })
    await wrapper.find('textarea[name="networks[0].ranges"]').setValue('10.0.0.0/24\nprinter7.example.local')
    await submitForm(wrapper, 0)
    expect(patches(calls)).toEqual([{ networks: [{ name: 'head office', ranges: ['10.0.0.0/24', 'printer7.example.local'], exclude: ['10.0.0.1'] }] }])
    expect(wrapper.find('[data-test=ranges-error]').text()).toBe('networks[0].ranges[1]: overlaps 10.0.0.0/24')
    expect(wrapper.find('.error-state').exists()).toBe(false)
  })

  it('sends each network back whole: its credential sets and port stay', async () => {
    const kept = { ...settings, networks: [{ ...settings.networks[0], credentials: ['fleet-v3'], port: 1161 }] }
    const { calls, wrapper } = await mountSettings(() => ({ status: 200, body: kept }))
    await wrapper.find('textarea[name="networks[0].ranges"]').setValue('10.0.1.0/24')
    await submitForm(wrapper, 0)
    await settle(() => expect(patches(calls)).toEqual([{ networks: [{ name: 'head office', ranges: ['10.0.1.0/24'], exclude: ['10.0.0.1'], credentials: ['fleet-v3'], port: 1161 }] }]))
  })

  it('adds a network where none is set yet', async () => {
    const empty = { ...settings, networks: [] }
    const { calls, wrapper } = await mountSettings(() => ({ status: 200, body: empty }))
    expect(wrapper.text()).toContain('No network is set yet')
    await wrapper.find('[data-test=add-network]').trigger('click')
    await wrapper.find('textarea[name="networks[0].ranges"]').setValue('192.168.5.0/24')
    await submitForm(wrapper, 0)
    await settle(() => expect(patches(calls)).toEqual([{ networks: [{ name: '1', ranges: ['192.168.5.0/24'], exclude: [] }] }]))
  })

  it('saves the sending settings and the e-mail route, the password only when typed', async () => {
    const withCarrier = { ...settings, carrier: { proxy: '', send_interval: '15m', smtp: { configured: false, server: '', port: 587, tls: 'starttls', user: '', password_set: false, from: '', to: '' } } }
    const { calls, wrapper } = await mountSettings(() => ({ status: 200, body: withCarrier }))
    await wrapper.find('input[name="carrier.send_interval"]').setValue('5m')
    await wrapper.find('input[name="carrier.smtp"]').setValue(true)
    await wrapper.find('input[name="carrier.smtp.server"]').setValue('mail.example.net')
    await wrapper.find('input[name="carrier.smtp.from"]').setValue('printers@example.net')
    await wrapper.find('[data-test=carrier]').trigger('submit')
    await settle(() => expect(patches(calls)).toEqual([{ carrier: { proxy: '', send_interval: '5m', smtp: { server: 'mail.example.net', port: 587, tls: 'starttls', user: '', from: 'printers@example.net', to: '' } } }]))
  })

  it('replaces only the v3 secrets typed, for that credential set', async () => {
    const { calls, wrapper } = await mountSettings(() => ({ status: 200, body: settings }))
    await wrapper.find('input[name="credentials[1].priv_password"]').setValue('n3w-priv-secret')
    await wrapper.find('[data-test=credentials-fleet-v3]').trigger('submit')
    await settle(() => expect(patches(calls)).toEqual([{ credentials: [{ name: 'fleet-v3', priv_password: 'n3w-priv-secret' }] }]))
    await settle(() => expect((wrapper.find('input[name="credentials[1].priv_password"]').element as HTMLInputElement).value).toBe(''))
  })

  it('checks the duration form before saving the intervals', async () => {
    const { calls, wrapper } = await mountSettings(() => ({ status: 200, body: settings }))
    await wrapper.find('input[name="intervals.meter"]').setValue('12 hours')
    await wrapper.find('[data-test=intervals]').trigger('submit')
    await settle(() => expect(wrapper.text()).toContain('Write a duration'))
    expect(patches(calls)).toEqual([])
    await wrapper.find('input[name="intervals.meter"]').setValue('12h')
    await wrapper.find('[data-test=intervals]').trigger('submit')
    await settle(() => expect(patches(calls)).toEqual([{ intervals: { discovery: '24h', meter: '12h', status: '5m' } }]))
  })

  it('sends a pasted enrollment string without the line breaks a mail adds', async () => {
    const { calls, wrapper } = await mountSettings((method) => (method === 'POST' ? { status: 200, body: {} } : { status: 200, body: settings }))
    await wrapper.find('textarea[name=enrollment]').setValue('omps1:abc\n def')
    await wrapper.find('[data-test=enrollment]').trigger('submit')
    await settle(() => expect(wrapper.text()).toContain('Enrolled.'))
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({ path: '/enrollment', body: { enrollment: 'omps1:abcdef' } })
  })

  it('refuses text that is no enrollment string', async () => {
    const { calls, wrapper } = await mountSettings(() => ({ status: 200, body: settings }))
    await wrapper.find('textarea[name=enrollment]').setValue('hello')
    await wrapper.find('[data-test=enrollment]').trigger('submit')
    await settle(() => expect(wrapper.find('[data-test=enrollment-error]').exists()).toBe(true))
    expect(calls.filter((c) => c.method === 'POST')).toEqual([])
  })
})
