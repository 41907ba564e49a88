import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import type { IntegrationTokenRow } from '../src/bindings/IntegrationTokenRow'
import { i18n } from '../src/i18n'
import IntegrationsView from '../src/views/IntegrationsView.vue'

// The page talks to the office through the real api module: fetch is what is replaced, so the
// addresses and bodies it sends are what is checked.

const SECRET = 'anju_rt_' + 'ab'.repeat(32)
const DHK = { id: 't-dhk', name: '东河口镇' }
const MT = { id: 't-mt', name: '马头镇' }

const token = (id: string, over: Partial<IntegrationTokenRow> = {}): IntegrationTokenRow => ({
  id, name: '扶贫监测系统', townships: [DHK], created_by: 'admin', created_by_display: { zh: '钱某某（区扶贫办）', en: '钱某某 (区扶贫办)' },
  created_at: '2026-12-01T02:30:00+00:00', last_used_at: null, revoked_at: null, ...over,
})

let tokens: IntegrationTokenRow[] = []
const fetchMock = vi.fn(async (input: string, init?: RequestInit) => {
  const u = new URL(input, 'http://office')
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
  if (u.pathname === '/api/office/places') {
    return json({ townships: [DHK, MT], sites: [], inspectors: [], sample_rule: { site_share_pct: 50, min_site_households: 10, household_share_pct: 20, scattered_share_pct: 20 } })
  }
  if (u.pathname === '/api/office/integration-tokens' && init?.method === 'POST') {
    const asked = JSON.parse(String(init.body)) as { name: string; townships: string[] }
    const made = token('new', { name: asked.name, townships: [DHK, MT].filter((x) => asked.townships.includes(x.id)) })
    tokens = [made, ...tokens]
    return json({ token: made, secret: SECRET })
  }
  if (u.pathname === '/api/office/integration-tokens') return json(tokens)
  const revoke = u.pathname.match(/^\/api\/office\/integration-tokens\/([^/]+)\/revoke$/)
  if (revoke && init?.method === 'POST') {
    tokens = tokens.map((x) => (x.id === revoke[1] ? { ...x, revoked_at: '2026-12-02T01:00:00+00:00' } : x))
    return json(tokens.find((x) => x.id === revoke[1]))
  }
  return new Response('', { status: 404 })
})

beforeEach(() => {
  fetchMock.mockClear()
  vi.stubGlobal('fetch', fetchMock)
  if (typeof ResizeObserver === 'undefined') {
    vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
  }
  tokens = [
    token('a', { last_used_at: '2026-12-01T16:05:09+00:00' }),
    token('b', { name: '统计局', townships: [DHK, MT], revoked_at: '2026-12-01T03:00:00+00:00' }),
  ]
})
afterEach(() => {
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
})

function mountView() {
  return mount(IntegrationsView, { global: { plugins: [i18n, ElementPlus] }, attachTo: document.body })
}
const rows = (wrapper: ReturnType<typeof mountView>) =>
  wrapper.findAll('[data-testid="integration-table"] .el-table__body-wrapper tbody tr').map((r) => r.findAll('td').map((td) => td.text().replace(/\s+/g, ' ')))
const posts = () => fetchMock.mock.calls.filter((c) => c[1]?.method === 'POST').map((c) => [new URL(c[0], 'http://office').pathname, c[1]?.body ?? null])

describe('IntegrationsView', () => {
  it('lists the tokens: townships by name, who made them and when, last use, revoked', async () => {
    const wrapper = mountView()
    await flushPromises()
    const shown = rows(wrapper)
    expect(shown[0].slice(0, 4)).toEqual(['扶贫监测系统', '东河口镇', '钱某某（区扶贫办） 2026-12-01 10:30:00', '2026-12-02 00:05:09'])
    expect(shown[0][4]).toBe('有效')
    expect(shown[1].slice(0, 2)).toEqual(['统计局', '东河口镇、马头镇'])
    expect(shown[1][3]).toBe('从未使用')
    expect(shown[1][4]).toContain('已撤销')
    // A revoked token has nothing left to revoke.
    expect(wrapper.find('[data-testid="integration-revoke-a"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="integration-revoke-b"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('makes a token for the townships chosen and shows its secret once, with a copy button', async () => {
    const writeText = vi.fn(async () => {})
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    const wrapper = mountView()
    await flushPromises()
    await wrapper.find('[data-testid="integration-create"]').trigger('click')
    await flushPromises()
    // Nothing is sent without a name and a township.
    ;(document.querySelector('[data-testid="integration-form-save"]') as HTMLElement).click()
    await flushPromises()
    expect(document.querySelector('[data-testid="integration-form-problem"]')?.textContent).toContain('请填写对接系统的名称')
    const name = document.querySelector('input[data-testid="integration-form-name"]') as HTMLInputElement
    name.value = '国土局系统'
    name.dispatchEvent(new Event('input'))
    await flushPromises()
    ;(document.querySelector('[data-testid="integration-form-save"]') as HTMLElement).click()
    await flushPromises()
    expect(document.querySelector('[data-testid="integration-form-problem"]')?.textContent).toContain('请至少选择一个乡镇')
    expect(posts()).toEqual([])
    ;(document.querySelector('[data-testid="integration-township-马头镇"] input') as HTMLInputElement).click()
    await flushPromises()
    ;(document.querySelector('[data-testid="integration-form-save"]') as HTMLElement).click()
    await flushPromises()
    expect(posts()).toEqual([['/api/office/integration-tokens', JSON.stringify({ name: '国土局系统', townships: ['t-mt'] })]])
    expect(document.querySelector('[data-testid="integration-secret"]')?.textContent).toBe(SECRET)
    expect(document.querySelector('[data-testid="integration-secret-warning"]')?.textContent).toContain('只显示这一次')
    ;(document.querySelector('[data-testid="integration-copy"]') as HTMLElement).click()
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith(SECRET)
    // The list has the new token; once the dialog is closed the secret is nowhere.
    expect(rows(wrapper)[0].slice(0, 2)).toEqual(['国土局系统', '马头镇'])
    ;(document.querySelector('[data-testid="integration-secret-done"]') as HTMLElement).click()
    await flushPromises()
    expect(document.body.innerHTML).not.toContain(SECRET)
    wrapper.unmount()
  })

  it('revokes a token only once confirmed', async () => {
    const wrapper = mountView()
    await flushPromises()
    await wrapper.find('[data-testid="integration-revoke-a"]').trigger('click')
    await flushPromises()
    expect(document.body.textContent).toContain('不能恢复')
    ;(document.querySelector('.el-message-box__btns button:not(.confirm-ok)') as HTMLElement).click()
    await flushPromises()
    expect(posts()).toEqual([])
    await wrapper.find('[data-testid="integration-revoke-a"]').trigger('click')
    await flushPromises()
    const boxes = document.querySelectorAll<HTMLButtonElement>('.el-message-box .confirm-ok')
    boxes[boxes.length - 1].click()
    await flushPromises()
    expect(posts()).toEqual([['/api/office/integration-tokens/a/revoke', null]])
    expect(rows(wrapper)[0][4]).toContain('已撤销')
    expect(wrapper.find('[data-testid="integration-revoke-a"]').exists()).toBe(false)
    wrapper.unmount()
  })
})
