import { createAppI18n, applyDocumentLocale } from '@shared/i18n/create'
import { pickLocale, type Locale } from '@shared/i18n/locales'
import de from './locales/de.json'
import en from './locales/en.json'
import fr from './locales/fr.json'
import it from './locales/it.json'

// The local UI has one user (this machine's administrator): the language is
// the browser's until they choose one, and the choice is kept in the browser.
const storageKey = 'openmps.local-ui.locale'

function remembered(): string | null {
  try {
    return localStorage.getItem(storageKey)
  } catch {
    return null
  }
}

export const messages = { en, de, fr, it }
const app = createAppI18n(messages, pickLocale(remembered(), navigator.languages))
export const i18n = app.plugin

export function currentLocale(): Locale {
  return app.locale.value
}

export function useLocale(locale: Locale): void {
  app.locale.value = locale
  applyDocumentLocale(locale)
  try {
    localStorage.setItem(storageKey, locale)
  } catch {
    // Private mode: the choice lasts until the tab closes.
  }
}

applyDocumentLocale(currentLocale())
