import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { DraftState } from '../src/bindings/DraftState'
import type { DraftView } from '../src/bindings/DraftView'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  openDraft: vi.fn(),
  saveAnswer: vi.fn(),
  submitDraft: vi.fn(),
}))
const api = await import('../src/api')
const { useDraftStore } = await import('../src/stores/draft')

const state = (revision: number): DraftState =>
  ({ draft_id: 'd1', revision, updated_at: '2024-01-01T00:00:00Z', issues: [], progress: [], hidden: [], signatures: [] })

function view(revision: number, answers: DraftView['draft']['answers']): DraftView {
  return {
    draft: { id: 'd1', household_id: 'h1', kind: 'acceptance', form_id: 'f', form_version: 1, answers, revision, updated_at: '', finding_id: null },
    form: { id: 'f', version: 1, title: { zh: '验收', en: 'Acceptance' }, sections: [{ key: 'move_in', title: { zh: '入住条件', en: 'Move-in' }, department: 'reform', items: [
      { key: 'water', label: { zh: '通水', en: 'Water' }, required: true, help: null, kind: { type: 'yes_no', allow_not_applicable: false, problem_when: 'no' } },
      { key: 'findings', label: { zh: '整改问题', en: 'Problems' }, required: false, help: null, kind: { type: 'findings' } },
    ] }] },
    household: { id: 'h1', number: '001', head_name: '郑怀圣', id_number: '341502198001011234', size: 4, members: [], phone: null,
      township: '东河口镇', village: '长岭村', site: null, mode: 'scattered', kind: 'self_built' },
    photos: [], signatures: [], state: state(revision), inspector: null, evidence: [], task: null, original_photo: null, pin_signers: [],
  }
}

const idle = () => new Promise((r) => setTimeout(r, 0))

describe('draft store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.mocked(api.openDraft).mockReset()
    vi.mocked(api.saveAnswer).mockReset()
  })

  it('saves a change at once and follows the returned revision', async () => {
    vi.mocked(api.openDraft).mockResolvedValue(view(1, {}))
    vi.mocked(api.saveAnswer).mockImplementation(async (_d, _k, _a, rev) => state(rev + 1))
    const draft = useDraftStore()
    await draft.open('h1', 'acceptance')
    draft.setAnswer('water', { type: 'yes_no', value: 'yes', note: null })
    expect(draft.saveStatus).toBe('saving')
    await idle()
    expect(api.saveAnswer).toHaveBeenCalledWith('d1', 'water', { type: 'yes_no', value: 'yes', note: null }, 1)
    expect(draft.saveStatus).toBe('saved')
    expect(draft.state?.revision).toBe(2)
  })

  it('on a stale revision reloads and keeps what was typed', async () => {
    vi.mocked(api.openDraft)
      .mockResolvedValueOnce(view(1, {}))
      .mockResolvedValueOnce(view(8, { water: { type: 'yes_no', value: 'yes', note: null } }))
    vi.mocked(api.saveAnswer)
      .mockRejectedValueOnce({ code: 'stale_revision', message: '已过期 / Stale', issues: [] })
      .mockImplementation(async (_d, _k, _a, rev) => state(rev + 1))
    const draft = useDraftStore()
    await draft.open('h1', 'acceptance')
    draft.setAnswer('water', { type: 'yes_no', value: 'no', note: '未通水' })
    await idle(); await idle(); await idle()
    expect(api.openDraft).toHaveBeenCalledTimes(2)
    expect(vi.mocked(api.saveAnswer).mock.calls[1]).toEqual(['d1', 'water', { type: 'yes_no', value: 'no', note: '未通水' }, 8])
    expect(draft.answers.water).toEqual({ type: 'yes_no', value: 'no', note: '未通水' })
    expect(draft.saveStatus).toBe('saved')
    expect(draft.reloadCount).toBe(1)
  })

  it('records a problem as a finding with a 15-day deadline', async () => {
    vi.mocked(api.openDraft).mockResolvedValue(view(1, {}))
    vi.mocked(api.saveAnswer).mockImplementation(async (_d, _k, _a, rev) => state(rev + 1))
    const draft = useDraftStore()
    const v = await draft.open('h1', 'acceptance')
    draft.setAnswer('water', { type: 'yes_no', value: 'no', note: '水管未接' })
    expect(draft.recordFinding(v.form.sections[0].items[0], '通水')).toBe(true)
    const findings = draft.answers.findings
    expect(findings?.type).toBe('findings')
    if (findings?.type !== 'findings') return
    expect(findings.items).toHaveLength(1)
    expect(findings.items[0]).toMatchObject({ description: '通水：水管未接', item: 'water' })
    expect(findings.items[0].deadline).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    await idle(); await idle()
    expect(vi.mocked(api.saveAnswer).mock.calls.map((c) => c[1])).toEqual(['water', 'findings'])
  })

  it('writes what is pending before submitting', async () => {
    const order: string[] = []
    vi.mocked(api.openDraft).mockResolvedValue(view(1, {}))
    vi.mocked(api.saveAnswer).mockImplementation(async (_d, key, _a, rev) => { order.push(`save ${key}`); return state(rev + 1) })
    vi.mocked(api.submitDraft).mockImplementation(async () => { order.push('submit'); return { submission_id: 'd1', records_waiting: 3 } })
    const draft = useDraftStore()
    await draft.open('h1', 'acceptance')
    draft.setAnswer('water', { type: 'yes_no', value: 'yes', note: null })
    await draft.submit()
    expect(order).toEqual(['save water', 'submit'])
    expect(draft.submitTried).toBe(true)
  })

  it('shows issues only at touched items until submit is tried', async () => {
    const withIssues = view(1, {})
    withIssues.state.issues = [
      { section: 'move_in', item: 'water', label: { zh: '通水', en: 'Water' }, message_zh: '必填', message_en: 'Required' },
      { section: 'move_in', item: 'findings', label: { zh: '整改问题', en: 'Problems' }, message_zh: '必填', message_en: 'Required' },
    ]
    vi.mocked(api.openDraft).mockResolvedValue(withIssues)
    vi.mocked(api.saveAnswer).mockImplementation(async () => withIssues.state)
    const draft = useDraftStore()
    await draft.open('h1', 'acceptance')
    expect(draft.visibleIssues.size).toBe(0)
    draft.touch('water')
    expect([...draft.visibleIssues.keys()]).toEqual(['water'])
  })
})
