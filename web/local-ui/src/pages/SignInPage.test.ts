import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { createAppI18n } from '@shared/i18n/create'
import type { Locale } from '@shared/i18n/locales'
import de from '../locales/de.json'
import en from '../locales/en.json'
import fr from '../locales/fr.json'
import it_ from '../locales/it.json'

type Reply = { status: number; body?: unknown; headers?: Record<string, string> }

function fakeDaemon(reply: (method: string, path: string, body: unknown) => Reply) {
  const calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[] = []
  vi.stubGlobal('fetch', vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const method = init?.method ?? 'GET'
    const path = String(input).replace(/^\/api/, '')
    const body = init?.body ? JSON.parse(String(init.body)) : undefined
    calls.push({ method, path, body, headers: (init?.headers ?? {}) as Record<string, string> })
    const r = reply(method, path, body)
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), {
      status: r.status,
      headers: { 'Content-Type': r.status >= 400 ? 'application/problem+json' : 'application/json', ...r.headers },
    })
  }))
  return calls
}

async function mountSignIn(locale: Locale = 'en') {
  const { default: SignInPage } = await import('./SignInPage.vue')
  const { routes } = await import('../router')
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push('/sign-in')
  const wrapper = mount(SignInPage, {
    global: { plugins: [router, createAppI18n({ en, de, fr, it: it_ }, locale).plugin] },
  })
  return { wrapper, router }
}

async function submit(wrapper: Awaited<ReturnType<typeof mountSignIn>>['wrapper'], password: string) {
  await wrapper.find('input[name=password]').setValue(password)
  await wrapper.find('form').trigger('submit')
  await flushPromises()
}

describe('sign-in page', () => {
  beforeEach(() => vi.resetModules())

  it('says the password was wrong and clears it', async () => {
    fakeDaemon(() => ({ status: 401, body: { title: 'Unauthorized', status: 401 } }))
    const { wrapper } = await mountSignIn()
    await submit(wrapper, 'guess')
    expect(wrapper.find('[data-test=sign-in-message]').text()).toContain('Wrong password')
    expect((wrapper.find('input[name=password]').element as HTMLInputElement).value).toBe('')
  })

  it('shows the lockout with the minutes from Retry-After, in the chosen language', async () => {
    fakeDaemon(() => ({ status: 429, body: { title: 'Too Many Requests', status: 429 }, headers: { 'Retry-After': '840' } }))
    const { wrapper } = await mountSignIn('de')
    await submit(wrapper, 'guess')
    expect(wrapper.find('[data-test=sign-in-message]').text()).toContain('in 14 Minuten')
  })

  it('signs in, keeps the CSRF token for later changes and opens the overview', async () => {
    const calls = fakeDaemon((method, path) => {
      if (method === 'POST' && path === '/session') return { status: 200, body: { state: 'signed_in', csrf_token: 'tok-1' } }
      if (method === 'DELETE' && path === '/session') return { status: 204 }
      return { status: 200, body: { enrolled: false, carriers: [], outbox: { count: 0 }, warnings: [] } }
    })
    const { wrapper, router } = await mountSignIn()
    await submit(wrapper, 'correct horse')
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/session', body: { password: 'correct horse' } })
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('overview'))
    const { api } = await import('../api')
    await api.signOut()
    expect(calls.at(-1)?.headers['X-CSRF-Token']).toBe('tok-1')
  })
})
