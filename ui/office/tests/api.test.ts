import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as api from '../src/api'
import { emptyHouseholdFilters } from '../src/query'
import { setLanguage } from '../src/i18n'

function reply(status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)
  return new Response(status === 204 ? null : text, { status, headers })
}

const fetchMock = vi.fn()
beforeEach(() => {
  fetchMock.mockReset()
  vi.stubGlobal('fetch', fetchMock)
})
afterEach(() => {
  vi.unstubAllGlobals()
  api.setUnauthorizedHandler(null)
})

describe('localise', () => {
  it('keeps the half of "中文 / English" for the language', () => {
    expect(api.localise('密码不正确 / Wrong password', 'zh-CN')).toBe('密码不正确')
    expect(api.localise('密码不正确 / Wrong password', 'en')).toBe('Wrong password')
  })
  it('splits at the first separator only and keeps a message without one', () => {
    expect(api.localise('第 3 行 / Row 3 / column B', 'en')).toBe('Row 3 / column B')
    expect(api.localise('connection refused', 'zh-CN')).toBe('connection refused')
  })
})

describe('errors', () => {
  it('reads an ApiError body with its field', () => {
    const e = api.errorFromReply(400, JSON.stringify({ error: 'note_required', message: '请填写说明 / A note is required', field: 'note' }))
    expect(e).toBeInstanceOf(api.OfficeError)
    expect([e.status, e.code, e.field]).toEqual([400, 'note_required', 'note'])
    expect(api.errorText(e, 'zh-CN')).toBe('请填写说明')
    expect(api.errorText(e, 'en')).toBe('A note is required')
  })
  it('reads the code of the first draft (`code`) too, and a null field', () => {
    const e = api.errorFromReply(422, JSON.stringify({ code: 'sample_refused', message: '没有可抽的安置点 / nothing to draw from', field: null }))
    expect([e.code, e.field]).toEqual(['sample_refused', null])
  })
  it('falls back on the status when the body is not an ApiError', () => {
    const e = api.errorFromReply(502, '<html>Bad gateway</html>')
    expect(e.code).toBe('server')
    expect(api.errorText(e, 'en')).toBe('Server error (502)')
    expect(api.errorText(api.errorFromReply(403, ''), 'zh-CN')).toBe('无权进行此操作')
    expect(api.errorFromReply(400, '{"code":1}').code).toBe('bad_request')
  })
  it('turns a failed fetch into a network error', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    const error = await api.dashboard().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(api.OfficeError)
    expect((error as api.OfficeError).code).toBe('network')
    expect(api.errorText(error, 'en')).toBe('Cannot reach the office server')
  })
})

describe('request', () => {
  it('sends the office header, same-origin credentials and a JSON body', async () => {
    fetchMock.mockResolvedValueOnce(reply(200, { name: 'admin', role: 'admin', township: null, server_time: 'x' }))
    const s = await api.signIn('admin', 'anju-demo')
    expect(s.role).toBe('admin')
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/api/office/login')
    expect(init.method).toBe('POST')
    expect(init.credentials).toBe('same-origin')
    expect(init.headers['X-Anju-Office']).toBe('1')
    expect(init.headers['Content-Type']).toBe('application/json')
    expect(JSON.parse(init.body)).toEqual({ name: 'admin', password: 'anju-demo' })
  })
  it('sends the header on reads too, and the filters as a query', async () => {
    fetchMock.mockResolvedValueOnce(reply(200, { total: 0, rows: [] }))
    await api.households({ ...emptyHouseholdFilters(), township: '东河口镇', status: 'accepted' }, 40, 20)
    const [url, init] = fetchMock.mock.calls[0]
    expect(init.method).toBe('GET')
    expect(init.headers['X-Anju-Office']).toBe('1')
    const u = new URL(url, 'http://x')
    expect(u.pathname).toBe('/api/office/households')
    expect(Object.fromEntries(u.searchParams)).toEqual({ township: '东河口镇', status: 'accepted', offset: '40', limit: '20' })
  })
  it('resolves a 204 with undefined', async () => {
    fetchMock.mockResolvedValueOnce(reply(204, undefined))
    await expect(api.decideSubmission('s1', { decision: 'approved', note: null })).resolves.toBeUndefined()
    expect(fetchMock.mock.calls[0][0]).toBe('/api/office/review/s1')
  })
  it('calls the sign-in handler on a 401, but not while probing the session', async () => {
    const handler = vi.fn()
    api.setUnauthorizedHandler(handler)
    fetchMock.mockResolvedValueOnce(reply(401, { error: 'unauthorized', field: null, message: '请先登录 / Please sign in' }))
    await expect(api.dashboard()).rejects.toMatchObject({ status: 401, code: 'unauthorized' })
    expect(handler).toHaveBeenCalledTimes(1)
    fetchMock.mockResolvedValueOnce(reply(401, { error: 'unauthorized', field: null, message: '请先登录 / Please sign in' }))
    await expect(api.currentSession()).rejects.toMatchObject({ status: 401 })
    fetchMock.mockResolvedValueOnce(reply(401, { error: 'bad_credentials', message: '密码不正确 / Wrong password', field: 'password' }))
    await expect(api.signIn('admin', 'x')).rejects.toMatchObject({ field: 'password' })
    expect(handler).toHaveBeenCalledTimes(1)
  })
  it('posts evidence as the raw body with the photo type', async () => {
    fetchMock.mockResolvedValueOnce(reply(200, { sha256: 'ab' }))
    const photo = new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' })
    await expect(api.uploadEvidence('f 1', photo)).resolves.toEqual({ sha256: 'ab' })
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/api/office/findings/f%201/evidence')
    expect(init.body).toBe(photo)
    expect(init.headers['Content-Type']).toBe('image/jpeg')
    expect(init.headers['X-Anju-Office']).toBe('1')
  })
  it('names a roster file URI-encoded in X-File-Name', async () => {
    fetchMock.mockResolvedValueOnce(reply(200, { file_kind: 'csv', rows: 1, valid_rows: 1, by_township: [], errors: [], imported: false, new_places: [] }))
    const file = new File(['a,b'], '花名册 2017.csv', { type: 'text/csv' })
    await api.previewImport(file)
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/api/office/import/preview')
    expect(init.headers['X-File-Name']).toBe('%E8%8A%B1%E5%90%8D%E5%86%8C%202017.csv')
    expect(init.headers['Content-Type']).toBe('text/csv')
  })
  it('confirms new places with create_places=true, on the preview and the import alike', async () => {
    const answer = { file_kind: 'CSV', rows: 1, valid_rows: 1, by_township: [], errors: [], imported: false, new_places: [] }
    fetchMock.mockImplementation(async () => reply(200, answer))
    const file = new File(['a,b'], 'r.csv', { type: 'text/csv' })
    await api.previewImport(file, true)
    await api.runImport(file, true)
    await api.runImport(file)
    expect(fetchMock.mock.calls.map((c) => c[0])).toEqual([
      '/api/office/import/preview?create_places=true', '/api/office/import?create_places=true', '/api/office/import',
    ])
  })
  it('asks for the audit log by action and cursor, and posts a reveal with the office header', async () => {
    fetchMock.mockImplementation(async () => reply(200, { entries: [], next_before: null, actions: [] }))
    await api.auditLog(null)
    await api.auditLog('reveal')
    await api.auditLog('sign_in', 120)
    expect(fetchMock.mock.calls.map((c) => c[0])).toEqual([
      '/api/office/audit', '/api/office/audit?action=reveal', '/api/office/audit?action=sign_in&before=120',
    ])
    fetchMock.mockImplementation(async () => reply(200, { id_number: '341502194501019007', phone: null }))
    await expect(api.revealPersonalData('h 1')).resolves.toEqual({ id_number: '341502194501019007', phone: null })
    const [url, init] = fetchMock.mock.calls[3]
    expect(url).toBe('/api/office/households/h%201/reveal')
    expect(init.method).toBe('POST')
    expect(init.headers['X-Anju-Office']).toBe('1')
    expect(api.exportUrl.audit()).toBe('/api/office/exports/audit.xlsx')
  })
  it('reads the findings as rows and damaged records', async () => {
    fetchMock.mockResolvedValueOnce(reply(200, { rows: [], damaged: [{ kind: 'finding', id: 'f1', reason: 'x' }] }))
    const list = await api.findings({ township: '', state: 'open', overdue: false })
    expect(list.damaged).toHaveLength(1)
    expect(fetchMock.mock.calls[0][0]).toBe('/api/office/findings?state=open')
  })
  it('reads the policy and sends a new version, checked only or for good', async () => {
    fetchMock.mockResolvedValueOnce(reply(200, { versions: [], today: '2026-12-05' }))
    await expect(api.policy()).resolves.toEqual({ versions: [], today: '2026-12-05' })
    fetchMock.mockResolvedValueOnce(reply(422, { error: 'policy_refused', field: 'file', message: '第2行第1列 / line 2, column 1: x' }))
    const error = await api.setPolicy({ file: '{', dry_run: true }).catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 422, code: 'policy_refused', field: 'file' })
    const [url, init] = fetchMock.mock.calls[1]
    expect(url).toBe('/api/office/policy')
    expect(init.method).toBe('POST')
    expect(JSON.parse(init.body)).toEqual({ file: '{', dry_run: true })
  })
  it('builds the file addresses', () => {
    expect(api.exportUrl.households({ ...emptyHouseholdFilters(), mode: 'scattered', q: ' 郑 ' })).toBe('/api/office/exports/households.xlsx?mode=scattered&q=%E9%83%91')
    expect(api.exportUrl.findings({ township: '', state: 'open', overdue: true })).toBe('/api/office/exports/findings.xlsx?state=open&overdue=true')
    expect(api.formPdfUrl('h1')).toBe('/api/office/forms/h1.pdf')
    expect(api.townshipPdfUrl('t7')).toBe('/api/office/forms/township/t7.pdf')
  })
  it('asks for the printed form in the language of the pages', () => {
    setLanguage('en')
    try {
      expect(api.formUrl('h1')).toBe('/api/office/forms/h1?lang=en')
      expect(api.formPdfUrl('h1')).toBe('/api/office/forms/h1.pdf?lang=en')
      expect(api.townshipPdfUrl('t7')).toBe('/api/office/forms/township/t7.pdf?lang=en')
    } finally {
      setLanguage('zh-CN')
    }
    expect(api.formUrl('h1')).toBe('/api/office/forms/h1')
  })
})
