import { flushPromises } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Me } from '../api/types'
import { fakeFetch, mountAt } from '../testing/harness'

const me: Me = {
  kind: 'user', id: 9, username: 'carla', role: 'customer_admin',
  organisation: { id: 5, name: 'Acme', kind: 'customer' },
  stage: 'complete', csrf_token: 'csrf-1', organisation_path: [1, 2, 5], operations: ['listDevices'],
  totp_enabled: false,
}
const refused = { status: 401, body: { type: 'urn:openmps:problem:refused', title: 'Unauthorized', detail: 'refused' } }

beforeEach(() => {
  vi.resetModules()
})

async function accountPage() {
  fakeFetch((method, path) => {
    if (path === '/me') return { body: me }
    if (method === 'POST' && path === '/me/password') return refused
    if (method === 'POST' && path === '/me/totp/enrolment') return { body: { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/x', qr_svg: '<svg xmlns="http://www.w3.org/2000/svg"/>' } }
    if (method === 'POST' && path === '/me/totp/confirmation') return refused
    return undefined
  })
  const { default: AccountPage } = await import('./AccountPage.vue')
  const session = await import('../session')
  const mounted = await mountAt(AccountPage, '/account')
  return { ...mounted, session }
}

// A mistyped password or code on one's own account says so and keeps the
// person signed in (it is not a session that ended).
describe('AccountPage', () => {
  it('says a wrong current password is wrong and stays signed in', async () => {
    const { wrapper, session } = await accountPage()
    await wrapper.get('#password-current').setValue('not-my-password')
    await wrapper.get('#password-new').setValue('N3w!password-ok')
    await wrapper.get('#password-repeat').setValue('N3w!password-ok')
    await wrapper.get('form.password-change').trigger('submit')
    await flushPromises()
    expect(wrapper.get('.password-change [role=alert]').text()).toMatch(/not correct/)
    expect(session.signedIn()).toBe(true)
    expect(session.session.ended).toBeNull()
  })

  it('says a wrong code while setting up TOTP is wrong and stays signed in', async () => {
    const { wrapper, session } = await accountPage()
    await wrapper.get('.account button:not([type=submit])').trigger('click')
    await flushPromises()
    await wrapper.get('#totp-code').setValue('000000')
    await wrapper.get('.totp-enrolment form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('.totp-enrolment [role=alert]').text()).toMatch(/not correct/)
    expect(session.signedIn()).toBe(true)
  })
})

describe('AccountPage language', () => {
  it('labels its own language switcher, apart from the header one', async () => {
    const { wrapper } = await accountPage()
    const select = wrapper.get('#account-language')
    expect(wrapper.get('label[for="account-language"]').text()).toBe('Language')
    expect(select.element.tagName).toBe('SELECT')
    expect(wrapper.findAll('#language-select')).toHaveLength(0)
  })
})
