import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { useSessionStore } from './stores/session'

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/households' },
  { path: '/sign-in', name: 'sign-in', component: () => import('./views/SignInView.vue'), meta: { public: true } },
  { path: '/households', name: 'households', component: () => import('./views/HouseholdsView.vue'), meta: { tabbar: true } },
  { path: '/household/:id', name: 'household', component: () => import('./views/HouseholdView.vue'), props: true },
  { path: '/household/:id/form/:kind', name: 'form', component: () => import('./views/FormView.vue'), props: true },
  { path: '/tasks', name: 'tasks', component: () => import('./views/TasksView.vue'), meta: { tabbar: true } },
  { path: '/findings', name: 'findings', component: () => import('./views/FindingsView.vue'), meta: { tabbar: true } },
  { path: '/sync', name: 'sync', component: () => import('./views/SyncView.vue'), meta: { tabbar: true } },
  { path: '/settings', name: 'settings', component: () => import('./views/SettingsView.vue'), meta: { tabbar: true } },
  { path: '/:rest(.*)*', redirect: '/households' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

router.beforeEach(async (to) => {
  const session = useSessionStore()
  try {
    await session.load()
  } catch {
    // Without app_info (no Rust side answering) the only useful screen is sign-in.
  }
  if (!to.meta.public && !session.signedIn) return { name: 'sign-in' }
  if (to.name === 'sign-in' && session.signedIn && !to.query.syncing) return { name: 'households' }
  return true
})

router.afterEach((to) => {
  // The end-to-end tests wait for a screen by this attribute.
  document.body.dataset.route = String(to.name ?? '')
})
