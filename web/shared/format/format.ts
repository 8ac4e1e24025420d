// Locale-aware formatting of what the API returns (ISO times, counts,
// percentages). Pure functions over Intl so that each is unit tested per
// language; components call them with the current vue-i18n locale.

const nf = new Map<string, Intl.NumberFormat>()
const df = new Map<string, Intl.DateTimeFormat>()

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = locale + JSON.stringify(options)
  let f = nf.get(key)
  if (!f) {
    f = new Intl.NumberFormat(locale, options)
    nf.set(key, f)
  }
  return f
}

function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(options)
  let f = df.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options)
    df.set(key, f)
  }
  return f
}

export function formatInteger(value: number, locale: string): string {
  return numberFormat(locale, { maximumFractionDigits: 0 }).format(value)
}

export function formatDecimal(value: number, locale: string, digits = 1): string {
  return numberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value)
}

// `value` is a percentage from 0 to 100, as the API reports supply levels.
export function formatPercent(value: number, locale: string): string {
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(value / 100)
}

function toDate(value: string | number | Date): Date | undefined {
  const d = value instanceof Date ? value : new Date(value)
  return Number.isNaN(d.getTime()) ? undefined : d
}

export function formatDateTime(value: string | number | Date, locale: string, timeZone?: string): string {
  const d = toDate(value)
  if (!d) return ''
  return dateFormat(locale, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZone,
  }).format(d)
}

export function formatDate(value: string | number | Date, locale: string, timeZone?: string): string {
  const d = toDate(value)
  if (!d) return ''
  return dateFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone }).format(d)
}

const rf = new Map<string, Intl.RelativeTimeFormat>()

// Building one costs more than formatting with it, and a device list
// formats a time in every row.
function relativeFormat(locale: string): Intl.RelativeTimeFormat {
  let f = rf.get(locale)
  if (!f) {
    f = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
    rf.set(locale, f)
  }
  return f
}

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400], ['month', 30 * 86400], ['week', 7 * 86400],
  ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1],
]

// "3 hours ago" / "in 2 days", in the largest unit that fits.
export function formatRelative(value: string | number | Date, locale: string, now: Date = new Date()): string {
  const d = toDate(value)
  if (!d) return ''
  const seconds = Math.round((d.getTime() - now.getTime()) / 1000)
  const abs = Math.abs(seconds)
  for (const [unit, size] of units) {
    if (abs >= size || unit === 'second') {
      return relativeFormat(locale).format(Math.round(seconds / size), unit)
    }
  }
  return ''
}
