// The device list with a large fleet, in headless Chromium: how long from
// navigation to the first page of rows, and from a click (next page,
// filter, sort, search) to the new rows. Beside each, the API's own time
// for the same request measured from this process in the same run (the
// baseline: what the browser adds is the ratio). Prints one JSON line.
import { check, context, newPage, signIn } from './lib.mjs'

const rounds = Number(process.env.OPENMPS_BENCH_ROUNDS ?? 10)

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b)
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))]
  const half = Math.floor(s.length / 2)
  const median = s.length % 2 === 1 ? s[half] : (s[half - 1] + s[half]) / 2
  return { n: s.length, median_ms: Math.round(median), p95_ms: Math.round(at(0.95)), max_ms: Math.round(s[s.length - 1]) }
}

// A step is timed inside the page, as a person sees it: from the first
// click, input or change event to the frame after the table's first row
// changed (and no loading state shows). Timing from this process would add
// Playwright's own round trips to the browser (its click waits for the
// element to be actionable, its polling for the rows), 100-250 ms on a
// busy machine that no person waits for.
// `until`: "rows" (the first row changed) or "scanners" (the list shows
// scanners only, or says that none matches).
function armStep({ before, until }) {
  window.__bench = { start: 0, rows: 0, painted: 0 }
  const b = window.__bench
  const startOnce = () => { if (!b.start) b.start = performance.now() }
  for (const type of ['click', 'input', 'change']) document.addEventListener(type, startOnce, { capture: true, once: true })
  const done = () => {
    if (document.querySelector('.loading-state')) return false
    if (until === 'scanners') {
      if (document.querySelector('[aria-busy="true"]')) return false
      const kinds = [...document.querySelectorAll('table.devices tbody [data-test=kind]')].map((c) => c.textContent)
      return kinds.length > 0 ? kinds.every((k) => k === 'Scanner') : document.querySelector('main p.hint[role=status]') !== null
    }
    const first = document.querySelector('table.devices tbody tr')
    return first !== null && first.textContent !== before
  }
  const observer = new MutationObserver(() => {
    if (b.rows || !done()) return
    b.rows = performance.now()
    observer.disconnect()
    // The frame that shows the rows is painted after this callback.
    requestAnimationFrame(() => setTimeout(() => { b.painted = performance.now() }, 0))
  })
  observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['aria-busy'] })
}

async function firstRow(page) {
  return page.evaluate(() => document.querySelector('table.devices tbody tr')?.textContent ?? '')
}

async function timed(page, action, until = 'rows') {
  await page.evaluate(armStep, { before: await firstRow(page), until })
  await action()
  await page.waitForFunction(() => window.__bench.painted > 0, undefined, { polling: 'raf', timeout: 30_000 })
  return page.evaluate(() => window.__bench.painted - window.__bench.start)
}

// A cold load: from the navigation's start (the page's time origin) to the
// frame after the first row appeared, recorded by a script that runs
// before the page's own.
function recordFirstRows() {
  const observer = new MutationObserver(() => {
    if (!document.querySelector('table.devices tbody tr')) return
    observer.disconnect()
    requestAnimationFrame(() => setTimeout(() => { window.__firstRowsPainted = performance.now() }, 0))
  })
  observer.observe(document, { subtree: true, childList: true })
}

// The API alone: the same request with the page's session, no rendering.
async function apiTime(page, query) {
  return page.evaluate(async (q) => {
    const start = performance.now()
    const r = await fetch(`/api/v1/devices?${q}`, { credentials: 'same-origin' })
    await r.json()
    return performance.now() - start
  }, query)
}

// The API calls the page made since the last clearResourceTimings: each
// path without its query, with its time from request start to end, so the
// report shows what the page waited for (its code is cached by then).
async function requestTimes(page) {
  return page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('/api/v1/'))
    .map((e) => [new URL(e.name).pathname, e.responseEnd - e.startTime]))
}

export default async function ({ browser, track, step }) {
  const who = context().bench_user
  const results = {}
  const page = await newPage(browser)
  track(page)
  step('sign in')
  await signIn(page, who)

  step('first page after navigation (cold page load)')
  const cold = []
  await page.addInitScript(recordFirstRows)
  for (let i = 0; i < Math.max(3, rounds / 2); i++) {
    await page.goto(`/devices?i=${i}`)
    await page.waitForFunction(() => window.__firstRowsPainted > 0, undefined, { polling: 'raf', timeout: 30_000 })
    cold.push(await page.evaluate(() => window.__firstRowsPainted))
  }
  results.first_page_cold = stats(cold)

  step('first page after navigation inside the portal')
  const warm = []
  const requests = {}
  for (let i = 0; i < rounds; i++) {
    await page.goto('/account')
    await page.locator('main h1').waitFor()
    await page.evaluate(() => performance.clearResourceTimings())
    warm.push(await timed(page, () => page.locator('.app-nav').getByRole('link', { name: 'Devices', exact: true }).click()))
    for (const [name, ms] of await requestTimes(page)) (requests[name] ??= []).push(ms)
  }
  results.first_page_in_app = stats(warm)
  results.first_page_in_app_requests = Object.fromEntries(Object.entries(requests).map(([k, v]) => [k, stats(v)]))
  const shown = await page.locator('table.devices tbody tr').count()
  check(shown === 50, `the first page shows ${shown} rows`)

  step('next pages')
  const next = []
  for (let i = 0; i < rounds; i++) {
    next.push(await timed(page, () => page.getByRole('button', { name: 'Next page' }).click()))
  }
  results.next_page = stats(next)

  step('filters')
  const filter = []
  for (let i = 0; i < rounds; i++) {
    const value = ['error', 'warning', 'ok'][i % 3]
    filter.push(await timed(page, () => page.locator('#device-status').selectOption(value)))
  }
  await page.locator('#device-status').selectOption('')
  results.filter = stats(filter)

  step('kind filter (scanners: none or few among the printers, the filter the index helps least)')
  const kind = []
  for (let i = 0; i < rounds; i++) {
    kind.push(await timed(page, () => page.locator('#device-kind').selectOption('scanner'), 'scanners'))
    await page.locator('#device-kind').selectOption('')
    await page.locator('table.devices tbody tr').first().waitFor({ timeout: 30_000 })
  }
  results.kind_filter = stats(kind)

  step('sorts')
  const sort = []
  const bySort = {}
  const columns = ['Model', 'Customer', 'Address', 'Last seen', 'Serial']
  // Each column is checked on its own median: five clicks each, so one
  // slow frame on a busy machine does not decide a column.
  for (let i = 0; i < Math.max(rounds, columns.length * 5); i++) {
    const name = columns[i % columns.length]
    const ms = await timed(page, () => page.locator('table.devices thead').getByRole('button', { name, exact: false }).first().click())
    sort.push(ms)
    ;(bySort[name] ??= []).push(ms)
  }
  results.sort = stats(sort)
  results.sort_by_column = Object.fromEntries(Object.entries(bySort).map(([k, v]) => [k, stats(v)]))

  step('search (after the 300 ms pause the field waits for typing to end)')
  const search = []
  const terms = context().bench_terms
  for (let i = 0; i < rounds; i++) {
    search.push(await timed(page, () => page.locator('#device-search').fill(terms[i % terms.length])))
  }
  results.search_including_typing_pause = stats(search)

  step('the API alone (baseline)')
  const api = { first: [], filter: [], search: [], kind: [] }
  for (let i = 0; i < rounds; i++) {
    api.first.push(await apiTime(page, 'limit=50&sort=serial'))
    api.filter.push(await apiTime(page, `limit=50&sort=serial&status=${['error', 'warning', 'ok'][i % 3]}`))
    api.search.push(await apiTime(page, `limit=50&sort=serial&q=${encodeURIComponent(terms[i % terms.length])}`))
    api.kind.push(await apiTime(page, 'limit=50&sort=serial&kind=scanner'))
  }
  // Each sort the list offers, both ways (the baseline above is by serial).
  const apiSorts = {}
  for (const key of ['model', 'customer', 'ip', 'location', 'last_seen', 'serial']) {
    for (const sort of [key, `-${key}`]) {
      const ms = []
      for (let i = 0; i < Math.max(2, rounds / 3); i++) ms.push(await apiTime(page, `limit=50&sort=${sort}`))
      apiSorts[sort] = stats(ms)
    }
  }
  results.api_sorts = apiSorts
  results.api_first_page = stats(api.first)
  results.api_filter = stats(api.filter)
  results.api_search = stats(api.search)
  results.api_kind = stats(api.kind)
  console.log(`BENCH ${JSON.stringify(results)}`)
}
