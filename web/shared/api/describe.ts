import { ApiError } from './problem'

type Translate = (key: string, values?: Record<string, unknown>) => string

// What to tell a person about a failed request, in their language: what
// happened and what to do next.
export function describeError(error: unknown, t: Translate): string {
  if (!(error instanceof ApiError)) {
    return t('shared.errors.server', { detail: error instanceof Error ? error.message : String(error) })
  }
  const detail = error.problem.detail ?? error.problem.title ?? String(error.status)
  switch (error.kind) {
    case 'network':
      return t('shared.errors.network')
    case 'unauthenticated':
      return error.refusedCredentials ? t('shared.errors.refused') : t('shared.errors.unauthenticated')
    case 'forbidden':
      return t('shared.errors.forbidden')
    case 'not-found':
      return t('shared.errors.notFound')
    case 'conflict':
      // 412 (and a 409 without a reason) is a change made meanwhile; a 409
      // with a reason is the state of things refusing it ("accounts are
      // restricted to the site"): the reason says what to change first.
      return error.status === 409 && error.problem.detail
        ? t('shared.errors.conflictBecause', { detail: error.problem.detail })
        : t('shared.errors.conflict')
    case 'invalid':
      return t('shared.errors.invalid', { detail })
    case 'rate-limited':
      return error.retryAfterSeconds !== undefined
        ? t('shared.errors.rateLimited', { seconds: error.retryAfterSeconds })
        : t('shared.errors.rateLimitedShort')
    default:
      return t('shared.errors.server', { detail })
  }
}
