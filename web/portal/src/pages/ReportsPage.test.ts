import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Me } from '../api/types'
import { fakeFetch, mountAt } from '../testing/harness'

const me: Me = {
  kind: 'user', id: 9, username: 'carla', role: 'customer_admin',
  organisation: { id: 5, name: 'Acme', kind: 'customer' },
  stage: 'complete', csrf_token: 'csrf-1', organisation_path: [1, 2, 5],
  operations: ['listReports', 'listReportRuns', 'createReportRun', 'downloadReportRun'],
}

const run = (status: 'pending' | 'done') => ({
  id: 1, schedule_id: null, organisation_id: 5, organisation_name: 'Acme', report: 'inventory', format: 'csv', status,
  attempts: status === 'done' ? 1 : 0, last_error: null, file_name: status === 'done' ? 'inventory.csv' : null,
  rows: status === 'done' ? 3 : null, due_at: '2026-12-05T10:00:00Z', finished_at: status === 'done' ? '2026-12-05T10:00:05Z' : null,
  expires_at: null, has_file: status === 'done',
})

beforeEach(() => {
  vi.resetModules()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('ReportsPage', () => {
  it('shows a run made in the background as ready once it is, without a reload', async () => {
    let asked = 0
    fakeFetch((_m, p) => {
      if (p === '/me') return { body: me }
      if (p === '/reports') return { body: { items: [{ name: 'inventory', formats: ['csv'] }] } }
      if (p.startsWith('/report-runs')) {
        asked += 1
        return { body: { items: [run(asked < 3 ? 'pending' : 'done')], next_after: null } }
      }
      return undefined
    })
    // The page asks again on its own timer; the test moves that timer.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { wrapper } = await mountAt((await import('./ReportsPage.vue')).default, '/reports')
    const body = () => wrapper.get('table.report-runs tbody').text()
    expect(body()).toContain('being made')
    await vi.advanceTimersByTimeAsync(3_000)
    await flushPromises()
    expect(body()).toContain('being made')
    await vi.advanceTimersByTimeAsync(3_000)
    await flushPromises()
    expect(body()).toContain('ready')
    expect(asked).toBe(3)
    expect(wrapper.get('table.report-runs tbody button').text()).toBe('Download')
    const before = asked
    await vi.advanceTimersByTimeAsync(10_000)
    expect(asked).toBe(before)
  })

  it('changes a schedule in place', async () => {
    const schedule = {
      id: 4, organisation_id: 5, organisation_name: 'Acme', report: 'supplies', format: 'pdf', locale: null,
      frequency: 'monthly', day: 15, hour: 6, recipients: ['it@acme.example'], keep_days: 90, enabled: true,
      next_run_at: '2026-12-15T05:00:00Z',
    }
    const calls = fakeFetch((m, p, body) => {
      if (p === '/me') return { body: { ...me, operations: [...(me.operations ?? []), 'listReportSchedules', 'updateReportSchedule'] } }
      if (p === '/reports') return { body: { items: [{ name: 'supplies', formats: ['csv', 'xlsx', 'pdf'] }] } }
      if (p.startsWith('/report-runs')) return { body: { items: [], next_after: null } }
      if (p === '/report-schedules' && m === 'GET') return { body: { items: [schedule] } }
      if (p === '/report-schedules/4' && m === 'PATCH') {
        Object.assign(schedule, body)
        return { body: schedule }
      }
      return undefined
    })
    const { wrapper } = await mountAt((await import('./ReportsPage.vue')).default, '/reports')
    await flushPromises()
    await wrapper.findAll('ul.schedules button').find((b) => b.text() === 'Change')!.trigger('click')
    // Weekly keeps no day past Sunday: the 15th becomes Monday until chosen.
    await wrapper.get('#edit-schedule-frequency').setValue('weekly')
    expect((wrapper.get('#edit-schedule-day').element as HTMLSelectElement).value).toBe('1')
    await wrapper.get('#edit-schedule-day').setValue('3')
    await wrapper.get('#edit-schedule-hour').setValue('9')
    await wrapper.get('#edit-schedule-format').setValue('xlsx')
    await wrapper.get('#edit-schedule-recipients').setValue('it@acme.example; ap@acme.example')
    await wrapper.get('form.schedule-edit').trigger('submit')
    await flushPromises()
    const patch = calls.find((c) => c.method === 'PATCH')!
    expect(patch.body).toEqual({ format: 'xlsx', frequency: 'weekly', day: 3, hour: 9, recipients: ['it@acme.example', 'ap@acme.example'] })
    expect(wrapper.find('form.schedule-edit').exists()).toBe(false)
    expect(wrapper.get('ul.schedules').text()).toContain('every Wednesday at 09:00 → it@acme.example, ap@acme.example')
    expect(wrapper.text()).toContain('The schedule of "Supplies and forecasts" is changed.')
  })

  it('a new weekly schedule sends the weekday it shows, not a day of the month', async () => {
    const calls = fakeFetch((m, p) => {
      if (p === '/me') return { body: { ...me, operations: [...(me.operations ?? []), 'listReportSchedules', 'createReportSchedule'] } }
      if (p === '/reports') return { body: { items: [{ name: 'supplies', formats: ['csv', 'xlsx', 'pdf'] }] } }
      if (p.startsWith('/report-runs')) return { body: { items: [], next_after: null } }
      if (p === '/report-schedules' && m === 'GET') return { body: { items: [] } }
      if (p === '/report-schedules' && m === 'POST') return { status: 201, body: {} }
      return undefined
    })
    const { wrapper } = await mountAt((await import('./ReportsPage.vue')).default, '/reports')
    await flushPromises()
    await wrapper.get('#schedule-day').setValue('20')
    await wrapper.get('#schedule-frequency').setValue('weekly')
    expect((wrapper.get('#schedule-day').element as HTMLSelectElement).value).toBe('1')
    await wrapper.get('#schedule-recipients').setValue('it@acme.example')
    await wrapper.get('#schedule-recipients').element.closest('form')!.dispatchEvent(new Event('submit'))
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST' && c.path === '/report-schedules')!
    expect(post.body).toMatchObject({ frequency: 'weekly', day: 1 })
  })
})
