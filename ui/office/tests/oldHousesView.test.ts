import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import type { OldHouseReport } from '../src/bindings/OldHouseReport'
import type { OldHouseRow } from '../src/bindings/OldHouseRow'
import { i18n } from '../src/i18n'
import OldHousesView from '../src/views/OldHousesView.vue'

// The office sends one page of households; the page asks for the next one, and a filter
// starts again from the first. fetch is replaced, so the queries sent are what is checked.

const row = (n: number): OldHouseRow => ({
  household_id: `h${n}`, number: `N${n}`, head_name: `户主${n}`, township: '东河口镇',
  old_house: { agreement_signed_on: null, demolished_on: null, reclaimed_on: null },
})
const report = (offset: number): OldHouseReport => ({
  townships: [], total: 45, households: Array.from({ length: offset < 40 ? 20 : 5 }, (_, i) => row(offset + i)),
})

const fetchMock = vi.fn(async (input: string) => {
  const u = new URL(input, 'http://office')
  if (u.pathname === '/api/office/old-houses') {
    const offset = Number(u.searchParams.get('offset') ?? '0')
    return new Response(JSON.stringify(report(offset)), { status: 200, headers: { 'Content-Type': 'application/json' } })
  }
  return new Response('', { status: 404 })
})

beforeEach(() => {
  fetchMock.mockClear()
  vi.stubGlobal('fetch', fetchMock)
  if (typeof ResizeObserver === 'undefined') {
    vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
  }
})
afterEach(() => {
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
})

const queries = () => fetchMock.mock.calls.map((c) => new URL(c[0], 'http://office'))
  .filter((u) => u.pathname === '/api/office/old-houses').map((u) => u.searchParams.toString())

describe('OldHousesView', () => {
  it('asks the office for one page at a time, and the first page again when the filter changes', async () => {
    const wrapper = mount(OldHousesView, { global: { plugins: [i18n, ElementPlus], stubs: { 'router-link': { template: '<a><slot /></a>' } } }, attachTo: document.body })
    await flushPromises()
    expect(queries()).toEqual(['offset=0&limit=20'])
    expect(wrapper.findAll('[data-testid="old-houses-table"] tbody tr')).toHaveLength(20)
    expect(wrapper.text()).toContain('45')
    await wrapper.find('.el-pager li:nth-child(3)').trigger('click')
    await flushPromises()
    expect(queries()[queries().length - 1]).toBe('offset=40&limit=20')
    expect(wrapper.findAll('[data-testid="old-houses-table"] tbody tr')).toHaveLength(5)
    await wrapper.find('[data-testid="old-houses-unfinished"] input').setValue(true)
    await flushPromises()
    expect(queries()[queries().length - 1]).toBe('offset=0&limit=20&unfinished=true')
    wrapper.unmount()
  })
})
