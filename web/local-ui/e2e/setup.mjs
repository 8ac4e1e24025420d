// Customer IT sets up the client in the browser, as the README promises:
// the setup code from the log, a password, the office's address range, the
// dealer's enrollment string; then watches the printer being found, read
// and sent, opens what was sent, reads the log and signs out. Five wrong
// passwords lock sign-in. Every page shown is checked with axe-core (WCAG
// 2.1 A/AA, serious and critical findings). Run by test/e2e/test_local_ui.py:
//   OPENMPS_E2E_CONTEXT=context.json node web/local-ui/e2e/setup.mjs
// The context names base_url, setup_code, password, range, enrollment,
// printer (address:port), serial and artifacts (screenshot folder).
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

const ctx = JSON.parse(readFileSync(process.env.OPENMPS_E2E_CONTEXT ?? '', 'utf8'))
const deadline = (seconds) => Date.now() + seconds * 1000
let current = '(start)'

function check(condition, message) {
  if (!condition) throw new Error(message)
}

function step(label) {
  current = label
  console.log(`step: ${label}`)
}

// Reloads until the text appears (the daemon works on its own schedule;
// the page shows what it had when it loaded).
async function reloadUntil(page, locator, text, seconds) {
  const end = deadline(seconds)
  for (;;) {
    const content = (await locator.count()) ? await locator.first().innerText() : ''
    if (content.includes(text)) return content
    if (Date.now() > end) throw new Error(`"${text}" did not appear; the page shows: ${content.slice(0, 400)}`)
    await page.waitForTimeout(500)
    await page.reload()
    await page.locator('main h1').first().waitFor()
  }
}

// Evaluated, not added as a script tag: the page's CSP (rightly) refuses
// inline scripts, and the check must see the page under its real CSP.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const accessibility = []

async function checkAccessibility(page, name) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource)
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    }))
  for (const v of result.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue
    for (const n of v.nodes) accessibility.push(`${name}: ${v.id}: ${n.target.join(' ')}`)
  }
}

// Every page shown is kept as a picture and checked for accessibility.
async function screenshot(page, name) {
  const dir = join(ctx.artifacts, 'screenshots')
  mkdirSync(dir, { recursive: true })
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true })
  await checkAccessibility(page, name)
}

const browser = await chromium.launch({
  executablePath: process.env.OPENMPS_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
})
const page = await (await browser.newContext({ baseURL: ctx.base_url, locale: 'en-GB' })).newPage()
page.setDefaultTimeout(20_000)
const errors = []
page.on('pageerror', (e) => errors.push(e.message))
// The browser logs every refused request; the steps check those answers themselves.
page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()) })
try {
  step('the first visit asks for the setup code and a password')
  await page.goto('/')
  await page.locator('input[name=setup_code]').waitFor()
  await screenshot(page, 'setup')
  await page.locator('input[name=setup_code]').fill(ctx.setup_code)
  await page.locator('input[name=password]').fill(ctx.password)
  await page.locator('input[name=repeat]').fill(ctx.password)
  await page.locator('form button[type=submit]').click()
  await page.locator('nav').waitFor()
  await screenshot(page, 'overview-not-enrolled')
  const state = await page.locator('[data-test=state]').innerText()
  check(state.includes('Not enrolled'), `the overview does not say "not enrolled": ${state}`)

  step('settings: the office range replaces the placeholder')
  await page.getByRole('link', { name: 'Settings' }).click()
  const ranges = page.locator('textarea[name="networks[0].ranges"]')
  await ranges.fill('10.0.0.300')
  await page.locator('[data-test=network-0] button[type=submit]').click()
  await page.locator('[data-test=ranges-error]').waitFor()
  await ranges.fill(ctx.range)
  await page.locator('[data-test=network-0] button[type=submit]').click()
  await page.getByText('Saved and applied.').waitFor()
  check(await ranges.inputValue() === ctx.range, `the saved range shows as ${await ranges.inputValue()}`)

  step('settings: an SNMP community replaced, the sending interval changed')
  await page.locator('input[name="credentials[0].community"]').fill('public')
  await page.locator('[data-test=credentials-public] button[type=submit]').click()
  await page.locator('[data-test=credentials-public]').getByText('Saved and applied.').waitFor()
  await page.locator('input[name="carrier.send_interval"]').fill('1m')
  await page.locator('[data-test=carrier] button[type=submit]').click()
  await page.locator('[data-test=carrier]').getByText('Saved and applied.').waitFor()

  step('settings: a wrong enrollment string is refused, the right one enrolls')
  await page.locator('textarea[name=enrollment]').fill('omps1:not-a-real-one')
  await page.locator('[data-test=enrollment] button[type=submit]').click()
  await page.locator('[data-test=enrollment-error]').waitFor()
  await page.locator('textarea[name=enrollment]').fill(ctx.enrollment)
  await page.locator('[data-test=enrollment] button[type=submit]').click()
  await page.getByText('Enrolled.').waitFor()
  await screenshot(page, 'settings')

  step('devices: the printer is found and read, with its counters')
  await page.getByRole('link', { name: 'Devices' }).click()
  await page.locator('main h1').first().waitFor()
  const table = page.locator('[data-test=devices]')
  await reloadUntil(page, table, ctx.serial, 120)
  await screenshot(page, 'devices')

  step('devices: read now and a probe of the printer')
  await table.getByRole('button', { name: 'Read now' }).first().click()
  await page.locator('input[name=address]').fill(ctx.printer)
  await page.locator('main form button[type=submit]').first().click()
  await page.locator('section [data-test=reading]').first().waitFor()
  check((await page.locator('main').innerText()).includes(ctx.serial), 'the probe does not show the serial')

  step('sent data: an envelope and its plain content')
  await page.getByRole('link', { name: 'Sent data' }).click()
  await page.locator('main h1').first().waitFor()
  await reloadUntil(page, page.locator('[data-test=envelopes]'), 'xmlrpc', 120)
  await page.locator('[data-test=envelopes] button').first().click()
  const content = await page.locator('[data-test=envelope-content]').innerText()
  check(content.includes(ctx.serial), `the envelope's content lacks the serial: ${content.slice(0, 300)}`)
  await screenshot(page, 'envelopes')

  step('log: the enrollment is in it, the password is not')
  await page.getByRole('link', { name: 'Log' }).click()
  const log = await page.locator('[data-test=log]').innerText()
  check(log.includes('enrolled in the local UI'), 'the log does not show the enrollment')
  check(!log.includes(ctx.password), 'the password is in the log')
  await screenshot(page, 'log')

  step('overview: enrolled, with the server')
  await page.getByRole('link', { name: 'Overview' }).click()
  await page.locator('main h1').first().waitFor()
  await reloadUntil(page, page.locator('[data-test=state]'), 'Enrolled; readings go to', 30)
  await screenshot(page, 'overview')

  step('a change without the CSRF token is refused')
  const refused = await page.evaluate(async () => (await fetch('/api/probe', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ address: '127.0.0.1' }),
  })).status)
  check(refused === 403, `a probe without X-CSRF-Token answered ${refused}`)

  step('the language changes the page')
  await page.locator('[data-test=language]').selectOption('de')
  await page.getByRole('link', { name: 'Geräte' }).waitFor()
  await page.locator('[data-test=language]').selectOption('en')
  await page.getByRole('link', { name: 'Devices' }).waitFor()

  step('sign out, sign in again with the password')
  await page.getByRole('button', { name: 'Sign out' }).click()
  const password = page.locator('input[name=password]')
  await password.fill(ctx.password)
  await page.locator('form button[type=submit]').click()
  await page.locator('nav').waitFor()

  step('sign out; five wrong passwords lock sign-in')
  await page.getByRole('button', { name: 'Sign out' }).click()
  await password.waitFor()
  await screenshot(page, 'sign-in')
  const attempt = async (text) => {
    await password.fill(text)
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'POST')
    await page.locator('form button[type=submit]').click()
    return (await answered).status()
  }
  for (let i = 0; i < 5; i++) check(await attempt(`wrong-${i}-password`) === 401, `wrong password ${i + 1} was not refused`)
  check(await attempt(ctx.password) === 429, 'the right password was accepted during the lockout')
  await page.getByText('Too many failed attempts').waitFor()
  check(!(await page.locator('nav').count()), 'signed in during the lockout')
  await screenshot(page, 'locked')
  check(accessibility.length === 0, `accessibility problems (axe):\n  ${accessibility.join('\n  ')}`)
  check(errors.length === 0, `errors in the page: ${errors.join('; ')}`)
  console.log('ok: local UI setup')
} catch (e) {
  console.error(`FAILED at "${current}": ${e instanceof Error ? e.stack : e}`)
  mkdirSync(ctx.artifacts, { recursive: true })
  await page.screenshot({ path: join(ctx.artifacts, 'failure-setup.png'), fullPage: true }).catch(() => undefined)
  process.exitCode = 1
} finally {
  await browser.close()
}
