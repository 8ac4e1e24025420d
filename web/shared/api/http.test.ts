import { describe, expect, it, vi } from 'vitest'
import { buildQuery, Http } from './http'
import { ApiError } from './problem'

function respond(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  })
}

describe('Http', () => {
  it('sends JSON with the CSRF header only on changes', async () => {
    const fetchImpl = vi.fn(async () => respond(200, { ok: true }))
    const http = new Http('/api/v1', fetchImpl)
    http.csrfToken = 'tok'
    await http.get('/devices', { q: 'hp', limit: 50, empty: '' })
    await http.patch('/me', { locale: 'de' }, '"v3"')
    const [getUrl, getInit] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit]
    expect(getUrl).toBe('/api/v1/devices?q=hp&limit=50')
    expect((getInit.headers as Record<string, string>)['X-CSRF-Token']).toBeUndefined()
    const [, patchInit] = fetchImpl.mock.calls[1] as unknown as [string, RequestInit]
    const headers = patchInit.headers as Record<string, string>
    expect(headers['X-CSRF-Token']).toBe('tok')
    expect(headers['If-Match']).toBe('"v3"')
    expect(patchInit.body).toBe('{"locale":"de"}')
  })

  it('turns problem+json into an ApiError naming the field', async () => {
    const http = new Http('/api/v1', async () =>
      respond(422, { title: 'Invalid', detail: 'name: must not be empty', errors: [{ pointer: '/name', detail: 'must not be empty' }] }))
    const error = await http.post('/organisations', { name: '' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    const e = error as ApiError
    expect(e.kind).toBe('invalid')
    expect(e.fieldError('name')).toBe('must not be empty')
  })

  it('reports the wait of a rate limit and calls the hook when the session is gone', async () => {
    const hook = vi.fn()
    const http = new Http('/api/v1', async (input) =>
      String(input).includes('slow') ? respond(429, { title: 'Too many' }, { 'Retry-After': '30' }) : respond(401, { title: 'Signed out' }))
    http.onUnauthenticated = hook
    const limited = (await http.get('/slow').catch((e: unknown) => e)) as ApiError
    expect(limited.retryAfterSeconds).toBe(30)
    expect(hook).not.toHaveBeenCalled()
    await http.get('/me').catch(() => undefined)
    expect(hook).toHaveBeenCalledOnce()
  })

  it('keeps the session when the 401 refuses a typed password or code', async () => {
    const hook = vi.fn()
    const http = new Http('/api/v1', async () =>
      respond(401, { type: 'urn:openmps:problem:refused', title: 'Unauthorized', detail: 'wrong password' }))
    http.onUnauthenticated = hook
    const e = (await http.post('/me/password', { current: 'x' }).catch((x: unknown) => x)) as ApiError
    expect(e.kind).toBe('unauthenticated')
    expect(e.refusedCredentials).toBe(true)
    expect(hook).not.toHaveBeenCalled()
  })

  it('says the network failed when fetch itself fails', async () => {
    const http = new Http('/api/v1', async () => {
      throw new TypeError('Failed to fetch')
    })
    const e = (await http.get('/me').catch((x: unknown) => x)) as ApiError
    expect(e.kind).toBe('network')
  })

  it('takes the file name of a download from Content-Disposition', async () => {
    const http = new Http('/api/v1', async () =>
      new Response('a,b\n', { status: 200, headers: { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="meters-2026-03.csv"' } }))
    const file = await http.download('/reports/runs/1/file')
    expect(file.filename).toBe('meters-2026-03.csv')
    expect(await file.blob.text()).toBe('a,b\n')
  })
})

describe('buildQuery', () => {
  it('repeats array values and drops empty ones', () => {
    expect(buildQuery({ status: ['error', 'offline'], q: undefined, after: null })).toBe('?status=error&status=offline')
    expect(buildQuery({})).toBe('')
  })
})
