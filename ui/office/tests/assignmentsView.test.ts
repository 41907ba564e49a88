import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  assignments: vi.fn(),
  places: vi.fn(),
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const { state } = await import('../src/session')
const AssignmentsView = (await import('../src/views/AssignmentsView.vue')).default

if (typeof ResizeObserver === 'undefined') {
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
}

afterEach(() => {
  document.body.innerHTML = ''
  state.session = null
})

describe('AssignmentsView', () => {
  it('shows how many households of each township no inspector has', async () => {
    state.session = { name: 'admin', display: { zh: '管理员', en: 'admin' }, role: 'admin', township: null, server_time: '2026-12-05T08:00:00Z' }
    vi.mocked(api.places).mockResolvedValue({ townships: [], sites: [], inspectors: [], sample_rule: null } as never)
    vi.mocked(api.assignments).mockResolvedValueOnce({
      sites: [
        { township: '东河口镇', site: '长岭安置点', households: 10, unassigned: 4, assigned: [{ inspector: 'li', inspector_display: { zh: 'li', en: 'li' }, households: 6 }] },
        { township: '东河口镇', site: null, households: 5, unassigned: 1, assigned: [{ inspector: 'li', inspector_display: { zh: 'li', en: 'li' }, households: 4 }] },
        { township: '椿树镇', site: null, households: 3, unassigned: 0, assigned: [{ inspector: 'wang', inspector_display: { zh: 'wang', en: 'wang' }, households: 3 }] },
      ],
    } as never)
    const wrapper = mount(AssignmentsView, { global: { plugins: [i18n, ElementPlus] }, attachTo: document.body })
    await flushPromises()
    const lines = wrapper.findAll('[data-testid="unassigned-township"]')
    expect(lines.map((l) => [l.attributes('data-township'), l.attributes('data-unassigned')])).toEqual([['东河口镇', '5'], ['椿树镇', '0']])
    expect(lines[0].text()).toBe('东河口镇：5 户未分配')
    expect(lines[1].text()).toBe('椿树镇：全部已分配')
    expect(wrapper.findAll('[data-testid="site-unassigned"]').map((c) => c.text())).toEqual(['4', '1', '0'])
    wrapper.unmount()
  })
})
