import { describe, expect, it } from 'vitest'
import {
  auditAction, findingAction, findingActions, findingOrigin, findingState, formatTime, householdStatus, percent, pick, recordKind, reviewState,
  verdictLabel, withPercent,
} from '../src/labels'
import { STATUSES } from '../src/query'

describe('labels', () => {
  it('names the six household statuses as officials do, each with its colour', () => {
    const zh = STATUSES.map((s) => householdStatus(s, 'zh-CN'))
    expect(zh.map((s) => s.text)).toEqual(['待验收', '待审核', '验收合格', '整改中', '不合格', '已入住'])
    expect(STATUSES.map((s) => householdStatus(s, 'en').text)).toEqual(['To accept', 'Awaiting review', 'Accepted', 'Rectifying', 'Failed', 'Moved in'])
    // 不合格 red, 整改中 orange, 验收合格 green, 待审核 blue, 待验收 grey; 已入住 solid green.
    expect(householdStatus('failed', 'zh-CN')).toEqual({ text: '不合格', tag: 'danger', effect: 'light' })
    expect(householdStatus('rectifying', 'zh-CN').tag).toBe('warning')
    expect(householdStatus('accepted', 'zh-CN').tag).toBe('success')
    expect(householdStatus('awaiting_review', 'zh-CN').tag).toBe('primary')
    expect(householdStatus('pending', 'zh-CN').tag).toBe('info')
    expect(householdStatus('moved_in', 'zh-CN')).toMatchObject({ tag: 'success', effect: 'dark' })
    expect(new Set(zh.map((s) => `${s.tag}/${s.effect}`)).size).toBe(6)
  })
  it('names the verdicts: 不合格 red, the passes green; no verdict is nothing', () => {
    expect(verdictLabel('pass', 'zh-CN')).toMatchObject({ text: '合格', tag: 'success' })
    expect(verdictLabel('pass_after_rectification', 'zh-CN')).toMatchObject({ text: '整改后合格', tag: 'success' })
    expect(verdictLabel('fail', 'zh-CN')).toMatchObject({ text: '不合格', tag: 'danger' })
    expect(verdictLabel('pass_after_rectification', 'en')?.text).toBe('Pass after rectification')
    expect(verdictLabel(null, 'zh-CN')).toBeNull()
  })
  it("marks only the findings the office raised", () => {
    expect(findingOrigin('inspector', 'zh-CN')).toBeNull()
    expect(findingOrigin('area_over_cap', 'zh-CN')?.text).toBe('办公室自动')
    expect(findingOrigin('area_over_cap', 'en')?.text).toBe('Raised by the office')
    expect(findingOrigin('critical_item', 'zh-CN')?.text).toBe('办公室自动')
  })
  it('asks for a note where the server does: rectifying, reopening, and the district closing 面积超标', () => {
    expect(findingAction('inspector', 'rectified')).toMatchObject({ noteRequired: true, evidence: true })
    expect(findingAction('inspector', 'reopened').noteRequired).toBe(true)
    expect(findingAction('inspector', 'closed').noteRequired).toBe(false)
    expect(findingAction('critical_item', 'closed').noteRequired).toBe(false)
    const decision = findingAction('area_over_cap', 'closed')
    expect(decision).toMatchObject({ noteRequired: true, evidence: false })
    expect(pick(decision.noteLabel, 'zh-CN')).toBe('区县决定的理由')
    expect(pick(decision.text, 'zh-CN')).toBe('区县决定销号')
    expect(findingAction('area_over_cap', 'reopened').noteRequired).toBe(true)
  })
  it('names the kinds of damaged records, an unknown one as its code', () => {
    expect(recordKind('policy', 'zh-CN')).toBe('政策版本')
    expect(recordKind('submission', 'en')).toBe('Inspection')
    expect(recordKind('blob', 'zh-CN')).toBe('blob')
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
    expect(reviewState({ decision: 'returned', note: 'x', by: 'admin', by_display: { zh: '王建国', en: '王建国' }, at: '2017-09-08T10:00:00+08:00' }, 'zh-CN')).toEqual({ text: '已退回', tag: 'danger' })
  })
  it('picks the half of a Text', () => {
    expect(pick({ zh: '自建', en: 'Self-built' }, 'en')).toBe('Self-built')
    expect(pick({ zh: '自建', en: 'Self-built' }, 'zh-CN')).toBe('自建')
    expect(pick(null, 'en')).toBe('')
  })
  it('shows a share with one per cent sign, whether the server sent it or not', () => {
    expect(withPercent('+0.7%')).toBe('+0.7%')
    expect(withPercent('-4.1')).toBe('-4.1%')
    expect(withPercent(null)).toBe('—')
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
  it('adds a total line only where there is none, the placement split and the decisions added up too', async () => {
    const { emptyProgress } = await import('../src/progress')
    const row = (township: string, households: number, reclaimed: number) => ({
      ...emptyProgress(township, township), households, people: households * 3, reclaimed,
      concentrated_households: households - 1, concentrated_people: households * 3 - 2, bought_households: 1, bought_people: 2,
      failed: 1, over_cap: 1, awaiting_review: 2,
    })
    const rows = withTotal([row('椿树镇', 7, 1), row('木厂镇', 2, 2)])
    expect(rows).toHaveLength(3)
    expect(rows[2]).toMatchObject({
      township_id: null, township: '合计', households: 9, people: 27, reclaimed: 3,
      concentrated_households: 7, concentrated_people: 23, self_built_households: 0, bought_households: 2, bought_people: 4,
      failed: 2, over_cap: 2, awaiting_review: 4,
    })
    expect(withTotal(rows)).toHaveLength(3)
    expect(withTotal([row('椿树镇', 7, 1)])).toHaveLength(1)
  })
})

describe('audit actions', () => {
  it("names audit actions in English, keeping the server's Chinese label and any unknown code's", () => {
    expect(auditAction('reveal', '查看完整个人信息', 'zh-CN')).toBe('查看完整个人信息')
    expect(auditAction('reveal', '查看完整个人信息', 'en')).toBe('Personal data shown in full')
    expect(auditAction('something_new', '新操作', 'en')).toBe('新操作')
  })
})
