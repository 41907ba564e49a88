import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Dashboard } from '../src/bindings/Dashboard'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  dashboard: vi.fn(),
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const { emptyProgress } = await import('../src/progress')
const DashboardView = (await import('../src/views/DashboardView.vue')).default

const line = (township: string, id: string | null, over: Partial<Dashboard['total']> = {}) => ({ ...emptyProgress(township, id), ...over })

function board(over: Partial<Dashboard> = {}): Dashboard {
  const dongHekou = line('东河口镇', 't7', {
    households: 14, people: 45, concentrated_households: 3, concentrated_people: 12, self_built_households: 11, self_built_people: 33,
    awaiting_review: 6, accepted: 1, failed: 1, over_cap: 1,
  })
  const total = line('合计', null, {
    households: 121, people: 340, concentrated_households: 44, concentrated_people: 134, self_built_households: 72, self_built_people: 191,
    bought_households: 5, bought_people: 15, awaiting_review: 6, accepted: 1, failed: 1, over_cap: 1,
  })
  return { rows: [dongHekou], total, timeline: [], pending_review: 8, conflicts: 0, today: '2026-12-05', set_aside: 0, ...over }
}

function mountView() {
  const router = createRouter({ history: createMemoryHistory(), routes: [
    { path: '/', name: 'dashboard', component: { template: '<div />' } },
    { path: '/households', name: 'households', component: { template: '<div />' } },
    { path: '/review', name: 'review', component: { template: '<div />' } },
    { path: '/findings', name: 'findings', component: { template: '<div />' } },
  ] })
  // The charts need a canvas, which jsdom has not: they are stubbed.
  return { router, wrapper: mount(DashboardView, { global: { plugins: [i18n, ElementPlus, router], stubs: { EChart: true } }, attachTo: document.body }) }
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('DashboardView', () => {
  it('shows the decisions as cards and the placement split in the table and beside its picture', async () => {
    vi.mocked(api.dashboard).mockResolvedValueOnce(board())
    const { wrapper } = mountView()
    await flushPromises()
    const text = (id: string) => wrapper.find(`[data-testid="${id}"]`).text()
    expect([text('total-awaiting-review'), text('total-accepted'), text('total-failed'), text('total-over-cap'), text('pending-review')])
      .toEqual(['6', '1', '1', '1', '8'])
    expect(wrapper.find('[data-testid="card-failed"]').classes()).toContain('accent-danger')
    expect(wrapper.find('[data-testid="placement-concentrated"]').text()).toContain('44 / 134')
    expect(wrapper.find('[data-testid="placement-self_built"]').text()).toContain('72 / 191')
    expect(wrapper.find('[data-testid="placement-bought"]').text()).toContain('5 / 15')
    const total = wrapper.find('[data-testid="dashboard-table"] .row-total').text()
    expect(total).toContain('44 / 134')
    expect(total).toContain('72 / 191')
    expect(wrapper.find('[data-testid="set-aside"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('says quietly how many records were set aside as damaged', async () => {
    vi.mocked(api.dashboard).mockResolvedValueOnce(board({ set_aside: 2 }))
    const { wrapper } = mountView()
    await flushPromises()
    const notice = wrapper.find('[data-testid="set-aside"]')
    expect(notice.attributes('data-count')).toBe('2')
    expect(notice.text()).toContain('有 2 条记录因损坏已被搁置')
    expect(notice.html()).toContain('el-alert--info') // quiet: not a warning
    wrapper.unmount()
  })

  it('opens the households that failed from their card', async () => {
    vi.mocked(api.dashboard).mockResolvedValueOnce(board())
    const { router, wrapper } = mountView()
    await flushPromises()
    await wrapper.find('[data-testid="card-failed"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('households')
    expect(router.currentRoute.value.query).toEqual({ status: 'failed' })
    wrapper.unmount()
  })
})
