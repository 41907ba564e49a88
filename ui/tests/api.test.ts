import { beforeEach, describe, expect, it, vi } from 'vitest'

const invoke = vi.fn()
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args), convertFileSrc: (p: string) => `asset://localhost/${p}` }))
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn() }))

const api = await import('../src/api')

describe('localise', () => {
  it('keeps the half for the language', () => {
    expect(api.localise('密码不正确 / Wrong password', 'zh-CN')).toBe('密码不正确')
    expect(api.localise('密码不正确 / Wrong password', 'en')).toBe('Wrong password')
  })
  it('splits at the first separator only', () => {
    expect(api.localise('第 3 行 / Row 3 / column B', 'en')).toBe('Row 3 / column B')
  })
  it('falls back to the whole message', () => {
    expect(api.localise('connection refused', 'zh-CN')).toBe('connection refused')
  })
})

describe('commands', () => {
  beforeEach(() => invoke.mockReset())

  it('normalises a string rejection into a CommandError', async () => {
    invoke.mockRejectedValueOnce('boom')
    await expect(api.syncNow()).rejects.toEqual({ code: 'unknown', message: 'boom', issues: [] })
  })
  it('keeps a CommandError as it is', async () => {
    const error = { code: 'incomplete', message: '未完成 / Incomplete', issues: [{ section: 'a', item: 'b', label: { zh: 'b', en: 'b' }, message_zh: 'x', message_en: 'y' }] }
    invoke.mockRejectedValueOnce(error)
    await expect(api.submitDraft('d1')).rejects.toEqual(error)
  })
  it('passes camelCase arguments', async () => {
    invoke.mockResolvedValueOnce({})
    await api.saveAnswer('d1', 'water', { type: 'yes_no', value: 'yes', note: null }, 7)
    expect(invoke).toHaveBeenCalledWith('save_answer', { draftId: 'd1', key: 'water', answer: { type: 'yes_no', value: 'yes', note: null }, expectedRevision: 7 })
  })
  it('sends photo bytes as the body with the headers', async () => {
    invoke.mockResolvedValueOnce({})
    const bytes = new Uint8Array([0xff, 0xd8, 0xff])
    await api.addPhoto('d1', 'house_front', bytes, 3)
    expect(invoke).toHaveBeenCalledWith('add_photo', bytes, { headers: { 'anju-draft-id': 'd1', 'anju-slot': 'house_front', 'anju-expected-revision': '3' } })
  })
  it('sends the fix and source of a photo as headers, and the position of a submission', async () => {
    invoke.mockResolvedValue({})
    const fix = { kind: 'no_fix', reason: 'denied' } as const
    await api.addPhoto('d1', 'house_front', new Uint8Array([1]), 3, { fix, source: 'gallery' })
    const headers = invoke.mock.calls[0][2].headers
    expect(JSON.parse(decodeURIComponent(headers['anju-fix']))).toEqual(fix)
    expect(headers['anju-source']).toBe('gallery')
    await api.submitDraft('d1', fix)
    expect(invoke).toHaveBeenLastCalledWith('submit_draft', { draftId: 'd1', position: fix })
    invoke.mockReset()
  })
  it('URI-encodes the thumbprint signer name', async () => {
    invoke.mockResolvedValueOnce({})
    await api.signThumbprint('d1', 'head_signature', '郑怀圣', new Uint8Array([1]), 9)
    expect(invoke.mock.calls[0][2].headers['anju-signer-name']).toBe('%E9%83%91%E6%80%80%E5%9C%A3')
    expect(invoke.mock.calls[0][2].headers['anju-expected-revision']).toBe('9')
  })
})
