import { beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeDaemon, mountAt } from '../testing/harness'

describe('overview page', () => {
  beforeEach(() => vi.resetModules())

  it('shows enrollment, the last send per carrier, the outbox and warnings in the chosen language', async () => {
    fakeDaemon(() => ({
      status: 200,
      body: {
        enrolled: true, server: 'mps.example.org',
        carriers: [{ carrier: 'https', server: 'mps.example.org:443', last_success_at: '2026-12-05T05:00:00Z' }, { carrier: 'email', server: 'smtp.example.org', last_success_at: null }],
        outbox: { count: 1234, oldest_at: '2026-12-04T05:00:00Z' },
        next: { read: '2026-12-06T05:00:00Z' },
        warnings: [{ code: 'server_refusing', detail: 'collector revoked' }],
      },
    }))
    const { default: OverviewPage } = await import('./OverviewPage.vue')
    const { wrapper } = await mountAt(OverviewPage, '/', 'fr')
    const text = wrapper.text()
    expect(text).toContain('mps.example.org')
    expect(text).toContain('jamais')
    expect(text).toMatch(/1\s234 relevés/)
    expect(text).toContain("Prochaine lecture d'un appareil")
    expect(text).toContain('Le serveur refuse les relevés : collector revoked')
  })

  it('asks to enroll while the client is not enrolled', async () => {
    fakeDaemon(() => ({ status: 200, body: { enrolled: false, carriers: [], outbox: { count: 0 }, warnings: [] } }))
    const { default: OverviewPage } = await import('./OverviewPage.vue')
    const { wrapper } = await mountAt(OverviewPage, '/')
    expect(wrapper.find('[data-test=state]').text()).toContain('Not enrolled yet')
  })
})
