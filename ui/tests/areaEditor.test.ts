import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import Vant from 'vant'
import type { AreaCheck } from '../src/bindings/AreaCheck'
import type { HouseMeasurement } from '../src/bindings/HouseMeasurement'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  assessArea: vi.fn(),
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const AreaEditor = (await import('../src/components/AreaEditor.vue')).default

const area = (m2: number) => ({ quarter_mm2: m2 * 4_000_000, m2: m2.toFixed(2) })
function check(measurement: HouseMeasurement, policyVersion: number | null = 3, recorded: number | null = null): AreaCheck {
  const part = measurement.parts[0]
  const m2 = part.shape.kind === 'rectangle' ? (part.shape.length_mm * part.shape.width_mm) / 1e6 : 0
  const cap = 100
  return {
    error: null,
    policy_version: policyVersion,
    // As the office compares them: 3 % tolerance.
    comparison: recorded === null ? null : {
      recorded_m2: recorded.toFixed(2), remeasured_m2: m2.toFixed(2), difference_m2: (m2 - recorded).toFixed(2),
      difference_pct: `${m2 >= recorded ? '+' : ''}${(((m2 - recorded) / recorded) * 100).toFixed(1)}%`,
      within_tolerance: Math.abs(m2 - recorded) * 1000 <= 30 * recorded,
    },
    assessment: {
      parts: [], built_area: area(m2), household_size: 4, per_person_m2: (m2 / 4).toFixed(2),
      cap: { rule_name: '每人25平方米', household_size: 4, total: area(cap), per_person: area(25) },
      verdict: m2 > cap ? { kind: 'over', by: area(m2 - cap) } : { kind: 'within', margin: area(cap - m2) },
      trace_zh: ['一层主体 12.00 × 8.00 = 96.00'], trace_en: ['ground 12.00 × 8.00 = 96.00'],
    },
  }
}

function mountEditor(props: Record<string, unknown> = {}) {
  return mount(AreaEditor, {
    props: { itemKey: 'area', answer: undefined, householdId: 'h1', showEmpty: false, ...props },
    global: { plugins: [i18n, Vant] },
    attachTo: document.body,
  })
}

async function type(wrapper: ReturnType<typeof mountEditor>, testid: string, value: string) {
  await wrapper.find(`[data-testid="${testid}"] input`).setValue(value)
}

describe('AreaEditor', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.mocked(api.assessArea).mockReset()
    vi.mocked(api.assessArea).mockImplementation(async (_h, m) => check(m))
  })
  afterEach(() => vi.useRealTimers())

  it('assesses after a pause, shows the verdict and saves the measurement in millimetres', async () => {
    const wrapper = mountEditor()
    await wrapper.find('[data-testid="area-add-part"]').trigger('click')
    await type(wrapper, 'area-part-0-length', '12')
    await type(wrapper, 'area-part-0-width', '８')
    await type(wrapper, 'area-part-0-height', '2.90')
    expect(api.assessArea).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(150)
    await flushPromises()
    expect(api.assessArea).toHaveBeenCalledTimes(1)
    const measurement = vi.mocked(api.assessArea).mock.calls[0][1]
    expect(measurement.parts[0]).toMatchObject({ label: '一层主体', storey: 1, shape: { kind: 'rectangle', length_mm: 12000, width_mm: 8000 }, rule: { kind: 'storey', height_mm: 2900 } })
    expect(wrapper.find('[data-testid="area-built"]').text()).toContain('96.00')
    expect(wrapper.find('[data-testid="area-per-person"]').text()).toContain('24.00')
    expect(wrapper.find('[data-testid="area-verdict"]').attributes('data-over')).toBe('false')
    expect(wrapper.find('[data-testid="area-policy"]').text()).toBe('按区县第3版政策评定')
    expect(wrapper.emitted('update')?.slice(-1)[0]).toEqual([{ type: 'area', measurement }])
    wrapper.unmount()
  })

  it('shows the usual storey height as a hint, not a value, and assesses nothing until it is measured', async () => {
    const wrapper = mountEditor()
    await wrapper.find('[data-testid="area-add-part"]').trigger('click')
    const height = wrapper.find('[data-testid="area-part-0-height"] input')
    expect((height.element as HTMLInputElement).value).toBe('')
    expect(height.attributes('placeholder')).toBe('2.90')
    await type(wrapper, 'area-part-0-length', '12')
    await type(wrapper, 'area-part-0-width', '8')
    await vi.advanceTimersByTimeAsync(200)
    await flushPromises()
    expect(api.assessArea).not.toHaveBeenCalled()
    expect(wrapper.emitted('update')).toBeUndefined()
    // Choosing the storey rule again does not slip the hint in as a value either.
    await wrapper.find('[data-testid="area-part-0-rule"]').trigger('click')
    await flushPromises()
    const storey = [...document.querySelectorAll('.van-action-sheet__item')].find((e) => e.textContent?.includes('层高'))
    ;(storey as HTMLElement | undefined)?.click()
    await flushPromises()
    expect((wrapper.find('[data-testid="area-part-0-height"] input').element as HTMLInputElement).value).toBe('')
    wrapper.unmount()
  })

  it('says when no district policy has arrived and the national rule applies', async () => {
    vi.mocked(api.assessArea).mockImplementation(async (_h, m) => check(m, null))
    const wrapper = mountEditor()
    await wrapper.find('[data-testid="area-add-part"]').trigger('click')
    await type(wrapper, 'area-part-0-length', '10')
    await type(wrapper, 'area-part-0-width', '8')
    await type(wrapper, 'area-part-0-height', '2.90')
    await vi.advanceTimersByTimeAsync(150)
    await flushPromises()
    expect(wrapper.find('[data-testid="area-policy"]').text()).toContain('国家标准')
    expect(wrapper.find('[data-testid="area-policy"]').attributes('data-version')).toBe('')
    wrapper.unmount()
  })

  it('says what is wrong with a typo and neither assesses nor saves', async () => {
    const wrapper = mountEditor()
    await wrapper.find('[data-testid="area-add-part"]').trigger('click')
    await type(wrapper, 'area-part-0-length', '12,5')
    await type(wrapper, 'area-part-0-width', '8')
    await type(wrapper, 'area-part-0-height', '2.90')
    await vi.advanceTimersByTimeAsync(200)
    await flushPromises()
    expect(api.assessArea).not.toHaveBeenCalled()
    expect(wrapper.find('[data-testid="area-part-0-length"]').text()).toContain('请输入数字')
    expect(wrapper.emitted('update')).toBeUndefined()
    wrapper.unmount()
  })

  it('shows an over-the-limit verdict and, for a spot check, the difference from the record', async () => {
    vi.mocked(api.assessArea).mockImplementation(async (_h, m) => check(m, 3, 100))
    const wrapper = mountEditor({ spotCheck: true, recordedArea: { submission_id: 's1', built_area: area(100), made_at: '2017-09-05T02:00:00Z' } })
    await wrapper.find('[data-testid="area-add-part"]').trigger('click')
    await type(wrapper, 'area-part-0-length', '12')
    await type(wrapper, 'area-part-0-width', '9')
    await type(wrapper, 'area-part-0-height', '2.90')
    await vi.advanceTimersByTimeAsync(150)
    await flushPromises()
    const verdict = wrapper.find('[data-testid="area-verdict"]')
    expect(verdict.attributes('data-over')).toBe('true')
    expect(verdict.text()).toContain('8.00')
    const difference = wrapper.find('[data-testid="area-difference"]')
    expect(difference.text()).toContain('+8.00')
    expect(difference.text()).toContain('+8.0%')
    // Over the office's tolerance of 3 %.
    expect(difference.attributes('data-over-threshold')).toBe('true')
    wrapper.unmount()
  })
})
