// @vitest-environment node
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { compareLocales, flatten, hardCodedText, relativeTo, sourceFiles, usedKeys } from '@shared/i18n/check-messages'
import { supportedLocales } from '@shared/i18n/locales'
import sharedEn from '@shared/locales/en.json'
import de from './locales/de.json'
import en from './locales/en.json'
import fr from './locales/fr.json'
import it_ from './locales/it.json'

const here = dirname(fileURLToPath(import.meta.url))
const webRoot = join(here, '..', '..')
const sources = sourceFiles(here)
const localUi = { en, de, fr, it: it_ }

describe('local UI message files', () => {
  for (const locale of supportedLocales) {
    it(`${locale} has every key and placeholder of English`, () => {
      expect(compareLocales(flatten(localUi.en), flatten(localUi[locale]))).toEqual([])
    })
  }

  it('holds every key the code names', () => {
    const known = new Map([...flatten(sharedEn), ...flatten(localUi.en)])
    const { exact, prefixes } = usedKeys(sources)
    expect(exact.size).toBeGreaterThan(20)
    expect([...exact].filter((k) => !known.has(k))).toEqual([])
    expect([...prefixes].filter((p) => ![...known.keys()].some((k) => k.startsWith(`${p}.`)))).toEqual([])
  })
})

describe('no text outside the local UI message files', () => {
  it('finds the sources', () => {
    expect(sources.some((f) => f.endsWith('App.vue'))).toBe(true)
  })
  for (const file of sources) {
    it(relativeTo(webRoot, file), () => {
      expect(hardCodedText(file)).toEqual([])
    })
  }
})
