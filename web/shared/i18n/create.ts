import type { Plugin, Ref } from 'vue'
import { createI18n } from 'vue-i18n'
import de from '../locales/de.json'
import en from '../locales/en.json'
import fr from '../locales/fr.json'
import it from '../locales/it.json'
import { datetimeFormats, numberFormats } from './formats'
import { supportedLocales, type Locale } from './locales'

export interface MessageTree {
  [key: string]: MessageTree | string
}
export type Messages = Record<Locale, MessageTree>

const sharedMessages: Messages = { en, de, fr, it }

export interface AppI18n {
  // The plugin to `app.use()`.
  plugin: Plugin
  locale: Ref<Locale>
}

// The i18n of a front end: its own messages over the shared ones, English
// as the fallback, and the same named date and number formats everywhere.
export function createAppI18n(appMessages: Messages, locale: Locale): AppI18n {
  const messages = Object.fromEntries(
    supportedLocales.map((l) => [l, { ...sharedMessages[l], ...appMessages[l] }]),
  ) as Messages
  const plugin = createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages,
    datetimeFormats: datetimeFormats(supportedLocales),
    numberFormats: numberFormats(supportedLocales),
    missingWarn: false,
    fallbackWarn: false,
  })
  // Composition mode: `global.locale` is a ref (the typings cannot tell
  // from the options object).
  const global = plugin.global as unknown as { locale: Ref<Locale> }
  return { plugin, locale: global.locale }
}

// The document follows the language (screen readers, hyphenation).
export function applyDocumentLocale(locale: Locale): void {
  if (typeof document !== 'undefined') document.documentElement.lang = locale
}
