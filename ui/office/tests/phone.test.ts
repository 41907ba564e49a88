// A 390 px phone: the menu names its pages, list tables become cards whose buttons carry the
// layout check's hook, and weeks in the date pickers start on Monday.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { ReviewItem } from '../src/bindings/ReviewItem'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  reviewQueue: vi.fn(),
  households: vi.fn(),
  places: vi.fn(),
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const { state } = await import('../src/session')
const AppLayout = (await import('../src/components/AppLayout.vue')).default
const ReviewView = (await import('../src/views/ReviewView.vue')).default
const HouseholdsView = (await import('../src/views/HouseholdsView.vue')).default
const { weeksStartOnMonday, weekStart } = await import('../src/dates')

if (typeof ResizeObserver === 'undefined') {
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
}

const wide = window.innerWidth
beforeAll(() => { Object.defineProperty(window, 'innerWidth', { value: 390, configurable: true, writable: true }) })
afterAll(() => { Object.defineProperty(window, 'innerWidth', { value: wide, configurable: true, writable: true }) })
afterEach(() => {
  document.body.innerHTML = ''
  state.session = null
})

const blank = { template: '<div />' }
function router() {
  return createRouter({ history: createMemoryHistory(), routes: [
    { path: '/', name: 'dashboard', component: blank },
    ...['households', 'review', 'findings', 'assignments', 'samples', 'import', 'old-houses', 'policy', 'reports', 'security']
      .map((name) => ({ path: `/${name}`, name, component: blank })),
    { path: '/h/:id', name: 'household', component: blank },
  ] })
}
const admin = () => {
  state.session = { name: 'admin', display: { zh: '管理员', en: 'admin' }, role: 'admin', township: null, server_time: '2026-12-05T08:00:00Z' }
  state.probed = true
}

describe('on a phone', () => {
  it('has a menu whose every entry has a label, unfolded by the menu button', async () => {
    admin()
    const r = router()
    await r.push('/')
    const wrapper = mount(AppLayout, { global: { plugins: [i18n, ElementPlus, r] }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.find('.layout-aside').exists()).toBe(false)
    const entries = wrapper.findAll('[data-testid="phone-menu"] [data-testid^="menu-"]')
    expect(entries.length).toBeGreaterThanOrEqual(8)
    for (const e of entries) expect(e.text().trim().length).toBeGreaterThanOrEqual(2)
    await wrapper.find('[data-testid="menu-toggle"]').trigger('click')
    expect(wrapper.find('[data-testid="phone-menu"]').classes()).toContain('open')
    await wrapper.find('[data-testid="menu-review"]').trigger('click')
    await flushPromises()
    expect(r.currentRoute.value.name).toBe('review')
    expect(wrapper.find('[data-testid="phone-menu"]').classes()).not.toContain('open')
    wrapper.unmount()
  })

  it('shows the review queue as cards with hooked buttons', async () => {
    admin()
    const item: ReviewItem = {
      submission_id: 's1', household_id: 'h1', household_number: '070001', head_name: '罗某戊', township: '东河口镇',
      kind: 'acceptance', inspector: 'li', inspector_display: { zh: '李', en: 'Li' }, received_at: '2026-12-01T10:30:36Z', findings: 0, over_cap: false,
      verdict: 'pass', judgement: null, evidence_notes: [], raises_nothing: true,
    }
    vi.mocked(api.reviewQueue).mockResolvedValueOnce({ submissions: [item], conflicts: [], damaged: [] })
    const wrapper = mount(ReviewView, { global: { plugins: [i18n, ElementPlus, router()] }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.find('[data-testid="review-table"]').exists()).toBe(false)
    const cards = wrapper.find('[data-testid="card-list"]')
    expect(cards.findAll('[data-testid="card-item"]')).toHaveLength(1)
    const buttons = cards.findAll('button[data-test="action"]')
    expect(buttons.map((b) => b.attributes('data-testid'))).toEqual(['review-approve', 'review-return'])
    expect(cards.find('[data-testid="review-select"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('shows households as cards that open the household', async () => {
    vi.mocked(api.places).mockResolvedValue({ townships: [], sites: [], inspectors: [], sample_rule: null } as never)
    vi.mocked(api.households).mockResolvedValueOnce({
      total: 1, damaged: [],
      rows: [{
        id: 'h1', number: '010001', head_name: '王某甲', size: 3, township: '椿树镇', village: '椿树村', site: null,
        mode: 'scattered', kind: 'self_built', kind_label: { zh: '自建', en: 'Self-built' }, status: 'pending',
        verdict: null, accepted: false, over_cap: false, accepted_at: null, open_findings: 2, inspectors: [], inspectors_display: [],
      }],
    } as never)
    const r = router()
    const wrapper = mount(HouseholdsView, { global: { plugins: [i18n, ElementPlus, r] }, attachTo: document.body })
    await flushPromises()
    const card = wrapper.find('[data-testid="card-list"] [data-testid="card-item"]')
    expect(card.text()).toContain('王某甲')
    expect(card.text()).toContain('椿树镇')
    await card.trigger('click')
    await flushPromises()
    expect(r.currentRoute.value.name).toBe('household')
    wrapper.unmount()
  })
})

describe('date pickers', () => {
  it('start weeks on Monday in both languages', () => {
    weeksStartOnMonday()
    expect(weekStart('zh-cn')).toBe(1)
    expect(weekStart('en')).toBe(1)
  })
})

describe('the households search', () => {
  it('stops its timer when the page closes', async () => {
    Object.defineProperty(window, 'innerWidth', { value: 1366, configurable: true, writable: true })
    vi.useFakeTimers()
    vi.mocked(api.places).mockResolvedValue({ townships: [], sites: [], inspectors: [], sample_rule: null } as never)
    vi.mocked(api.households).mockReset().mockResolvedValue({ total: 0, damaged: [], rows: [] } as never)
    const wrapper = mount(HouseholdsView, { global: { plugins: [i18n, ElementPlus, router()] }, attachTo: document.body })
    await flushPromises()
    const calls = vi.mocked(api.households).mock.calls.length
    await wrapper.find('input[data-testid="filter-q"]').setValue('王')
    wrapper.unmount()
    vi.advanceTimersByTime(1000)
    await flushPromises()
    expect(vi.mocked(api.households).mock.calls.length).toBe(calls)
    vi.useRealTimers()
    Object.defineProperty(window, 'innerWidth', { value: 390, configurable: true, writable: true })
  })
})
