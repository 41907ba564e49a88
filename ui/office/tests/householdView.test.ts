import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { HouseholdDetail } from '../src/bindings/HouseholdDetail'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  // The page's template reads `api.formUrl(…)`: Vue then asks the module whether it is a ref.
  __v_isRef: false,
  household: vi.fn(),
  updateMilestones: vi.fn(),
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const HouseholdView = (await import('../src/views/HouseholdView.vue')).default

if (typeof ResizeObserver === 'undefined') {
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
}

const detail = (over: Partial<HouseholdDetail> = {}, status: HouseholdDetail['row']['status'] = 'pending'): HouseholdDetail => ({
  row: {
    id: 'h1', number: '010001', head_name: '王某甲', size: 3, township: '椿树镇', village: '椿树村', site: null,
    mode: 'scattered', kind: 'self_built', kind_label: { zh: '自建', en: 'Self-built' }, status,
    accepted_at: null, open_findings: 0, inspectors: [],
  },
  id_number: '341502194501019007', phone: null, members: [], moved_in_on: null,
  old_house: { agreement_signed_on: '2026-10-12', demolished_on: null, reclaimed_on: null },
  submissions: [], findings: [], spot_check: null,
  ...over,
})

function mountView() {
  const router = createRouter({ history: createMemoryHistory(), routes: [
    { path: '/', name: 'households', component: { template: '<div />' } },
  ] })
  return mount(HouseholdView, { props: { id: 'h1' }, global: { plugins: [i18n, ElementPlus, router] }, attachTo: document.body })
}

async function typeMovedIn(wrapper: ReturnType<typeof mountView>, date: string) {
  // The e2e script finds the field by this testid: it must reach the page's markup.
  const input = wrapper.find('[data-testid="milestone-moved_in_on"] input')
  expect(input.exists()).toBe(true)
  const picker = wrapper.findAllComponents({ name: 'ElDatePicker' })[0]
  picker.vm.$emit('update:modelValue', date)
  await flushPromises()
}

afterEach(() => {
  document.body.innerHTML = ''
  vi.mocked(api.updateMilestones).mockReset()
})

describe('HouseholdView milestones', () => {
  it('saves the move-in date with the other dates as shown and shows 已入住', async () => {
    vi.mocked(api.household).mockResolvedValueOnce(detail({}, 'accepted'))
    vi.mocked(api.updateMilestones).mockResolvedValueOnce(detail({ moved_in_on: '2026-12-01' }, 'moved_in'))
    const wrapper = mountView()
    await flushPromises()
    const save = wrapper.find('[data-testid="milestones-save"]')
    expect(save.attributes('disabled')).toBeDefined()
    await typeMovedIn(wrapper, '2026-12-01')
    expect(save.attributes('disabled')).toBeUndefined()
    await save.trigger('click')
    await flushPromises()
    expect(api.updateMilestones).toHaveBeenCalledWith('h1', {
      moved_in_on: '2026-12-01', agreement_signed_on: '2026-10-12', demolished_on: null, reclaimed_on: null,
    })
    const status = wrapper.find('[data-testid="household-status"]')
    expect(status.attributes('data-status')).toBe('moved_in')
    expect(status.text()).toBe('已入住')
    wrapper.unmount()
  })

  it("shows the server's refusal (先验收、后入住) in the page's language and keeps the status", async () => {
    vi.mocked(api.household).mockResolvedValueOnce(detail())
    vi.mocked(api.updateMilestones).mockRejectedValueOnce(new api.OfficeError(422, 'milestone_refused',
      '先验收、后入住：此户还没有验收记录 / accept first, then move in: this household has no acceptance yet'))
    const wrapper = mountView()
    await flushPromises()
    await typeMovedIn(wrapper, '2026-12-01')
    await wrapper.find('[data-testid="milestones-save"]').trigger('click')
    await flushPromises()
    const message = document.querySelector('.el-message--error')
    expect(message?.textContent).toContain('先验收、后入住：此户还没有验收记录')
    expect(message?.textContent).not.toContain('accept first')
    expect(wrapper.find('[data-testid="household-status"]').attributes('data-status')).toBe('pending')
    wrapper.unmount()
  })
})
