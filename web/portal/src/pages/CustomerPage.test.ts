import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Me } from '../api/types'
import { fakeFetch, mountAt } from '../testing/harness'
import { settle } from '@shared/testing/settle'

const operations = ['getOrganisation', 'listOrganisations', 'updateOrganisation', 'createOrganisation', 'deleteOrganisation', 'listDevices']
const acme = { id: 5, kind: 'customer', name: 'Acme', parent_id: 2, path: [1, 2, 5], created_at: '2026-01-01T00:00:00Z', time_zone: 'UTC', billing_day: 1, order_lead_days: 7, locale: 'en' }
const me = (role: Me['role'], organisation: Me['organisation']): Me => ({
  kind: 'user', id: 9, username: 'x', role, organisation, stage: 'complete', csrf_token: 'c',
  organisation_path: [1, 2, 5].slice(0, organisation.kind === 'customer' ? 3 : 2), operations,
})

beforeEach(() => {
  vi.resetModules()
})

async function customerPage(who: Me) {
  fakeFetch((_method, path) => {
    if (path === '/me') return { body: who }
    if (path === '/organisations/5') return { body: acme, headers: { ETag: '"1"' } }
    if (path.startsWith('/organisations?')) return { body: { items: [{ ...acme, id: 7, kind: 'site', name: 'Head office', parent_id: 5 }], next_after: null } }
    return undefined
  })
  const { default: CustomerPage } = await import('./CustomerPage.vue')
  const { wrapper } = await mountAt(CustomerPage, '/customers/5')
  await settle(() => expect(wrapper.find('h1').text()).toContain('Acme'))
  return wrapper
}

// The API lets a customer admin change its sites but not its customer: the
// page offers no control the API would refuse, and no way to a list of
// customers the person does not have.
describe('CustomerPage', () => {
  it('shows a customer admin its own settings read-only, with its sites editable', async () => {
    const wrapper = await customerPage(me('customer_admin', { id: 5, name: 'Acme', kind: 'customer' }))
    expect(wrapper.find('fieldset').attributes('disabled')).toBeDefined()
    expect(wrapper.findAll('button').map((b) => b.text())).not.toContain('Save')
    expect(wrapper.text()).toMatch(/Your dealer keeps these settings/)
    expect(wrapper.find('.breadcrumb a').exists()).toBe(false)
    expect(wrapper.findAll('button').map((b) => b.text())).toEqual(expect.arrayContaining(['Remove', 'Add site']))
  })

  it('lets a dealer admin change the customer', async () => {
    const wrapper = await customerPage(me('dealer_admin', { id: 2, name: 'Print Partner', kind: 'dealer' }))
    expect(wrapper.find('fieldset').attributes('disabled')).toBeUndefined()
    expect(wrapper.findAll('button').map((b) => b.text())).toContain('Save')
    expect(wrapper.find('.breadcrumb a').text()).toBe('Customers')
  })
})
