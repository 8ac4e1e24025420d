import type { Locale } from '@shared/i18n/locales'
import { http } from './http'
import type { Me, SessionStage } from './types'

// Signing in and the person's own account (server/auth's routes).

export interface SignInAnswer {
  stage: SessionStage
  csrf_token?: string
}

export interface TotpEnrolment {
  uri: string
  secret: string
  qr_svg: string
}

export interface OidcProvider {
  enabled: boolean
  name?: string
}

export function signIn(username: string, password: string): Promise<SignInAnswer> {
  return http.post<SignInAnswer>('/session', { username, password })
}

export function secondFactor(code: string): Promise<SignInAnswer> {
  return http.post<SignInAnswer>('/session/second-factor', { code })
}

export function beginTotp(): Promise<TotpEnrolment> {
  return http.post<TotpEnrolment>('/me/totp')
}

export function confirmTotp(code: string): Promise<{ stage?: SessionStage; csrf_token?: string; recovery_codes: string[] }> {
  return http.post('/me/totp/confirm', { code })
}

export function changePassword(current: string, next: string): Promise<SignInAnswer> {
  return http.post<SignInAnswer>('/me/password', { current_password: current, new_password: next })
}

export function getMe(): Promise<Me> {
  return http.get<Me>('/me')
}

export function saveMyLocale(locale: Locale): Promise<unknown> {
  return http.patch('/me', { locale })
}

export function oidcProvider(): Promise<OidcProvider> {
  return http.get<OidcProvider>('/session/oidc')
}

export function oidcStartUrl(next: string): string {
  return `/api/v1/session/oidc/start?next=${encodeURIComponent(next)}`
}
