// Checks for the message files and the sources of a front end, used by each
// front end's Vitest suite: every language has the same keys and
// placeholders as English, every key the code names exists, and no text a
// person reads is written in a template or script instead of a message file.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parse as parseSfc } from '@vue/compiler-sfc'
import { NodeTypes, type RootNode, type TemplateChildNode } from '@vue/compiler-core'

type Tree = { [key: string]: Tree | string }

export function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(key, v)
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv)
  }
  return out
}

export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{\s*([A-Za-z_][\w]*)\s*\}/g)].map((m) => m[1]!).sort()
}

// Differences of one language against English: missing and extra keys,
// empty messages, placeholders that differ.
export function compareLocales(en: Map<string, string>, other: Map<string, string>): string[] {
  const problems: string[] = []
  for (const [key, message] of en) {
    const theirs = other.get(key)
    if (theirs === undefined) problems.push(`missing ${key}`)
    else if (!theirs.trim()) problems.push(`empty ${key}`)
    else if (placeholders(theirs).join() !== placeholders(message).join()) problems.push(`placeholders differ in ${key}`)
  }
  for (const key of other.keys()) if (!en.has(key)) problems.push(`extra ${key}`)
  return problems
}

export function sourceFiles(dir: string, exts = ['.vue', '.ts']): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && name !== 'dist' && name !== 'locales') out.push(...sourceFiles(path, exts))
    } else if (exts.some((e) => name.endsWith(e)) && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) {
      out.push(path)
    }
  }
  return out
}

// Attributes a person reads or hears.
const readAttributes = new Set(['aria-label', 'aria-description', 'title', 'placeholder', 'alt', 'label', 'summary'])
const letters = /\p{L}/u

function templateProblems(root: RootNode): string[] {
  const problems: string[] = []
  const visit = (nodes: TemplateChildNode[]) => {
    for (const node of nodes) {
      if (node.type === NodeTypes.TEXT && letters.test(node.content)) {
        problems.push(`line ${node.loc.start.line}: text "${node.content.trim()}"`)
      }
      if (node.type === NodeTypes.INTERPOLATION && node.content.type === NodeTypes.SIMPLE_EXPRESSION) {
        problems.push(...scriptProblems(node.content.content, node.loc.start.line))
      }
      if (node.type === NodeTypes.ELEMENT) {
        for (const prop of node.props) {
          if (prop.type === NodeTypes.DIRECTIVE && prop.exp?.type === NodeTypes.SIMPLE_EXPRESSION) {
            problems.push(...scriptProblems(prop.exp.content, prop.loc.start.line))
          }
          if (prop.type === NodeTypes.ATTRIBUTE && readAttributes.has(prop.name) && prop.value && letters.test(prop.value.content)) {
            problems.push(`line ${prop.loc.start.line}: ${prop.name}="${prop.value.content}"`)
          }
        }
        visit(node.children)
      }
      if (node.type === NodeTypes.IF) for (const b of node.branches) visit(b.children)
      if (node.type === NodeTypes.FOR) visit(node.children)
    }
  }
  visit(root.children)
  return problems
}

// A string literal that reads like a sentence ("Could not load devices")
// rather than a key, a path or a CSS class.
const prose = /(['"`])([A-Z][a-z]+(?: [a-zA-Z,']+){2,}[.!?]?)\1/g

function scriptProblems(code: string, firstLine: number): string[] {
  const problems: string[] = []
  code.split('\n').forEach((line, i) => {
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) return
    for (const m of line.matchAll(prose)) problems.push(`line ${firstLine + i}: string ${m[0]}`)
  })
  return problems
}

export function hardCodedText(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  if (!file.endsWith('.vue')) return scriptProblems(text, 1)
  const { descriptor, errors } = parseSfc(text, { filename: file })
  if (errors.length) return errors.map((e) => `parse error: ${String(e)}`)
  const problems: string[] = []
  if (descriptor.template?.ast) problems.push(...templateProblems(descriptor.template.ast as RootNode))
  const script = descriptor.scriptSetup ?? descriptor.script
  if (script) problems.push(...scriptProblems(script.content, script.loc.start.line))
  return problems
}

// Message keys the code names literally: t('a.b'), $t("a.b"), title: 'a.b'
// in route meta, and key prefixes of template literals (t(`roles.${r}`)).
export function usedKeys(files: string[]): { exact: Set<string>; prefixes: Set<string> } {
  const exact = new Set<string>()
  const prefixes = new Set<string>()
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/\b(?:\$?t|te)\(\s*'([\w.]+)'/g)) exact.add(m[1]!)
    for (const m of text.matchAll(/\b(?:\$?t|te)\(\s*`([\w.]+)\.\$\{/g)) prefixes.add(m[1]!)
    for (const m of text.matchAll(/\b(?:title|titleKey|labelKey|key): '([a-zA-Z]+\.[\w.]+)'/g)) exact.add(m[1]!)
  }
  return { exact, prefixes }
}

export function relativeTo(root: string, file: string): string {
  return relative(root, file)
}
