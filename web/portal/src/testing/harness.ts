import { flushPromises, mount } from '@vue/test-utils'
import { vi } from 'vitest'
import type { Component } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { createAppI18n } from '@shared/i18n/create'
import type { Locale } from '@shared/i18n/locales'
import de from '../locales/de.json'
import en from '../locales/en.json'
import fr from '../locales/fr.json'
import it from '../locales/it.json'

// Mounts a page of the portal with its router, messages and a fake API:
// `api` answers each request by method and path (query included). Tests
// call vi.resetModules() first and import the page after fakeFetch, so
// every test starts signed out with its own session and router.
export type Reply = { status?: number; body?: unknown; headers?: Record<string, string> }
export type Api = (method: string, path: string, body: unknown) => Reply | undefined

export function fakeFetch(api: Api) {
  const calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[] = []
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const method = init?.method ?? 'GET'
    const path = String(input).replace(/^\/api\/v1/, '')
    const body = init?.body ? JSON.parse(String(init.body)) : undefined
    calls.push({ method, path, body, headers: (init?.headers ?? {}) as Record<string, string> })
    const reply = api(method, path, body) ?? { status: 404, body: { title: 'Not Found', status: 404 } }
    const status = reply.status ?? 200
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status,
      headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...reply.headers },
    })
  })
  vi.stubGlobal('fetch', fn)
  return calls
}

export async function mountAt(component: Component, path: string, locale: Locale = 'en') {
  const { guard, routes } = await import('../router')
  const router = createRouter({ history: createMemoryHistory(), routes })
  router.beforeEach(guard)
  await router.push(path)
  await router.isReady()
  const wrapper = mount(component, {
    global: { plugins: [router, createAppI18n({ en, de, fr, it }, locale).plugin] },
    attachTo: document.body,
  })
  await flushPromises()
  return { wrapper, router }
}
