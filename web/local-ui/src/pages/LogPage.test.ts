import { beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeDaemon, mountAt } from '../testing/harness'
import { settle } from '@shared/testing/settle'

describe('log page', () => {
  beforeEach(() => vi.resetModules())

  it('shows the daemon log as text and reloads it', async () => {
    let n = 0
    const calls = fakeDaemon(() => {
      n += 1
      return { status: 200, body: { items: [{ at: '2026-12-05T06:00:00Z', level: 'info', message: `<b>sweep ${n}</b> done` }] } }
    })
    const { default: LogPage } = await import('./LogPage.vue')
    const { wrapper } = await mountAt(LogPage, '/log')
    expect(wrapper.find('[data-test=log]').text()).toContain('<b>sweep 1</b> done')
    expect(wrapper.find('[data-test=log] b').exists()).toBe(false)
    await wrapper.find('button').trigger('click')
    await settle(() => expect(wrapper.find('[data-test=log]').text()).toContain('sweep 2'))
    expect(calls.map((c) => c.path)).toEqual(['/log', '/log'])
  })
})
