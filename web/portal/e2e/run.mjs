// Runs one scenario (a file of this folder) with a browser, and reports:
//   node run.mjs SCENARIO
// exits 0 when every step passed; on a failure, prints the step and the
// error, saves a screenshot of the page as failure-SCENARIO.png, exits 1.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { context, launch } from './lib.mjs'

const name = process.argv[2]
if (!name) {
  console.error('usage: node run.mjs SCENARIO')
  process.exit(2)
}
const scenario = await import(`./${name}.mjs`)
const browser = await launch()
const pages = []
const steps = { current: '(start)', at: Date.now() }
try {
  await scenario.default({
    browser,
    track: (page) => pages.push(page),
    step: (label) => {
      console.log(`step: ${steps.current} took ${Date.now() - steps.at} ms`)
      steps.current = label
      steps.at = Date.now()
    },
  })
  console.log(`ok: ${name}`)
} catch (e) {
  console.error(`FAILED ${name} at "${steps.current}": ${e instanceof Error ? e.stack : e}`)
  const dir = context().artifacts
  mkdirSync(dir, { recursive: true })
  for (const [i, page] of pages.entries()) {
    await page.screenshot({ path: join(dir, `failure-${name}-${i}.png`), fullPage: true }).catch(() => undefined)
    console.error(`page ${i} was at ${page.url()}`)
  }
  process.exitCode = 1
} finally {
  await browser.close()
}
