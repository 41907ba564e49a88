import { describe, expect, it } from 'vitest'
import { addDays, appendFinding, daysOverdue, findingFromProblem, isoDate, problemDescription } from '../src/form/findings'
import { isProblem, maskIdNumber, parseNumber } from '../src/form/answers'
import type { Item } from '../src/bindings/Item'

describe('problem → finding', () => {
  it('joins label and note and sets a 15-day deadline', () => {
    const f = findingFromProblem('水电入户', ' 未通电 ', 'water_power', new Date(2017, 8, 4))
    expect(f).toEqual({ description: '水电入户：未通电', item: 'water_power', deadline: '2017-09-19' })
  })
  it('uses the label alone without a note', () => {
    expect(problemDescription('门前道路', null)).toBe('门前道路')
    expect(problemDescription('门前道路', '  ')).toBe('门前道路')
  })
  it('crosses month and year ends on the calendar', () => {
    expect(isoDate(addDays(new Date(2017, 11, 25), 15))).toBe('2018-01-09')
    expect(isoDate(addDays(new Date(2020, 1, 20), 15))).toBe('2020-03-06')
  })
  it('does not add the same problem twice', () => {
    const f = findingFromProblem('门前道路', '未硬化', 'road', new Date(2017, 8, 4))
    const once = appendFinding([], f)
    expect(appendFinding(once, f)).toHaveLength(1)
    expect(appendFinding(once, { ...f, description: '门前道路：积水' })).toHaveLength(2)
  })
  it('counts overdue days', () => {
    expect(daysOverdue('2017-09-19', new Date(2017, 8, 22, 15))).toBe(3)
    expect(daysOverdue('2017-09-19', new Date(2017, 8, 19))).toBe(0)
    expect(daysOverdue('2017-09-19', new Date(2017, 8, 1))).toBe(0)
    expect(daysOverdue('bad', new Date())).toBe(0)
  })
})

describe('answer helpers', () => {
  const item: Item = { key: 'water', label: { zh: '通水', en: 'Water' }, required: true, help: null,
    kind: { type: 'yes_no', allow_not_applicable: false, problem_when: 'no' } }
  it('knows when a yes/no answer is a problem', () => {
    expect(isProblem(item, { type: 'yes_no', value: 'no', note: null })).toBe(true)
    expect(isProblem(item, { type: 'yes_no', value: 'yes', note: null })).toBe(false)
    expect(isProblem(item, undefined)).toBe(false)
  })
  it('masks ID numbers but the last four', () => {
    expect(maskIdNumber('34150219800101123X')).toBe('**************123X')
  })
  it('parses numbers within the item rules', () => {
    const kind = { min: 0, max: 100000, decimals: 2 }
    expect(parseNumber('1200.5', kind)).toEqual({ ok: true, value: 1200.5 })
    expect(parseNumber('１２', kind)).toEqual({ ok: true, value: 12 })
    expect(parseNumber('1.234', kind)).toEqual({ ok: false, error: 'decimals' })
    expect(parseNumber('-1', kind)).toEqual({ ok: false, error: 'range' })
    expect(parseNumber('abc', kind)).toEqual({ ok: false, error: 'format' })
    expect(parseNumber('', kind)).toEqual({ ok: false, error: 'empty' })
  })
})
