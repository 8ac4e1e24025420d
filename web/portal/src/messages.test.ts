// @vitest-environment node
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { compareLocales, flatten, hardCodedText, relativeTo, sourceFiles, usedKeys } from '@shared/i18n/check-messages'
import { supportedLocales } from '@shared/i18n/locales'
import sharedDe from '@shared/locales/de.json'
import sharedEn from '@shared/locales/en.json'
import sharedFr from '@shared/locales/fr.json'
import sharedIt from '@shared/locales/it.json'
import de from './locales/de.json'
import en from './locales/en.json'
import fr from './locales/fr.json'
import it_ from './locales/it.json'

const here = dirname(fileURLToPath(import.meta.url))
const webRoot = join(here, '..', '..')
const portalSources = sourceFiles(here)
const sharedSources = sourceFiles(join(webRoot, 'shared')).filter((f) => !f.includes('check-messages'))

const portal = { en, de, fr, it: it_ }
const shared = { en: sharedEn, de: sharedDe, fr: sharedFr, it: sharedIt }

describe('message files', () => {
  for (const locale of supportedLocales) {
    it(`${locale} has every key and placeholder of English (portal)`, () => {
      expect(compareLocales(flatten(portal.en), flatten(portal[locale]))).toEqual([])
    })
    it(`${locale} has every key and placeholder of English (shared)`, () => {
      expect(compareLocales(flatten(shared.en), flatten(shared[locale]))).toEqual([])
    })
  }

  it('holds every key the code names', () => {
    const known = new Map([...flatten(shared.en), ...flatten(portal.en)])
    const { exact, prefixes } = usedKeys([...portalSources, ...sharedSources])
    expect(exact.size).toBeGreaterThan(20)
    expect([...exact].filter((k) => !known.has(k))).toEqual([])
    expect([...prefixes].filter((p) => ![...known.keys()].some((k) => k.startsWith(`${p}.`)))).toEqual([])
  })
})

describe('no text outside the message files', () => {
  it('finds the sources', () => {
    expect(portalSources.some((f) => f.endsWith('App.vue'))).toBe(true)
    expect(sharedSources.some((f) => f.endsWith('ErrorState.vue'))).toBe(true)
  })

  for (const file of [...portalSources, ...sharedSources]) {
    it(relativeTo(webRoot, file), () => {
      expect(hardCodedText(file)).toEqual([])
    })
  }
})
