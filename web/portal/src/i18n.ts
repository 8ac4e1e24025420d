import { createAppI18n, applyDocumentLocale } from '@shared/i18n/create'
import { pickLocale, type Locale } from '@shared/i18n/locales'
import de from './locales/de.json'
import en from './locales/en.json'
import fr from './locales/fr.json'
import it from './locales/it.json'

// Before sign-in the browser's languages choose; after it, the user's own
// setting (stored by the API). The last choice on this browser is kept too,
// so the sign-in page speaks it.
const storageKey = 'openmps.locale'

function remembered(): string | null {
  try {
    return localStorage.getItem(storageKey)
  } catch {
    return null
  }
}

const app = createAppI18n({ en, de, fr, it }, pickLocale(remembered(), navigator.languages))
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
    // Private mode: the API still remembers it per user.
  }
}

applyDocumentLocale(currentLocale())
