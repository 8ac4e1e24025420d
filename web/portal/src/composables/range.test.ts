import { describe, expect, it } from 'vitest'
import { rangeBounds } from './range'

describe('rangeBounds', () => {
  const now = new Date('2026-03-31T12:00:00Z')
  it('counts presets back from now', () => {
    expect(rangeBounds({ preset: '7d', from: '', to: '' }, now)).toEqual({ from: '2026-03-24T12:00:00.000Z', to: '2026-03-31T12:00:00.000Z' })
    expect(rangeBounds({ preset: '1y', from: '', to: '' }, now).from).toBe('2025-03-31T12:00:00.000Z')
  })
  it('takes custom dates as whole days', () => {
    const r = rangeBounds({ preset: 'custom', from: '2026-01-01', to: '2026-01-31' }, now)
    expect(new Date(r.from).getDate()).toBe(1)
    expect(new Date(r.to).getHours()).toBe(23)
    expect(Date.parse(r.to) - Date.parse(r.from)).toBeGreaterThan(30 * 86_400_000)
  })
})
