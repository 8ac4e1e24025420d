import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { h, type Component } from 'vue'
import { RouterView, createMemoryHistory, createRouter } from 'vue-router'
import { createAppI18n } from '@shared/i18n/create'
import de from '../locales/de.json'
import en from '../locales/en.json'
import fr from '../locales/fr.json'
import itMessages from '../locales/it.json'
import PageLoadError from './PageLoadError.vue'

// A page whose code cannot be fetched (the server went away) is announced
// where the page would be, and "Try again" opens it once it can be fetched.
describe('PageLoadError', () => {
  it('says the page could not be loaded and opens it on retry', async () => {
    let reachable = false
    const Page: Component = { render: () => h('h1', 'Collectors') }
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/', component: { render: () => h('h1', 'Users') } },
        {
          path: '/collectors',
          component: () => (reachable ? Promise.resolve(Page) : Promise.reject(new TypeError('Failed to fetch dynamically imported module'))),
        },
      ],
    })
    await router.push('/')
    const frame: Component = { render: () => [h(PageLoadError), h(RouterView)] }
    const wrapper = mount(frame, {
      global: { plugins: [router, createAppI18n({ en, de, fr, it: itMessages }, 'en').plugin] },
    })
    await flushPromises()

    await router.push('/collectors').catch(() => undefined)
    await flushPromises()
    expect(wrapper.get('[role=alert]').text()).toMatch(/could not be loaded: the server cannot be reached/)
    expect(router.currentRoute.value.path).toBe('/')

    reachable = true
    await wrapper.get('[role=alert] button').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/collectors')
    expect(wrapper.find('[role=alert]').exists()).toBe(false)
    expect(wrapper.get('h1').text()).toBe('Collectors')
  })
})
