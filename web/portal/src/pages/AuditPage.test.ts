import { flushPromises } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { auditAreas, type AuditEntry } from '../api/audit'
import type { Me } from '../api/types'
import { fakeFetch, mountAt } from '../testing/harness'
import { settle } from '@shared/testing/settle'
import de from '../locales/de.json'
import en from '../locales/en.json'
import fr from '../locales/fr.json'
import itMessages from '../locales/it.json'

const me: Me = {
  kind: 'user', id: 7, username: 'dana', role: 'dealer_admin',
  organisation: { id: 2, name: 'Print Partner', kind: 'dealer' },
  stage: 'complete', csrf_token: 'c', organisation_path: [1, 2], operations: ['listAuditLog'],
}
const entry = (id: number, action: string): AuditEntry => ({
  id, at: '2026-03-05T14:07:00Z', organisation: { id: 5, name: 'Acme' }, actor: { kind: 'user', id: 2, name: 'carla' },
  peer: '192.0.2.1', action, target_kind: 'user', target_id: '2', before: null, after: null, note: '',
})

beforeEach(() => {
  vi.resetModules()
})

describe('AuditPage', () => {
  // Every action the server writes reads as words in each language, never
  // as its code; the filter offers them by name (and each area as a whole).
  it('names every action in every language', () => {
    for (const messages of [en, de, fr, itMessages]) {
      const names = messages.audit.actions as Record<string, string>
      for (const area of auditAreas) {
        expect((messages.audit.areas as Record<string, string>)[area.key]).toBeTruthy()
        for (const action of area.actions) expect(names[action.replace(/\./g, '_')], action).toBeTruthy()
      }
    }
  })

  it('shows actions by name and filters by the action or area chosen', async () => {
    const calls = fakeFetch((_method, path) => {
      if (path === '/me') return { body: me }
      if (path.startsWith('/audit-log')) return { body: { items: [entry(1, 'session.sign_in'), entry(2, 'user.totp_confirm_failed')], next_after: null } }
      return undefined
    })
    const { default: AuditPage } = await import('./AuditPage.vue')
    const { wrapper, router } = await mountAt(AuditPage, '/audit', 'de')
    await settle(() => expect(wrapper.findAll('tbody tr')).toHaveLength(2))
    const rows = wrapper.findAll('tbody tr').map((r) => r.text())
    expect(rows[0]).toContain('angemeldet')
    expect(rows[0]).toContain('Benutzer 2')
    expect(rows[1]).toContain('falscher Code bei der Einrichtung des zweiten Faktors')
    expect(wrapper.text()).not.toContain('session.sign_in')

    const select = wrapper.get('#audit-action')
    expect(select.findAll('optgroup').map((g) => g.attributes('label'))).toContain('Anmeldungen')
    await select.setValue('user.')
    await flushPromises()
    await settle(() => expect(router.currentRoute.value.query.action).toBe('user.'))
    await settle(() => expect(calls.at(-1)!.path).toMatch(/action=user\./))
  })
})
