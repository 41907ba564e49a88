import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { ReviewItem } from '../src/bindings/ReviewItem'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  reviewQueue: vi.fn(),
  decideSubmission: vi.fn(),
  household: vi.fn(),
  approveBatch: vi.fn(),
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const { state } = await import('../src/session')
const ReviewView = (await import('../src/views/ReviewView.vue')).default

if (typeof ResizeObserver === 'undefined') {
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
}

const item = (over: Partial<ReviewItem>): ReviewItem => ({
  submission_id: 's1', household_id: 'h1', household_number: '070001', head_name: '罗某戊', township: '东河口镇',
  kind: 'acceptance', inspector: 'li', inspector_display: { zh: '李晓峰（区发改委）', en: '李晓峰 (区发改委)' }, received_at: '2026-12-01T10:30:36Z', findings: 0, over_cap: false,
  verdict: 'pass', judgement: null, evidence_notes: [], raises_nothing: false, ...over,
})

function mountView() {
  const router = createRouter({ history: createMemoryHistory(), routes: [
    { path: '/', name: 'review', component: { template: '<div />' } },
    { path: '/h/:id', name: 'household', component: { template: '<div />' } },
  ] })
  return mount(ReviewView, { global: { plugins: [i18n, ElementPlus, router] }, attachTo: document.body })
}

const signedIn = (role: 'admin' | 'township') => {
  state.session = { name: role === 'admin' ? 'admin' : 'zhang', display: { zh: '王建国', en: '王建国' }, role, township: role === 'admin' ? null : '东河口镇', server_time: '2026-12-05T08:00:00Z' }
  state.probed = true
}

afterEach(() => {
  document.body.innerHTML = ''
  state.session = null
})

describe('ReviewView', () => {
  it('returns a submission only with a reason, then drops it from the list', async () => {
    signedIn('admin')
    vi.mocked(api.reviewQueue).mockResolvedValueOnce({
      submissions: [item({}), item({ submission_id: 's2', kind: 'spot_check', verdict: null })], conflicts: [], damaged: [],
    })
    vi.mocked(api.decideSubmission).mockResolvedValue(undefined)
    const wrapper = mountView()
    await flushPromises()
    // The buttons say which submission they decide (the e2e script picks by it).
    expect(wrapper.findAll('[data-testid="review-return"]').map((b) => b.attributes('data-submission-id'))).toEqual(['s1', 's2'])
    await wrapper.find('[data-testid="review-return"][data-submission-id="s2"]').trigger('click')
    await flushPromises()
    const confirm = document.querySelector<HTMLButtonElement>('[data-testid="review-return-confirm"]')!
    confirm.click()
    await flushPromises()
    expect(api.decideSubmission).not.toHaveBeenCalled()
    const note = document.querySelector<HTMLTextAreaElement>('textarea[data-testid="review-note"]')!
    note.value = '  面积记录有误  '
    note.dispatchEvent(new Event('input'))
    await flushPromises()
    confirm.click()
    await flushPromises()
    expect(api.decideSubmission).toHaveBeenCalledWith('s2', { decision: 'returned', note: '面积记录有误' })
    expect(wrapper.findAll('[data-testid="review-return"]').map((b) => b.attributes('data-submission-id'))).toEqual(['s1'])
    wrapper.unmount()
  })

  it("shows today's verdict, 面积超标 and the office's judgement of each submission", async () => {
    signedIn('admin')
    vi.mocked(api.reviewQueue).mockResolvedValueOnce({
      submissions: [
        item({ verdict: 'pass_after_rectification', findings: 1 }),
        item({
          submission_id: 's2', household_number: '070002', verdict: 'fail', over_cap: true,
          judgement: {
            policy_version: 2, device_policy_version: 2, policy_mismatch: null, over_cap: true, critical_failures: [],
            people_found: 3, people_registered: 2, people_differ: true,
          },
        }),
      ],
      conflicts: [],
      damaged: [{ kind: 'submission', id: 's-bad', reason: 'form_version 0 is unknown' }],
    })
    const wrapper = mountView()
    await flushPromises()
    const verdicts = wrapper.findAll('[data-testid="review-verdict"]')
    expect(verdicts.map((v) => v.attributes('data-verdict'))).toEqual(['pass_after_rectification', 'fail'])
    expect(verdicts[0].text()).toBe('整改后合格')
    expect(verdicts[1].text()).toBe('不合格面积超标')
    const judgement = wrapper.findAll('[data-testid="judgement"]')
    expect(judgement).toHaveLength(1)
    expect(judgement[0].find('[data-testid="judgement-policy"]').text()).toBe('第2版政策')
    expect(judgement[0].find('[data-testid="judgement-over_cap"]').exists()).toBe(false) // the verdict column says it
    expect(judgement[0].find('[data-testid="judgement-people"]').attributes('title')).toBe('实际家庭人口3人，登记2人：请扶贫办核实（面积上限按登记人口计算）')
    expect(wrapper.find('[data-testid="damaged-notice"]').text()).toContain('s-bad')
    expect(wrapper.findAll('[data-testid="review-approve"]')).toHaveLength(2)
    wrapper.unmount()
  })

  it('lets a township user read the queue but not decide: the district reviews', async () => {
    signedIn('township')
    vi.mocked(api.reviewQueue).mockResolvedValueOnce({ submissions: [item({}), item({ submission_id: 's2' })], conflicts: [], damaged: [] })
    const wrapper = mountView()
    await flushPromises()
    expect(wrapper.findAll('.el-table__body tr.el-table__row')).toHaveLength(2)
    expect(wrapper.findAll('[data-testid="review-approve"]')).toHaveLength(0)
    expect(wrapper.findAll('[data-testid="review-return"]')).toHaveLength(0)
    expect(wrapper.findAll('[data-testid="review-by-district"]').map((h) => h.text())).toEqual(['由区县办公室审核', '由区县办公室审核'])
    expect(wrapper.find('[data-testid="review-read-only"]').exists()).toBe(true)
    wrapper.unmount()
  })
})

describe('ReviewView: the record beside the buttons, and batch approval', () => {
  const submission = {
    id: 's1', kind: 'acceptance' as const, inspector: 'li', device_time: '2026-12-01T10:00:00Z', trusted_time: '2026-12-01T10:00:00Z',
    received_at: '2026-12-01T10:30:36Z', review: null, sections: [], area: null, photos: [], signatures: [], judgement: null,
  }
  const household = {
    row: {
      id: 'h1', number: '070001', head_name: '罗某戊', size: 3, township: '东河口镇', village: '长岭村', site: null,
      mode: 'scattered', kind: 'self_built', kind_label: { zh: '自建', en: 'Self-built' }, status: 'awaiting_review',
      verdict: 'pass', accepted: false, over_cap: false, accepted_at: null, open_findings: 0, inspectors: ['li'],
    },
    id_number: '341502194501019007', phone: null, members: [], moved_in_on: null,
    old_house: { agreement_signed_on: null, demolished_on: null, reclaimed_on: null },
    submissions: [submission], findings: [], spot_check: null, damaged: [],
  }

  it('opens the record in a drawer on 通过 and approves from there', async () => {
    signedIn('admin')
    vi.mocked(api.reviewQueue).mockResolvedValueOnce({ submissions: [item({})], conflicts: [], damaged: [] })
    vi.mocked(api.household).mockResolvedValueOnce(household as never)
    vi.mocked(api.decideSubmission).mockReset().mockResolvedValue(undefined)
    const wrapper = mountView()
    await flushPromises()
    await wrapper.find('[data-testid="review-approve"][data-submission-id="s1"]').trigger('click')
    await flushPromises()
    expect(api.decideSubmission).not.toHaveBeenCalled()
    expect(api.household).toHaveBeenCalledWith('h1')
    // The record itself is shown beside the buttons.
    expect(document.querySelector('[data-testid="review-drawer"] [data-testid="submission"]')?.getAttribute('data-submission-id')).toBe('s1')
    document.querySelector<HTMLButtonElement>('[data-testid="review-approve-confirm"]')!.click()
    await flushPromises()
    expect(api.decideSubmission).toHaveBeenCalledWith('s1', { decision: 'approved', note: null })
    expect(wrapper.findAll('[data-testid="review-approve"]')).toHaveLength(0)
    wrapper.unmount()
  })

  it('lets only the records that raise nothing be chosen, and approves them at once', async () => {
    signedIn('admin')
    vi.mocked(api.reviewQueue).mockResolvedValueOnce({
      submissions: [
        item({ raises_nothing: true }),
        item({ submission_id: 's2', household_number: '070002', findings: 1 }),
        item({ submission_id: 's3', household_number: '070003', raises_nothing: true }),
      ],
      conflicts: [], damaged: [],
    })
    vi.mocked(api.approveBatch).mockResolvedValueOnce({ approved: ['s1', 's3'], refused: [] })
    const wrapper = mountView()
    await flushPromises()
    const boxes = wrapper.findAll('.el-table__body .el-table-column--selection .el-checkbox')
    expect(boxes).toHaveLength(3)
    expect(boxes.map((b) => b.classes().includes('is-disabled'))).toEqual([false, true, false])
    const batch = wrapper.find('[data-testid="review-batch-approve"]')
    expect(batch.attributes('disabled')).toBeDefined()
    for (const box of wrapper.findAll('.el-table__body .el-table-column--selection .el-checkbox:not(.is-disabled) input')) {
      await box.setValue(true)
    }
    await flushPromises()
    expect(batch.attributes('data-count')).toBe('2')
    await batch.trigger('click')
    await flushPromises()
    document.querySelector<HTMLButtonElement>('.el-message-box .confirm-ok')?.click()
    await flushPromises()
    expect(api.approveBatch).toHaveBeenCalledWith(['s1', 's3'])
    expect(wrapper.findAll('[data-testid="review-approve"]').map((b) => b.attributes('data-submission-id'))).toEqual(['s2'])
    wrapper.unmount()
  })

  it('gives every column a header, the judgement column too', async () => {
    signedIn('admin')
    vi.mocked(api.reviewQueue).mockResolvedValueOnce({ submissions: [item({ over_cap: true })], conflicts: [], damaged: [] })
    const wrapper = mountView()
    await flushPromises()
    const headers = wrapper.findAll('.el-table__header th').filter((th) => !th.classes().includes('el-table-column--selection'))
    expect(headers.map((th) => th.text().trim()).every((text) => text.length > 0)).toBe(true)
    wrapper.unmount()
  })
})
