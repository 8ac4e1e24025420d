import { describe, expect, it } from 'vitest'
import { pageFor } from './router'

const page = (name: string, state?: 'setup' | 'signed_out') => ({ name, meta: { title: 'x', state } })

describe('which page a session state allows', () => {
  it('sends everything to setup until a password exists', () => {
    expect(pageFor('setup', page('overview'))).toBe('/setup')
    expect(pageFor('setup', page('sign-in', 'signed_out'))).toBe('/setup')
    expect(pageFor('setup', page('setup', 'setup'))).toBe(true)
  })
  it('sends a signed-out browser to sign-in', () => {
    expect(pageFor('signed_out', page('envelopes'))).toBe('/sign-in')
    expect(pageFor('signed_out', page('setup', 'setup'))).toBe('/sign-in')
    expect(pageFor('signed_out', page('sign-in', 'signed_out'))).toBe(true)
  })
  it('keeps a signed-in browser away from setup and sign-in', () => {
    expect(pageFor('signed_in', page('devices'))).toBe(true)
    expect(pageFor('signed_in', page('sign-in', 'signed_out'))).toBe('/')
    expect(pageFor('signed_in', page('setup', 'setup'))).toBe('/')
  })
})
