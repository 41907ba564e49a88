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
  addSupportMeasure: vi.fn(),
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
    verdict: null, accepted: status === 'accepted' || status === 'moved_in', over_cap: false,
    accepted_at: null, open_findings: 0, inspectors: [], inspectors_display: [],
  },
  id_number: '341502194501019007', phone: null, members: [], moved_in_on: null,
  old_house: { agreement_signed_on: '2026-10-12', demolished_on: null, reclaimed_on: null },
  submissions: [], findings: [], spot_check: null, damaged: [], timeline: [], pending_parts: null,
  support: { household_id: 'h1', able_to_develop: false, measures: [], shortfall: { measures: 0, missing: 5, needs_industry: false },
    shortfall_text: { zh: '尚缺5项', en: '5 more measures needed' } },
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

describe('HouseholdView standing', () => {
  const submission = (over: Partial<HouseholdDetail['submissions'][number]> = {}): HouseholdDetail['submissions'][number] => ({
    id: 's1', kind: 'acceptance', form_version: 1, inspector: 'li', inspector_display: { zh: '李晓峰（区发改委）', en: '李晓峰 (区发改委)' },
    device_time: '2026-12-01T10:00:00Z', trusted_time: '2026-12-01T10:00:00Z', received_at: '2026-12-01T10:30:00Z',
    review: { decision: 'approved', note: null, by: 'admin', by_display: { zh: '王建国（区易地扶贫搬迁办公室）', en: '王建国 (区易地扶贫搬迁办公室)' }, at: '2026-12-02T09:00:00Z' },
    sections: [], area: null, photos: [], signatures: [], judgement: null, location_notes: [], position_text: null, position_distance_m: null, finding_id: null, recheck_confirmed: null, township_verdict: null, ...over,
  })

  it('shows 不合格, its verdict and 面积超标 as tags, and the judgement of the inspection', async () => {
    const failed = detail({
      submissions: [submission({
        judgement: {
          policy_version: 2, device_policy_version: 1, over_cap: true, critical_failures: [{ zh: '房屋安全等级', en: 'Safety grade' }],
          policy_mismatch: { zh: '设备按第1版政策评定', en: 'the device assessed by version 1' },
          people_found: 5, people_registered: 4, people_differ: true,
        },
      })],
    }, 'failed')
    failed.row = { ...failed.row, verdict: 'fail', over_cap: true, accepted: false, accepted_at: '2026-12-01T10:00:00Z' }
    vi.mocked(api.household).mockResolvedValueOnce(failed)
    const wrapper = mountView()
    await flushPromises()
    const header = wrapper.find('[data-testid="household-header"]')
    expect(header.find('[data-testid="household-status"]').text()).toBe('不合格')
    expect(header.find('[data-testid="household-status"]').html()).toContain('el-tag--danger') // red
    expect(header.find('[data-testid="household-verdict"]').attributes('data-verdict')).toBe('fail')
    expect(header.find('[data-testid="over-cap"]').text()).toBe('面积超标')
    expect(wrapper.find('[data-testid="household-info"]').text()).toContain('尚不计为已验收')
    const judgement = wrapper.find('[data-testid="submission"] [data-testid="judgement"]')
    expect(judgement.attributes('data-policy-version')).toBe('2')
    expect(judgement.find('[data-testid="judgement-policy"]').text()).toBe('按第2版政策评定')
    expect(judgement.find('[data-testid="judgement-mismatch"]').text()).toContain('设备按第1版政策评定')
    expect(judgement.find('[data-testid="judgement-over_cap"]').text()).toContain('面积超标')
    expect(judgement.find('[data-testid="judgement-critical"]').text()).toBe('关键项不合格：房屋安全等级')
    expect(judgement.find('[data-testid="judgement-people"]').text()).toContain('实际家庭人口5人，登记4人：请扶贫办核实')
    wrapper.unmount()
  })

  it('lists damaged records above the rest of the page', async () => {
    vi.mocked(api.household).mockResolvedValueOnce(detail({
      damaged: [{ kind: 'submission', id: 'bad-1', reason: 'answers are not JSON' }],
      submissions: [submission()],
    }))
    const wrapper = mountView()
    await flushPromises()
    expect(wrapper.find('[data-testid="damaged-notice"]').text()).toContain('检查记录 bad-1：answers are not JSON')
    expect(wrapper.find('[data-testid="household-header"]').exists()).toBe(true)
    expect(wrapper.findAll('[data-testid="submission"]')).toHaveLength(1)
    wrapper.unmount()
  })

  it('lists the parts of a team acceptance sent so far, why they were not merged, and who is still to send', async () => {
    vi.mocked(api.household).mockResolvedValueOnce(detail({
      pending_parts: {
        parts: [
          { submission_id: 'p1', department: 'reform', department_label: { zh: '发改委', en: 'development and reform' },
            by: { zh: '李晓峰（区发改委）', en: '李晓峰 (区发改委)' }, form_version: 1, received_at: '2026-12-05T02:00:00Z', merge_problem: null },
          { submission_id: 'p2', department: 'land', department_label: { zh: '国土局', en: 'land and resources' },
            by: { zh: '赵国平（区自然资源局（国土））', en: '赵国平' }, form_version: 1, received_at: '2026-12-05T03:00:00Z',
            merge_problem: { zh: '国土局的部分答了不属于它的“quality_roof”', en: 'the land part answers quality_roof' } },
        ],
        missing: ['poverty', 'housing'],
      },
    }))
    const wrapper = mountView()
    await flushPromises()
    const card = wrapper.find('[data-testid="pending-parts"]')
    expect(card.text()).toContain('李晓峰（区发改委）')
    expect(card.find('[data-testid="part-problem"]').text()).toContain('quality_roof')
    expect(card.find('[data-testid="parts-missing"]').text().replace(/\s+/g, '')).toBe('尚未提交：扶贫办住建局')
    wrapper.unmount()
  })

  it('shows no parts card without parts', async () => {
    vi.mocked(api.household).mockResolvedValueOnce(detail())
    const wrapper = mountView()
    await flushPromises()
    expect(wrapper.find('[data-testid="household-header"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="pending-parts"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('says the status when refusing a move-in', async () => {
    vi.mocked(api.household).mockResolvedValueOnce(detail({}, 'failed'))
    vi.mocked(api.updateMilestones).mockRejectedValueOnce(new api.OfficeError(422, 'milestone_refused',
      '先验收、后入住：此户目前为“不合格”，须经区县审核通过且验收不为“不合格”才能入住 / accept first, then move in: this household is failed; it moves in once the district has approved an acceptance that did not fail',
      'moved_in_on'))
    const wrapper = mountView()
    await flushPromises()
    await typeMovedIn(wrapper, '2026-12-01')
    await wrapper.find('[data-testid="milestones-save"]').trigger('click')
    await flushPromises()
    expect(document.querySelector('.el-message--error')?.textContent).toContain('此户目前为“不合格”')
    expect(wrapper.find('[data-testid="household-status"]').attributes('data-status')).toBe('failed')
    wrapper.unmount()
  })
})

describe('HouseholdView personal data', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('shows the numbers masked, and in full once revealed (posted to the reveal address)', async () => {
    vi.mocked(api.household).mockResolvedValueOnce(detail({ id_number: '341502********9007', phone: '139****5678' }))
    // The page's request goes through the real api module: what reaches fetch is checked.
    const fetchMock = vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(new Response(
      JSON.stringify({ id_number: '341502194501019007', phone: '13912345678' }), { status: 200, headers: { 'Content-Type': 'application/json' } }))
    const wrapper = mountView()
    await flushPromises()
    expect(wrapper.find('[data-testid="household-id-number"]').text()).toBe('341502********9007')
    expect(wrapper.find('[data-testid="household-phone"]').text()).toBe('139****5678')
    expect(wrapper.find('[data-testid="household-info"]').text()).toContain('查看将被记录')
    const button = wrapper.find('[data-testid="reveal-personal-data"]')
    expect(button.text()).toBe('显示完整')
    await button.trigger('click')
    await flushPromises()
    expect(fetchMock).toHaveBeenCalledTimes(1)
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit & { headers: Record<string, string> }]
    expect(url).toBe('/api/office/households/h1/reveal')
    expect(init.method).toBe('POST')
    expect(init.headers['X-Anju-Office']).toBe('1')
    expect(wrapper.find('[data-testid="household-id-number"]').text()).toBe('341502194501019007')
    expect(wrapper.find('[data-testid="household-phone"]').text()).toBe('13912345678')
    expect(wrapper.find('[data-testid="reveal-personal-data"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it("shows the server's refusal and keeps the numbers masked", async () => {
    vi.mocked(api.household).mockResolvedValueOnce(detail({ id_number: '341502********9007', phone: '139****5678' }))
    vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(new Response(
      JSON.stringify({ error: 'forbidden', field: null, message: '无权查看 / You may not see this' }), { status: 403, headers: { 'Content-Type': 'application/json' } }))
    const wrapper = mountView()
    await flushPromises()
    await wrapper.find('[data-testid="reveal-personal-data"]').trigger('click')
    await flushPromises()
    expect(document.querySelector('.el-message--error')?.textContent).toContain('无权查看')
    expect(wrapper.find('[data-testid="household-id-number"]').text()).toBe('341502********9007')
    expect(wrapper.find('[data-testid="reveal-personal-data"]').exists()).toBe(true)
    wrapper.unmount()
  })
})

describe('HouseholdView timeline', () => {
  it('shows each visit with who made it, and the old house before and after side by side', async () => {
    const photo = (url: string, zh: string) => ({ url, label: { zh, en: zh } })
    vi.mocked(api.household).mockResolvedValueOnce(detail({
      timeline: [
        { at: '2026-10-11T16:00:00Z', kind: 'milestone', tone: 'neutral', title: { zh: '签订旧房拆除协议', en: 'demolition agreement signed' },
          detail: { zh: '2026-10-12', en: '2026-10-12' }, by: null, submission_id: null, finding_id: null, photos: [] },
        { at: '2026-12-05T02:00:00Z', kind: 'visit', tone: 'good', title: { zh: '旧房拆除核实', en: 'Demolition check' },
          detail: { zh: '据此记录旧房拆除：2026-12-05', en: 'the demolition is recorded on 2026-12-05' },
          by: { zh: '赵国土（区国土资源局）', en: '赵国土 (land office)' }, submission_id: 's2', finding_id: null,
          photos: [photo('/blobs/a', '拆除前（旧房原貌）'), photo('/blobs/b', '拆除后（同一位置）')] },
      ],
    }, 'accepted'))
    const wrapper = mountView()
    await flushPromises()
    const entries = wrapper.findAll('[data-testid="timeline-entry"]')
    expect(entries.map((e) => e.attributes('data-kind'))).toEqual(['milestone', 'visit'])
    const visit = entries[1]
    expect(visit.attributes('data-tone')).toBe('good')
    expect(visit.find('[data-testid="timeline-title"]').text()).toBe('旧房拆除核实')
    expect(visit.find('[data-testid="timeline-detail"]').text()).toBe('据此记录旧房拆除：2026-12-05')
    expect(visit.text()).toContain('赵国土（区国土资源局）')
    expect(visit.findAll('[data-testid="timeline-photo"]').map((p) => p.text())).toEqual(['拆除前（旧房原貌）', '拆除后（同一位置）'])
    wrapper.unmount()
  })

  it('says so when a household has nothing yet', async () => {
    vi.mocked(api.household).mockResolvedValueOnce(detail())
    const wrapper = mountView()
    await flushPromises()
    expect(wrapper.find('[data-testid="timeline"]').exists()).toBe(false)
    expect(wrapper.text()).toContain('尚无记录')
    wrapper.unmount()
  })
})

describe('HouseholdView support measures', () => {
  it('says what the household lacks, and adds a measure as typed', async () => {
    const measure = (id: string, category: 'industry' | 'health', description: string) => ({
      id, category, category_label: { zh: category === 'industry' ? '产业发展' : '健康医疗', en: category }, description,
      started_on: null, recorded_by: { zh: '张明华（东河口镇）', en: 'Zhang' }, recorded_at: '2026-12-05T02:00:00Z',
    })
    vi.mocked(api.household).mockResolvedValueOnce(detail({
      support: { household_id: 'h1', able_to_develop: true, measures: [measure('m1', 'health', '家庭医生签约')],
        shortfall: { measures: 1, missing: 4, needs_industry: true },
        shortfall_text: { zh: '尚缺4项；有发展能力，尚无产业项目', en: 'short' } },
    }))
    vi.mocked(api.addSupportMeasure).mockResolvedValueOnce({
      household_id: 'h1', able_to_develop: true, measures: [measure('m1', 'health', '家庭医生签约'), measure('m2', 'industry', '林下养鸡')],
      shortfall: { measures: 2, missing: 3, needs_industry: false }, shortfall_text: { zh: '尚缺3项', en: 'short' },
    })
    const wrapper = mountView()
    await flushPromises()
    const tag = wrapper.find('[data-testid="support-shortfall"]')
    expect(tag.text()).toBe('尚缺4项；有发展能力，尚无产业项目')
    expect(tag.attributes('data-met')).toBe('false')
    await wrapper.find('input[data-testid="support-new-description"]').setValue('  林下养鸡 ')
    await wrapper.find('[data-testid="support-add"]').trigger('click')
    await flushPromises()
    expect(api.addSupportMeasure).toHaveBeenCalledWith('h1', { category: 'industry', description: '  林下养鸡 ', started_on: null })
    expect(wrapper.findAll('[data-testid="support-category"]').map((c) => c.text())).toEqual(['健康医疗', '产业发展'])
    expect(wrapper.find('[data-testid="support-shortfall"]').text()).toBe('尚缺3项')
    wrapper.unmount()
  })
})
