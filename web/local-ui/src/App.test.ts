import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { fakeDaemon } from './testing/harness'

async function mountApp() {
  const { default: App } = await import('./App.vue')
  const { i18n } = await import('./i18n')
  const { adopt } = await import('./session')
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:any(.*)*', component: { render: () => null } }] })
  await router.push('/devices')
  adopt('signed_in', 'tok')
  const wrapper = mount(App, { global: { plugins: [router, i18n] } })
  await flushPromises()
  return { wrapper, router }
}

describe('app frame', () => {
  beforeEach(() => {
    vi.resetModules()
    localStorage.clear()
  })

  it('switches the language at once, keeps the choice in the browser and sets the document language', async () => {
    fakeDaemon(() => ({ status: 204 }))
    const { wrapper } = await mountApp()
    expect(wrapper.find('nav').text()).toContain('Devices')
    await wrapper.find('[data-test=language]').setValue('it')
    expect(wrapper.find('nav').text()).toContain('Dispositivi')
    expect(localStorage.getItem('openmps.local-ui.locale')).toBe('it')
    expect(document.documentElement.lang).toBe('it')
  })

  it('signs out with the CSRF token and goes to the sign-in page', async () => {
    const calls = fakeDaemon(() => ({ status: 204 }))
    const { wrapper, router } = await mountApp()
    await wrapper.find('button.secondary').trigger('click')
    await flushPromises()
    expect(calls[0]).toMatchObject({ method: 'DELETE', path: '/session', headers: { 'X-CSRF-Token': 'tok' } })
    expect(router.currentRoute.value.path).toBe('/sign-in')
    expect(wrapper.find('nav').exists()).toBe(false)
  })
})
