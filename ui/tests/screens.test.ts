// Renders the screens with a fake Rust side, to catch template mistakes and check the
// data-testid hooks the end-to-end tests rely on.
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import Vant from 'vant'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { DraftView } from '../src/bindings/DraftView'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  listHouseholds: vi.fn(),
  places: vi.fn(),
  openDraft: vi.fn(),
  saveAnswer: vi.fn(),
  householdDetail: vi.fn(),
  assessArea: vi.fn(),
  fileUrl: (p: string) => `asset://${p}`,
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const HouseholdsView = (await import('../src/views/HouseholdsView.vue')).default
const FormView = (await import('../src/views/FormView.vue')).default

const counts = { total: 2, to_inspect: 1, draft: 1, submitted: 0, synced: 0, with_open_findings: 1 }

function draftView(): DraftView {
  const t = (zh: string) => ({ zh, en: zh })
  return {
    draft: { id: 'd1', household_id: 'h1', kind: 'acceptance', form_id: 'f', form_version: 1, answers: {}, revision: 1, updated_at: '', finding_id: null },
    form: { id: 'f', version: 1, title: t('安置房验收监督表'), sections: [
      { key: 'move_in', title: t('入住条件'), department: 'reform', items: [
        { key: 'water', label: t('水电入户'), required: true, help: null, kind: { type: 'yes_no', allow_not_applicable: true, problem_when: 'no' } },
        { key: 'funding', label: t('自筹资金'), required: false, help: null, kind: { type: 'number', unit: t('元'), min: 0, max: 100000, decimals: 0 } },
        { key: 'structure', label: t('结构'), required: true, help: null, kind: { type: 'choice', multiple: false, options: [{ key: 'brick', label: t('砖混') }, { key: 'frame', label: t('框架') }] } },
        { key: 'opinion', label: t('群众意见'), required: false, help: null, kind: { type: 'text', max_chars: 200, multiline: true } },
        { key: 'front', label: t('房屋正面'), required: true, help: null, kind: { type: 'photos', min: 1, max: 3 } },
        { key: 'area', label: t('面积丈量'), required: true, help: null, kind: { type: 'area_measurement' } },
        { key: 'findings', label: t('整改问题'), required: false, help: null, kind: { type: 'findings' } },
        { key: 'head_signature', label: t('户主签字'), required: true, help: null, kind: { type: 'signature', signer: { role: 'household_head' } } },
        { key: 'reform_signature', label: t('发改委签字'), required: true, help: null, kind: { type: 'signature', signer: { role: 'inspector', department: 'reform' } } },
      ] },
    ] },
    household: { id: 'h1', number: '001', head_name: '郑怀圣', id_number: '341502198001011234', size: 4, members: [], phone: null,
      township: '东河口镇', village: '长岭村', site: null, mode: 'scattered', kind: 'self_built' },
    photos: [{ sha256: 'abc', slot: 'front', path: '/p/abc.jpg', thumbnail_path: '/p/abc.t.jpg', width: 1600, height: 1200,
      taken: { device_time: '', trusted_time: null, offset_ms: null }, watermark_lines: ['2017-09-05 10:00'],
      fix: null, source: 'camera', camera_time: null }],
    signatures: [],
    state: { draft_id: 'd1', revision: 1, updated_at: '', issues: [], progress: [{ section: 'move_in', answered: 1, required: 5 }], hidden: [],
      signatures: [{ slot: 'head_signature', signed: false, stale: false }] },
    inspector: { name: 'wang', role: 'inspector', department: 'reform', township: null, full_name: '王验收' },
    evidence: [], task: null, original_photo: null, pin_signers: [],
  }
}

// Vant's bars measure their height 100, 200 and 300 ms after they mount (useHeight with the
// safe area); the file must not end, and its window go, before those timers have run.
afterAll(() => new Promise((resolve) => setTimeout(resolve, 400)))

function withRouter() {
  return createRouter({ history: createMemoryHistory(), routes: [
    { path: '/', component: { template: '<div />' } },
    { path: '/household/:id', name: 'household', component: { template: '<div />' } },
  ] })
}

describe('screens', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.mocked(api.places).mockResolvedValue([{ township: '东河口镇', sites: [] }])
    vi.mocked(api.listHouseholds).mockResolvedValue({ items: [
      { id: 'h1', number: '001', head_name: '郑怀圣', id_number: 'x', size: 4, township: '东河口镇', village: '长岭村', site: null, status: 'draft', office_status: null, open_findings: 1 },
    ], counts, total_matching: 1 })
  })

  it('lists households with their hooks', async () => {
    const wrapper = mount(HouseholdsView, { global: { plugins: [i18n, Vant, withRouter()] } })
    await flushPromises()
    const row = wrapper.find('[data-testid="household-item"]')
    expect(row.attributes('data-household-id')).toBe('h1')
    expect(row.text()).toContain('郑怀圣')
    expect(wrapper.find('[data-testid="status-count-draft"]').text()).toBe('1')
    expect(wrapper.find('[data-testid="household-search"] input').exists()).toBe(true)
    await wrapper.find('[data-testid="status-tab-with_open_findings"]').trigger('click')
    await flushPromises()
    expect(vi.mocked(api.listHouseholds).mock.calls.slice(-1)[0][0]).toMatchObject({ with_open_findings: true, offset: 0 })
  })

  it('renders every kind of item and saves a tap at once', async () => {
    vi.mocked(api.openDraft).mockResolvedValue(draftView())
    vi.mocked(api.saveAnswer).mockImplementation(async (_d, _k, _a, rev) => ({ ...draftView().state, revision: rev + 1 }))
    const wrapper = mount(FormView, { props: { id: 'h1', kind: 'acceptance' }, global: { plugins: [i18n, Vant, withRouter()] }, attachTo: document.body })
    await flushPromises()
    for (const id of ['form-section-move_in', 'item-water', 'item-water-not_applicable', 'item-structure-opt-brick', 'photo-input-front',
      'area-add-part', 'sign-open-head_signature', 'sign-method-thumbprint', 'sign-open-reform_signature', 'submit-form']) {
      expect(wrapper.find(`[data-testid="${id}"]`).exists(), id).toBe(true)
    }
    expect(wrapper.find('[data-testid="item-front"] [data-testid="photo-thumb"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="photo-input-front"]').element.tagName).toBe('INPUT')
    expect(wrapper.find('[data-testid="save-state"]').attributes('data-state')).toBe('saved')
    await wrapper.find('[data-testid="item-water-no"]').trigger('click')
    await flushPromises()
    expect(api.saveAnswer).toHaveBeenCalledWith('d1', 'water', { type: 'yes_no', value: 'no', note: null }, 1)
    expect(wrapper.find('[data-testid="save-state"]').attributes('data-state')).toBe('saved')
    // "No" is the problem answer: the note and the one-tap finding appear.
    expect(wrapper.find('[data-testid="item-water-record-finding"]').exists()).toBe(true)
    await wrapper.find('[data-testid="item-opinion"] textarea').setValue('希望尽快通电')
    await flushPromises()
    expect(api.saveAnswer).toHaveBeenLastCalledWith('d1', 'opinion', { type: 'text', value: '希望尽快通电' }, 2)
    wrapper.unmount()
  })

  it("prefills the inspector's own signature with the 姓名 from the office, never the login", async () => {
    for (const [inspector, expected] of [
      [{ name: 'li', role: 'inspector', department: 'reform', township: null, full_name: '李晓峰' }, '李晓峰'],
      [{ name: 'li', role: 'inspector', department: 'reform', township: null }, ''],
    ] as const) {
      vi.mocked(api.openDraft).mockResolvedValue({ ...draftView(), inspector: { ...inspector } })
      const wrapper = mount(FormView, { props: { id: 'h1', kind: 'acceptance' }, global: { plugins: [i18n, Vant, withRouter()] }, attachTo: document.body })
      await flushPromises()
      await wrapper.find('[data-testid="sign-open-reform_signature"]').trigger('click')
      await flushPromises()
      const input = document.querySelector<HTMLInputElement>('[data-testid="signer-name"] input')
      expect(input?.value).toBe(expected)
      wrapper.unmount()
    }
  })
})
