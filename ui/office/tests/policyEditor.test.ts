import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import type { PolicyView } from '../src/bindings/PolicyView'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  setPolicy: vi.fn(),
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const PolicyEditor = (await import('../src/components/PolicyEditor.vue')).default

const FILE = JSON.stringify({
  version: 2, effective_from: '2017-01-01', set_by: '领导小组', set_at: '2026-12-01T08:00:00Z',
  policy: { province: '安徽省', programme_year: 2017, rectification_days: 30 },
}, null, 2)
const version = (over: Partial<PolicyView> = {}): PolicyView => ({
  version: 2, effective_from: '2017-01-01', set_by: '领导小组', set_at: '2026-12-01T08:00:00Z', in_force: true,
  province: '安徽省', programme_year: 2017,
  caps: [{ name: '国家标准', applies_to: { zh: '所有住户', en: 'every household' }, cap: { zh: '人均 25 m²', en: '25 m² per person' } }],
  critical_items: [{ zh: '房屋安全等级：C级、D级', en: 'Safety grade: C, D' }], spot_check_tolerance: '3.0%',
  sampling: { site_share_pct: 50, min_site_households: 3, household_share_pct: 20, scattered_share_pct: 20 },
  rectification_days: 30, file: FILE, ...over,
})

afterEach(() => {
  document.body.innerHTML = ''
  vi.mocked(api.setPolicy).mockReset()
})

function mountEditor() {
  return mount(PolicyEditor, { props: { current: version(), today: '2026-12-05' }, global: { plugins: [i18n, ElementPlus] }, attachTo: document.body })
}

describe('PolicyEditor', () => {
  it('starts from the version in force, taking effect today', async () => {
    const wrapper = mountEditor()
    const text = (wrapper.find('textarea[data-testid="policy-file"]').element as HTMLTextAreaElement).value
    expect(JSON.parse(text)).toEqual({ effective_from: '2026-12-05', policy: { province: '安徽省', programme_year: 2017, rectification_days: 30 } })
    expect(wrapper.find('[data-testid="policy-date-hint"]').text()).toContain('不能早于今天（2026-12-05）')
    await flushPromises()
    wrapper.unmount()
  })

  it('shows a refused file at its line, the line quoted', async () => {
    const wrapper = mountEditor()
    const area = wrapper.find('textarea[data-testid="policy-file"]')
    const typo = (area.element as HTMLTextAreaElement).value.replace('"rectification_days"', '"rectification_dayz"')
    await area.setValue(typo)
    const line = typo.split('\n').findIndex((l) => l.includes('rectification_dayz')) + 1
    vi.mocked(api.setPolicy).mockRejectedValueOnce(new api.OfficeError(422, 'policy_refused',
      `第${line}行第25列：unknown field \`rectification_dayz\`, expected one of \`rectification_days\` / line ${line}, column 25: unknown field \`rectification_dayz\`, expected one of \`rectification_days\``, 'file'))
    await wrapper.find('[data-testid="policy-check"]').trigger('click')
    await flushPromises()
    expect(api.setPolicy).toHaveBeenCalledWith({ file: typo, dry_run: true })
    const error = wrapper.find('[data-testid="policy-error"]')
    expect(error.attributes('data-line')).toBe(String(line))
    expect(error.attributes('data-field')).toBe('file')
    expect(wrapper.find('[data-testid="policy-error-message"]').text()).toBe(`第${line}行第25列：unknown field \`rectification_dayz\`, expected one of \`rectification_days\``)
    expect(wrapper.find('[data-testid="policy-error-line"]').text()).toBe(`${line}    "rectification_dayz": 30`)
    // The line is selected in the editor, to be mended at once.
    const el = area.element as HTMLTextAreaElement
    expect(el.value.slice(el.selectionStart, el.selectionEnd)).toBe('    "rectification_dayz": 30')
    // Editing clears the old verdict.
    await area.setValue(typo.replace('dayz', 'days'))
    expect(wrapper.find('[data-testid="policy-error"]').exists()).toBe(false)
    await flushPromises()
    wrapper.unmount()
  })

  it('checks, then publishes after a confirmation that names the version and date', async () => {
    const wrapper = mountEditor()
    const preview = version({ version: 3, effective_from: '2026-12-05', in_force: false, rectification_days: 20 })
    vi.mocked(api.setPolicy).mockResolvedValueOnce(preview)
    await wrapper.find('[data-testid="policy-check"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="policy-preview"]').attributes('data-version')).toBe('3')
    expect(wrapper.find('[data-testid="policy-preview"]').text()).toContain('检查通过：将作为第3版，自2026-12-05起生效（尚未保存）')
    expect(wrapper.find('[data-testid="policy-preview"] [data-testid="policy-rectification-days"]').text()).toBe('20 天')

    vi.mocked(api.setPolicy).mockResolvedValueOnce(preview).mockResolvedValueOnce({ ...preview, in_force: true })
    await wrapper.find('[data-testid="policy-publish"]').trigger('click')
    await flushPromises()
    expect(document.querySelector('.el-message-box')?.textContent).toContain('发布第3版政策，自2026-12-05起生效？')
    document.querySelector<HTMLButtonElement>('.el-message-box .confirm-ok')!.click()
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    await flushPromises()
    expect(vi.mocked(api.setPolicy).mock.calls.map((c) => c[0].dry_run)).toEqual([true, true, false])
    expect(wrapper.emitted('published')?.[0]?.[0]).toMatchObject({ version: 3, in_force: true })
    await flushPromises()
    wrapper.unmount()
  })
})
