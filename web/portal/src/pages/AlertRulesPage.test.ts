import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Me } from '../api/types'
import { fakeFetch, mountAt } from '../testing/harness'
import { settle } from '@shared/testing/settle'

const customerAdmin: Me = {
  kind: 'user', id: 9, username: 'carla', role: 'customer_admin',
  organisation: { id: 5, name: 'Acme', kind: 'customer' },
  stage: 'complete', csrf_token: 'csrf-1', organisation_path: [1, 2, 5],
  operations: ['getOrganisationAlertRules', 'putOrganisationAlertRules', 'listAlertSubscriptions', 'createAlertSubscription',
    'deleteAlertSubscription', 'listOrganisations'],
}

beforeEach(() => {
  vi.resetModules()
})

describe('AlertRulesPage', () => {
  it('offers a customer admin only the roles its own organisation has', async () => {
    const calls = fakeFetch((m, p) => {
      if (p === '/me') return { body: customerAdmin }
      if (p === '/organisations/5/alert-rules') return { body: { scope: 'organisation', id: 5, settings: {}, effective: {} } }
      if (p === '/alert-subscriptions' && m === 'GET') return { body: { items: [], next_after: null } }
      if (p === '/alert-subscriptions' && m === 'POST') return { status: 201, body: { subscription: {}, secret: null } }
      if (p.startsWith('/organisations?')) return { body: { items: [], next_after: null } }
      return undefined
    })
    const { wrapper } = await mountAt((await import('./AlertRulesPage.vue')).default, '/alerts/rules')
    await settle(() => expect(wrapper.find('#sub-role').exists()).toBe(true))
    const roles = wrapper.findAll('#sub-role option').map((o) => o.attributes('value'))
    expect(roles).toEqual(['customer_admin', 'customer_viewer'])
    ;(wrapper.get('#sub-channel').element as HTMLSelectElement).form!.requestSubmit()
    await settle(() => expect(calls.some((c) => c.method === 'POST')).toBe(true))
    expect(calls.find((c) => c.method === 'POST')!.body).toMatchObject({ organisation_id: 5, channel: 'email', role: 'customer_admin' })
  })

  it('changes a subscription in place', async () => {
    const sub = {
      id: 3, organisation: { id: 5, name: 'Acme' }, channel: 'email', user: null, role: null, address: 'it@acme.example',
      url: null, locale: null, min_severity: 'warning', conditions: [], include_clears: false, enabled: true, created_at: '',
    }
    const calls = fakeFetch((m, p, body) => {
      if (p === '/me') return { body: { ...customerAdmin, operations: [...(customerAdmin.operations ?? []), 'updateAlertSubscription'] } }
      if (p === '/organisations/5/alert-rules') return { body: { scope: 'organisation', id: 5, settings: {}, effective: {} } }
      if (p === '/alert-subscriptions' && m === 'GET') return { body: { items: [sub], next_after: null } }
      if (p === '/alert-subscriptions/3' && m === 'PATCH') {
        Object.assign(sub, body, { locale: (body as { locale: string }).locale || null })
        return { body: sub }
      }
      if (p.startsWith('/organisations?')) return { body: { items: [], next_after: null } }
      return undefined
    })
    const { wrapper } = await mountAt((await import('./AlertRulesPage.vue')).default, '/alerts/rules')
    await settle(() => expect(wrapper.find('ul.schedules li').exists()).toBe(true))
    await wrapper.findAll('ul.schedules button').find((b) => b.text() === 'Change')!.trigger('click')
    await wrapper.get('#edit-sub-address').setValue('service@acme.example')
    await wrapper.get('#edit-sub-severity').setValue('critical')
    await wrapper.get('#edit-sub-locale').setValue('de')
    await wrapper.get('input[name=edit-sub-condition-toner]').setValue(true)
    await wrapper.get('form.subscription-edit').trigger('submit')
    await settle(() => expect(wrapper.find('form.subscription-edit').exists()).toBe(false))
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({ min_severity: 'critical', locale: 'de', conditions: ['toner'], address: 'service@acme.example' })
    await settle(() => expect(wrapper.get('ul.schedules').text()).toContain('service@acme.example · Acme · from critical · only toner'))
    expect(wrapper.text()).toContain('The subscription is changed.')
  })

  it('changes the rules of one device from its page, without organisations or subscriptions', async () => {
    const effective = { toner: { enabled: true, low: 20, severity: 'warning' } }
    const calls = fakeFetch((m, p, body) => {
      if (p === '/me') return { body: { ...customerAdmin, operations: [...(customerAdmin.operations ?? []), 'getDeviceAlertRules', 'putDeviceAlertRules'] } }
      if (p === '/devices/2/alert-rules' && m === 'GET') return { body: { scope: 'device', id: 2, settings: {}, effective } }
      if (p === '/devices/2/alert-rules' && m === 'PUT') {
        const settings = (body as { settings: Record<string, Record<string, unknown>> }).settings
        return { body: { scope: 'device', id: 2, settings, effective: { toner: { ...effective.toner, ...settings.toner } } } }
      }
      return undefined
    })
    const { wrapper } = await mountAt((await import('./AlertRulesPage.vue')).default, '/devices/2/alert-rules')
    await settle(() => expect(wrapper.find('#rule-toner-low').exists()).toBe(true))
    expect(wrapper.get('h1').text()).toBe('Alert rules of this device')
    expect(wrapper.find('#rules-organisation').exists()).toBe(false)
    expect(wrapper.find('#sub-channel').exists()).toBe(false)
    await wrapper.get('#rule-toner-low').setValue('35')
    await wrapper.get('form').trigger('submit')
    await settle(() => expect(wrapper.text()).toContain('Saved.'))
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({ settings: { toner: { low: 35 } } })
    expect(calls.some((c) => c.path.startsWith('/organisations') || c.path.startsWith('/alert-subscriptions'))).toBe(false)
  })
})
