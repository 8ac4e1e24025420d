import { Http } from '@shared/api/http'

// The client daemon's JSON API on its loopback listener. Shapes as the page
// reads them; the listener's contract is client/local_ui/api.md.
export const http = new Http('/api')

export type SessionState = 'setup' | 'signed_out' | 'signed_in'

export interface SessionInfo {
  state: SessionState
  csrf_token?: string
}

export interface CarrierSend {
  carrier: string
  server?: string
  last_success_at?: string | null
  last_error?: string | null
}

export interface Status {
  enrolled: boolean
  collector_id?: string | null
  server?: string | null
  carriers: CarrierSend[]
  outbox: { count: number; oldest_at?: string | null; bytes?: number }
  next?: { sweep?: string | null; read?: string | null; send?: string | null }
  warnings: { code: string; detail?: string }[]
}

export interface Supply {
  index: number
  description: string
  color?: string | null
  level_percent?: number | null
}

export interface Reading {
  address: string
  kind?: string
  manufacturer?: string | null
  model?: string | null
  serial?: string | null
  read_at?: string | null
  counters: Record<string, number>
  supplies: Supply[]
  error?: string | null
}

export interface Device extends Reading {
  state: 'ok' | 'failing' | 'offline' | 'new'
  failures?: number
}

export interface Envelope {
  id: string
  sent_at: string
  carrier: string
  server: string
  readings: number
  bytes?: number
}

export interface EnvelopeContent {
  envelope: Envelope
  content: unknown
}

export interface LogLine {
  at: string
  level: string
  message: string
}

// The part of the configuration the page edits, in the configuration file's
// own names. Secrets never come back: only whether one is set.
export interface Network {
  name: string
  ranges: string[]
  exclude: string[]
  credentials?: string[]
  port?: number
}

export interface CredentialSet {
  name: string
  version: '1' | '2c' | '3'
  user?: string | null
  auth_protocol?: string | null
  priv_protocol?: string | null
  secret_set: boolean
}

// The routes out: proxy (https:// servers only), how long readings wait
// for company, and the customer's mail server for mailto: routes.
export interface SmtpRoute {
  configured: boolean
  server: string
  port: number
  tls: 'starttls' | 'implicit'
  user: string
  password_set: boolean
  from: string
  to: string
}

export interface CarrierSettings {
  proxy: string
  send_interval: string
  smtp: SmtpRoute
}

export interface Settings {
  networks: Network[]
  credentials: CredentialSet[]
  intervals: { discovery: string; meter: string; status: string }
  carrier?: CarrierSettings
}

export interface CarrierChange {
  proxy?: string
  send_interval?: string
  smtp?: { remove?: boolean; server?: string; port?: number; tls?: string; user?: string; password?: string; from?: string; to?: string }
}

// A change: only what is given changes; a secret is replaced, never read.
export interface SettingsChange {
  networks?: Network[]
  credentials?: { name: string; community?: string; auth_password?: string; priv_password?: string }[]
  intervals?: Partial<Settings['intervals']>
  carrier?: CarrierChange
}

export const api = {
  session: () => http.get<SessionInfo>('/session'),
  setUp: (setup_code: string, password: string) => http.post<SessionInfo>('/setup', { setup_code, password }),
  signIn: (password: string) => http.post<SessionInfo>('/session', { password }),
  signOut: () => http.delete('/session'),
  status: () => http.get<Status>('/status'),
  devices: () => http.get<{ items: Device[] }>('/devices'),
  probe: (address: string) => http.post<Reading>('/probe', { address }),
  readNow: (address: string) => http.post<Reading>(`/devices/${encodeURIComponent(address)}/read`),
  settings: () => http.get<Settings>('/settings'),
  saveSettings: (change: SettingsChange) => http.patch<Settings>('/settings', change),
  enroll: (enrollment: string) => http.post<Status>('/enrollment', { enrollment }),
  envelopes: () => http.get<{ items: Envelope[] }>('/envelopes'),
  envelope: (id: string) => http.get<EnvelopeContent>(`/envelopes/${encodeURIComponent(id)}`),
  log: () => http.get<{ items: LogLine[] }>('/log'),
}
