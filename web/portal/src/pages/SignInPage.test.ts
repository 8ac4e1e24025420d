import { flushPromises } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Me } from '../api/types'
import { fakeFetch, mountAt } from '../testing/harness'
import { settle } from '@shared/testing/settle'

const me = (stage: Me['stage']): Me => ({
  kind: 'user', id: 7, username: 'dana', role: 'dealer_admin',
  organisation: { id: 2, name: 'Print Partner', kind: 'dealer' },
  stage, csrf_token: 'csrf-1', organisation_path: [1, 2], operations: ['listDevices'],
})

beforeEach(async () => {
  vi.resetModules()
})

async function signInPage(api: Parameters<typeof fakeFetch>[0], query = '') {
  const calls = fakeFetch(api)
  const { default: SignInPage } = await import('./SignInPage.vue')
  const mounted = await mountAt(SignInPage, `/sign-in${query}`)
  return { ...mounted, calls }
}

describe('SignInPage', () => {
  it('signs in with password and TOTP code, then goes where the person wanted', async () => {
    let stage: Me['stage'] | null = null
    const { wrapper, router, calls } = await signInPage((method, path, body) => {
      if (path === '/me') return stage ? { body: me(stage) } : { status: 401, body: { title: 'Unauthorized' } }
      if (path === '/auth/methods') return { body: { password: true, oidc: { enabled: false } } }
      if (method === 'POST' && path === '/session') {
        expect(body).toEqual({ username: 'dana', password: 'S3cret-pass' })
        stage = 'second_factor'
        return { body: { stage, csrf_token: 'csrf-1' } }
      }
      if (method === 'POST' && path === '/session/second-factor') {
        if ((body as { code: string }).code !== '123456') return { status: 401, body: { title: 'Unauthorized', detail: 'refused' } }
        stage = 'complete'
        return { body: { stage, csrf_token: 'csrf-2' } }
      }
      return undefined
    }, '?next=/devices')
    await wrapper.get('#sign-in-username').setValue(' dana ')
    await wrapper.get('#sign-in-password').setValue('S3cret-pass')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('#sign-in-code').exists()).toBe(true)

    await wrapper.get('#sign-in-code').setValue('000 000')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[role=alert]').text()).toMatch(/not correct/)

    await wrapper.get('#sign-in-code').setValue('123 456')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    const codeCall = calls.filter((c) => c.path === '/session/second-factor').at(-1)!
    expect(codeCall.headers['X-CSRF-Token']).toBe('csrf-1')
    await settle(() => expect(router.currentRoute.value.fullPath).toBe('/devices'))
  })

  it('says until when a locked account must wait', async () => {
    const { wrapper } = await signInPage((method, path) => {
      if (path === '/me') return { status: 401, body: { title: 'Unauthorized' } }
      if (path === '/auth/methods') return { body: { password: true, oidc: { enabled: true, label: 'Keycloak', start: '/api/v1/auth/oidc/start' } } }
      if (method === 'POST' && path === '/session') return { status: 429, body: { title: 'Too Many Requests', detail: 'locked' }, headers: { 'Retry-After': '900' } }
      return undefined
    })
    expect(wrapper.get('a.button').text()).toBe('Sign in with Keycloak')
    expect(wrapper.get('a.button').attributes('href')).toBe('/api/v1/auth/oidc/start')
    await wrapper.get('#sign-in-username').setValue('dana')
    await wrapper.get('#sign-in-password').setValue('wrong')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[role=alert]').text()).toMatch(/locked until .* \(in 15 minutes\)/)
  })

  it('explains an idle sign-out and never redirects outside the portal', async () => {
    const { wrapper, router } = await signInPage((method, path) => {
      if (path === '/me') return { status: 401, body: { title: 'Unauthorized' } }
      if (path === '/auth/methods') return { body: { password: true, oidc: { enabled: false } } }
      if (method === 'POST' && path === '/session') return { body: { stage: 'complete', csrf_token: 'c' } }
      return undefined
    }, '?ended=idle&next=//evil.example/')
    expect(wrapper.get('.notice').text()).toMatch(/idle for too long/)
    fakeFetch((_m, path) => (path === '/me' ? { body: me('complete') } : { body: { stage: 'complete', csrf_token: 'c' } }))
    await wrapper.get('#sign-in-username').setValue('dana')
    await wrapper.get('#sign-in-password').setValue('pw')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    await settle(() => expect(router.currentRoute.value.name).toBe('devices'))
  })

  it('says a single sign-on failed without showing text from the address', async () => {
    const { wrapper } = await signInPage((_method, path) => {
      if (path === '/me') return { status: 401, body: { title: 'Unauthorized' } }
      if (path === '/auth/methods') return { body: { password: true, oidc: { enabled: true, label: 'Partner ID', start: '/api/v1/auth/oidc/start' } } }
      return undefined
    }, '?oidc_error=Call+0800+123+for+help')
    expect(wrapper.get('.notice').text()).toMatch(/organisation's account did not work/)
    expect(wrapper.text()).not.toContain('0800')
  })
})
