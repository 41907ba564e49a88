import { describe, expect, it } from 'vitest'
import { OfficeError } from '../src/api'
import { draftPolicyFile, inForce, lineRange, lineText, policyProblem, policyStanding, samplingText } from '../src/policy'
import { i18n } from '../src/i18n'
import type { PolicyView } from '../src/bindings/PolicyView'

// What `anju-office policy show` prints (a PolicyVersion): the page's `file`.
const SHOWN = `{
  "version": 2,
  "effective_from": "2017-01-01",
  "set_by": "金安区易地扶贫搬迁工作领导小组",
  "set_at": "2026-12-01T08:00:00Z",
  "policy": {
    "province": "安徽省",
    "programme_year": 2017,
    "rectification_days": 30
  }
}`

describe('the policy editor', () => {
  it('starts from the version in force, taking effect today, without what the office gives', () => {
    const draft = draftPolicyFile(SHOWN, '2026-12-05')
    expect(JSON.parse(draft)).toEqual({
      effective_from: '2026-12-05',
      policy: { province: '安徽省', programme_year: 2017, rectification_days: 30 },
    })
    expect(draft.split('\n')[1]).toBe('  "effective_from": "2026-12-05",')
    expect(draft.endsWith('}\n')).toBe(true)
  })
  it('leaves a file it cannot read as it is', () => {
    expect(draftPolicyFile('{ broken', '2026-12-05')).toBe('{ broken')
    expect(draftPolicyFile('[1, 2]', '2026-12-05')).toBe('[1, 2]')
  })
  it('finds a line and its place in the text', () => {
    const text = 'a\nbb\r\nccc'
    expect(lineText(text, 2)).toBe('bb')
    expect(lineText(text, 3)).toBe('ccc')
    expect(lineText(text, 4)).toBeNull()
    expect(lineText(text, 0)).toBeNull()
    expect(lineRange(text, 1)).toEqual({ start: 0, end: 1 })
    expect(lineRange(text, 2)).toEqual({ start: 2, end: 4 })
    expect(lineRange(text, 3)).toEqual({ start: 6, end: 9 })
    expect(lineRange(text, 9)).toBeNull()
  })
})

describe('a refused policy file', () => {
  it('keeps the line and the reason of the JSON reader in both languages', () => {
    const error = new OfficeError(422, 'policy_refused',
      '第9行第5列：unknown field `critcal_items`, expected one of `province`, `programme_year` / line 9, column 5: unknown field `critcal_items`, expected one of `province`, `programme_year`', 'file')
    expect(policyProblem(error, 'zh-CN')).toEqual({
      field: 'file', line: 9, column: 5,
      message: '第9行第5列：unknown field `critcal_items`, expected one of `province`, `programme_year`',
    })
    expect(policyProblem(error, 'en').message).toBe('line 9, column 5: unknown field `critcal_items`, expected one of `province`, `programme_year`')
  })
  it('keeps the half of a bilingual reason for the language shown', () => {
    const error = new OfficeError(422, 'policy_refused',
      '第11行第3列：整改期限须为1到365天（0） / line 11, column 3: the rectification deadline must be 1 to 365 days (0)', 'file')
    expect(policyProblem(error, 'zh-CN').message).toBe('第11行第3列：整改期限须为1到365天（0）')
    expect(policyProblem(error, 'en').message).toBe('line 11, column 3: the rectification deadline must be 1 to 365 days (0)')
  })
  it('says a date before today without a line', () => {
    const error = new OfficeError(422, 'policy_refused',
      '生效日期2017-01-01早于今天（2026-12-05）：新政策不能追溯既往 / the effective date 2017-01-01 is before today (2026-12-05): a new policy does not reach back',
      'effective_from')
    expect(policyProblem(error, 'zh-CN')).toEqual({
      field: 'effective_from', line: null, column: null, message: '生效日期2017-01-01早于今天（2026-12-05）：新政策不能追溯既往',
    })
  })
  it('shows a refusal of another kind (a township user) as the server says it', () => {
    const error = new OfficeError(403, 'admin_only', '只有区县办公室可以进行此操作 / only the district office may do this')
    expect(policyProblem(error, 'en')).toEqual({ field: null, line: null, column: null, message: 'only the district office may do this' })
  })
})

describe('versions', () => {
  const version = (v: number, effective: string, inForceToday: boolean) => ({ version: v, effective_from: effective, in_force: inForceToday }) as PolicyView
  it('says which is in force, which waits and which was replaced', () => {
    expect(policyStanding(version(3, '2026-12-05', true), '2026-12-05')).toBe('in_force')
    expect(policyStanding(version(4, '2027-01-01', false), '2026-12-05')).toBe('future')
    expect(policyStanding(version(2, '2017-01-01', false), '2026-12-05')).toBe('past')
    expect(inForce([version(4, '2027-01-01', false), version(3, '2026-12-05', true)])?.version).toBe(3)
    expect(inForce([])).toBeNull()
  })
  it('says the sampling rule in words, scattered households included or not', () => {
    const t = i18n.global.t as (key: string, params?: Record<string, unknown>) => string
    expect(samplingText({ site_share_pct: 50, min_site_households: 3, household_share_pct: 20, scattered_share_pct: 20 }, t))
      .toBe('抽取至少 50% 的 3 户以上集中安置点，每个抽中的安置点至少抽取 20% 的住户；每个乡镇的分散安置户（自建、购房分别）至少抽取 20%')
    expect(samplingText({ site_share_pct: 50, min_site_households: 10, household_share_pct: 20, scattered_share_pct: 0 }, t))
      .toMatch(/；不抽取分散安置户$/)
  })
})
