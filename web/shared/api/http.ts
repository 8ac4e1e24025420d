import { ApiError, parseRetryAfter, type Problem } from './problem'

// The one way both front ends talk to their server: JSON in and out,
// the CSRF header on every request that changes state, problem+json turned
// into ApiError, and one hook for "the session is gone".

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[]
export type Query = Record<string, QueryValue>

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  query?: Query
  body?: unknown
  ifMatch?: string
  signal?: AbortSignal
}

export interface ApiResponse<T> {
  data: T
  status: number
  etag?: string
  headers: Headers
}

export interface Download {
  blob: Blob
  filename: string
  contentType: string
}

export const csrfHeader = 'X-CSRF-Token'

export function buildQuery(query: Query | undefined): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value)) {
      for (const v of value) params.append(key, String(v))
    } else {
      params.append(key, String(value))
    }
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

function filenameOf(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)
  if (star?.[1]) return decodeURIComponent(star[1])
  const plain = /filename="?([^";]+)"?/i.exec(disposition)
  return plain?.[1] ?? fallback
}

export class Http {
  csrfToken: string | undefined
  onUnauthenticated: ((error: ApiError) => void) | undefined

  constructor(
    private readonly base: string = '/api/v1',
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  async request<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const response = await this.send(path, options, 'application/json')
    const text = response.status === 204 ? '' : await response.text()
    const data = (text ? JSON.parse(text) : undefined) as T
    return { data, status: response.status, etag: response.headers.get('ETag') ?? undefined, headers: response.headers }
  }

  async get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return (await this.request<T>(path, { query, signal })).data
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    return (await this.request<T>(path, { method: 'POST', body })).data
  }

  async patch<T>(path: string, body: unknown, ifMatch?: string): Promise<T> {
    return (await this.request<T>(path, { method: 'PATCH', body, ifMatch })).data
  }

  async put<T>(path: string, body: unknown, ifMatch?: string): Promise<T> {
    return (await this.request<T>(path, { method: 'PUT', body, ifMatch })).data
  }

  async delete(path: string, ifMatch?: string): Promise<void> {
    await this.request<unknown>(path, { method: 'DELETE', ifMatch })
  }

  // A file the API renders (a report): the bytes and the name it suggests.
  async download(path: string, query?: Query, fallbackName = 'download'): Promise<Download> {
    const response = await this.send(path, { query }, '*/*')
    return {
      blob: await response.blob(),
      filename: filenameOf(response.headers.get('Content-Disposition'), fallbackName),
      contentType: response.headers.get('Content-Type') ?? 'application/octet-stream',
    }
  }

  private async send(path: string, options: RequestOptions, accept: string): Promise<Response> {
    const method = options.method ?? 'GET'
    const headers: Record<string, string> = { Accept: `${accept}, application/problem+json` }
    let body: string | undefined
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(options.body)
    }
    if (method !== 'GET' && this.csrfToken) headers[csrfHeader] = this.csrfToken
    if (options.ifMatch) headers['If-Match'] = options.ifMatch
    let response: Response
    try {
      response = await this.fetchImpl(this.base + path + buildQuery(options.query), {
        method, headers, body, signal: options.signal, credentials: 'same-origin',
      })
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e
      throw new ApiError(0, { title: e instanceof Error ? e.message : String(e) })
    }
    if (!response.ok) throw await this.errorOf(response)
    return response
  }

  private async errorOf(response: Response): Promise<ApiError> {
    let problem: Problem = { status: response.status, title: response.statusText }
    try {
      const text = await response.text()
      if (text) problem = { ...problem, ...(JSON.parse(text) as Problem) }
    } catch {
      // Not JSON (a proxy's error page): the status says enough.
    }
    const error = new ApiError(response.status, problem, parseRetryAfter(response.headers.get('Retry-After')))
    if (error.kind === 'unauthenticated' && !error.refusedCredentials) this.onUnauthenticated?.(error)
    return error
  }
}
