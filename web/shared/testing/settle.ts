import { vi } from 'vitest'

// Waits until a page has settled after a load or a click. Generous on
// purpose: vi.waitFor's default second fails on a loaded machine what a quiet
// one passes, and a check that holds returns at once anyway.
export function settle<T>(check: () => T | Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: 10_000, interval: 20 })
}
