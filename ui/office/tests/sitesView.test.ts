import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import type { SitesPage } from '../src/bindings/SitesPage'
import type { SiteRow } from '../src/bindings/SiteRow'
import { createMemoryHistory, createRouter } from 'vue-router'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  sites: vi.fn(),
  setSiteRecord: vi.fn(),
  siteVisits: vi.fn(),
}))
vi.mock('../src/components/EChart.vue', () => ({ default: { props: ['option'], template: '<div data-testid="chart-sites" />' } }))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const SitesView = (await import('../src/views/SitesView.vue')).default

if (typeof ResizeObserver === 'undefined') {
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
}

const stages = (done: number, roofed: number): SiteRow['stages'] => [
  { stage: 'not_started', label: { zh: '未开工', en: 'not started' }, households: 0 },
  { stage: 'roofed', label: { zh: '主体封顶', en: 'roofed' }, households: roofed },
  { stage: 'completed', label: { zh: '竣工', en: 'completed' }, households: done },
]
const row = (over: Partial<SiteRow>): SiteRow => ({
  id: 's1', name: '东河口村中心村安置点', township: '东河口镇', village: '东河口村',
  guarantor: { name: '周建民', unit: '东河口镇人民政府', phone: '0564-3312345' },
  plan: [{ month: '2026-11', planned_percent: 80 }], planned_percent: 80,
  progress: { households: 4, reported: 4, completed: 1, percent: 55 }, gap: -25, behind: true,
  stages: stages(1, 3), last_visit_on: '2026-12-01', ...over,
})

afterEach(() => {
  document.body.innerHTML = ''
})

describe('site progress', () => {
  it('shows plan against actual, behind in red, and who answers for each site', async () => {
    const page: SitesPage = {
      rows: [row({}), row({ id: 's2', name: '马头镇安置点', guarantor: null, plan: [], planned_percent: null, gap: null, behind: false })],
      behind: 1, today: '2026-12-05',
    }
    vi.mocked(api.sites).mockResolvedValue(page)
    const wrapper = mount(SitesView, { global: { plugins: [i18n, ElementPlus] }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.find('[data-testid="sites-behind"]').text()).toContain('1 个安置点落后于计划')
    expect(wrapper.find('[data-testid="guarantor-东河口村中心村安置点"]').text()).toBe('周建民')
    expect(wrapper.find('[data-testid="actual-东河口村中心村安置点"]').text()).toBe('55%')
    const gap = wrapper.find('[data-testid="gap-东河口村中心村安置点"]')
    expect(gap.text()).toBe('-25')
    expect(gap.classes()).toContain('late')
    expect(wrapper.text()).toContain('主体封顶 3')
    expect(wrapper.text()).toContain('未指定')
    expect(wrapper.text()).toContain('无计划')
    wrapper.unmount()
  })

  it('saves the 包保责任人 and the plan a month at a time', async () => {
    vi.mocked(api.sites).mockResolvedValue({ rows: [row({ plan: [] })], behind: 0, today: '2026-12-05' })
    vi.mocked(api.setSiteRecord).mockResolvedValue(row({}))
    const wrapper = mount(SitesView, { global: { plugins: [i18n, ElementPlus] }, attachTo: document.body })
    await flushPromises()
    await wrapper.find('[data-testid="site-edit-东河口村中心村安置点"]').trigger('click')
    await flushPromises()
    document.querySelector<HTMLButtonElement>('[data-testid="plan-add"]')?.click()
    await flushPromises()
    const month = document.querySelector<HTMLInputElement>('input[data-testid="plan-month-0"], [data-testid="plan-month-0"] input')
    if (!month) throw new Error('no month input')
    month.value = '2026-12'
    month.dispatchEvent(new Event('input'))
    await flushPromises()
    document.querySelector<HTMLButtonElement>('[data-testid="site-save"]')?.click()
    await flushPromises()
    expect(api.setSiteRecord).toHaveBeenCalledWith('s1', {
      guarantor: { name: '周建民', unit: '东河口镇人民政府', phone: '0564-3312345' },
      plan: [{ month: '2026-12', planned_percent: 10 }],
    })
    wrapper.unmount()
  })

  it("shows a site's visits, newest first, each with its household, who made it, the stage and its photo", async () => {
    vi.mocked(api.sites).mockResolvedValue({ rows: [row({})], behind: 1, today: '2026-12-05' })
    const visit = (id: string, over: object) => ({
      submission_id: id, kind: 'progress', kind_label: { zh: '建设进度', en: 'building progress' }, household_id: 'h1',
      household_number: '070001', head_name: '罗某戊', by: { zh: '李晓峰（区发改委）', en: '李晓峰 (区发改委)' },
      at: '2026-12-04T02:00:00Z', stage: { zh: '主体封顶', en: 'roofed' }, photo_url: '/api/office/blobs/' + 'a'.repeat(64), returned: false, ...over,
    })
    vi.mocked(api.siteVisits).mockResolvedValue({
      site_id: 's1', name: '东河口村中心村安置点', more: false, damaged: [],
      visits: [visit('v2', {}), visit('v1', { kind: 'groundbreaking', kind_label: { zh: '开工放线', en: 'groundbreaking' },
        stage: { zh: '基础施工', en: 'foundation' }, returned: true, at: '2026-11-20T02:00:00Z' })],
    } as never)
    const router = createRouter({ history: createMemoryHistory(), routes: [
      { path: '/', component: { template: '<div />' } },
      { path: '/households/:id', name: 'household', component: { template: '<div />' } },
    ] })
    const wrapper = mount(SitesView, { global: { plugins: [i18n, ElementPlus, router] }, attachTo: document.body })
    await flushPromises()
    await wrapper.find('[data-testid="site-visits-东河口村中心村安置点"]').trigger('click')
    await flushPromises()
    expect(api.siteVisits).toHaveBeenCalledWith('s1')
    const items = [...document.querySelectorAll('[data-testid="site-visit"]')].map((e) => e.textContent ?? '')
    expect(items).toHaveLength(2)
    expect(items[0]).toContain('建设进度：主体封顶')
    expect(items[0]).toContain('070001 罗某戊')
    expect(items[0]).toContain('李晓峰（区发改委）')
    expect(items[1]).toContain('开工放线：基础施工')
    expect(items[1]).toContain('已退回')
    wrapper.unmount()
  })
})
