import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { ReviewItem } from '../src/bindings/ReviewItem'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  reviewQueue: vi.fn(),
  decideSubmission: vi.fn(),
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const ReviewView = (await import('../src/views/ReviewView.vue')).default

if (typeof ResizeObserver === 'undefined') {
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
}

const item = (over: Partial<ReviewItem>): ReviewItem => ({
  submission_id: 's1', household_id: 'h1', household_number: '070001', head_name: '罗某戊', township: '东河口镇',
  kind: 'acceptance', inspector: 'li', received_at: '2026-12-01T10:30:36Z', findings: 0, over_cap: false, ...over,
})

function mountView() {
  const router = createRouter({ history: createMemoryHistory(), routes: [
    { path: '/', name: 'review', component: { template: '<div />' } },
    { path: '/h/:id', name: 'household', component: { template: '<div />' } },
  ] })
  return mount(ReviewView, { global: { plugins: [i18n, ElementPlus, router] }, attachTo: document.body })
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('ReviewView', () => {
  it('returns a submission only with a reason, then drops it from the list', async () => {
    vi.mocked(api.reviewQueue).mockResolvedValueOnce({
      submissions: [item({}), item({ submission_id: 's2', kind: 'spot_check' })], conflicts: [],
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
})
