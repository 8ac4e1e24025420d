import { describe, expect, it } from 'vitest'
import { formatDate, formatDateTime, formatDecimal, formatInteger, formatPercent, formatRelative } from './format'

describe('numbers per locale', () => {
  it('groups thousands the way each language does', () => {
    expect(formatInteger(1234567, 'en')).toBe('1,234,567')
    expect(formatInteger(1234567, 'de')).toBe('1.234.567')
    expect(formatInteger(1234567, 'fr')).toMatch(/^1\s234\s567$/u)
    expect(formatInteger(1234567, 'it')).toBe('1.234.567')
  })

  it('writes decimals and percentages per locale', () => {
    expect(formatDecimal(3.14159, 'en', 2)).toBe('3.14')
    expect(formatDecimal(3.14159, 'de', 2)).toBe('3,14')
    expect(formatPercent(42, 'en')).toBe('42%')
    expect(formatPercent(42, 'de')).toMatch(/^42\s%$/u)
    expect(formatPercent(7, 'fr')).toMatch(/^7\s%$/u)
  })
})

describe('dates per locale', () => {
  const t = '2026-03-05T14:07:00Z'

  it('orders day, month and year as each language does', () => {
    expect(formatDate(t, 'en', 'UTC')).toBe('03/05/2026')
    expect(formatDate(t, 'de', 'UTC')).toBe('05.03.2026')
    expect(formatDate(t, 'fr', 'UTC')).toBe('05/03/2026')
    expect(formatDate(t, 'it', 'UTC')).toBe('05/03/2026')
  })

  it('shows the time in 24 hours where that is the custom', () => {
    expect(formatDateTime(t, 'de', 'UTC')).toBe('05.03.2026, 14:07')
    expect(formatDateTime(t, 'en', 'UTC')).toBe('03/05/2026, 02:07 PM')
  })

  it('shows nothing for a value that is not a time', () => {
    expect(formatDate('not a date', 'en')).toBe('')
    expect(formatRelative('', 'en')).toBe('')
  })

  it('says how long ago in the largest unit', () => {
    const now = new Date('2026-03-05T12:00:00Z')
    expect(formatRelative('2026-03-05T09:00:00Z', 'en', now)).toBe('3 hours ago')
    expect(formatRelative('2026-03-05T09:00:00Z', 'de', now)).toBe('vor 3 Stunden')
    expect(formatRelative('2026-03-07T12:00:00Z', 'fr', now)).toBe('après-demain')
    expect(formatRelative('2026-03-04T12:00:00Z', 'it', now)).toBe('ieri')
    expect(formatRelative('2026-03-05T12:00:00Z', 'en', now)).toBe('now')
  })
})
