import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { changedRows, foldSame, sideBySide } from '../src/diff'
import { i18n } from '../src/i18n'
import ConflictDiff from '../src/components/ConflictDiff.vue'

const stored = JSON.stringify({ head_name: '郑怀圣', size: 4, phone: '13800000001', village: '长岭村' }, null, 2)
const incoming = JSON.stringify({ head_name: '郑怀圣', size: 5, phone: '13900001234', village: '长岭村', note: '新增' }, null, 2)

describe('side by side', () => {
  it('pairs changed lines and keeps equal ones aligned', () => {
    const rows = sideBySide(stored, incoming)
    expect(rows.map((r) => r.kind)).toEqual(['same', 'same', 'changed', 'changed', 'changed', 'added', 'same'])
    expect(rows[2]).toEqual({ kind: 'changed', left: { no: 3, text: '  "size": 4,' }, right: { no: 3, text: '  "size": 5,' } })
    expect(rows[4].left?.text).toBe('  "village": "长岭村"')
    expect(rows[4].right?.text).toBe('  "village": "长岭村",')
    expect(rows[5]).toEqual({ kind: 'added', left: null, right: { no: 6, text: '  "note": "新增"' } })
    expect(changedRows(rows)).toBe(4)
  })
  it('shows removed lines on the left only', () => {
    const rows = sideBySide('a\nb\nc\n', 'a\nc\n')
    expect(rows).toEqual([
      { kind: 'same', left: { no: 1, text: 'a' }, right: { no: 1, text: 'a' } },
      { kind: 'removed', left: { no: 2, text: 'b' }, right: null },
      { kind: 'same', left: { no: 3, text: 'c' }, right: { no: 2, text: 'c' } },
    ])
  })
  it('finds nothing to mark in equal texts', () => {
    expect(changedRows(sideBySide(stored, stored))).toBe(0)
  })
  it('folds long equal stretches around the differences', () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i}`)
    const b = [...a]
    b[10] = 'changed'
    const folded = foldSame(sideBySide(a.join('\n'), b.join('\n')), 2)
    expect(folded.map((r) => r.kind)).toEqual(['fold', 'same', 'same', 'changed', 'same', 'same', 'fold'])
    expect(folded[0]).toEqual({ kind: 'fold', hidden: 8 })
    expect(folded[6]).toEqual({ kind: 'fold', hidden: 7 })
  })
})

describe('ConflictDiff', () => {
  it('renders both sides with the differing lines highlighted', async () => {
    const wrapper = mount(ConflictDiff, { props: { stored, incoming }, global: { plugins: [i18n, ElementPlus] } })
    const rows = wrapper.findAll('tbody tr')
    expect(rows).toHaveLength(7)
    const changed = wrapper.findAll('tr[data-kind="changed"]')
    expect(changed).toHaveLength(3)
    expect(changed[0].find('td.left').classes()).toContain('hit')
    expect(changed[0].find('td.left').text()).toBe('"size": 4,')
    expect(changed[0].find('td.right').text()).toBe('"size": 5,')
    const added = wrapper.find('tr[data-kind="added"]')
    expect(added.find('td.left').text()).toBe('')
    expect(added.find('td.right').classes()).toContain('hit')
    expect(wrapper.findAll('tr[data-kind="same"] td.hit')).toHaveLength(0)
    expect(wrapper.text()).toContain('服务器现存')
    expect(wrapper.text()).toContain('新提交')
  })
  it('says so when both are the same', () => {
    const wrapper = mount(ConflictDiff, { props: { stored, incoming: stored }, global: { plugins: [i18n, ElementPlus] } })
    expect(wrapper.text()).toContain('两份内容相同')
    expect(wrapper.findAll('td.hit')).toHaveLength(0)
  })
})
