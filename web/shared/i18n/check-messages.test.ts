// @vitest-environment node
import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { compareLocales, flatten, hardCodedText } from './check-messages'

describe('the hard-coded text check', () => {
  it('finds text, read attributes and prose literals, and leaves symbols alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omps-i18n-'))
    const file = join(dir, 'HardCoded.vue')
    copyFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'HardCoded.vue.txt'), file)
    const problems = hardCodedText(file)
    expect(problems.some((p) => p.includes('"Devices"'))).toBe(true)
    expect(problems.some((p) => p.includes('placeholder="Search devices"'))).toBe(true)
    expect(problems.some((p) => p.includes('and more'))).toBe(true)
    expect(problems.some((p) => p.includes("'Could not load the devices'"))).toBe(true)
    expect(problems.some((p) => p.includes('▲'))).toBe(false)
    expect(problems.some((p) => p.includes('Remove this device'))).toBe(true)
    expect(problems.some((p) => p.includes('Go back home now'))).toBe(true)
    expect(problems).toHaveLength(6)
  })
})

describe('compareLocales', () => {
  it('names missing, extra and empty keys and changed placeholders', () => {
    const en = flatten({ a: { b: 'Hello {name}', c: 'x' }, d: 'y' })
    const de = flatten({ a: { b: 'Hallo {nom}', c: '' }, e: 'z' })
    expect(compareLocales(en, de).sort()).toEqual(['empty a.c', 'extra e', 'missing d', 'placeholders differ in a.b'])
  })
})
