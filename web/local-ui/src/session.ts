import { shallowRef } from 'vue'
import { api, http, type SessionState } from './api'

// What the daemon says about this browser: setup still to do, signed out or
// signed in (with the CSRF token every change must carry).
export const sessionState = shallowRef<SessionState | undefined>()

export function adopt(state: SessionState, csrf?: string): void {
  sessionState.value = state
  http.csrfToken = csrf
}

export async function loadSession(): Promise<SessionState> {
  const info = await api.session()
  adopt(info.state, info.csrf_token)
  return info.state
}

// Idle logout or a restart of the daemon: back to the sign-in page.
http.onUnauthenticated = () => adopt('signed_out')
