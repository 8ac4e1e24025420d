import { describe, expect, it } from 'vitest'
import { cleanEnrollment, isDuration, isIpv4, isRange, lockoutMinutes, looksLikeEnrollment, messagesUnder, splitRanges } from './forms'

describe('addresses and ranges', () => {
  it('accepts dotted IPv4 addresses only', () => {
    expect(isIpv4('192.168.1.20')).toBe(true)
    expect(isIpv4(' 10.0.0.1 ')).toBe(true)
    expect(isIpv4('256.1.1.1')).toBe(false)
    expect(isIpv4('10.0.0')).toBe(false)
    expect(isIpv4('10.0.0.01')).toBe(false)
    expect(isIpv4('printer.local')).toBe(false)
  })

  it('accepts an address, a rising a-b range or a CIDR block of /8 to /32', () => {
    expect(isRange('10.1.2.3')).toBe(true)
    expect(isRange('10.1.2.1-10.1.2.254')).toBe(true)
    expect(isRange('10.1.2.254-10.1.2.1')).toBe(false)
    expect(isRange('10.1.2.0/24')).toBe(true)
    expect(isRange('10.1.2.0/4')).toBe(false)
    expect(isRange('10.1.2.0/33')).toBe(false)
    expect(isRange('10.1.2.0/')).toBe(false)
  })

  it('accepts host names, which the daemon resolves at every sweep', () => {
    expect(isRange('printer7.example.local')).toBe(true)
    expect(isRange('printer_7')).toBe(false)
    expect(isRange('-printer.local')).toBe(false)
  })

  it('splits ranges by line or comma and drops empty entries', () => {
    expect(splitRanges('10.0.0.0/24\n\n 10.0.1.5 , 10.0.2.1-10.0.2.9\n')).toEqual(['10.0.0.0/24', '10.0.1.5', '10.0.2.1-10.0.2.9'])
  })
})

describe('enrollment strings', () => {
  it('takes an omps1: string wrapped over lines by a mail client', () => {
    expect(cleanEnrollment('omps1:abc\n  def ')).toBe('omps1:abcdef')
    expect(looksLikeEnrollment(' omps1:abc\ndef')).toBe(true)
  })
  it('refuses other text and the bare prefix', () => {
    expect(looksLikeEnrollment('omps1:')).toBe(false)
    expect(looksLikeEnrollment('https://example.org')).toBe(false)
  })
})

describe('lockout', () => {
  it('rounds Retry-After up to whole minutes, at least one', () => {
    expect(lockoutMinutes(900)).toBe(15)
    expect(lockoutMinutes(61)).toBe(2)
    expect(lockoutMinutes(5)).toBe(1)
  })
  it('assumes the full 15 minutes when the daemon names no time', () => {
    expect(lockoutMinutes(undefined)).toBe(15)
  })
})

describe('durations and field messages', () => {
  it('accepts the configuration file duration forms', () => {
    expect(isDuration('24h')).toBe(true)
    expect(isDuration('1h30m')).toBe(true)
    expect(isDuration('90')).toBe(false)
    expect(isDuration('5 minutes')).toBe(false)
  })
  it('gathers the messages of a field and of the entries under it', () => {
    const fields = [
      { field: 'networks[0].ranges[2]', detail: 'not a range' },
      { field: 'networks[0].exclude', detail: 'outside the ranges' },
      { field: 'networks[0].rangesX', detail: 'other' },
    ]
    expect(messagesUnder(fields, 'networks[0].ranges')).toEqual(['networks[0].ranges[2]: not a range'])
    expect(messagesUnder(fields, 'networks[0].exclude')).toEqual(['outside the ranges'])
  })
})
