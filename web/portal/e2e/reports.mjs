// The customer admin makes the inventory report as CSV for the last 30
// days and downloads it: the file holds their devices and no other
// customer's. Then the billing report as XLSX, checked by the test, and
// the supplies report as PDF. Then a schedule: added, changed, removed.
import { readFileSync } from 'node:fs'
import { check, context, newPage, saveState, settled, signIn } from './lib.mjs'

function isoDay(offset) {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
}

export default async function ({ browser, track, step }) {
  const ctx = context()
  const page = await newPage(browser)
  track(page)
  step('sign in')
  await signIn(page, 'customer')
  await page.locator('.app-nav').getByRole('link', { name: 'Reports', exact: true }).click()
  await settled(page)
  step('inventory as CSV')
  await page.locator('#report-name').selectOption('inventory')
  await page.locator('#report-format').selectOption('csv')
  await page.getByLabel('From … to', { exact: false }).check()
  await page.locator('#report-from').fill(isoDay(-30))
  await page.locator('#report-to').fill(isoDay(0))
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download now' }).click()])
  const text = readFileSync(await csv.path(), 'utf8')
  check(csv.suggestedFilename().endsWith('.csv'), `file name ${csv.suggestedFilename()}`)
  check(text.includes(ctx.serial), `the CSV does not list ${ctx.serial}:\n${text.slice(0, 500)}`)
  for (const foreign of ctx.foreign.serials) check(!text.includes(foreign), `the CSV lists ${foreign}`)
  await page.locator('[role=status]').filter({ hasText: 'was downloaded' }).waitFor()
  step('billing as XLSX')
  await page.locator('#report-name').selectOption('billing')
  await page.locator('#report-format').selectOption('xlsx')
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download now' }).click()])
  const path = `${ctx.artifacts}/billing.xlsx`
  await xlsx.saveAs(path)
  saveState({ billing_xlsx: path })
  step('supplies as PDF')
  await page.locator('#report-name').selectOption('supplies')
  await page.locator('#report-format').selectOption('pdf')
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download now' }).click()])
  const bytes = readFileSync(await pdf.path())
  check(pdf.suggestedFilename().endsWith('.pdf') && bytes.subarray(0, 5).toString('latin1') === '%PDF-', `not a PDF: ${pdf.suggestedFilename()}`)
  step('a schedule added, changed, removed')
  await page.locator('#schedule-recipients').fill('it@acme.example')
  await page.getByRole('button', { name: 'Add a schedule' }).click()
  const item = page.locator('ul.schedules li').filter({ hasText: 'Supplies and forecasts' })
  await item.filter({ hasText: 'it@acme.example' }).waitFor()
  await item.getByRole('button', { name: 'Change' }).click()
  await page.locator('#edit-schedule-frequency').selectOption('weekly')
  await page.locator('#edit-schedule-day').selectOption('3')
  await page.locator('#edit-schedule-hour').fill('9')
  await page.locator('#edit-schedule-recipients').fill('it@acme.example, ap@acme.example')
  await item.getByRole('button', { name: 'Save' }).click()
  await item.filter({ hasText: 'every Wednesday at 09:00 → it@acme.example, ap@acme.example' }).waitFor()
  await item.getByRole('button', { name: 'Remove' }).click()
  await item.waitFor({ state: 'detached' })
}
