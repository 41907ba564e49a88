// The form screen with a fake Rust side: photo slots under the items they prove, the
// outline with each section's progress and its jump, the summary before 提交, touch targets,
// and the desktop's mouse and keyboard on the photo viewer and the deadline picker.
import { readFileSync } from 'node:fs'
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import Vant from 'vant'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { AreaCheck } from '../src/bindings/AreaCheck'
import type { DraftView } from '../src/bindings/DraftView'
import type { FormAnswers } from '../src/bindings/FormAnswers'
import type { FormIssueView } from '../src/bindings/FormIssueView'
import type { Item } from '../src/bindings/Item'
import type { PhotoView } from '../src/bindings/PhotoView'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  openDraft: vi.fn(),
  saveAnswer: vi.fn(),
  householdDetail: vi.fn(),
  assessArea: vi.fn(),
  submitDraft: vi.fn(),
  fileUrl: (p: string) => `asset://${p}`,
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const FormView = (await import('../src/views/FormView.vue')).default
const FindingsItem = (await import('../src/components/FindingsItem.vue')).default
const PhotosItem = (await import('../src/components/PhotosItem.vue')).default
const { useDraftStore } = await import('../src/stores/draft')

const tx = (zh: string) => ({ zh, en: zh })
const yesNo = (key: string, zh: string): Item =>
  ({ key, label: tx(zh), required: true, help: null, kind: { type: 'yes_no', allow_not_applicable: false, problem_when: 'no' } })
const photoItem = (key: string, zh: string, min: number): Item =>
  ({ key, label: tx(zh), required: min > 0, help: null, kind: { type: 'photos', min, max: 3 } })
const signature = (key: string, zh: string): Item =>
  ({ key, label: tx(zh), required: true, help: null, kind: { type: 'signature', signer: { role: 'household_head' } } })
const sha = (c: string) => c.repeat(64)
const area = (m2: number) => ({ quarter_mm2: m2 * 4_000_000, m2: m2.toFixed(2) })
const missingIssue = (section: string, item: string, zh: string): FormIssueView =>
  ({ section, item, label: tx(zh), message_zh: '未填写', message_en: 'not answered' })

const measurement = { parts: [{ label: '一层主体', storey: 1, shape: { kind: 'rectangle' as const, length_mm: 12000, width_mm: 9000 }, voids: [], rule: { kind: 'storey' as const, height_mm: 2900 } }] }

function photo(slot: string, c: string) {
  return { sha256: sha(c), slot, path: `/p/${c}.jpg`, thumbnail_path: `/p/${c}.t.jpg`, width: 1600, height: 1200,
    taken: { device_time: '', trusted_time: null, offset_ms: null }, watermark_lines: ['2026-12-05 10:00'],
    fix: null, source: 'camera', camera_time: null } as PhotoView
}

function view(complete: boolean): DraftView {
  const sig = { id: 's1', slot: 'sign_household_head', signer_name: '郑怀圣', method: { method: 'handwritten' as const },
    image_sha256: sha('e'), signed_content_sha256: sha('f'), signed_at: '' }
  const answers: FormAnswers = complete ? {
    move_in_kitchen: { type: 'yes_no', value: 'yes', note: null },
    move_in_toilet: { type: 'yes_no', value: 'no', note: '没有门' },
    people: { type: 'number', value: 4 },
    area_measurement: { type: 'area', measurement },
    photo_kitchen: { type: 'photos', sha256: [sha('a')] },
    sign_household_head: { type: 'signature', signature: sig },
  } : { move_in_kitchen: { type: 'yes_no', value: 'yes', note: null } }
  const issues: FormIssueView[] = complete ? [] : [
    missingIssue('move_in', 'move_in_toilet', '卫生间可用'), missingIssue('move_in', 'people', '实际家庭人口'),
    missingIssue('area', 'area_measurement', '实测建筑面积'), missingIssue('photos', 'photo_kitchen', '厨房'),
    missingIssue('signatures', 'sign_household_head', '户主签字（或按手印、亲属代签）'),
  ]
  return {
    draft: { id: 'd1', household_id: 'h1', kind: 'acceptance', form_id: 'anju.acceptance', form_version: 1, answers, revision: 1, updated_at: '', finding_id: null },
    form: { id: 'anju.acceptance', version: 1, title: tx('验收监督表'), sections: [
      { key: 'move_in', title: tx('入住条件'), department: 'reform', items: [
        yesNo('move_in_kitchen', '厨房可用'), yesNo('move_in_toilet', '卫生间可用'),
        { key: 'people', label: tx('实际家庭人口'), required: true, help: null, kind: { type: 'number', unit: tx('人'), min: 1, max: 20, decimals: 0 } },
      ] },
      { key: 'area', title: tx('住房面积'), department: 'reform', items: [
        { key: 'area_measurement', label: tx('实测建筑面积'), required: true, help: null, kind: { type: 'area_measurement' } },
      ] },
      { key: 'findings', title: tx('发现问题及整改'), department: null, items: [
        { key: 'findings', label: tx('问题清单'), required: false, help: null, kind: { type: 'findings' } },
      ] },
      { key: 'photos', title: tx('照片'), department: null, items: [photoItem('photo_kitchen', '厨房', 1), photoItem('photo_misc', '其他', 0)] },
      { key: 'signatures', title: tx('签字确认'), department: null, items: [signature('sign_household_head', '户主签字（或按手印、亲属代签）')] },
    ] },
    household: { id: 'h1', number: '001', head_name: '郑怀圣', id_number: '341502198001011234', size: 4, members: [], phone: null,
      township: '东河口镇', village: '长岭村', site: null, mode: 'scattered', kind: 'self_built' },
    photos: complete ? [photo('photo_kitchen', 'a')] : [],
    signatures: complete ? [{ meta: sig, image_path: '/p/sig.png' }] : [],
    state: { draft_id: 'd1', revision: 1, updated_at: '', issues, progress: [], hidden: [],
      signatures: complete ? [{ slot: 'sign_household_head', signed: true, stale: false }] : [] },
    inspector: null,
    evidence: [{ item: 'move_in_kitchen', photo: 'photo_kitchen' }], task: null, original_photo: null, pin_signers: [],
  }
}

const areaCheck = (m2: number, cap: number): AreaCheck => ({
  error: null, policy_version: 2, comparison: null,
  assessment: {
    parts: [], built_area: area(m2), household_size: 4, per_person_m2: (m2 / 4).toFixed(2),
    cap: { rule_name: '每人25平方米', household_size: 4, total: area(cap), per_person: area(25) },
    verdict: m2 > cap ? { kind: 'over', by: area(m2 - cap) } : { kind: 'within', margin: area(cap - m2) },
    trace_zh: [], trace_en: [],
  },
})

afterAll(() => new Promise((resolve) => setTimeout(resolve, 400)))

function withRouter() {
  return createRouter({ history: createMemoryHistory(), routes: [
    { path: '/', component: { template: '<div />' } },
    { path: '/household/:id', name: 'household', component: { template: '<div />' } },
  ] })
}

async function mountForm(complete: boolean) {
  vi.mocked(api.openDraft).mockResolvedValue(view(complete))
  const wrapper = mount(FormView, { props: { id: 'h1', kind: 'acceptance' }, global: { plugins: [i18n, Vant, withRouter()] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

describe('form screen', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.mocked(api.saveAnswer).mockReset()
    vi.mocked(api.submitDraft).mockReset()
    vi.mocked(api.assessArea).mockReset()
    vi.mocked(api.assessArea).mockResolvedValue(areaCheck(108, 100))
    Element.prototype.scrollIntoView = vi.fn()
  })

  it('shows the kitchen photo slot right under 厨房可用, not at the end', async () => {
    const wrapper = await mountForm(false)
    const moveIn = wrapper.find('[data-testid="form-section-move_in"]')
    const keys = moveIn.findAll('[data-item-key]').map((e) => e.attributes('data-item-key'))
    expect(keys).toEqual(['move_in_kitchen', 'photo_kitchen', 'move_in_toilet', 'people'])
    expect(moveIn.find('[data-testid="item-photo_kitchen"]').attributes('data-evidence-for')).toBe('move_in_kitchen')
    expect(moveIn.find('[data-testid="photo-input-photo_kitchen"]').exists()).toBe(true)
    // The unplaced photo stays in the 照片 section, which no longer holds the kitchen.
    const photos = wrapper.find('[data-testid="form-section-photos"]')
    expect(photos.find('[data-testid="item-photo_misc"]').exists()).toBe(true)
    expect(photos.find('[data-testid="item-photo_kitchen"]').exists()).toBe(false)
    expect(wrapper.findAll('[data-testid="item-photo_kitchen"]')).toHaveLength(1)
    // Required items carry a visible mark.
    expect(wrapper.find('[data-testid="item-move_in_kitchen"] [data-testid="required-mark"]').text()).toBe('*')
    expect(wrapper.find('[data-testid="item-photo_misc"] [data-testid="required-mark"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('lists every section in the outline with its progress and jumps to it', async () => {
    const wrapper = await mountForm(false)
    await wrapper.find('[data-testid="form-outline-open"]').trigger('click')
    await flushPromises()
    const entry = (key: string) => wrapper.find(`[data-testid="outline-section-${key}"]`)
    expect(wrapper.findAll('[data-testid^="outline-section-"]').map((e) => e.attributes('data-testid')))
      .toEqual(['outline-section-move_in', 'outline-section-area', 'outline-section-findings', 'outline-section-photos', 'outline-section-signatures'])
    // 厨房可用 answered; 卫生间, 人口 and the kitchen photo (now shown here) are not.
    expect(entry('move_in').attributes('data-progress')).toBe('1/4')
    expect(entry('move_in').text()).toContain('1/4')
    expect(entry('move_in').attributes('data-missing')).toBe('true')
    expect(entry('findings').attributes('data-progress')).toBe('0/0')
    expect(entry('findings').attributes('data-missing')).toBe('false')
    expect(wrapper.find('[data-testid="section-progress-move_in"]').text()).toBe('1/4')

    await entry('signatures').trigger('click')
    await flushPromises()
    const scrolled = (vi.mocked(Element.prototype.scrollIntoView).mock.contexts as Element[]).slice(-1)
    expect(scrolled[0]?.getAttribute('data-testid')).toBe('form-section-signatures')
    wrapper.unmount()
  })

  it('names what is missing in the summary and will not submit', async () => {
    const wrapper = await mountForm(false)
    await wrapper.find('[data-testid="submit-form"]').trigger('click')
    await flushPromises()
    const summary = wrapper.find('[data-testid="submit-summary"]')
    expect(summary.exists()).toBe(true)
    const lines = (key: string) => summary.findAll(`[data-testid="summary-missing-${key}"] [data-item]`).map((e) => e.text())
    expect(lines('move_in')).toEqual(['照片：厨房（至少1张）', '卫生间可用：未填写', '实际家庭人口：未填写'])
    expect(lines('signatures')).toEqual(['签字：户主签字'])
    expect(summary.text()).not.toContain('户主签字（或按手印、亲属代签）：未填写')
    expect(summary.find('[data-testid="summary-area"]').attributes('data-state')).toBe('none')
    const submit = summary.find('[data-testid="summary-submit"]')
    expect(submit.attributes('disabled')).toBeDefined()
    await submit.trigger('click')
    await flushPromises()
    expect(api.submitDraft).not.toHaveBeenCalled()
    // A missing line jumps to its item.
    await summary.find('[data-item="photo_kitchen"]').trigger('click')
    await flushPromises()
    const scrolled = (vi.mocked(Element.prototype.scrollIntoView).mock.contexts as Element[]).slice(-1)
    expect(scrolled[0]?.getAttribute('data-item-key')).toBe('photo_kitchen')
    wrapper.unmount()
  })

  it('shows the verdicts, the photos and the signatures of a complete form, then submits', async () => {
    vi.mocked(api.submitDraft).mockResolvedValue({ submission_id: 'd1', findings: 0 } as never)
    const wrapper = await mountForm(true)
    await wrapper.find('[data-testid="submit-form"]').trigger('click')
    await flushPromises()
    const summary = wrapper.find('[data-testid="submit-summary"]')
    expect(summary.attributes('data-missing')).toBe('0')
    const areaBlock = summary.find('[data-testid="summary-area"]')
    expect(areaBlock.attributes('data-over')).toBe('true')
    expect(areaBlock.text()).toContain('超标 8.00 m²')
    const verdict = summary.find('[data-testid="summary-verdict"]')
    expect(verdict.attributes('data-verdict')).toBe('problems')
    expect(verdict.findAll('[data-testid="summary-problem"]').map((e) => e.text())).toEqual(['卫生间可用', '面积超标 8.00 m²'])
    expect(summary.find('[data-testid="summary-photo"]').attributes('src')).toBe(`asset:///p/a.t.jpg`)
    expect(summary.find('[data-testid="summary-signature-sign_household_head"]').attributes('data-signed')).toBe('true')
    const submit = summary.find('[data-testid="summary-submit"]')
    expect(submit.attributes('disabled')).toBeUndefined()
    await submit.trigger('click')
    await flushPromises()
    // jsdom has no navigator.geolocation: the submission records why there is no position.
    expect(api.submitDraft).toHaveBeenCalledWith('d1', { kind: 'no_fix', reason: 'unavailable' })
    expect(wrapper.find('[data-testid="submit-done"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('says 合格 when the answers found nothing and the area is within the cap', async () => {
    vi.mocked(api.assessArea).mockResolvedValue(areaCheck(96, 100))
    const complete = view(true)
    complete.draft.answers.move_in_toilet = { type: 'yes_no', value: 'yes', note: null }
    vi.mocked(api.openDraft).mockResolvedValue(complete)
    const wrapper = mount(FormView, { props: { id: 'h1', kind: 'acceptance' }, global: { plugins: [i18n, Vant, withRouter()] }, attachTo: document.body })
    await flushPromises()
    await wrapper.find('[data-testid="submit-form"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="summary-verdict"]').attributes('data-verdict')).toBe('pass')
    expect(wrapper.find('[data-testid="summary-verdict"]').text()).toContain('合格')
    expect(wrapper.find('[data-testid="summary-area"]').text()).toContain('未超标')
    wrapper.unmount()
  })

  it('gives every small button of the form a 44 px touch target', async () => {
    const wrapper = await mountForm(true)
    await flushPromises()
    const small = wrapper.findAll('.van-button--small, .van-button--mini, span[role="button"]')
    // The area editor's 删除部位 and 矩形/多边形, the outline button, 放弃 …
    expect(small.length).toBeGreaterThanOrEqual(4)
    for (const b of small) expect(b.classes(), b.text()).toContain('touch')
    // Vitest leaves CSS out of the page, so the rule is read from the stylesheet itself.
    const stylesCss = readFileSync(`${process.cwd()}/src/styles.css`, 'utf8')
    expect(stylesCss).toMatch(/\.touch\s*\{[^}]*min-height:\s*44px[^}]*min-width:\s*44px/)
    wrapper.unmount()
  })
})

describe('desktop mouse and keyboard', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('closes the photo viewer with Esc', async () => {
    const draft = useDraftStore()
    draft.photos = [photo('photo_kitchen', 'a')]
    const wrapper = mount(PhotosItem, { props: { item: photoItem('photo_kitchen', '厨房', 1) }, global: { plugins: [i18n, Vant] }, attachTo: document.body })
    await wrapper.find('[data-testid="photo-thumb"] img').trigger('click')
    await flushPromises()
    const preview = wrapper.findComponent({ name: 'van-image-preview' })
    expect(preview.props('show')).toBe(true)
    expect(preview.props('closeable')).toBe(true)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await flushPromises()
    expect(preview.props('show')).toBe(false)
    wrapper.unmount()
  })

  it('turns the deadline picker with the mouse wheel', async () => {
    const today = new Date()
    const start = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 15)
    const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
    const item: Item = { key: 'findings', label: tx('问题清单'), required: false, help: null, kind: { type: 'findings' } }
    const wrapper = mount(FindingsItem, {
      props: { item, answer: { type: 'findings', items: [{ description: '排水沟', item: null, deadline: iso(start) }] } },
      global: { plugins: [i18n, Vant] }, attachTo: document.body,
    })
    await wrapper.find('[data-testid="finding-0-deadline"]').trigger('click')
    await flushPromises()
    const columns = wrapper.findAll('.van-picker-column')
    expect(columns).toHaveLength(3)
    await columns[2].trigger('wheel', { deltaY: 100 })
    await columns[2].trigger('wheel', { deltaY: 100 })
    await flushPromises()
    await wrapper.find('.van-picker__confirm').trigger('click')
    await flushPromises()
    const next = new Date(start.getFullYear(), start.getMonth(), start.getDate() + 2)
    expect(wrapper.emitted('update')?.slice(-1)[0]).toEqual([{ type: 'findings', items: [{ description: '排水沟', item: null, deadline: iso(next) }] }])
    wrapper.unmount()
  })
})
