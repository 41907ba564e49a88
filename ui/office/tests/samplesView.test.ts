import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { createMemoryHistory, createRouter } from 'vue-router'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  samples: vi.fn(),
  sample: vi.fn(),
  drawSample: vi.fn(),
  places: vi.fn(),
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const SamplesView = (await import('../src/views/SamplesView.vue')).default

if (typeof ResizeObserver === 'undefined') {
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
}

function mountView() {
  const router = createRouter({ history: createMemoryHistory(), routes: [
    { path: '/', name: 'samples', component: { template: '<div />' } },
    { path: '/s/:id', name: 'sample', component: { template: '<div />' } },
  ] })
  return mount(SamplesView, { global: { plugins: [i18n, ElementPlus, router] }, attachTo: document.body })
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('SamplesView: the draw number', () => {
  it('calls the seed 抽样编号, says what it is for, and refuses a bad one in plain words', async () => {
    vi.mocked(api.samples).mockResolvedValue([])
    vi.mocked(api.places).mockResolvedValue({ townships: [], sites: [], inspectors: [], sample_rule: null } as never)
    const wrapper = mountView()
    await flushPromises()
    expect(wrapper.text()).toContain('抽样编号')
    expect(wrapper.text()).not.toContain('随机种子')
    expect(wrapper.find('[data-testid="sample-seed-help"]').text()).toBe('同一编号抽出同一批户，便于复核')
    const input = wrapper.find('input[data-testid="sample-seed-input"]')
    for (const [typed, said] of [['99999999999999999999', '抽样编号太长'], ['abc', '抽样编号只能填数字']]) {
      await input.setValue(typed)
      await wrapper.find('[data-testid="sample-seed-input"]').element.closest('form')!.dispatchEvent(new Event('submit'))
      await flushPromises()
      // The message is the form item's error (its transition is stubbed in tests).
      const item = wrapper.findAllComponents({ name: 'ElFormItem' }).find((f) => f.find('[data-testid="sample-seed-input"]').exists())!
      const error = String(item.props('error'))
      expect(error).toContain(said)
      expect(error).not.toContain('18446744073709551615')
    }
    expect(api.drawSample).not.toHaveBeenCalled()
    wrapper.unmount()
  })
})
