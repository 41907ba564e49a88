import { describe, expect, it } from 'vitest'
import type { FormIssueView } from '../src/bindings/FormIssueView'
import { issueMessage, issuesByItem, visibleIssues } from '../src/form/issues'

const issue = (item: string, zh = '必填', en = 'Required'): FormIssueView =>
  ({ section: 's', item, label: { zh: item, en: item }, message_zh: zh, message_en: en })

const all = [issue('water'), issue('power'), issue('water', '需要说明', 'Needs a note'), issue('head_signature')]

describe('issue display', () => {
  it('shows nothing on a fresh form', () => {
    expect(visibleIssues(all, { touched: new Set(), submitTried: false })).toEqual([])
  })
  it('shows the issues of touched items only', () => {
    const shown = visibleIssues(all, { touched: new Set(['water']), submitTried: false })
    expect(shown.map((i) => i.item)).toEqual(['water', 'water'])
  })
  it('shows every issue after a submit was tried', () => {
    expect(visibleIssues(all, { touched: new Set(), submitTried: true })).toHaveLength(4)
  })
  it('groups by item, in order', () => {
    const byItem = issuesByItem(all, { touched: new Set(['water', 'power']), submitTried: false })
    expect([...byItem.keys()]).toEqual(['water', 'power'])
    expect(byItem.get('water')?.map((i) => i.message_en)).toEqual(['Required', 'Needs a note'])
    expect(byItem.has('head_signature')).toBe(false)
  })
  it('speaks the language shown', () => {
    expect(issueMessage(all[2], 'zh-CN')).toBe('需要说明')
    expect(issueMessage(all[2], 'en')).toBe('Needs a note')
  })
})
