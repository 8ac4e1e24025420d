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

// Waits until the table shows rows other than `before` (the first row's text).
async function newRows(page, before) {
  await page.waitForFunction((old) => {
    if (document.querySelector('.loading-state')) return false
    const first = document.querySelector('table.devices tbody tr')
    return first !== null && first.textContent !== old
  }, before, { polling: 'raf', timeout: 30_000 })
}

async function firstRow(page) {
  return page.evaluate(() => document.querySelector('table.devices tbody tr')?.textContent ?? '')
}

async function timed(page, action) {
  const before = await firstRow(page)
  const start = Date.now()
  await action()
  await newRows(page, before)
  return Date.now() - start
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
  for (let i = 0; i < Math.max(3, rounds / 2); i++) {
    const start = Date.now()
    await page.goto(`/devices?i=${i}`)
    await page.locator('table.devices tbody tr').first().waitFor({ timeout: 30_000 })
    cold.push(Date.now() - start)
  }
  results.first_page_cold = stats(cold)

  step('first page after navigation inside the portal')
  const warm = []
  const requests = {}
  for (let i = 0; i < rounds; i++) {
    await page.goto('/account')
    await page.locator('main h1').waitFor()
    await page.evaluate(() => performance.clearResourceTimings())
    const start = Date.now()
    await page.locator('.app-nav').getByRole('link', { name: 'Devices', exact: true }).click()
    await page.locator('table.devices tbody tr').first().waitFor({ timeout: 30_000 })
    warm.push(Date.now() - start)
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
    const start = Date.now()
    await page.locator('#device-kind').selectOption('scanner')
    // Done when the list shows scanners only, or says none matches.
    await page.waitForFunction(() => {
      if (document.querySelector('.loading-state, [aria-busy="true"]')) return false
      const kinds = [...document.querySelectorAll('table.devices tbody [data-test=kind]')].map((c) => c.textContent)
      return kinds.length > 0 ? kinds.every((k) => k === 'Scanner') : document.querySelector('main p.hint[role=status]') !== null
    }, undefined, { polling: 'raf', timeout: 30_000 })
    kind.push(Date.now() - start)
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
