import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router'
import { can, loadSession, session, signedIn } from './session'

declare module 'vue-router' {
  interface RouteMeta {
    // Message key of the page title.
    title: string
    // Pages anyone may open (sign-in); all others need a complete session.
    public?: boolean
    // The API operation the page is built on: without it the page is not
    // offered (the API would refuse it anyway).
    operation?: string
  }
}

export const routes: RouteRecordRaw[] = [
  { path: '/sign-in', name: 'sign-in', component: () => import('./pages/SignInPage.vue'), meta: { title: 'signIn.title', public: true } },
  // Where "/" leads depends on the role: decided in the guard.
  { path: '/', name: 'home', component: () => import('./pages/NotFoundPage.vue'), meta: { title: 'app.name' } },
  { path: '/dashboard', name: 'dashboard', component: () => import('./pages/DashboardPage.vue'), meta: { title: 'dashboard.title', operation: 'getDashboard' } },
  { path: '/devices', name: 'devices', component: () => import('./pages/DevicesPage.vue'), meta: { title: 'devices.title', operation: 'listDevices' } },
  { path: '/devices/:id(\\d+)', name: 'device', component: () => import('./pages/DevicePage.vue'), meta: { title: 'device.title', operation: 'getDevice' } },
  // One device's own layer of the alert rules (the same page, device scope).
  { path: '/devices/:id(\\d+)/alert-rules', name: 'device-alert-rules', component: () => import('./pages/AlertRulesPage.vue'), meta: { title: 'alertRules.deviceTitle', operation: 'getDeviceAlertRules' } },
  { path: '/alerts', name: 'alerts', component: () => import('./pages/AlertsPage.vue'), meta: { title: 'alerts.title', operation: 'listAlerts' } },
  { path: '/alerts/notifications', name: 'notifications', component: () => import('./pages/NotificationsPage.vue'), meta: { title: 'notifications.title', operation: 'listNotifications' } },
  { path: '/alerts/rules', name: 'alert-rules', component: () => import('./pages/AlertRulesPage.vue'), meta: { title: 'alertRules.title', operation: 'getOrganisationAlertRules' } },
  { path: '/reports', name: 'reports', component: () => import('./pages/ReportsPage.vue'), meta: { title: 'reports.title', operation: 'listReports' } },
  { path: '/customers', name: 'customers', component: () => import('./pages/CustomersPage.vue'), meta: { title: 'customers.title', operation: 'listOrganisations' } },
  { path: '/customers/:id(\\d+)', name: 'customer', component: () => import('./pages/CustomerPage.vue'), meta: { title: 'customer.title', operation: 'getOrganisation' } },
  { path: '/groups', name: 'groups', component: () => import('./pages/GroupsPage.vue'), meta: { title: 'groups.title', operation: 'listDeviceGroups' } },
  { path: '/collectors', name: 'collectors', component: () => import('./pages/CollectorsPage.vue'), meta: { title: 'collectors.title', operation: 'listCollectors' } },
  { path: '/users', name: 'users', component: () => import('./pages/UsersPage.vue'), meta: { title: 'users.title', operation: 'listUsers' } },
  { path: '/tokens', name: 'tokens', component: () => import('./pages/ApiTokensPage.vue'), meta: { title: 'tokens.title', operation: 'listApiTokens' } },
  { path: '/audit', name: 'audit', component: () => import('./pages/AuditPage.vue'), meta: { title: 'audit.title', operation: 'listAuditLog' } },
  { path: '/account', name: 'account', component: () => import('./pages/AccountPage.vue'), meta: { title: 'account.title' } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { title: 'notFound.title', public: true } },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

// The first page a person may open: the dashboard, or else the first page
// their role offers.
export function homeRoute(): { name: string } {
  for (const r of routes) {
    if (r.name !== 'home' && r.meta?.operation && can(r.meta.operation) && typeof r.name === 'string') return { name: r.name }
  }
  return { name: 'account' }
}

export async function guard(to: RouteLocationNormalized) {
  if (!session.loaded) {
    try {
      await loadSession()
    } catch {
      // The server is unreachable: the page shows it when it loads its data.
    }
  }
  // The identity provider's sign-in comes back to "/" with its verdict.
  if (typeof to.query.sign_in_error === 'string') return { name: 'sign-in', query: { oidc_error: to.query.sign_in_error } }
  if (to.meta.public) return true
  if (!signedIn()) return { name: 'sign-in', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  if (to.name === 'home') return homeRoute()
  if (to.meta.operation && !can(to.meta.operation)) {
    return { name: 'not-found', params: { pathMatch: to.path.slice(1).split('/') }, query: { denied: '1' } }
  }
  return true
}

router.beforeEach(guard)
