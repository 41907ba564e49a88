import { describe, expect, it } from 'vitest'
import { deadlineDisplay, deadlineText, findingRowClass } from '../src/overdue'

describe('deadline display', () => {
  it('counts overdue days from the negative days left', () => {
    const d = deadlineDisplay({ state: 'open', overdue: true, days_left: -15 })
    expect(d).toMatchObject({ kind: 'overdue', days: 15, tag: 'danger', zh: '逾期 15 天', en: '15 days overdue' })
    expect(deadlineText({ state: 'reopened', overdue: true, days_left: -1 }, 'en')).toBe('1 day overdue')
  })
  it('says at least one day when the server calls it overdue on the day', () => {
    expect(deadlineText({ state: 'open', overdue: true, days_left: 0 }, 'zh-CN')).toBe('逾期 1 天')
  })
  it('shows the days left, warning close to the deadline', () => {
    expect(deadlineDisplay({ state: 'open', overdue: false, days_left: 15 })).toMatchObject({ kind: 'due', tag: 'info', zh: '剩 15 天' })
    expect(deadlineDisplay({ state: 'rectified', overdue: false, days_left: 2 })).toMatchObject({ tag: 'warning', en: '2 days left' })
    expect(deadlineText({ state: 'open', overdue: false, days_left: 0 }, 'zh-CN')).toBe('今天到期')
  })
  it('shows nothing to count for a closed finding', () => {
    expect(deadlineDisplay({ state: 'closed', overdue: true, days_left: -30 }).kind).toBe('done')
  })
  it('makes overdue rows red unless closed', () => {
    expect(findingRowClass({ state: 'open', overdue: true })).toBe('row-overdue')
    expect(findingRowClass({ state: 'open', overdue: false })).toBe('')
    expect(findingRowClass({ state: 'closed', overdue: true })).toBe('')
  })
})
