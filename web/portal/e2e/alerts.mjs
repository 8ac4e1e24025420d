// The dealer finds the open alerts the real client's readings raised and
// acknowledges one with a note; the list then says who and the note.
import { check, context, newPage, saveState, settled, signIn } from './lib.mjs'

export default async function ({ browser, track, step }) {
  const ctx = context()
  const page = await newPage(browser)
  track(page)
  step('sign in')
  await signIn(page, 'dealer')
  step('open alerts of the customer')
  await page.goto('/dashboard')
  await settled(page)
  await page.locator('.app-nav').getByRole('link', { name: 'Alerts', exact: true }).click()
  await settled(page)
  await page.locator('#alert-state').selectOption('open')
  await page.waitForURL(/state=open/)
  await settled(page)
  const rows = page.locator('table.alerts tbody tr')
  await rows.first().waitFor()
  check((await rows.count()) >= 1, 'no open alert')
  const row = rows.filter({ has: page.getByRole('button', { name: 'Acknowledge' }) }).first()
  const title = (await row.locator('td').nth(1).innerText()).trim()
  step(`acknowledge "${title}"`)
  await row.getByRole('button', { name: 'Acknowledge' }).click()
  const note = `technician on site ${ctx.customer}`
  await row.getByLabel('Note').fill(note)
  await row.locator('form button[type=submit]').click()
  await page.locator('.notice').filter({ hasText: title }).waitFor()
  const done = page.locator('table.alerts tbody tr').filter({ hasText: note })
  await done.first().waitFor()
  check((await done.first().innerText()).includes(ctx.users.dealer.username), 'the acknowledgement does not name the user')
  saveState({ acknowledged_note: note })
}
