// The languages both front ends speak. Adding one: a message file per front
// end (and shared/locales) under the new code, and the code here.
export const supportedLocales = ['en', 'de', 'fr', 'it'] as const
export type Locale = (typeof supportedLocales)[number]

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (supportedLocales as readonly string[]).includes(value)
}

// The first supported language among the preferences, by primary subtag
// ("de-CH" → "de"); English when none fits.
export function pickLocale(...preferences: (string | readonly string[] | null | undefined)[]): Locale {
  for (const pref of preferences.flat()) {
    if (!pref) continue
    const primary = pref.toLowerCase().split(/[-_]/)[0]
    if (isLocale(primary)) return primary
  }
  return 'en'
}
