import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import type { PrintJobView } from '../src/bindings/PrintJobView'
import type { SupportReport } from '../src/bindings/SupportReport'
import type { TownshipSupport } from '../src/bindings/TownshipSupport'
import { i18n } from '../src/i18n'
import { state } from '../src/session'
import ReportsView from '../src/views/ReportsView.vue'

// Print jobs run in the office; the page starts them and shows how far they are.

const job = (over: Partial<PrintJobView> = {}): PrintJobView => ({
  id: 'j1', township: '东河口镇', state: 'printing', households: 14, volumes_total: 4, volumes_done: 1,
  current: '长岭村', error: null, started_at: '2026-12-05T02:00:00Z', finished_at: null, download: null,
  file_name: '东河口镇验收监督表（14 户）.zip', ...over,
})

let jobs: PrintJobView[] = []
const township = (name: string, over: Partial<TownshipSupport> = {}): TownshipSupport => ({
  township: name, households: 14, measures: 70, meeting: 12, short_of_five: 1, measures_missing: 2, able_to_develop: 11,
  without_industry: 1, ...over,
})
const support: SupportReport = { rows: [township('东河口镇')], total: township('合计') }
const posted: unknown[] = []
const fetchMock = vi.fn(async (input: string, init?: RequestInit) => {
  const u = new URL(input, 'http://office')
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
  if (u.pathname === '/api/office/print-jobs' && init?.method === 'POST') {
    posted.push(JSON.parse(String(init.body)))
    jobs = [job({ state: 'queued', volumes_done: 0, current: null })]
    return json(jobs[0])
  }
  if (u.pathname === '/api/office/print-jobs') return json(jobs)
  if (u.pathname === '/api/office/places') return json(state.places)
  if (u.pathname === '/api/office/support') return json(support)
  return new Response('', { status: 404 })
})

beforeEach(() => {
  fetchMock.mockClear()
  posted.length = 0
  vi.stubGlobal('fetch', fetchMock)
  if (typeof ResizeObserver === 'undefined') {
    vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
  }
  state.session = { name: 'zhang', display: { zh: '张明华（东河口镇人民政府）', en: '张明华 (东河口镇人民政府)' }, role: 'township', township: '东河口镇', server_time: '2026-12-05T02:00:00Z' }
  state.places = { townships: [{ id: 't1', name: '东河口镇' }], sites: [] } as unknown as typeof state.places
  jobs = []
})
afterEach(() => {
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
})

const mountView = () =>
  mount(ReportsView, { global: { plugins: [i18n, ElementPlus] }, attachTo: document.body })

describe('ReportsView print jobs', () => {
  it('starts a job for the township and lists it with its progress', async () => {
    const wrapper = mountView()
    await flushPromises()
    expect(wrapper.find('[data-testid="print-jobs"]').exists()).toBe(false)
    await wrapper.find('[data-testid="report-township-volumes"]').trigger('click')
    await flushPromises()
    expect(posted).toEqual([{ township: 't1', full: false, lang: 'zh' }])
    const table = wrapper.find('[data-testid="print-jobs"]')
    expect(table.exists()).toBe(true)
    expect(table.text()).toContain('排队中')
    expect(table.text()).toContain('0/4')
    wrapper.unmount()
  })

  it('offers the ZIP of a finished job', async () => {
    jobs = [job({ state: 'done', volumes_done: 4, current: null, download: '/api/office/print-jobs/j1/download' })]
    const wrapper = mountView()
    await flushPromises()
    expect(wrapper.find('[data-testid="print-jobs"]').text()).toContain('已完成')
    expect(wrapper.find('[data-testid="print-job-download"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="print-job-progress"]').attributes('aria-valuenow')).toBe('100')
    wrapper.unmount()
  })
})

describe('ReportsView support measures', () => {
  it('gives each township against the requirement, the short ones in red', async () => {
    const wrapper = mountView()
    await flushPromises()
    const table = wrapper.find('[data-testid="support-report-table"]')
    expect(table.text()).toContain('东河口镇')
    expect(table.text()).toContain('合计')
    const short = wrapper.findAll('[data-testid="support-short"]')
    expect(short[0].text()).toBe('1（缺2项）')
    expect(short[0].classes()).toContain('short')
    expect(wrapper.find('[data-testid="support-report"]').text()).toContain('每户不少于5项帮扶措施')
    wrapper.unmount()
  })
})
