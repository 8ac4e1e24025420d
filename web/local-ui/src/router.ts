import { createRouter, createWebHashHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router'
import { loadSession, sessionState } from './session'

declare module 'vue-router' {
  interface RouteMeta {
    // Message key of the page title.
    title: string
    // The session state the page belongs to; the rest need a signed-in one.
    state?: 'setup' | 'signed_out'
  }
}

export const routes: RouteRecordRaw[] = [
  { path: '/setup', name: 'setup', component: () => import('./pages/SetupPage.vue'), meta: { title: 'setup.title', state: 'setup' } },
  { path: '/sign-in', name: 'sign-in', component: () => import('./pages/SignInPage.vue'), meta: { title: 'signIn.title', state: 'signed_out' } },
  { path: '/', name: 'overview', component: () => import('./pages/OverviewPage.vue'), meta: { title: 'overview.title' } },
  { path: '/devices', name: 'devices', component: () => import('./pages/DevicesPage.vue'), meta: { title: 'devices.title' } },
  { path: '/settings', name: 'settings', component: () => import('./pages/SettingsPage.vue'), meta: { title: 'settings.title' } },
  { path: '/envelopes', name: 'envelopes', component: () => import('./pages/EnvelopesPage.vue'), meta: { title: 'envelopes.title' } },
  { path: '/log', name: 'log', component: () => import('./pages/LogPage.vue'), meta: { title: 'log.title' } },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

// The page a session state allows: setup until a password exists, sign-in
// while signed out, any other page when signed in.
export function pageFor(state: string, to: Pick<RouteLocationNormalized, 'meta' | 'name'>): string | true {
  if (state === 'setup') return to.name === 'setup' ? true : '/setup'
  if (state === 'signed_out') return to.name === 'sign-in' ? true : '/sign-in'
  return to.meta.state ? '/' : true
}

export async function guard(to: RouteLocationNormalized): Promise<string | true> {
  const state = sessionState.value ?? (await loadSession().catch(() => 'signed_out' as const))
  return pageFor(state, to)
}

export const router = createRouter({ history: createWebHashHistory(), routes })
router.beforeEach(guard)
