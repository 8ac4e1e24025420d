import type { Range } from '../components/RangePicker.vue'

const days: Record<string, number> = { '7d': 7, '30d': 30, '90d': 90, '1y': 365 }

// The instants a range means, as the API takes them (RFC 3339, UTC): a
// preset counts back from `now`; custom dates run from the start of `from`
// to the end of `to` in the browser's time zone.
export function rangeBounds(range: Range, now: Date = new Date()): { from: string; to: string } {
  if (range.preset !== 'custom') {
    const n = days[range.preset] ?? 30
    return { from: new Date(now.getTime() - n * 86_400_000).toISOString(), to: now.toISOString() }
  }
  const from = range.from ? new Date(`${range.from}T00:00:00`) : new Date(now.getTime() - 30 * 86_400_000)
  const to = range.to ? new Date(`${range.to}T23:59:59.999`) : now
  return { from: from.toISOString(), to: to.toISOString() }
}

// A custom range whose start is after its end: the page says so instead of
// asking the API.
export function reversed(range: Range): boolean {
  return range.preset === 'custom' && range.from !== '' && range.to !== '' && range.from > range.to
}
