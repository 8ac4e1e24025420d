import { beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeDaemon, mountAt, submitForm } from '../testing/harness'
import { settle } from '@shared/testing/settle'

async function mountSetup(reply: Parameters<typeof fakeDaemon>[0]) {
  const calls = fakeDaemon(reply)
  const { default: SetupPage } = await import('./SetupPage.vue')
  const mounted = await mountAt(SetupPage, '/setup')
  return { calls, ...mounted }
}

async function fill(wrapper: Awaited<ReturnType<typeof mountSetup>>['wrapper'], code: string, password: string, repeat: string) {
  await wrapper.find('input[name=setup_code]').setValue(code)
  await wrapper.find('input[name=password]').setValue(password)
  await wrapper.find('input[name=repeat]').setValue(repeat)
}

describe('setup page', () => {
  beforeEach(() => vi.resetModules())

  it('refuses a short or mistyped password before asking the daemon', async () => {
    const { calls, wrapper } = await mountSetup(() => ({ status: 200, body: { state: 'signed_in' } }))
    await fill(wrapper, 'ABCD-1234', 'short', 'short')
    expect(wrapper.find('.field-error').text()).toContain('at least 10')
    await fill(wrapper, 'ABCD-1234', 'long enough pw', 'long enough px')
    expect(wrapper.find('.field-error').text()).toContain('differ')
    await submitForm(wrapper, 0)
    expect(calls).toEqual([])
  })

  it('sets the password with the setup code and opens the overview, signed in', async () => {
    const { calls, wrapper, router } = await mountSetup((_m, path) =>
      path === '/setup' ? { status: 200, body: { state: 'signed_in', csrf_token: 'tok-9' } } : { status: 200, body: { enrolled: false, carriers: [], outbox: { count: 0 }, warnings: [] } })
    await fill(wrapper, ' ABCD-1234 ', 'long enough pw', 'long enough pw')
    await submitForm(wrapper, 0)
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/setup', body: { setup_code: 'ABCD-1234', password: 'long enough pw' } })
    await settle(() => expect(router.currentRoute.value.name).toBe('overview'))
    const { sessionState } = await import('../session')
    expect(sessionState.value).toBe('signed_in')
  })

  it("shows the daemon's refusal of the code next to the code", async () => {
    const { wrapper } = await mountSetup(() => ({
      status: 422, body: { status: 422, title: 'Invalid', invalid_params: [{ name: 'setup_code', reason: 'wrong or already used setup code' }] },
    }))
    await fill(wrapper, 'WRONG', 'long enough pw', 'long enough pw')
    await submitForm(wrapper, 0)
    expect(wrapper.find('.field-error').text()).toBe('wrong or already used setup code')
  })
})
