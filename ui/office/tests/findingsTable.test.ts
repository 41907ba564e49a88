import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { FindingRow } from '../src/bindings/FindingRow'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  transitionFinding: vi.fn(),
  uploadEvidence: vi.fn(),
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const FindingsTable = (await import('../src/components/FindingsTable.vue')).default

if (typeof ResizeObserver === 'undefined') {
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
}

const finding = (over: Partial<FindingRow>): FindingRow => ({
  id: 'f1', household_id: 'h1', household_number: '070001', head_name: '郑怀圣', township: '东河口镇',
  item: 'water', item_label: { zh: '水电入户', en: 'Water and power' }, description: '自来水未接通', deadline: '2017-11-20',
  state: 'open', overdue: false, days_left: 5, created_at: '2017-09-05T10:00:00+08:00', updated_at: '2017-09-05T10:00:00+08:00',
  events: [], allowed: ['rectified'], origin: 'inspector', critical: false, recheck: null, recheck_overdue: false, ...over,
})

function mountTable(rows: FindingRow[]) {
  const router = createRouter({ history: createMemoryHistory(), routes: [
    { path: '/', component: { template: '<div />' } },
    { path: '/h/:id', name: 'household', component: { template: '<div />' } },
  ] })
  return mount(FindingsTable, { props: { rows }, global: { plugins: [i18n, ElementPlus, router] }, attachTo: document.body })
}

describe('FindingsTable', () => {
  it('shows the state, the overdue days in red and only the allowed actions', async () => {
    const wrapper = mountTable([
      finding({ id: 'f1', state: 'rectified', allowed: ['closed', 'reopened'] }),
      finding({ id: 'f2', state: 'open', overdue: true, days_left: -15, allowed: ['rectified'] }),
      finding({ id: 'f3', state: 'closed', allowed: [] }),
    ])
    await flushPromises()
    const states = wrapper.findAll('[data-testid="finding-state"]')
    expect(states.map((s) => s.text())).toEqual(['已整改待核查', '待整改', '已销号'])
    expect(wrapper.findAll('[data-finding-id="f1"][data-testid^="finding-action-"]').map((b) => b.attributes('data-testid')))
      .toEqual(['finding-action-closed', 'finding-action-reopened'])
    expect(wrapper.findAll('[data-finding-id="f3"][data-testid^="finding-action-"]')).toHaveLength(0)
    const rows = wrapper.findAll('.el-table__body tr.el-table__row')
    expect(rows[1].classes()).toContain('row-overdue')
    expect(rows[0].classes()).not.toContain('row-overdue')
    expect(rows[1].find('[data-testid="finding-deadline"]').text()).toBe('逾期 15 天')
    wrapper.unmount()
  })

  it('says where the re-check stands, overdue in red', async () => {
    const wrapper = mountTable([
      finding({ id: 'f1', state: 'rectified', allowed: ['closed', 'reopened'],
        recheck: { zh: '复查逾期：李四（东河口镇），期限2026-12-01', en: 're-check overdue' }, recheck_overdue: true }),
      finding({ id: 'f2', state: 'rectified', allowed: ['closed', 'reopened'],
        recheck: { zh: '复查已确认整改到位', en: 're-checked' } }),
      finding({ id: 'f3', state: 'open' }),
    ])
    await flushPromises()
    const late = wrapper.find('[data-testid="finding-recheck"][data-finding-id="f1"]')
    expect(late.text()).toBe('复查逾期：李四（东河口镇），期限2026-12-01')
    expect(late.classes()).toContain('late')
    const done = wrapper.find('[data-testid="finding-recheck"][data-finding-id="f2"]')
    expect(done.text()).toBe('复查已确认整改到位')
    expect(done.classes()).not.toContain('late')
    expect(wrapper.find('[data-testid="finding-recheck"][data-finding-id="f3"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('asks for a note before marking rectified, then sends the transition', async () => {
    vi.mocked(api.transitionFinding).mockResolvedValueOnce(finding({ state: 'rectified', allowed: ['closed', 'reopened'] }))
    const wrapper = mountTable([finding({})])
    await flushPromises()
    await wrapper.find('[data-testid="finding-action-rectified"]').trigger('click')
    await flushPromises()
    const confirm = document.querySelector<HTMLButtonElement>('[data-testid="finding-confirm"]')
    expect(confirm).not.toBeNull()
    confirm!.click()
    await flushPromises()
    expect(api.transitionFinding).not.toHaveBeenCalled()
    await new Promise((r) => setTimeout(r, 250)) // element-plus shows a form error after a debounce
    expect(document.querySelector('.el-form-item.is-error')?.textContent).toContain('请填写整改情况')
    const note = document.querySelector<HTMLTextAreaElement>('textarea[data-testid="finding-note"]')!
    note.value = '已接通自来水'
    note.dispatchEvent(new Event('input'))
    await flushPromises()
    confirm!.click()
    await flushPromises()
    expect(api.transitionFinding).toHaveBeenCalledWith('f1', { to: 'rectified', note: '已接通自来水', evidence_sha256: null })
    expect(wrapper.emitted('updated')?.[0]?.[0]).toMatchObject({ state: 'rectified' })
    wrapper.unmount()
  })

  it("marks the office's 面积超标 as raised by the office and critical, and asks the district for its reason to close it", async () => {
    vi.mocked(api.transitionFinding).mockReset()
    vi.mocked(api.transitionFinding).mockResolvedValueOnce(finding({ id: 'f9', origin: 'area_over_cap', critical: true, state: 'closed', allowed: [] }))
    const area = finding({
      id: 'f9', origin: 'area_over_cap', critical: true, item: 'area_measurement', item_label: { zh: '面积测量', en: 'Area' },
      description: '面积超标：建筑面积 168.00 m²', allowed: ['closed'],
    })
    const wrapper = mountTable([area, finding({ id: 'f1' })])
    await flushPromises()
    const origin = wrapper.findAll('[data-testid="finding-origin"]')
    expect(origin).toHaveLength(1)
    expect(origin[0].text()).toBe('办公室自动')
    expect(origin[0].attributes('data-origin')).toBe('area_over_cap')
    expect(wrapper.findAll('[data-testid="finding-critical"]').map((t) => t.text())).toEqual(['关键项'])
    const close = wrapper.find('[data-testid="finding-action-closed"][data-finding-id="f9"]')
    expect(close.text()).toBe('区县决定销号')
    await close.trigger('click')
    await flushPromises()
    expect(document.querySelector('[data-testid="finding-district-decision"]')).not.toBeNull()
    const confirm = document.querySelector<HTMLButtonElement>('[data-testid="finding-confirm"]')!
    confirm.click()
    await flushPromises()
    expect(api.transitionFinding).not.toHaveBeenCalled()
    await new Promise((r) => setTimeout(r, 250))
    expect(document.querySelector('.el-form-item.is-error')?.textContent).toContain('请填写区县决定的理由')
    const note = document.querySelector<HTMLTextAreaElement>('textarea[data-testid="finding-note"]')!
    note.value = '经区联席会议研究，同意认定'
    note.dispatchEvent(new Event('input'))
    await flushPromises()
    confirm.click()
    await flushPromises()
    expect(api.transitionFinding).toHaveBeenCalledWith('f9', { to: 'closed', note: '经区联席会议研究，同意认定', evidence_sha256: null })
    wrapper.unmount()
  })

  it('tells a township user that 面积超标 waits for a re-measure or the district', async () => {
    const wrapper = mountTable([finding({ id: 'f9', origin: 'area_over_cap', critical: true, allowed: [] })])
    await flushPromises()
    expect(wrapper.findAll('[data-testid^="finding-action-"]')).toHaveLength(0)
    expect(wrapper.find('[data-testid="finding-district-only"]').text()).toBe('须抽查复测在上限内，或由区县办公室决定')
    wrapper.unmount()
  })

  it("shows the server's 422 about the note beside the note", async () => {
    vi.mocked(api.transitionFinding).mockReset()
    vi.mocked(api.transitionFinding).mockRejectedValueOnce(new api.OfficeError(422, 'note_required',
      '请写明重新整改的原因 / write why it goes back for rectification', 'note'))
    const wrapper = mountTable([finding({ id: 'f2', state: 'closed', allowed: ['reopened'] })])
    await flushPromises()
    await wrapper.find('[data-testid="finding-action-reopened"]').trigger('click')
    await flushPromises()
    const note = document.querySelector<HTMLTextAreaElement>('textarea[data-testid="finding-note"]')!
    note.value = '  x '
    note.dispatchEvent(new Event('input'))
    await flushPromises()
    document.querySelector<HTMLButtonElement>('[data-testid="finding-confirm"]')!.click()
    await flushPromises()
    await new Promise((r) => setTimeout(r, 250))
    expect(api.transitionFinding).toHaveBeenCalledWith('f2', { to: 'reopened', note: 'x', evidence_sha256: null })
    expect(document.querySelector('.el-form-item.is-error')?.textContent).toContain('请写明重新整改的原因')
    expect(document.querySelector('[data-testid="finding-dialog"]')).not.toBeNull()
    wrapper.unmount()
  })
})
