import { beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeDaemon, mountAt } from '../testing/harness'
import { settle } from '@shared/testing/settle'

const envelope = { id: 'e-17', sent_at: '2026-12-05T05:00:00Z', carrier: 'https', server: 'mps.example.org:443', readings: 3 }

describe('sent data page', () => {
  beforeEach(() => vi.resetModules())

  it('lists every envelope and shows the decrypted content of one', async () => {
    const calls = fakeDaemon((_method, path) =>
      path === '/envelopes/e-17'
        ? { status: 200, body: { envelope, content: { readings: [{ serial: 'PHB1234', counters: { total: 12345 } }] } } }
        : { status: 200, body: { items: [envelope] } })
    const { default: EnvelopesPage } = await import('./EnvelopesPage.vue')
    const { wrapper } = await mountAt(EnvelopesPage, '/envelopes')
    const row = wrapper.find('[data-test=envelopes]').text()
    expect(row).toContain('https')
    expect(row).toContain('mps.example.org:443')
    expect(wrapper.find('[data-test=envelope-content]').exists()).toBe(false)
    await wrapper.find('[data-test=envelopes] button').trigger('click')
    await settle(() => expect(wrapper.find('[data-test=envelope-content]').text()).toContain('PHB1234'))
    expect(calls.at(-1)?.path).toBe('/envelopes/e-17')
    // It scrolls: keyboard users reach it (axe scrollable-region-focusable).
    expect(wrapper.find('[data-test=envelope-content] pre').attributes('tabindex')).toBe('0')
  })
})
