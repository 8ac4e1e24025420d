// The bytes a browser fetches before the portal's first page can run: the
// entry script and the modules index.html preloads, gzipped at level 9
// (what a compressing server or proxy sends). Charts are loaded later by
// the pages that draw them and are not part of it.
//   node scripts/initial-size.mjs DIST_DIR   → prints JSON
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const dist = process.argv[2]
if (!dist) {
  console.error('usage: node initial-size.mjs DIST_DIR')
  process.exit(2)
}
const html = readFileSync(join(dist, 'index.html'), 'utf8')
const refs = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)].map((m) => m[1])
const files = [...new Set(refs)].map((ref) => {
  const bytes = readFileSync(join(dist, ref.replace(/^\//, '')))
  return { file: ref, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
})
const all = (await import('node:fs')).readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'))
const charts = all.filter((f) => f.startsWith('echarts')).map((f) => {
  const bytes = readFileSync(join(dist, 'assets', f))
  return { file: f, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
})
console.log(JSON.stringify({
  initial: files,
  initial_gzip_bytes: files.reduce((s, f) => s + f.gzip, 0),
  charts_gzip_bytes: charts.reduce((s, f) => s + f.gzip, 0),
  charts_in_initial: files.some((f) => f.file.includes('echarts')),
}, null, 2))
