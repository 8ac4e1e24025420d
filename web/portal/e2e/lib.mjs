// What every browser scenario of the portal shares: the context the pytest
// module wrote (server address, users, where artifacts go), headless
// Chromium from the system, sign-in through every step the server asks
// for, screenshots and the axe-core accessibility check.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { totp, totpStep } from './totp.mjs'

const require = createRequire(import.meta.url)

export function context() {
  const file = process.env.OPENMPS_E2E_CONTEXT
  if (!file) throw new Error('OPENMPS_E2E_CONTEXT names the context file the test wrote')
  return JSON.parse(readFileSync(file, 'utf8'))
}

// What scenarios learn and later ones need (TOTP secrets, last used steps,
// enrollment strings), kept beside the context.
export function state() {
  const file = context().state_file
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}
}

export function saveState(changes) {
  const file = context().state_file
  writeFileSync(file, JSON.stringify({ ...state(), ...changes }, null, 2))
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.OPENMPS_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}

// bypassCSP: only for injecting axe-core (the server's CSP rightly forbids
// inline scripts); everything else runs under the real policy.
export async function newPage(browser, { viewport = { width: 1280, height: 800 }, locale = 'en-GB', bypassCSP = false } = {}) {
  const ctx = await browser.newContext({ baseURL: context().base_url, ignoreHTTPSErrors: true, viewport, locale, bypassCSP })
  ctx.setDefaultTimeout(20_000)
  const page = await ctx.newPage()
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`))
  return page
}

// The next code of the user's authenticator: never a step the server saw
// already (each code works once), at most one step ahead of the clock
// (the drift the server allows).
async function nextCode(who) {
  const s = state()
  const secret = s[`totp_${who}`]
  if (!secret) throw new Error(`no TOTP secret known for ${who}`)
  const last = s[`totp_step_${who}`] ?? 0
  let step = Math.max(totpStep(), last + 1)
  while (step > totpStep() + 1) {
    await new Promise((r) => setTimeout(r, 1000))
  }
  saveState({ [`totp_step_${who}`]: step })
  return totp(secret, step)
}

// Signs in as one of the context's users. A session an earlier scenario
// established is reused (its cookie only: the language must come from the
// server), so scenarios do not wait for fresh TOTP codes; `fresh` goes
// through the whole sign-in.
export async function signIn(page, who, { fresh = false } = {}) {
  const saved = state()[`cookies_${who}`]
  if (!fresh && saved) {
    await page.context().addCookies(saved)
    await page.goto('/')
    const reached = await Promise.race([
      page.locator('.app-nav').waitFor().then(() => true),
      page.locator('#sign-in-username').waitFor().then(() => false),
    ])
    if (reached) return
  }
  await signInFully(page, who)
  saveState({ [`cookies_${who}`]: await page.context().cookies() })
}

// Through whatever the server asks: second factor, TOTP enrolment (the
// secret is read off the page and kept), a new password instead of a
// one-time one.
async function signInFully(page, who) {
  const user = context().users[who]
  const password = state()[`password_${who}`] ?? user.password
  await page.goto('/sign-in')
  await page.locator('#sign-in-username').fill(user.username)
  await page.locator('#sign-in-password').fill(password)
  await page.locator('form button[type=submit]').click()
  for (let i = 0; i < 4; i++) {
    const step = await Promise.race([
      page.locator('#sign-in-code').waitFor().then(() => 'code'),
      page.locator('[data-testid=totp-secret]').waitFor().then(() => 'enrol'),
      page.locator('#password-new').waitFor().then(() => 'password'),
      page.locator('.app-nav').waitFor().then(() => 'done'),
      page.locator('.sign-in [role=alert]').waitFor().then(() => 'error'),
    ])
    if (step === 'done') return
    if (step === 'error') throw new Error(`sign-in of ${who} refused: ${await page.locator('.sign-in [role=alert]').innerText()}`)
    if (step === 'code') {
      await page.locator('#sign-in-code').fill(await nextCode(who))
      await page.locator('form button[type=submit]').click()
      await page.locator('#sign-in-code').waitFor({ state: 'detached' })
    } else if (step === 'enrol') {
      const secret = (await page.locator('[data-testid=totp-secret]').innerText()).trim()
      saveState({ [`totp_${who}`]: secret, [`totp_step_${who}`]: 0 })
      await page.locator('#totp-code').fill(await nextCode(who))
      await page.locator('.totp-enrolment form button[type=submit]').click()
      await page.locator('.recovery-codes li').first().waitFor()
      saveState({ [`recovery_${who}`]: await page.locator('.recovery-codes li').allInnerTexts() })
      await page.locator('.totp-enrolment button').click()
    } else if (step === 'password') {
      const next = `${user.password}-Nx7`
      await page.locator('#password-current').fill(password)
      await page.locator('#password-new').fill(next)
      await page.locator('#password-repeat').fill(next)
      await page.locator('.password-change button[type=submit]').click()
      saveState({ [`password_${who}`]: next })
      await page.locator('#password-new').waitFor({ state: 'detached' })
    }
  }
  await page.locator('.app-nav').waitFor()
}

export async function screenshot(page, name) {
  const dir = join(context().artifacts, 'screenshots')
  mkdirSync(dir, { recursive: true })
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true })
}

// axe-core in the page: the serious and critical violations of WCAG 2.x
// A/AA rules, as "rule: target" strings.
// axe-core is injected once per loaded document; only violations are
// collected (what passed is not needed, and gathering it doubles the time).
export async function accessibilityProblems(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') })
  }
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    })
  })
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`))
}

// The page has finished loading: its heading is there and no loading
// indicator is left (every page shows one while it waits for the API).
export async function settled(page) {
  await page.locator('main h1').first().waitFor()
  await page.waitForFunction(() => !document.querySelector('.loading-state, [aria-busy="true"]'))
}

// Opens a page of the portal as a person does once it is loaded: inside
// the app, through its router (no reload of the code, the session or the
// messages), then waits until the page has settled. The page shown before
// is marked, so the new page is known by its own element in <main>. Before
// the portal is loaded, a plain navigation.
export async function visit(page, path) {
  const loaded = await page.evaluate(() => document.querySelector('.app-nav') !== null)
  if (!loaded || new URL(page.url()).pathname === path) {
    await page.goto(path)
  } else {
    await page.evaluate((p) => {
      const shown = document.querySelector('main > *')
      if (shown) shown.dataset.leaving = 'true'
      history.pushState(null, '', p)
      dispatchEvent(new PopStateEvent('popstate', { state: null }))
    }, path)
    await page.waitForFunction(() => {
      const shown = document.querySelector('main > *')
      return shown !== null && shown.dataset.leaving !== 'true'
    })
  }
  await settled(page)
}

export function check(condition, message) {
  if (!condition) throw new Error(message)
}
