// The dealer admin creates a collector for a customer and copies its
// enrollment string; the test then enrolls a real client with it.
import { check, context, newPage, saveState, screenshot, settled, signIn } from './lib.mjs'

export default async function ({ browser, track, step }) {
  const ctx = context()
  const page = await newPage(browser)
  track(page)
  step('sign in')
  await signIn(page, 'dealer')
  step('open collectors')
  await page.locator('.app-nav').getByRole('link', { name: 'Collectors', exact: true }).click()
  await settled(page)
  step('choose the customer and create')
  const form = page.locator('form.panel')
  await form.getByLabel('Search Customer').fill(ctx.customer)
  await form.locator('#collector-customer').locator('option', { hasText: ctx.customer }).waitFor({ state: 'attached' })
  await form.locator('#collector-customer').selectOption({ label: `${ctx.customer} (customer)` })
  await form.locator('#collector-name').fill('Head office')
  await form.getByRole('button', { name: 'Create collector' }).click()
  const field = page.locator('#enrollment-string')
  await field.waitFor()
  const enrollment = (await field.inputValue()).trim()
  check(enrollment.startsWith('omps1:'), `no enrollment string: ${enrollment}`)
  saveState({ enrollment })
  await screenshot(page, 'collector-created')
  step('the new collector is listed')
  await page.locator('table').getByText('Head office').waitFor()
}
