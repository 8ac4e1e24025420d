import { flushPromises } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Me, User } from '../api/types'
import { fakeFetch, mountAt } from '../testing/harness'
import { settle } from '@shared/testing/settle'

const acme = { id: 5, name: 'Acme', kind: 'customer' as const }
const me: Me = {
  kind: 'user', id: 9, username: 'carla', role: 'customer_admin', organisation: acme,
  stage: 'complete', csrf_token: 'c', organisation_path: [1, 2, 5],
  operations: ['listUsers', 'createUser', 'updateUser', 'resetUserPassword', 'listOrganisations', 'listDeviceGroups'],
}
const ursula = {
  id: 12, username: 'ursula', display_name: '', email: '', role: 'customer_viewer', organisation: acme,
  site_ids: [7], device_group_ids: [], restricted: true, locale: 'en', disabled: false, disabled_reason: null,
  totp_enabled: false, has_password: true, last_sign_in_at: null,
} as unknown as User
const site = (id: number, name: string) => ({ id, name, kind: 'site', parent_id: 5, path: [1, 2, 5, id], created_at: '', time_zone: 'UTC', billing_day: 1, order_lead_days: 7, locale: 'en' })

beforeEach(() => {
  vi.resetModules()
})

async function usersPage() {
  const calls = fakeFetch((method, path) => {
    if (path === '/me') return { body: me }
    if (path.startsWith('/users?')) return { body: { items: [ursula], next_after: null } }
    if (path.startsWith('/organisations?')) return { body: { items: [site(7, 'Head office'), site(8, 'Annex')], next_after: null } }
    if (path.startsWith('/device-groups?')) return { body: { items: [{ id: 3, name: 'Second floor', customer: { id: 5, name: 'Acme' } }], next_after: null } }
    if (method === 'GET' && path === '/users/12') return { body: ursula, headers: { ETag: '"u12-1"' } }
    if (method === 'PATCH' && path === '/users/12') return { body: { ...ursula, site_ids: [8], device_group_ids: [3] } }
    return undefined
  })
  const { default: UsersPage } = await import('./UsersPage.vue')
  const { wrapper } = await mountAt(UsersPage, '/users')
  await settle(() => expect(wrapper.find('tbody tr').exists()).toBe(true))
  return { wrapper, calls }
}

// An account restricted to sites or device groups can be changed later
// (before, only when it was made): a site cannot be removed while an
// account is restricted to it.
describe('UsersPage', () => {
  it('changes what an account is restricted to', async () => {
    const { wrapper, calls } = await usersPage()
    await wrapper.get('button[aria-label="Restriction of ursula"]').trigger('click')
    await settle(() => expect(wrapper.find('.restriction-editor').exists()).toBe(true))
    const boxes = wrapper.findAll('.restriction-editor input[type=checkbox]')
    expect(boxes.map((b) => (b.element as HTMLInputElement).checked)).toEqual([true, false, false])
    expect(wrapper.get('.restriction-editor').text()).toMatch(/Head office.*Annex.*Second floor/s)
    await boxes[0]!.setValue(false)
    await boxes[1]!.setValue(true)
    await boxes[2]!.setValue(true)
    await wrapper.get('.restriction-editor form').trigger('submit')
    await flushPromises()
    const patch = calls.find((c) => c.method === 'PATCH')!
    expect(patch.body).toEqual({ site_ids: [8], device_group_ids: [3] })
    expect(patch.headers['If-Match']).toBe('"u12-1"')
    await settle(() => expect(wrapper.get('.notice').text()).toBe('The restriction of ursula was saved.'))
    expect(wrapper.find('.restriction-editor').exists()).toBe(false)
  })

  it('closes the restriction with Escape without saving', async () => {
    const { wrapper, calls } = await usersPage()
    const open = wrapper.get('button[aria-label="Restriction of ursula"]')
    await open.trigger('click')
    await settle(() => expect(wrapper.find('.restriction-editor').exists()).toBe(true))
    expect(document.activeElement).toBe(wrapper.get('.restriction-editor input').element)
    await wrapper.get('.restriction-editor input').trigger('keydown', { key: 'Escape' })
    await flushPromises()
    expect(wrapper.find('.restriction-editor').exists()).toBe(false)
    expect(document.activeElement).toBe(wrapper.get('button[aria-label="Restriction of ursula"]').element)
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false)
  })
})
