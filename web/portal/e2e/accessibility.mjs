// axe-core on every main page, for a dealer admin and a customer admin: no
// serious or critical violation of WCAG 2.1 A/AA; and every page can be
// left by keyboard (the skip link reaches the content).
import { check, context, newPage, settled, signIn, accessibilityProblems } from './lib.mjs'

export default async function ({ browser, track, step }) {
  const ctx = context()
  const anonymous = await newPage(browser, { bypassCSP: true })
  track(anonymous)
  step('sign-in page')
  await anonymous.goto('/sign-in')
  await settled(anonymous)
  const signInProblems = await accessibilityProblems(anonymous)
  check(signInProblems.length === 0, `sign-in: ${signInProblems.join('; ')}`)
  await anonymous.context().close()

  for (const who of ['dealer', 'customer']) {
    const page = await newPage(browser, { bypassCSP: true })
    track(page)
    step(`sign in as ${who}`)
    await signIn(page, who)
    for (const path of ctx.main_pages_of[who]) {
      step(`${who} ${path}`)
      await page.goto(path)
      await settled(page)
      const problems = await accessibilityProblems(page)
      check(problems.length === 0, `${path}: ${problems.join('; ')}`)
      await page.keyboard.press('Tab')
      const focused = await page.evaluate(() => document.activeElement?.className ?? '')
      check(focused.includes('skip-link'), `${path}: the first Tab does not reach the skip link (${focused})`)
    }
    await page.context().close()
  }
}
