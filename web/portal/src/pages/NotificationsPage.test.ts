import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Notification } from '../api/notifications'
import type { Me } from '../api/types'
import { fakeFetch, mountAt, type Api } from '../testing/harness'
import { settle } from '@shared/testing/settle'

const me = (operations: string[]): Me => ({
  kind: 'user', id: 7, username: 'cara', role: 'customer_admin',
  organisation: { id: 5, name: 'Acme', kind: 'customer' },
  stage: 'complete', csrf_token: 'csrf-1', organisation_path: [1, 2, 5], operations,
})

const note = (id: number, state: Notification['state'], extra: Partial<Notification> = {}): Notification => ({
  id, message_id: `omps-${id}`, organisation_id: 5, organisation: 'Acme', kind: 'report', channel: 'email',
  recipient: `billing${id}@acme.example`, locale: 'en', subject: `Report ${id}`, state, attempts: 0,
  last_error: null, created_at: '2026-12-01T06:00:00Z', next_attempt_at: null, sent_at: null, ...extra,
})

beforeEach(() => {
  vi.resetModules()
})

async function open(operations: string[], api: Api, path = '/alerts/notifications') {
  const calls = fakeFetch((method, p, body) => (p === '/me' ? { body: me(operations) } : api(method, p, body)))
  const component = (await import('./NotificationsPage.vue')).default
  return { ...(await mountAt(component, path)), calls }
}

describe('NotificationsPage', () => {
  it('shows state, recipient, attempts and the last error, and sends a dead one again', async () => {
    let dead = note(3, 'dead', { attempts: 8, last_error: '451 4.3.0 mailbox busy' })
    const { wrapper, calls } = await open(['listNotifications', 'retryNotification'], (m, p) => {
      if (m === 'GET' && p.startsWith('/notifications')) return { body: { items: [note(4, 'sent', { attempts: 1, sent_at: '2026-12-01T06:01:00Z' }), dead], next_after: null } }
      if (m === 'POST' && p === '/notifications/3/retry') {
        dead = { ...dead, state: 'queued', attempts: 0, last_error: null }
        return { body: dead }
      }
      return undefined
    })
    const row = wrapper.get('[data-test=notification-3]')
    expect(row.get('[data-test=state]').text()).toBe('given up')
    expect(row.text()).toContain('billing3@acme.example')
    expect(row.get('[data-test=attempts]').text()).toBe('8')
    expect(row.get('[data-test=last-error]').text()).toBe('451 4.3.0 mailbox busy')
    // Only the dead one has the button.
    expect(wrapper.get('[data-test=notification-4]').find('button').exists()).toBe(false)

    await row.get('button').trigger('click')
    await settle(() => expect(wrapper.get('[data-test=notification-3] [data-test=state]').text()).toBe('waiting'))
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/notifications/3/retry'])
    expect(wrapper.get('[role=status]').text()).toContain('billing3@acme.example')
    expect(wrapper.get('[data-test=notification-3]').find('button').exists()).toBe(false)
  })

  it('filters by state through the API and offers no button without the retry operation', async () => {
    const { wrapper, calls } = await open(['listNotifications'], (m, p) =>
      m === 'GET' && p.startsWith('/notifications') ? { body: { items: [note(3, 'dead', { attempts: 8 })], next_after: null } } : undefined)
    expect(wrapper.get('[data-test=notification-3]').find('button').exists()).toBe(false)
    await wrapper.get('#notification-state').setValue('dead')
    await settle(() => expect(calls.some((c) => c.path.startsWith('/notifications?') && c.path.includes('state=dead'))).toBe(true))
  })

  it('queues a test e-mail for the caller\'s organisation and lists it', async () => {
    const queued: unknown[] = []
    const { wrapper, calls } = await open(['listNotifications', 'sendTestNotification', 'listOrganisations'], (m, p, body) => {
      if (m === 'GET' && p.startsWith('/notifications')) {
        return { body: { items: queued.length ? [note(9, 'queued', { kind: 'test', recipient: 'me@acme.example' })] : [], next_after: null } }
      }
      if (m === 'GET' && p.startsWith('/organisations')) {
        const kind = new URLSearchParams(p.split('?')[1]).get('kind')
        return { body: { items: kind === 'customer' ? [{ id: 5, name: 'Acme', kind: 'customer', parent_id: 2, path: [1, 2, 5], created_at: '' }] : [], next_after: null } }
      }
      if (m === 'POST' && p === '/notifications/test') {
        queued.push(body)
        return { status: 202, body: { notification_id: 9 } }
      }
      return undefined
    })
    await settle(() => expect((wrapper.get('#test-organisation').element as HTMLSelectElement).value).not.toBe(''))
    await wrapper.get('#test-address').setValue('me@acme.example')
    await wrapper.get('form.panel').trigger('submit')
    await settle(() => expect(wrapper.find('[data-test=notification-9]').exists()).toBe(true))
    expect(queued).toEqual([{ organisation_id: 5, channel: 'email', address: 'me@acme.example' }])
    expect(wrapper.get('[role=status]').text()).toContain('me@acme.example')
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1)
  })

  it('offers no test form without the operation', async () => {
    const { wrapper } = await open(['listNotifications'], (m, p) =>
      m === 'GET' && p.startsWith('/notifications') ? { body: { items: [], next_after: null } } : undefined)
    expect(wrapper.find('#test-address').exists()).toBe(false)
  })
})
