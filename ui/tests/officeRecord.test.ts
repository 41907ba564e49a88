// Issue 13: a replacement phone shows the office's record of the inspector's work (states,
// findings from her other device, re-acceptance on purpose only), and waiting says what is
// happening (the try, the time of the next, a cancel button; 已是最新 when nothing changed).
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import Vant from 'vant'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { FindingView } from '../src/bindings/FindingView'
import type { HouseholdDetail } from '../src/bindings/HouseholdDetail'
import type { SyncReport } from '../src/bindings/SyncReport'
import type { SyncStatus } from '../src/bindings/SyncStatus'

vi.mock('vant', async (original) => ({
  ...(await original<typeof import('vant')>()),
  showConfirmDialog: vi.fn(),
}))
vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  listHouseholds: vi.fn(),
  places: vi.fn(),
  householdDetail: vi.fn(),
  listFindings: vi.fn(),
  syncStatus: vi.fn(),
  syncNow: vi.fn(),
  cancelSync: vi.fn(),
}))
const vant = await import('vant')
const api = await import('../src/api')
const { i18n, setLocale } = await import('../src/i18n')
const { acceptanceAction, officeTagType } = await import('../src/stores/households')
const { isUpToDate, useSyncStore } = await import('../src/stores/sync')
const HouseholdView = (await import('../src/views/HouseholdView.vue')).default
const HouseholdsView = (await import('../src/views/HouseholdsView.vue')).default
const FindingsView = (await import('../src/views/FindingsView.vue')).default
const SyncView = (await import('../src/views/SyncView.vue')).default

// Vant's bars measure their height after they mount; let those timers run first.
afterAll(() => new Promise((resolve) => setTimeout(resolve, 400)))

function withRouter() {
  return createRouter({ history: createMemoryHistory(), routes: [
    { path: '/', component: { template: '<div />' } },
    { path: '/household/:id', name: 'household', component: { template: '<div />' } },
    { path: '/household/:id/form/:kind', name: 'form', component: { template: '<div />' } },
  ] })
}

function detail(d: Partial<HouseholdDetail>): HouseholdDetail {
  return {
    household: { id: 'h1', number: '001', head_name: '郑怀圣', id_number: '341502198001011234', size: 4, members: [], phone: null,
      township: '东河口镇', village: '长岭村', site: null, mode: 'scattered', kind: 'self_built' },
    status: 'synced', open_findings: 1,
    inspections: [{ submission_id: 's1', kind: 'acceptance', inspector: 'li', made_at: '2026-12-01T02:00:00Z', built_area_m2: '97.80',
      verdict_over: false, synced: true, findings: 0, on_this_device: false, returned: false, return_note: null }],
    acceptance_draft: null, spot_check_draft: null, demolition_draft: null, reclamation_draft: null, move_in_draft: null, groundbreaking_draft: null, progress_draft: null, area_inspection_draft: null, township_check_draft: null, acceptance_part_draft: null, own_department: null, recorded_area: null,
    office: { status: 'awaiting_review', status_label: { zh: '待审核', en: 'Awaiting review' }, verdict: null, verdict_label: null },
    accepted: true,
    ...d,
  }
}

const report = (r: Partial<SyncReport>): SyncReport => ({
  user: null, accepted: 0, duplicates: 0, rejected: [], held: [], blobs_uploaded: 0, blobs_present: 0, blob_bytes_sent: 0,
  households_pulled: 0, households_removed: 0, households_kept: [], full_repull: false, digest_matches: true, assigned_count: 14,
  clock_offset_ms: 0, clock_is_off: false, server_time: null, retries: 0, ...r,
})

const status = (s: Partial<SyncStatus>): SyncStatus => ({
  running: false, last_sync: null, pending: { records: 0, photos: 0, submissions: 0, drafts: 0, rejected: 0 }, last_report: null,
  last_error: null, progress: null, next_try_at: null, failed_tries: 0, signed_in: true, ...s,
})

describe('what the start button of a household does', () => {
  it('starts, continues, or re-accepts an accepted household', () => {
    expect(acceptanceAction({ accepted: false, acceptance_draft: null })).toBe('start')
    expect(acceptanceAction({ accepted: true, acceptance_draft: null })).toBe('reaccept')
    expect(acceptanceAction({ accepted: true, acceptance_draft: 'd1' })).toBe('continue')
  })
  it('colours the office standing', () => {
    expect(officeTagType('accepted')).toBe('success')
    expect(officeTagType('failed')).toBe('danger')
    expect(officeTagType('awaiting_review')).toBe('primary')
  })
})

describe('a sync with nothing new', () => {
  it('is up to date', () => {
    expect(isUpToDate(report({}))).toBe(true)
    expect(isUpToDate(report({ households_pulled: 3 }))).toBe(false)
    expect(isUpToDate(report({ accepted: 2 }))).toBe(false)
    expect(isUpToDate(report({ held: [{ seq: 1, kind: 'photo', record_id: 'x', household_id: 'h1', reason: '缺 / missing' }] }))).toBe(false)
    expect(isUpToDate(null)).toBe(false)
  })
})

describe('screens', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    setLocale('zh-CN')
    vi.mocked(vant.showConfirmDialog).mockReset()
    vi.mocked(api.cancelSync).mockReset()
  })

  it('offers an accepted household only as a confirmed re-acceptance', async () => {
    vi.mocked(api.householdDetail).mockResolvedValue(detail({}))
    const router = withRouter()
    await router.push('/household/h1')
    const wrapper = mount(HouseholdView, { props: { id: 'h1' }, global: { plugins: [i18n, Vant, router] } })
    await flushPromises()
    const start = wrapper.find('[data-testid="start-acceptance"]')
    expect(start.attributes('data-action')).toBe('reaccept')
    expect(start.text()).toBe('重新验收')
    expect(start.text()).not.toContain('开始验收')

    vi.mocked(vant.showConfirmDialog).mockRejectedValueOnce('cancel')
    await start.trigger('click')
    await flushPromises()
    expect(vant.showConfirmDialog).toHaveBeenCalledTimes(1)
    expect(router.currentRoute.value.name).toBe('household')

    vi.mocked(vant.showConfirmDialog).mockResolvedValueOnce('confirm')
    await start.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('form')
    expect(router.currentRoute.value.params).toMatchObject({ id: 'h1', kind: 'acceptance' })
    wrapper.unmount()
  })

  it('starts a household without an acceptance at once', async () => {
    vi.mocked(api.householdDetail).mockResolvedValue(detail({ status: 'to_inspect', inspections: [], office: null, accepted: false }))
    const router = withRouter()
    await router.push('/household/h1')
    const wrapper = mount(HouseholdView, { props: { id: 'h1' }, global: { plugins: [i18n, Vant, router] } })
    await flushPromises()
    const start = wrapper.find('[data-testid="start-acceptance"]')
    expect(start.text()).toBe('开始验收')
    await start.trigger('click')
    await flushPromises()
    expect(vant.showConfirmDialog).not.toHaveBeenCalled()
    expect(router.currentRoute.value.name).toBe('form')
    wrapper.unmount()
  })

  it('offers the building visits while a house is built, not for a bought one nor once accepted', async () => {
    const router = withRouter()
    await router.push('/household/h1')
    const visits = async (d: Partial<HouseholdDetail>) => {
      vi.mocked(api.householdDetail).mockResolvedValue(detail(d))
      const wrapper = mount(HouseholdView, { props: { id: 'h1' }, global: { plugins: [i18n, Vant, router] } })
      await flushPromises()
      const group = wrapper.find('[data-testid="construction-visits"]')
      const text = group.exists() ? group.text() : null
      wrapper.unmount()
      return text
    }
    const building = { status: 'to_inspect' as const, inspections: [], office: null, accepted: false }
    expect(await visits(building)).toContain('开工放线核查')
    expect(await visits({ ...building, progress_draft: 'd9' })).toContain('继续建设进度检查')
    const bought = { ...detail({}).household, kind: 'bought' as const }
    expect(await visits({ ...building, household: bought })).toBeNull()
    expect(await visits({})).toBeNull()
  })

  it('offers the visits before acceptance for any house, and a team member their own department part', async () => {
    const router = withRouter()
    await router.push('/household/h1')
    const group = async (d: Partial<HouseholdDetail>, testid: string) => {
      vi.mocked(api.householdDetail).mockResolvedValue(detail(d))
      const wrapper = mount(HouseholdView, { props: { id: 'h1' }, global: { plugins: [i18n, Vant, router] } })
      await flushPromises()
      const found = wrapper.find(`[data-testid="${testid}"]`)
      const text = found.exists() ? found.text() : null
      if (found.exists() && testid === 'acceptance-part') {
        await wrapper.find('[data-testid="start-acceptance-part"]').trigger('click')
        await flushPromises()
        expect(router.currentRoute.value.params.kind).toBe('acceptance_part')
        await router.push('/household/h1')
      }
      wrapper.unmount()
      return text
    }
    const building = { status: 'to_inspect' as const, inspections: [], office: null, accepted: false }
    const bought = { ...detail({}).household, kind: 'bought' as const }
    expect(await group({ ...building, household: bought }, 'pre-acceptance-visits')).toContain('面积丈量督查')
    expect(await group({ ...building, township_check_draft: 'd3' }, 'pre-acceptance-visits')).toContain('继续乡镇初验')
    expect(await group({}, 'pre-acceptance-visits')).toBeNull()
    // Only an inspector of a department fills a part, and only until the house is accepted.
    expect(await group(building, 'acceptance-part')).toBeNull()
    expect(await group({ ...building, own_department: 'land' }, 'acceptance-part')).toContain('填写国土局部分')
    expect(await group({ own_department: 'land', acceptance_part_draft: 'd4' }, 'acceptance-part')).toContain('继续填写国土局部分')
    expect(await group({ own_department: 'land' }, 'acceptance-part')).toBeNull()
  })

  it('offers the old house checks once the household is accepted, and continues a begun one', async () => {
    vi.mocked(api.householdDetail).mockResolvedValue(detail({ status: 'to_inspect', inspections: [], office: null, accepted: false }))
    const router = withRouter()
    await router.push('/household/h1')
    let wrapper = mount(HouseholdView, { props: { id: 'h1' }, global: { plugins: [i18n, Vant, router] } })
    await flushPromises()
    expect(wrapper.find('[data-testid="old-house-visits"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="start-move-in"]').exists()).toBe(false)
    wrapper.unmount()

    vi.mocked(api.householdDetail).mockResolvedValue(detail({ demolition_draft: 'd1' }))
    wrapper = mount(HouseholdView, { props: { id: 'h1' }, global: { plugins: [i18n, Vant, router] } })
    await flushPromises()
    expect(wrapper.find('[data-testid="start-demolition"]').text()).toBe('继续旧房拆除核实')
    expect(wrapper.find('[data-testid="start-reclamation"]').text()).toBe('宅基地复垦核实')
    expect(wrapper.find('[data-testid="start-move-in"]').text()).toBe('入住核实')
    await wrapper.find('[data-testid="start-reclamation"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.params).toMatchObject({ id: 'h1', kind: 'reclamation' })
    wrapper.unmount()
  })

  it('shows the office standing of each listed household', async () => {
    vi.mocked(api.places).mockResolvedValue([])
    vi.mocked(api.listHouseholds).mockResolvedValue({ items: [
      { id: 'h1', number: '001', head_name: '郑怀圣', id_number: 'x', size: 4, township: '东河口镇', village: '长岭村', site: null,
        status: 'synced', office_status: 'awaiting_review', open_findings: 1 },
      { id: 'h2', number: '002', head_name: '高灿军', id_number: 'y', size: 2, township: '东河口镇', village: '长岭村', site: null,
        status: 'to_inspect', office_status: 'pending', open_findings: 0 },
    ], counts: { total: 2, to_inspect: 1, draft: 0, submitted: 0, synced: 1, with_open_findings: 1 }, total_matching: 2 })
    const wrapper = mount(HouseholdsView, { global: { plugins: [i18n, Vant, withRouter()] } })
    await flushPromises()
    const tags = wrapper.findAll('[data-testid="household-office-status"]')
    expect(tags).toHaveLength(1)
    expect(tags[0].attributes('data-status')).toBe('awaiting_review')
    expect(tags[0].text()).toBe('待审核')
    wrapper.unmount()
  })

  it('lists a finding made on another device as open, marked so', async () => {
    const finding = (id: string, onThisDevice: boolean): FindingView => ({
      finding: { id, household_id: 'h1', submission_id: null, item: null, description: '排水沟未通', deadline: '2099-01-01', state: 'open' },
      head_name: '郑怀圣', household_number: '001', township: '东河口镇', village: '长岭村', overdue: false, days_overdue: 0,
      synced: true, office_note: null, office_changed_at: null, raised_by_office: false, on_this_device: onThisDevice,
    })
    vi.mocked(api.listFindings).mockResolvedValue([finding('f1', false), finding('f2', true)])
    const wrapper = mount(FindingsView, { global: { plugins: [i18n, Vant, withRouter()] } })
    await flushPromises()
    const items = wrapper.findAll('[data-testid="finding-item"]')
    expect(items.map((i) => i.attributes('data-device'))).toEqual(['other', 'this'])
    expect(wrapper.findAll('[data-testid="finding-other-device"]')).toHaveLength(1)
    expect(wrapper.text()).not.toContain('没有整改问题')
    wrapper.unmount()
  })

  it('tells the try, the next one and lets the inspector cancel while a sync fails', async () => {
    vi.mocked(api.syncStatus).mockResolvedValue(status({ running: true, progress: {
      phase: 'clock', records_done: 0, records_total: 0, bytes_done: 0, bytes_total: 0, households_pulled: 0,
      retry: { failures: 2, max_attempts: 8, next_at: '2026-12-05T06:30:15Z', unreachable: true },
    } }))
    vi.mocked(api.cancelSync).mockResolvedValue(true)
    const wrapper = mount(SyncView, { global: { plugins: [i18n, Vant, withRouter()] } })
    await flushPromises()
    const retry = wrapper.find('[data-testid="sync-retry"]')
    expect(retry.attributes('data-failures')).toBe('2')
    expect(retry.text()).toContain('服务器无法连接')
    expect(retry.text()).toContain('第 2 次尝试失败')
    expect(retry.text()).toContain('第 3 次尝试（共 8 次）')
    expect(retry.text()).toMatch(/\d{2}:\d{2}/)
    await wrapper.find('[data-testid="sync-cancel"]').trigger('click')
    await flushPromises()
    expect(api.cancelSync).toHaveBeenCalledTimes(1)
    wrapper.unmount()
  })

  it('says 已是最新 after a sync with nothing new, not 已接收 0 条', async () => {
    vi.mocked(api.syncStatus).mockResolvedValue(status({ last_sync: '2026-12-05T06:00:00Z', last_report: report({}) }))
    const wrapper = mount(SyncView, { global: { plugins: [i18n, Vant, withRouter()] } })
    await flushPromises()
    expect(wrapper.find('[data-testid="sync-up-to-date"]').text()).toContain('已是最新')
    expect(wrapper.find('[data-testid="sync-report"]').text()).not.toContain('已接收 0 条')
    wrapper.unmount()
  })

  it('says how many tries failed and when the next is after a failed sync', async () => {
    vi.mocked(api.syncStatus).mockResolvedValue(status({ failed_tries: 3, next_try_at: '2026-12-05T06:40:00Z',
      last_error: { code: 'unreachable', message: '服务器无法连接 / the server cannot be reached', issues: [] } }))
    const store = useSyncStore()
    const wrapper = mount(SyncView, { global: { plugins: [i18n, Vant, withRouter()] } })
    await flushPromises()
    expect(store.lastError?.code).toBe('unreachable')
    expect(wrapper.find('[data-testid="sync-failed-tries"]').text()).toContain('3')
    expect(wrapper.find('[data-testid="sync-next-try"]').exists()).toBe(true)
    wrapper.unmount()
  })
})
