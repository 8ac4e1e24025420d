// Checks the pages make before asking the daemon, so a typo gets its answer
// at once; the daemon checks everything again (the same rules as the YAML
// loader) and names the field when it refuses.

export function isIpv4(text: string): boolean {
  const parts = text.trim().split('.')
  if (parts.length !== 4) return false
  return parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && (p === '0' || !p.startsWith('0')))
}

// A range as the configuration writes it: one address, a-b, or a CIDR block.
export function isRange(text: string): boolean {
  const t = text.trim()
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
