import { beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeDaemon, mountAt, submitForm } from '../testing/harness'
import { settle } from '@shared/testing/settle'

async function signIn(locale: 'en' | 'de', password: string) {
  const { default: SignInPage } = await import('./SignInPage.vue')
  const mounted = await mountAt(SignInPage, '/sign-in', locale)
  await mounted.wrapper.find('input[name=password]').setValue(password)
  await submitForm(mounted.wrapper, 0)
  return mounted
}

describe('sign-in page', () => {
  beforeEach(() => vi.resetModules())

  it('says the password was wrong and clears it', async () => {
    fakeDaemon(() => ({ status: 401, body: { title: 'Unauthorized', status: 401 } }))
    const { wrapper } = await signIn('en', 'guess')
    expect(wrapper.find('[data-test=sign-in-message]').text()).toContain('Wrong password')
    expect((wrapper.find('input[name=password]').element as HTMLInputElement).value).toBe('')
  })

  it('shows the lockout with the minutes from Retry-After, in the chosen language', async () => {
    fakeDaemon(() => ({ status: 429, body: { title: 'Too Many Requests', status: 429 }, headers: { 'Retry-After': '840' } }))
    const { wrapper } = await signIn('de', 'guess')
    expect(wrapper.find('[data-test=sign-in-message]').text()).toContain('in 14 Minuten')
  })

  it('signs in, keeps the CSRF token for later changes and opens the overview', async () => {
    const calls = fakeDaemon((method, path) => {
      if (method === 'POST' && path === '/session') return { status: 200, body: { state: 'signed_in', csrf_token: 'tok-1' } }
      if (method === 'DELETE' && path === '/session') return { status: 204 }
      return { status: 200, body: { enrolled: false, carriers: [], outbox: { count: 0 }, warnings: [] } }
    })
    const { router } = await signIn('en', 'correct horse')
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/session', body: { password: 'correct horse' } })
    await settle(() => expect(router.currentRoute.value.name).toBe('overview'))
    const { api } = await import('../api')
    await api.signOut()
    expect(calls.at(-1)?.headers['X-CSRF-Token']).toBe('tok-1')
  })
})
