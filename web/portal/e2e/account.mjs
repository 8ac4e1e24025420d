// A dealer admin resets a customer viewer's password in the portal and
// hands over the one-time password; the viewer signs in with it (and the
// second factor) and must choose a new password before anything else.
import { check, newPage, saveState, settled, signIn, visit } from './lib.mjs'

export default async function ({ browser, track, step }) {
  const admin = await newPage(browser)
  track(admin)
  step('the dealer admin resets the password')
  await signIn(admin, 'dealer')
  await visit(admin, '/users')
  await admin.getByRole('row', { name: /^vic / }).getByRole('button', { name: 'Reset password' }).click()
  const field = admin.locator('#one-time-password')
  await field.waitFor()
  const oneTime = (await field.inputValue()).trim()
  check(oneTime.length >= 12, `no one-time password shown: ${oneTime}`)
  check((await admin.locator('.notice').innerText()).includes('their sessions were ended'), 'the reset does not say the sessions ended')
  saveState({ password_viewer: oneTime, cookies_viewer: undefined })

  step('the viewer signs in with it and chooses a new password')
  const viewer = await newPage(browser)
  track(viewer)
  await signIn(viewer, 'viewer', { fresh: true })
  await settled(viewer)
  check(await viewer.locator('.app-nav').isVisible(), 'the viewer is not signed in after choosing a password')
}
