import { flushPromises } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Collector } from '../api/collectors'
import type { Me } from '../api/types'
import { fakeFetch, mountAt } from '../testing/harness'
import { settle } from '@shared/testing/settle'

const me: Me = {
  kind: 'user', id: 7, username: 'dana', role: 'dealer_admin',
  organisation: { id: 2, name: 'Print Partner', kind: 'dealer' },
  stage: 'complete', csrf_token: 'c', organisation_path: [1, 2],
  operations: ['listCollectors', 'createCollector', 'revokeCollector', 'listOrganisations'],
}
const branch: Collector = {
  id: 41, name: 'Branch', customer: { id: 5, name: 'Acme' }, created_at: '2026-03-01T00:00:00Z', revoked_at: null,
  last_seen_at: new Date().toISOString(), last_carrier: 'https', last_peer: '192.0.2.7', last_batch_seq: 1204,
  missing_batches: 3, gaps: [{ first_missing: 2, last_missing: 3 }, { first_missing: 1100, last_missing: 1100 }],
  state: 'active',
}

beforeEach(() => {
  vi.resetModules()
})

async function collectorsPage() {
  const calls = fakeFetch((_method, path) => {
    if (path === '/me') return { body: me }
    if (path.startsWith('/collectors?')) return { body: { items: [branch], next_after: null } }
    return undefined
  })
  const { default: CollectorsPage } = await import('./CollectorsPage.vue')
  const { wrapper } = await mountAt(CollectorsPage, '/collectors')
  await settle(() => expect(wrapper.find('tbody tr').exists()).toBe(true))
  return { wrapper, calls }
}

describe('CollectorsPage', () => {
  // The missing batches are read on the page, not only in a tooltip a
  // keyboard or touch user never sees.
  it('shows when and how a collector last reported and which batches are missing', async () => {
    const { wrapper } = await collectorsPage()
    const row = wrapper.get('tbody tr').text()
    expect(row).toMatch(/now\s*192\.0\.2\.7|seconds? ago\s*192\.0\.2\.7/)
    expect(row).toContain('HTTPS')
    expect(row).toContain('1,204')
    expect(wrapper.get('.gaps').text()).toBe('nos. 2–3, 1,100')
  })

  // Whether a collector is silent is the server's to say (its threshold,
  // its clock): the page shows the state it is given.
  it('shows the state the server gives', async () => {
    branch.state = 'silent'
    try {
      const { wrapper } = await collectorsPage()
      const state = wrapper.get('tbody tr [data-test=state]')
      expect(state.text()).toBe('silent')
      expect(state.classes()).toContain('warning')
    } finally {
      branch.state = 'active'
    }
  })

  it('asks before revoking; Escape goes back without revoking', async () => {
    const { wrapper, calls } = await collectorsPage()
    await wrapper.get('button[aria-label="Revoke Branch"]').trigger('click')
    await flushPromises()
    const confirm = wrapper.get('.confirm button.danger')
    expect(document.activeElement).toBe(confirm.element)
    await confirm.trigger('keydown', { key: 'Escape' })
    await flushPromises()
    expect(wrapper.find('.confirm').exists()).toBe(false)
    expect(document.activeElement).toBe(wrapper.get('button[aria-label="Revoke Branch"]').element)
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
  })
})
