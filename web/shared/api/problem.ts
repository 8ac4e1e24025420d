// Errors from the API (RFC 9457 problem+json) and from the network, in one
// shape the pages show: what happened, which field, and whether a retry helps.

export interface FieldProblem {
  field: string
  detail: string
}

export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  field?: string
  errors?: { field?: string; name?: string; pointer?: string; detail?: string; message?: string }[]
  invalid_params?: { name?: string; reason?: string }[]
  [extension: string]: unknown
}

export type ApiErrorKind = 'network' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'invalid' | 'rate-limited' | 'server'

export class ApiError extends Error {
  readonly status: number
  readonly kind: ApiErrorKind
  readonly problem: Problem
  readonly fields: FieldProblem[]
  readonly retryAfterSeconds?: number

  constructor(status: number, problem: Problem, retryAfterSeconds?: number) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
    this.kind = kindOf(status)
    this.fields = fieldsOf(problem)
    this.retryAfterSeconds = retryAfterSeconds
  }

  // A 401 that refuses what the person typed (a password or a code: the
  // server's `refused`), not their session: the session goes on.
  get refusedCredentials(): boolean {
    return this.status === 401 && (this.problem.type?.endsWith(':refused') ?? false)
  }

  fieldError(field: string): string | undefined {
    return this.fields.find((f) => f.field === field)?.detail
  }
}

export function kindOf(status: number): ApiErrorKind {
  if (status === 0) return 'network'
  if (status === 401) return 'unauthenticated'
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not-found'
  if (status === 409 || status === 412) return 'conflict'
  if (status === 400 || status === 422) return 'invalid'
  if (status === 429) return 'rate-limited'
  return 'server'
}

function pointerToField(pointer: string): string {
  return pointer.replace(/^#?\//, '').replace(/\//g, '.')
}

export function fieldsOf(problem: Problem): FieldProblem[] {
  const out: FieldProblem[] = []
  const detail = problem.detail ?? problem.title ?? ''
  if (typeof problem.field === 'string' && problem.field) out.push({ field: problem.field, detail })
  for (const p of problem.invalid_params ?? []) {
    if (p.name) out.push({ field: p.name, detail: p.reason ?? detail })
  }
  for (const e of problem.errors ?? []) {
    const field = e.field ?? e.name ?? (e.pointer ? pointerToField(e.pointer) : '')
    if (field) out.push({ field, detail: e.detail ?? e.message ?? detail })
  }
  return out
}

export function parseRetryAfter(header: string | null, now: Date = new Date()): number | undefined {
  if (!header) return undefined
  if (/^\d+$/.test(header.trim())) return Number(header.trim())
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((at - now.getTime()) / 1000))
}
