// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { hotp, totp } from './totp.mjs'

describe('TOTP used by the browser tests', () => {
  it('matches the RFC 6238 SHA-1 vectors', () => {
    const key = Buffer.from('12345678901234567890')
    // RFC 6238 appendix B, 8 digits.
    expect(hotp(key, Math.floor(59 / 30), 8)).toBe('94287082')
    expect(hotp(key, Math.floor(1111111109 / 30), 8)).toBe('07081804')
    expect(hotp(key, Math.floor(2000000000 / 30), 8)).toBe('69279037')
  })

  it('reads the base32 secret an enrolment shows', () => {
    // base32 of "12345678901234567890"
    expect(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', Math.floor(59 / 30))).toBe('287082')
  })
})
