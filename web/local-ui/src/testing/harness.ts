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

// A page of the local UI mounted with its router and messages against a fake
// daemon: `reply` answers each request by method and path. Tests call
// vi.resetModules() first and import the page afterwards, so each starts with
// its own session and CSRF token.
export type Reply = { status: number; body?: unknown; headers?: Record<string, string> }
export type Call = { method: string; path: string; body: unknown; headers: Record<string, string> }

export function fakeDaemon(reply: (method: string, path: string, body: unknown) => Reply): Call[] {
  const calls: Call[] = []
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

export async function mountAt(component: Component, path: string, locale: Locale = 'en') {
  const { routes } = await import('../router')
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push(path)
  const wrapper = mount(component, {
    global: { plugins: [router, createAppI18n({ en, de, fr, it }, locale).plugin] },
  })
  await flushPromises()
  return { wrapper, router }
}

export async function submitForm(wrapper: Awaited<ReturnType<typeof mountAt>>['wrapper'], index: number) {
  await wrapper.findAll('form')[index]!.trigger('submit')
  await flushPromises()
}
