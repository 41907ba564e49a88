import { describe, expect, it } from 'vitest'
import { findingActions, findingState, formatTime, householdStatus, percent, pick, reviewState } from '../src/labels'

describe('labels', () => {
  it('names the household statuses in both languages', () => {
    expect(householdStatus('pending', 'zh-CN')).toEqual({ text: '待验收', tag: 'info' })
    expect(householdStatus('accepted', 'zh-CN').text).toBe('已验收')
    expect(householdStatus('rectifying', 'zh-CN')).toEqual({ text: '整改中', tag: 'warning' })
    expect(householdStatus('moved_in', 'zh-CN').text).toBe('已入住')
    expect(householdStatus('moved_in', 'en').text).toBe('Moved in')
  })
  it('names the finding states', () => {
    expect(findingState('open', 'zh-CN').text).toBe('待整改')
    expect(findingState('rectified', 'zh-CN').text).toBe('已整改待核查')
    expect(findingState('closed', 'zh-CN')).toEqual({ text: '已销号', tag: 'success' })
    expect(findingState('reopened', 'zh-CN')).toEqual({ text: '重新整改', tag: 'danger' })
    expect(findingState('closed', 'en').text).toBe('Closed')
  })
  it('shows an unknown code as it is rather than nothing', () => {
    expect(findingState('archived' as never, 'zh-CN').text).toBe('archived')
  })
  it('offers only the allowed actions, in a fixed order', () => {
    expect(findingActions(['reopened', 'closed'])).toEqual(['closed', 'reopened'])
    expect(findingActions([])).toEqual([])
    expect(findingActions(['rectified'])).toEqual(['rectified'])
  })
  it('names the review state, pending when there is none', () => {
    expect(reviewState(null, 'zh-CN').text).toBe('待审核')
    expect(reviewState({ decision: 'returned', note: 'x', by: 'admin', at: '2017-09-08T10:00:00+08:00' }, 'zh-CN')).toEqual({ text: '已退回', tag: 'danger' })
  })
  it('picks the half of a Text', () => {
    expect(pick({ zh: '自建', en: 'Self-built' }, 'en')).toBe('Self-built')
    expect(pick({ zh: '自建', en: 'Self-built' }, 'zh-CN')).toBe('自建')
    expect(pick(null, 'en')).toBe('')
  })
  it('gives shares with one decimal', () => {
    expect(percent(68, 121)).toBe('56.2%')
    expect(percent(0, 0)).toBe('—')
    expect(percent(14, 14)).toBe('100.0%')
  })
  it('keeps bare dates and shows times to the minute', () => {
    expect(formatTime('2017-09-04')).toBe('2017-09-04')
    expect(formatTime(null)).toBe('—')
    expect(formatTime('not a time')).toBe('not a time')
    expect(formatTime('2017-09-04T09:10:00')).toBe('2017-09-04 09:10')
  })
})

describe('inspectors and totals', async () => {
  const { inspectorLabel, modeLabel, submissionKind } = await import('../src/labels')
  const { withTotal } = await import('../src/progress')
  it('names the department of an inspector', () => {
    expect(inspectorLabel({ name: 'li', department: 'reform' }, 'zh-CN')).toBe('li（发改委）')
    expect(inspectorLabel({ name: 'li', department: 'reform' }, 'en')).toBe('li (Development and reform)')
    expect(inspectorLabel({ name: 'wang', department: null }, 'zh-CN')).toBe('wang')
    expect(inspectorLabel({ name: 'wang', department: 'water' }, 'zh-CN')).toBe('wang（water）')
  })
  it('names modes and submission kinds, unknown codes as they are', () => {
    expect(modeLabel('scattered', 'zh-CN')).toBe('分散安置')
    expect(modeLabel('floating', 'zh-CN')).toBe('floating')
    expect(submissionKind('spot_check', 'zh-CN')).toBe('抽查复核')
  })
  it('adds a total line only where there is none', () => {
    const row = (township: string, households: number, reclaimed: number) => ({
      township_id: township, township, households, people: households * 3, accepted: 0, moved_in: 0,
      agreement_signed: 0, demolished: 0, reclaimed, open_findings: 0, overdue_findings: 0,
    })
    const rows = withTotal([row('椿树镇', 7, 1), row('木厂镇', 2, 2)])
    expect(rows).toHaveLength(3)
    expect(rows[2]).toMatchObject({ township_id: null, township: '合计', households: 9, people: 27, reclaimed: 3 })
    expect(withTotal(rows)).toHaveLength(3)
    expect(withTotal([row('椿树镇', 7, 1)])).toHaveLength(1)
  })
})
