import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import type { AuditPage } from '../src/bindings/AuditPage'
import type { AuditRow } from '../src/bindings/AuditRow'
import type { TlsIdentity } from '../src/bindings/TlsIdentity'
import type { UserRow } from '../src/bindings/UserRow'
import { i18n } from '../src/i18n'
import SecurityView from '../src/views/SecurityView.vue'

// The page talks to the office through the real api module: fetch is what is replaced, so the
// addresses and queries it sends are what is checked.

const FINGERPRINT = '3f9a0c11b2e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e'

// By default the actor is shown as the server names an unknown one: as tried.
const entry = (seq: number, over: Partial<AuditRow> = {}): AuditRow => ({
  seq, at: '2026-12-01T02:30:00+00:00', actor: 'admin', client: '192.168.1.20', action: 'sign_in', action_label: '登录',
  target: null, detail: '', ...over,
  actor_display: over.actor_display ?? { zh: over.actor ?? 'admin', en: over.actor ?? 'admin' },
})
const ACTIONS = [{ code: 'sign_in', label: '登录' }, { code: 'reveal', label: '查看完整个人信息' }]
const page = (entries: AuditRow[], nextBefore: number | null = null): AuditPage => ({ entries, next_before: nextBefore, actions: ACTIONS })

let tls: TlsIdentity = { fingerprint: null, code: null }
let users: UserRow[] = []
/** The audit pages by query string (`action=…&before=…`, '' for the first of all). */
let pages: Record<string, AuditPage> = {}
const fetchMock = vi.fn(async (input: string) => {
  const u = new URL(input, 'http://office')
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
  if (u.pathname === '/api/office/tls') return json(tls)
  if (u.pathname === '/api/office/users') return json(users)
  if (u.pathname === '/api/office/audit') {
    const answer = pages[u.searchParams.toString()]
    return answer ? json(answer) : new Response('', { status: 404 })
  }
  return new Response('', { status: 404 })
})

beforeEach(() => {
  fetchMock.mockClear()
  vi.stubGlobal('fetch', fetchMock)
  if (typeof ResizeObserver === 'undefined') {
    vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
  }
  tls = { fingerprint: null, code: null }
  users = []
  pages = { '': page([entry(3), entry(2)]) }
})
afterEach(() => {
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
})

function mountView() {
  return mount(SecurityView, { global: { plugins: [i18n, ElementPlus] }, attachTo: document.body })
}
const auditQueries = () => fetchMock.mock.calls.map((c) => new URL(c[0], 'http://office'))
  .filter((u) => u.pathname === '/api/office/audit').map((u) => u.searchParams.toString())
const rows = (wrapper: ReturnType<typeof mountView>) =>
  wrapper.findAll('[data-testid="audit-table"] .el-table__body-wrapper tbody tr').map((r) => r.findAll('td').map((td) => td.text()))

describe('SecurityView certificate', () => {
  it('warns that the office serves plain HTTP, with no code or QR code', async () => {
    const wrapper = mountView()
    await flushPromises()
    const warning = wrapper.find('[data-testid="tls-plain-http"]')
    expect(warning.exists()).toBe(true)
    expect(warning.html()).toContain('el-alert--warning')
    expect(warning.text()).toContain('未加密')
    expect(warning.text()).toContain('身份证号')
    expect(wrapper.find('[data-testid="tls-code"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="tls-qr"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('shows the short code large, the fingerprint in groups and its QR code', async () => {
    tls = { fingerprint: FINGERPRINT, code: '3F9A-0C11-B2E4-D5F6' }
    const wrapper = mountView()
    await flushPromises()
    expect(wrapper.find('[data-testid="tls-plain-http"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="tls-code"]').text()).toBe('3F9A-0C11-B2E4-D5F6')
    const groups = wrapper.findAll('[data-testid="tls-fingerprint"] span').map((s) => s.text())
    expect(groups).toHaveLength(16)
    expect(groups.join('')).toBe(FINGERPRINT.toUpperCase())
    const qr = wrapper.find('[data-testid="tls-qr"]')
    expect(qr.find('svg').exists()).toBe(true)
    expect(qr.find('svg path').exists()).toBe(true)
    expect(wrapper.text()).toContain('首次登录时手机会记住此证书；若两者不一致，请勿登录')
    wrapper.unmount()
  })
})

describe('SecurityView audit log', () => {
  it('lists the entries newest first, in China time, with an export of the whole log', async () => {
    pages = { '': page([
      entry(7, { at: '2026-12-01T16:05:09.123456789+00:00', actor: 'wang', actor_display: { zh: '王某某（区住建局）', en: '王某某 (区住建局)' },
        action: 'reveal', action_label: '查看完整个人信息', target: '010001', detail: '身份证号、电话' }),
      entry(6, { client: null }),
    ]) }
    const wrapper = mountView()
    await flushPromises()
    expect(auditQueries()).toEqual([''])
    // The person by name, their login beside it; a name that is no user's as it was tried.
    expect(rows(wrapper).map((r) => r.map((cell) => cell.replace(/\s+/g, ' ')))).toEqual([
      ['2026-12-02 00:05:09', '王某某（区住建局）wang', '192.168.1.20', '查看完整个人信息', '010001', '身份证号、电话'],
      ['2026-12-01 10:30:00', 'admin', '—', '登录', '—', ''],
    ])
    expect(wrapper.find('[data-testid="audit-load-more"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="audit-export"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('asks the office for one action when the filter is set, and for all again', async () => {
    pages['action=reveal'] = page([entry(5, { action: 'reveal', action_label: '查看完整个人信息' })])
    const wrapper = mountView()
    await flushPromises()
    const filter = wrapper.findComponent({ name: 'ElSelect' })
    expect(filter.attributes('data-testid')).toBe('audit-action-filter')
    filter.vm.$emit('update:modelValue', 'reveal')
    await flushPromises()
    expect(auditQueries()).toEqual(['', 'action=reveal'])
    expect(rows(wrapper).map((r) => r[3])).toEqual(['查看完整个人信息'])
    filter.vm.$emit('update:modelValue', '')
    await flushPromises()
    expect(auditQueries()).toEqual(['', 'action=reveal', ''])
    expect(rows(wrapper)).toHaveLength(2)
    wrapper.unmount()
  })

  it('appends older entries on load more, keeping the filter, until there are none', async () => {
    pages = {
      'action=sign_in': page([entry(9), entry(8)], 8),
      'action=sign_in&before=8': page([entry(4), entry(2)], 2),
      'action=sign_in&before=2': page([entry(1, { actor: 'li' })], null),
      '': page([entry(9), entry(8)], 8),
    }
    const wrapper = mountView()
    await flushPromises()
    wrapper.findComponent({ name: 'ElSelect' }).vm.$emit('update:modelValue', 'sign_in')
    await flushPromises()
    await wrapper.find('[data-testid="audit-load-more"]').trigger('click')
    await flushPromises()
    expect(rows(wrapper)).toHaveLength(4)
    await wrapper.find('[data-testid="audit-load-more"]').trigger('click')
    await flushPromises()
    expect(auditQueries()).toEqual(['', 'action=sign_in', 'action=sign_in&before=8', 'action=sign_in&before=2'])
    expect(rows(wrapper).map((r) => r[1])).toEqual(['admin', 'admin', 'admin', 'admin', 'li'])
    expect(wrapper.find('[data-testid="audit-load-more"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('lists the users with how records name them, and saves a new name', async () => {
    users = [
      { name: 'li', role: 'inspector', department: 'reform', township: null, full_name: '李晓峰', organisation: '区发改委', title: '科员',
        display: { zh: '李晓峰（区发改委）', en: '李晓峰 (区发改委)' } },
      { name: 'qian', role: 'admin', department: null, township: null, full_name: null, organisation: null, title: null,
        display: { zh: 'qian（未填姓名）', en: 'qian (no name on record)' } },
    ]
    const wrapper = mountView()
    await flushPromises()
    const shown = wrapper.findAll('[data-testid="user-display"]').map((s) => s.text())
    expect(shown).toEqual(['李晓峰（区发改委）', 'qian（未填姓名）'])
    fetchMock.mockImplementationOnce(async () => new Response(JSON.stringify({ ...users[1], full_name: '钱某某', display: { zh: '钱某某', en: '钱某某' } }),
      { status: 200, headers: { 'Content-Type': 'application/json' } }))
    await wrapper.find('[data-testid="user-edit-qian"]').trigger('click')
    await flushPromises()
    const input = document.querySelector('input[data-testid="user-full-name"]') as HTMLInputElement
    input.value = '钱某某'
    input.dispatchEvent(new Event('input'))
    await flushPromises()
    ;(document.querySelector('[data-testid="user-save"]') as HTMLElement).click()
    await flushPromises()
    const saved = fetchMock.mock.calls.find((c) => String(c[0]).endsWith('/api/office/users/qian'))
    expect(saved).toBeTruthy()
    expect(JSON.parse(String(((saved as unknown[] | undefined)?.[1] as RequestInit | undefined)?.body))).toEqual({ full_name: '钱某某', organisation: '', title: '' })
    wrapper.unmount()
  })

  it('names the actions in English when the pages are in English', async () => {
    i18n.global.locale.value = 'en'
    try {
      const wrapper = mountView()
      await flushPromises()
      expect(rows(wrapper).map((r) => r[3])).toEqual(['Sign-in', 'Sign-in'])
      expect(wrapper.find('[data-testid="tls-plain-http"]').text()).toContain('plain HTTP')
      wrapper.unmount()
    } finally {
      i18n.global.locale.value = 'zh-CN'
    }
  })
})
