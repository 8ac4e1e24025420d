// Switching the language changes every page at once, is kept for the user
// (another browser signs in and speaks it), and formats numbers and dates
// per language. Screenshots of the main pages in each language and on a
// tablet.
import { check, context, newPage, screenshot, settled, signIn, visit } from './lib.mjs'

const headings = { en: 'Devices', de: 'Geräte', fr: 'Appareils', it: 'Dispositivi' }

export default async function ({ browser, track, step }) {
  const ctx = context()
  const page = await newPage(browser)
  track(page)
  step('sign in')
  await signIn(page, 'dealer')
  for (const locale of ['de', 'fr', 'it', 'en']) {
    step(`switch to ${locale}`)
    // The page applies the language at once and saves it for the user;
    // the next page load asks the server, so wait for it to have kept it.
    const saved = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/me' && r.request().method() === 'PATCH')
    await page.locator('#language-select').selectOption(locale)
    await page.waitForFunction((l) => document.documentElement.lang === l, locale)
    check((await saved).ok(), `the language ${locale} was not saved`)
    for (const path of ctx.main_pages) {
      await visit(page, path)
      await screenshot(page, `${locale}-${path.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'home'}`)
    }
    await visit(page, '/devices')
    const h1 = await page.locator('h1').innerText()
    check(h1 === headings[locale], `heading in ${locale}: ${h1}`)
    if (locale === 'de') {
      step('the choice is kept for the user')
      // Another browser (English preferred, nothing stored locally) with the
      // user's session: the language comes from the server.
      const other = await newPage(browser, { locale: 'en-US' })
      track(other)
      await signIn(other, 'dealer')
      await other.goto('/devices')
      await settled(other)
      check((await other.locator('h1').innerText()) === headings.de, 'German not remembered for the user')
      const total = await other.locator('table.devices tbody tr td.number').first().innerText()
      check(!/\d,\d{3}/.test(total), `German number format expected: ${total}`)
      await other.context().close()
    }
  }
  step('tablet layout')
  await page.setViewportSize({ width: 768, height: 1024 })
  for (const path of ctx.main_pages) {
    await visit(page, path)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    check(overflow <= 1, `${path} is ${overflow}px wider than a tablet`)
    await screenshot(page, `tablet-${path.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'home'}`)
  }
}
