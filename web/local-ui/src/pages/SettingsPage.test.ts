import { beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeDaemon, mountAt, submitForm } from '../testing/harness'

const settings = { ranges: ['10.0.0.0/24'], exclusions: [], snmp: { version: 'v2c', community_set: true } }

async function mountSettings() {
  const { default: SettingsPage } = await import('./SettingsPage.vue')
  return (await mountAt(SettingsPage, '/settings')).wrapper
}

describe('settings page', () => {
  beforeEach(() => vi.resetModules())

  it('shows the configured ranges and never a secret', async () => {
    fakeDaemon(() => ({ status: 200, body: { ...settings, snmp: { ...settings.snmp, community: 'must-not-show' } } }))
    const wrapper = await mountSettings()
    expect((wrapper.find('textarea[name=ranges]').element as HTMLTextAreaElement).value).toBe('10.0.0.0/24')
    expect((wrapper.find('input[name=community]').element as HTMLInputElement).value).toBe('')
    expect(wrapper.html()).not.toContain('must-not-show')
    expect(wrapper.text()).toContain('A community string is set')
  })

  it('refuses a bad range before asking the daemon', async () => {
    const calls = fakeDaemon(() => ({ status: 200, body: settings }))
    const wrapper = await mountSettings()
    await wrapper.find('textarea[name=ranges]').setValue('10.0.0.0/24\n10.0.0.300')
    await submitForm(wrapper, 0)
    expect(wrapper.find('[data-test=ranges-error]').text()).toContain('10.0.0.300')
    expect(calls.filter((c) => c.method === 'PATCH')).toEqual([])
  })

  it("shows the daemon's message next to the field it names", async () => {
    const calls = fakeDaemon((method) =>
      method === 'PATCH'
        ? { status: 422, body: { status: 422, title: 'Invalid configuration', invalid_params: [{ name: 'ranges', reason: 'discovery.ranges[1]: overlaps 10.0.0.0/24' }] } }
        : { status: 200, body: settings })
    const wrapper = await mountSettings()
    await wrapper.find('textarea[name=ranges]').setValue('10.0.0.0/24\n10.0.0.0/25')
    await submitForm(wrapper, 0)
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ ranges: ['10.0.0.0/24', '10.0.0.0/25'] })
    expect(wrapper.find('[data-test=ranges-error]').text()).toBe('discovery.ranges[1]: overlaps 10.0.0.0/24')
  })

  it('sends a pasted enrollment string without the line breaks a mail adds', async () => {
    const calls = fakeDaemon((method) => (method === 'POST' ? { status: 200, body: {} } : { status: 200, body: settings }))
    const wrapper = await mountSettings()
    await wrapper.find('textarea[name=enrollment]').setValue('omps1:abc\n def')
    await submitForm(wrapper, 2)
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({ path: '/enrollment', body: { enrollment: 'omps1:abcdef' } })
    expect(wrapper.text()).toContain('Enrolled.')
  })

  it('refuses text that is no enrollment string', async () => {
    const calls = fakeDaemon(() => ({ status: 200, body: settings }))
    const wrapper = await mountSettings()
    await wrapper.find('textarea[name=enrollment]').setValue('hello')
    await submitForm(wrapper, 2)
    expect(wrapper.find('[data-test=enrollment-error]').exists()).toBe(true)
    expect(calls.filter((c) => c.method === 'POST')).toEqual([])
  })
})
