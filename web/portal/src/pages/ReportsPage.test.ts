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
})
