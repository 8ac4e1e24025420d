// Every role signs in (the dealer admin through TOTP enrolment, then with a
// code) and sees exactly the pages its role offers.
import { check, context, newPage, screenshot, settled, signIn } from './lib.mjs'

export default async function ({ browser, track, step }) {
  const ctx = context()
  for (const [who, expect] of Object.entries(ctx.expect_nav)) {
    step(`sign in as ${who}`)
    const page = await newPage(browser)
    track(page)
    await signIn(page, who, { fresh: true })
    await settled(page)
    const links = await page.locator('.app-nav a').allInnerTexts()
    for (const label of expect.visible) check(links.includes(label), `${who} misses "${label}" in ${links.join(', ')}`)
    for (const label of expect.hidden) check(!links.includes(label), `${who} is offered "${label}"`)
    await screenshot(page, `role-${who}`)
    step(`sign out ${who}`)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.locator('#sign-in-username').waitFor()
    await page.context().close()
  }
  step('sign in again with a code')
  const page = await newPage(browser)
  track(page)
  await signIn(page, 'dealer', { fresh: true })
  check(await page.locator('.app-nav').isVisible(), 'dealer not signed in with a TOTP code')
}
