// Checks the pages make before asking the daemon, so a typo gets its answer
// at once; the daemon checks everything again (the same rules as the YAML
// loader) and names the field when it refuses.

export function isIpv4(text: string): boolean {
  const parts = text.trim().split('.')
  if (parts.length !== 4) return false
  return parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && (p === '0' || !p.startsWith('0')))
}

// A host name the daemon resolves at every sweep (printer7.example.local).
export function isHostName(text: string): boolean {
  const t = text.trim().toLowerCase()
  if (t.length === 0 || t.length > 253 || !/[a-z]/.test(t)) return false
  return t.split('.').every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label))
}

// A range as the configuration writes it: one address, first-last, a CIDR
// block or a host name.
export function isRange(text: string): boolean {
  const t = text.trim()
  if (isHostName(t)) return true
  const cidr = /^([^/]+)\/(\d{1,2})$/.exec(t)
  if (cidr) return isIpv4(cidr[1]!) && Number(cidr[2]) >= 8 && Number(cidr[2]) <= 32
  const dash = t.split('-')
  if (dash.length === 2) return isIpv4(dash[0]!) && isIpv4(dash[1]!) && toNumber(dash[0]!) <= toNumber(dash[1]!)
  return isIpv4(t)
}

function toNumber(address: string): number {
  return address.trim().split('.').reduce((n, p) => n * 256 + Number(p), 0)
}

// Ranges typed one per line or separated by commas; empty entries dropped.
export function splitRanges(text: string): string[] {
  return text.split(/[\n,]/).map((s) => s.trim()).filter((s) => s.length > 0)
}

export const enrollmentPrefix = 'omps1:'

// A pasted enrollment string, cleaned of the whitespace a mail or chat adds.
export function cleanEnrollment(text: string): string {
  return text.replace(/\s+/g, '')
}

export function looksLikeEnrollment(text: string): boolean {
  const t = cleanEnrollment(text)
  return t.startsWith(enrollmentPrefix) && t.length > enrollmentPrefix.length
}

export const minimumPasswordLength = 10

// Whole minutes left of a lockout, from the Retry-After seconds (at least one).
export function lockoutMinutes(retryAfterSeconds: number | undefined): number {
  if (!retryAfterSeconds || retryAfterSeconds <= 0) return 15
  return Math.max(1, Math.ceil(retryAfterSeconds / 60))
}

// Durations as the configuration writes them: 90s, 5m, 3h, 1d, 2w or combined
// (1h30m). The daemon checks each interval's bounds.
export function isDuration(text: string): boolean {
  return /^(\d+[smhdw])+$/.test(text.trim())
}

// The messages of one field and everything under it: the loader names
// `networks[0].ranges[2]` where the page shows the field `networks[0].ranges`.
export function messagesUnder(fields: { field: string; detail: string }[], prefix: string): string[] {
  return fields
    .filter((f) => f.field === prefix || f.field.startsWith(`${prefix}[`) || f.field.startsWith(`${prefix}.`))
    .map((f) => (f.field === prefix ? f.detail : `${f.field}: ${f.detail}`))
}
