import type { Locale } from './locales'

// Named formats for vue-i18n's d() and n(); the same for every language,
// Intl renders each per locale.
type DateTimeFormats = Record<string, Intl.DateTimeFormatOptions>
type NumberFormats = Record<string, Intl.NumberFormatOptions>

const dateTime: DateTimeFormats = {
  short: { year: 'numeric', month: '2-digit', day: '2-digit' },
  long: { year: 'numeric', month: 'long', day: 'numeric' },
  dateTime: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' },
  time: { hour: '2-digit', minute: '2-digit' },
}

const numbers: NumberFormats = {
  integer: { maximumFractionDigits: 0 },
  decimal: { minimumFractionDigits: 0, maximumFractionDigits: 2 },
  percent: { style: 'percent', maximumFractionDigits: 0 },
}

export function datetimeFormats(locales: readonly Locale[]): Record<Locale, DateTimeFormats> {
  return Object.fromEntries(locales.map((l) => [l, dateTime])) as Record<Locale, DateTimeFormats>
}

export function numberFormats(locales: readonly Locale[]): Record<Locale, NumberFormats> {
  return Object.fromEntries(locales.map((l) => [l, numbers])) as Record<Locale, NumberFormats>
}
