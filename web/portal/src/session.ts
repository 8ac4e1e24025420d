import { reactive, readonly } from 'vue'
import { ApiError } from '@shared/api/problem'
import { isLocale, type Locale } from '@shared/i18n/locales'
import { http } from './api/http'
import type { Me, SessionStage } from './api/types'

// Who is signed in, what they may do, and where the sign-in stands.
// The API is the authority; this only decides which controls to show.
interface SessionState {
  me: Me | null
  stage: SessionStage | null
  loaded: boolean
  ended: 'idle' | 'signed-out' | null
}

const state = reactive<SessionState>({ me: null, stage: null, loaded: false, ended: null })
export const session = readonly(state)

http.onUnauthenticated = () => {
  if (state.me && state.stage === 'complete') state.ended = 'idle'
  state.me = null
  state.stage = null
}

export function signedIn(): boolean {
  return state.me !== null && state.stage === 'complete'
}

export function can(operation: string): boolean {
  return signedIn() && (state.me?.operations?.includes(operation) ?? false)
}

export function canAny(...operations: string[]): boolean {
  return operations.some(can)
}

export function userLocale(): Locale | undefined {
  const l = state.me?.locale
  return isLocale(l) ? l : undefined
}

// Asks the API who this browser is signed in as; a session still in its
// sign-in steps is kept with its stage.
export async function loadSession(): Promise<void> {
  try {
    setMe(await http.get<Me>('/me'))
  } catch (e) {
    if (!(e instanceof ApiError) || e.kind !== 'unauthenticated') throw e
    state.me = null
    state.stage = null
  } finally {
    state.loaded = true
  }
}

export function setMe(me: Me): void {
  state.me = me
  state.stage = me.stage
  if (me.stage === 'complete') state.ended = null
  if (me.csrf_token) http.csrfToken = me.csrf_token
}

export function setStage(stage: SessionStage, csrfToken?: string | null): void {
  state.stage = stage
  if (csrfToken) http.csrfToken = csrfToken
}

export function setLocale(locale: Locale): void {
  if (state.me) state.me.locale = locale
}

export async function signOut(): Promise<void> {
  try {
    await http.delete('/session')
  } finally {
    state.me = null
    state.stage = null
    state.ended = 'signed-out'
    http.csrfToken = undefined
  }
}
