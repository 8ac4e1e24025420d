import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Me } from '../api/types'
import { fakeFetch, mountAt } from '../testing/harness'
import { settle } from '@shared/testing/settle'
import type { Locale } from '@shared/i18n/locales'

const me: Me = {
  kind: 'user', id: 7, username: 'dana', role: 'dealer_admin',
  organisation: { id: 2, name: 'Print Partner', kind: 'dealer' },
  stage: 'complete', csrf_token: 'csrf-1', organisation_path: [1, 2],
  operations: ['getDashboard', 'listDevices', 'listAlerts', 'listCollectors', 'listOrganisations', 'getOrganisation'],
}

const figures = (one: boolean) => {
  const n = one ? 1 : 2
  return {
    devices: n, errors: n, warnings: n, not_reporting: n, silent_collectors: n, supplies_to_order: n,
    open_alerts: { critical: n, warning: n, info: n },
  }
}

const dashboard = (one: boolean) => ({
  totals: { ...figures(one), customers: 3 },
  customers: [],
  customers_shown: 0,
  not_reporting_after_hours: 48,
  silent_after_hours: 24,
  generated_at: '2026-12-05T10:00:00Z',
})

beforeEach(() => {
  vi.resetModules()
})

async function cards(one: boolean, locale: Locale = 'en') {
  fakeFetch((_m, p) => (p === '/me' ? { body: me } : p === '/dashboard' ? { body: dashboard(one) } : undefined))
  const { wrapper } = await mountAt((await import('./DashboardPage.vue')).default, '/dashboard', locale)
  await settle(() => expect(wrapper.find('ul.cards').exists()).toBe(true))
  // Each card's words, the severity badges apart.
  return wrapper.findAll('ul.cards li').map((li) => {
    const badges = li.findAll('.badge')
    return badges.length ? badges.map((b) => b.text()).join(' / ') : li.text().replace(/\s+/g, ' ').trim()
  })
}

describe('DashboardPage', () => {
  it('words each figure for one or for many', async () => {
    expect(await cards(true)).toEqual([
      '1device', '3customers', '1 critical / 1 warning / 1 notice', '1device stopped by an error now',
      '1device with a warning now', '1device not reporting for 48 hours', '1collector silent for 24 hours',
      '1device with a supply to order before the lead time',
    ])
    expect(await cards(false)).toContain('2 critical / 2 warnings / 2 notices')
    expect(await cards(false)).toContain('2devices with a warning now')
  })

  it('words them in German too', async () => {
    const one = await cards(true, 'de')
    expect(one).toContain('1Gerät mit einer Warnung')
    expect(one).toContain('1 kritisch / 1 Warnung / 1 Hinweis')
    expect(await cards(false, 'de')).toContain('2Geräte mit einer Warnung')
  })
})
