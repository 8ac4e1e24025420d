import type { Locale } from '@shared/i18n/locales'
import { http } from './http'
import type { Me, SessionStage } from './types'

// Signing in and the person's own account (server/auth's routes).

export interface SessionAnswer {
  stage: SessionStage
  csrf_token: string
}

export interface TotpEnrolment {
  otpauth_uri: string
  secret: string
  qr_svg: string
}

export interface AuthMethods {
  password: boolean
  oidc: { enabled: boolean; label?: string; start?: string }
}

export function signIn(username: string, password: string): Promise<SessionAnswer> {
  return http.post<SessionAnswer>('/session', { username, password })
}

export function secondFactor(code: string): Promise<SessionAnswer> {
  return http.post<SessionAnswer>('/session/second-factor', { code })
}

export function beginTotp(): Promise<TotpEnrolment> {
  return http.post<TotpEnrolment>('/me/totp/enrolment')
}

export function confirmTotp(code: string): Promise<Partial<SessionAnswer> & { recovery_codes?: string[] }> {
  return http.post('/me/totp/confirmation', { code })
}

// Ten new recovery codes (the old ones stop working), with a current code.
export function renewRecoveryCodes(code: string): Promise<Partial<SessionAnswer> & { recovery_codes?: string[] }> {
  return http.post('/me/recovery-codes', { code })
}

// The second factor off (refused where the role requires it), with a current code.
export function removeTotp(code: string): Promise<SessionAnswer> {
  return http.post<SessionAnswer>('/me/totp/removal', { code })
}

export function changePassword(current: string, next: string): Promise<SessionAnswer> {
  return http.post<SessionAnswer>('/me/password', { current_password: current, new_password: next })
}

export function getMe(): Promise<Me> {
  return http.get<Me>('/me')
}

export function saveMyLocale(locale: Locale): Promise<Me> {
  return http.patch<Me>('/me', { locale })
}

export function authMethods(): Promise<AuthMethods> {
  return http.get<AuthMethods>('/auth/methods')
}

// The identity provider's sign-in starts with a full-page navigation (the
// server redirects to the provider and back).
export function oidcStartUrl(methods: AuthMethods): string {
  return `/api/v1${methods.oidc.start?.replace(/^\/api\/v1/, '') ?? '/auth/oidc/start'}`
}
