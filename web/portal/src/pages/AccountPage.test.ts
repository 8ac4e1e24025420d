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

describe('AccountPage second factor', () => {
  async function withTotp(required: boolean) {
    let enabled = true
    const calls = fakeFetch((method, path, body) => {
      if (path === '/me') return { body: { ...me, totp_enabled: enabled, totp_required: required, operations: ['renewRecoveryCodes', 'removeTotp'] } }
      if (method === 'POST' && path === '/me/recovery-codes') {
        return (body as { code: string }).code === '123456'
          ? { body: { stage: 'complete', csrf_token: 'csrf-2', recovery_codes: ['aaaa-bbbb', 'cccc-dddd'] } }
          : refused
      }
      if (method === 'POST' && path === '/me/totp/removal') {
        enabled = false
        return { body: { stage: 'complete', csrf_token: 'csrf-3' } }
      }
      return undefined
    })
    const { default: AccountPage } = await import('./AccountPage.vue')
    const mounted = await mountAt(AccountPage, '/account')
    return { ...mounted, calls }
  }

  it('renews the recovery codes with a current code and shows them once', async () => {
    const { wrapper } = await withTotp(true)
    expect(wrapper.findAll('button').map((b) => b.text())).not.toContain('Turn the second factor off')
    await wrapper.get('#totp-manage-code').setValue('000000')
    await wrapper.get('form.totp-manage').trigger('submit')
    await flushPromises()
    expect(wrapper.get('.totp-manage [role=alert]').text()).toMatch(/not correct/)
    await wrapper.get('#totp-manage-code').setValue('123 456')
    await wrapper.get('form.totp-manage').trigger('submit')
    await flushPromises()
    expect(wrapper.findAll('.recovery-codes li').map((li) => li.text())).toEqual(['aaaa-bbbb', 'cccc-dddd'])
  })

  it('turns the second factor off where the role does not require it', async () => {
    const { wrapper, calls } = await withTotp(false)
    await wrapper.get('#totp-manage-code').setValue('654321')
    const off = wrapper.findAll('button').find((b) => b.text() === 'Turn the second factor off')!
    await off.trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.path === '/me/totp/removal')?.body).toEqual({ code: '654321' })
    expect(wrapper.text()).toMatch(/The second factor is off/)
    expect(wrapper.text()).toMatch(/not protected by a second factor yet/)
  })
})
