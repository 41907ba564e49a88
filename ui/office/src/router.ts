import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { isAdmin, probe, signedIn } from './session'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    public?: boolean
    /** Only the county (district) administrator. */
    admin?: boolean
    /** The menu entry to light up. */
    menu?: string
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/sign-in', name: 'sign-in', component: () => import('./views/SignInView.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./components/AppLayout.vue'),
    children: [
      { path: '', name: 'dashboard', component: () => import('./views/DashboardView.vue'), meta: { menu: 'dashboard' } },
      { path: 'households', name: 'households', component: () => import('./views/HouseholdsView.vue'), meta: { menu: 'households' } },
      { path: 'households/:id', name: 'household', component: () => import('./views/HouseholdView.vue'), props: true, meta: { menu: 'households' } },
      { path: 'review', name: 'review', component: () => import('./views/ReviewView.vue'), meta: { menu: 'review' } },
      { path: 'findings', name: 'findings', component: () => import('./views/FindingsView.vue'), meta: { menu: 'findings' } },
      { path: 'assignments', name: 'assignments', component: () => import('./views/AssignmentsView.vue'), meta: { menu: 'assignments' } },
      { path: 'samples/:id?', name: 'samples', component: () => import('./views/SamplesView.vue'), props: true, meta: { menu: 'samples', admin: true } },
      { path: 'import', name: 'import', component: () => import('./views/ImportView.vue'), meta: { menu: 'import', admin: true } },
      { path: 'tasks', name: 'tasks', component: () => import('./views/TasksView.vue'), meta: { menu: 'tasks' } },
      { path: 'sites', name: 'sites', component: () => import('./views/SitesView.vue'), meta: { menu: 'sites' } },
      { path: 'old-houses', name: 'old-houses', component: () => import('./views/OldHousesView.vue'), meta: { menu: 'old-houses' } },
      { path: 'forms', name: 'forms', component: () => import('./views/FormsView.vue'), meta: { menu: 'forms' } },
      { path: 'policy', name: 'policy', component: () => import('./views/PolicyView.vue'), meta: { menu: 'policy' } },
      { path: 'reports', name: 'reports', component: () => import('./views/ReportsView.vue'), meta: { menu: 'reports' } },
      { path: 'integrations', name: 'integrations', component: () => import('./views/IntegrationsView.vue'), meta: { menu: 'integrations', admin: true } },
      { path: 'security', name: 'security', component: () => import('./views/SecurityView.vue'), meta: { menu: 'security', admin: true } },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

router.beforeEach(async (to) => {
  await probe()
  if (!to.meta.public && !signedIn.value) {
    return { name: 'sign-in', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (to.name === 'sign-in' && signedIn.value) return { name: 'dashboard' }
  if (to.meta.admin && !isAdmin.value) return { name: 'dashboard' }
  return true
})

router.afterEach((to) => {
  // The end-to-end script waits for a page by this attribute.
  document.body.dataset.route = String(to.name ?? '')
})
