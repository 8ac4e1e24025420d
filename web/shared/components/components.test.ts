import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/problem'
import { createAppI18n } from '../i18n/create'
import ConfirmButton from './ConfirmButton.vue'
import CursorPager from './CursorPager.vue'
import ErrorState from './ErrorState.vue'
import SortHeader from './SortHeader.vue'

const empty = { en: {}, de: {}, fr: {}, it: {} }

function withI18n(locale: 'en' | 'de' = 'en') {
  return { global: { plugins: [createAppI18n(empty, locale).plugin] } }
}

describe('SortHeader', () => {
  it('announces the direction and flips it on click', async () => {
    const wrapper = mount(SortHeader, { props: { column: 'serial', label: 'Serial', sort: 'serial' }, ...withI18n() })
    expect(wrapper.get('th').attributes('aria-sort')).toBe('ascending')
    await wrapper.get('button').trigger('click')
    expect(wrapper.emitted('sort')?.[0]).toEqual(['-serial'])
    await wrapper.setProps({ sort: '-serial' })
    expect(wrapper.get('th').attributes('aria-sort')).toBe('descending')
    await wrapper.get('button').trigger('click')
    expect(wrapper.emitted('sort')?.[1]).toEqual(['serial'])
    await wrapper.setProps({ sort: 'model' })
    expect(wrapper.get('th').attributes('aria-sort')).toBe('none')
  })
})

describe('ErrorState', () => {
  it('says what to do for each kind of failure, in the language', () => {
    const cases: [ApiError, RegExp][] = [
      [new ApiError(0, {}), /cannot be reached/],
      [new ApiError(403, {}), /may not do this/],
      [new ApiError(404, {}), /does not exist/],
      [new ApiError(429, {}, 12), /Wait 12 seconds/],
      [new ApiError(409, { detail: 'accounts are restricted to the site: ursula; change them first' }), /cannot be done as things are: accounts .* ursula/],
      [new ApiError(412, { detail: 'the organisation changed since you read it' }), /changed this in the meantime/],
      [new ApiError(500, { detail: 'database down' }), /database down/],
    ]
    for (const [error, text] of cases) {
      const wrapper = mount(ErrorState, { props: { error }, ...withI18n() })
      expect(wrapper.get('[role=alert]').text()).toMatch(text)
    }
    const de = mount(ErrorState, { props: { error: new ApiError(0, {}) }, ...withI18n('de') })
    expect(de.text()).toMatch(/nicht erreichbar/)
  })

  it('offers a retry', async () => {
    const wrapper = mount(ErrorState, { props: { error: new ApiError(503, {}) }, ...withI18n() })
    await wrapper.get('button').trigger('click')
    expect(wrapper.emitted('retry')).toHaveLength(1)
  })
})

describe('CursorPager', () => {
  it('disables what is not possible', async () => {
    const wrapper = mount(CursorPager, { props: { page: 1, hasPrevious: false, hasNext: true, label: 'Devices' }, ...withI18n() })
    const [prev, next] = wrapper.findAll('button')
    expect(prev!.attributes('disabled')).toBeDefined()
    expect(next!.attributes('disabled')).toBeUndefined()
    await next!.trigger('click')
    expect(wrapper.emitted('next')).toHaveLength(1)
    expect(wrapper.text()).toContain('Page 1')
  })
})

describe('ConfirmButton', () => {
  it('asks in place, confirms once, and Escape goes back to the first button', async () => {
    const wrapper = mount(ConfirmButton, { props: { label: 'Revoke', question: 'Readings are refused from now on.', name: 'Revoke Branch' }, attachTo: document.body, ...withI18n() })
    await wrapper.get('button').trigger('click')
    expect(wrapper.text()).toContain('Readings are refused from now on.')
    expect(document.activeElement).toBe(wrapper.get('button.danger').element)
    await wrapper.get('.confirm').trigger('keydown', { key: 'Escape' })
    await new Promise((r) => setTimeout(r, 0))
    expect(wrapper.find('.confirm').exists()).toBe(false)
    expect(document.activeElement).toBe(wrapper.get('button').element)
    expect(wrapper.emitted('confirm')).toBeUndefined()
    await wrapper.get('button').trigger('click')
    await wrapper.get('button.danger').trigger('click')
    expect(wrapper.emitted('confirm')).toHaveLength(1)
    wrapper.unmount()
  })
})
