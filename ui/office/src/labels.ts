// The names of the states and kinds the server sends as codes, in both languages, with the
// colour of their tag. The words are those of the domain (docs: DOMAIN.md glossary).
import type { AcceptanceVerdict } from './bindings/AcceptanceVerdict'
import type { FindingOrigin } from './bindings/FindingOrigin'
import type { FindingState } from './bindings/FindingState'
import type { HouseholdStatus } from './bindings/HouseholdStatus'
import type { Role } from './bindings/Role'
import type { SubmissionView } from './bindings/SubmissionView'
import type { Text } from './bindings/Text'
import type { PlacementMode } from './query'

export type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'
export type TagEffect = 'light' | 'dark' | 'plain'

/** The half of a server Text for the language shown. */
export function pick(text: Text | null | undefined, language: string): string {
  if (!text) return ''
  return language.startsWith('zh') ? text.zh : text.en
}

const t = (zh: string, en: string): Text => ({ zh, en })

/** People as official records name them (姓名（单位/部门）, from the server), in a list. */
export function peopleNames(names: Text[] | null | undefined, language: string): string {
  return (names ?? []).map((n) => pick(n, language)).join(language.startsWith('zh') ? '、' : ', ')
}

/**
 * Where a household stands, as officials say it: 待验收 → 待审核 → 验收合格 / 整改中 / 不合格 →
 * 已入住. Red for 不合格, orange for 整改中, green for 验收合格, blue for 待审核; 已入住, past
 * acceptance, is a solid green.
 */
export const HOUSEHOLD_STATUS: Record<HouseholdStatus, { text: Text; tag: TagType; effect: TagEffect }> = {
  pending: { text: t('待验收', 'To accept'), tag: 'info', effect: 'light' },
  awaiting_review: { text: t('待审核', 'Awaiting review'), tag: 'primary', effect: 'light' },
  accepted: { text: t('验收合格', 'Accepted'), tag: 'success', effect: 'light' },
  rectifying: { text: t('整改中', 'Rectifying'), tag: 'warning', effect: 'light' },
  failed: { text: t('不合格', 'Failed'), tag: 'danger', effect: 'light' },
  moved_in: { text: t('已入住', 'Moved in'), tag: 'success', effect: 'dark' },
}

/** 验收结论: outlined, so that it does not read as the status beside it. */
export const VERDICT: Record<AcceptanceVerdict, { text: Text; tag: TagType; effect: TagEffect }> = {
  pass: { text: t('合格', 'Pass'), tag: 'success', effect: 'plain' },
  pass_after_rectification: { text: t('整改后合格', 'Pass after rectification'), tag: 'success', effect: 'plain' },
  fail: { text: t('不合格', 'Fail'), tag: 'danger', effect: 'plain' },
}

/** 面积超标: the latest measurement is over the cap. */
export const OVER_CAP: { text: Text; tag: TagType; effect: TagEffect } = { text: t('面积超标', 'Over the area cap'), tag: 'danger', effect: 'dark' }

/** Who raised a finding; an inspector's finding needs no mark. */
export const FINDING_ORIGIN: Record<Exclude<FindingOrigin, 'inspector'>, { text: Text; title: Text }> = {
  area_over_cap: {
    text: t('办公室自动', 'Raised by the office'),
    title: t('面积超标：须抽查复测在上限内，或由区县办公室书面决定', 'Over the area cap: closed by a re-measure within the cap or by the district office\'s written decision'),
  },
  critical_item: {
    text: t('办公室自动', 'Raised by the office'),
    title: t('关键项不合格，由办公室按政策提出', 'A critical item failed: raised by the office by the policy'),
  },
}

/** 关键项: a finding that blocks acceptance (不合格) until it is closed. */
export const CRITICAL: Text = t('关键项', 'Critical')

export const FINDING_STATE: Record<FindingState, { text: Text; tag: TagType }> = {
  open: { text: t('待整改', 'Open'), tag: 'warning' },
  rectified: { text: t('已整改待核查', 'Rectified, to verify'), tag: 'primary' },
  closed: { text: t('已销号', 'Closed'), tag: 'success' },
  reopened: { text: t('重新整改', 'Reopened'), tag: 'danger' },
}

/** What moving a finding to a state asks for: the button, whether a note is required (and what it says), an evidence photo. */
export interface FindingActionRule { text: Text; button: TagType; noteRequired: boolean; noteLabel: Text; evidence: boolean }

/** The button that moves a finding to a state (an inspector's finding, or a critical item's). */
export const FINDING_ACTION: Record<FindingState, FindingActionRule> = {
  open: { text: t('重新打开', 'Open again'), button: 'warning', noteRequired: true, noteLabel: t('说明', 'Note'), evidence: false },
  rectified: { text: t('标记已整改', 'Mark rectified'), button: 'primary', noteRequired: true, noteLabel: t('整改情况', 'What was done to rectify it'), evidence: true },
  closed: { text: t('核查销号', 'Verify and close'), button: 'success', noteRequired: false, noteLabel: t('说明', 'Note'), evidence: false },
  reopened: { text: t('重新整改', 'Reopen'), button: 'danger', noteRequired: true, noteLabel: t('重新整改的原因', 'Why it goes back for rectification'), evidence: false },
}

/**
 * The rule for a finding of this origin (anju-core `check_transition`): 面积超标 raised by the
 * office is not rectified by the township; the district closes it only with a written reason.
 */
export function findingAction(origin: FindingOrigin, to: FindingState): FindingActionRule {
  const base = FINDING_ACTION[to] ?? { text: t(to, to), button: 'primary', noteRequired: false, noteLabel: t('说明', 'Note'), evidence: false }
  if (origin === 'area_over_cap' && to === 'closed') {
    return {
      text: t('区县决定销号', 'Close by district decision'), button: 'danger', noteRequired: true,
      noteLabel: t('区县决定的理由', "The reason for the district's decision"), evidence: false,
    }
  }
  return base
}

export const MODE: Record<PlacementMode, Text> = {
  concentrated: t('集中安置', 'Concentrated'),
  scattered: t('分散安置', 'Scattered'),
}

export const ROLE: Record<Role, Text> = {
  admin: t('县（区）管理员', 'County administrator'),
  township: t('乡镇用户', 'Township user'),
  inspector: t('检查员', 'Inspector'),
}

/** SubmissionView.kind is a plain string in the bindings; these are its values. */
export type SubmissionKind = 'acceptance' | 'spot_check' | 'demolition' | 'reclamation' | 'recheck' | 'move_in' | 'groundbreaking' | 'progress' | 'area_inspection' | 'township_check' | 'acceptance_part'
export type ReviewDecisionKind = NonNullable<SubmissionView['review']>['decision']

export const SUBMISSION_KIND: Record<SubmissionKind, Text> = {
  acceptance: t('验收', 'Acceptance'),
  spot_check: t('抽查复核', 'Spot check'),
  demolition: t('旧房拆除核实', 'Demolition check'),
  reclamation: t('宅基地复垦核实', 'Reclamation check'),
  recheck: t('整改复查', 'Re-check'),
  move_in: t('入住核实', 'Move-in check'),
  groundbreaking: t('开工放线', 'Groundbreaking'),
  progress: t('建设进度', 'Building progress'),
  area_inspection: t('面积丈量督查', 'Area inspection'),
  township_check: t('乡镇初验', 'Township preliminary acceptance'),
  acceptance_part: t('分工验收（部门部分）', 'Department part of an acceptance'),
}

export const REVIEW_STATE: Record<ReviewDecisionKind | 'pending', { text: Text; tag: TagType }> = {
  pending: { text: t('待审核', 'Awaiting review'), tag: 'warning' },
  approved: { text: t('已通过', 'Approved'), tag: 'success' },
  returned: { text: t('已退回', 'Returned'), tag: 'danger' },
}

/** A placement mode's name; an unknown code shows as it is. */
export function modeLabel(mode: string, language: string): string {
  const text = (MODE as Record<string, Text | undefined>)[mode]
  return text ? pick(text, language) : mode
}

/** A submission kind's name; an unknown code shows as it is. */
export function submissionKind(kind: string, language: string): string {
  const text = (SUBMISSION_KIND as Record<string, Text | undefined>)[kind]
  return text ? pick(text, language) : kind
}

export function householdStatus(status: HouseholdStatus, language: string) {
  const s = HOUSEHOLD_STATUS[status]
  return s ? { text: pick(s.text, language), tag: s.tag, effect: s.effect } : { text: status, tag: 'info' as TagType, effect: 'light' as TagEffect }
}

/** A verdict's name and colour; `null` (no acceptance that counts) is null. */
export function verdictLabel(verdict: AcceptanceVerdict | null, language: string) {
  if (verdict === null) return null
  const v = VERDICT[verdict]
  return v ? { text: pick(v.text, language), tag: v.tag, effect: v.effect } : { text: verdict, tag: 'info' as TagType, effect: 'plain' as TagEffect }
}

/** The mark of a finding the office raised, or null for an inspector's. */
export function findingOrigin(origin: FindingOrigin, language: string) {
  if (origin === 'inspector') return null
  const o = (FINDING_ORIGIN as Record<string, { text: Text; title: Text } | undefined>)[origin]
  return o ? { text: pick(o.text, language), title: pick(o.title, language) } : { text: origin, title: origin }
}

export function findingState(state: FindingState, language: string) {
  const s = FINDING_STATE[state]
  return s ? { text: pick(s.text, language), tag: s.tag } : { text: state, tag: 'info' as TagType }
}

export function reviewState(review: SubmissionView['review'], language: string) {
  const s = REVIEW_STATE[review ? review.decision : 'pending'] ?? { text: { zh: review?.decision ?? '', en: review?.decision ?? '' }, tag: 'info' as TagType }
  return { text: pick(s.text, language), tag: s.tag }
}

/** The actions to offer on a finding: only the states the server allows, in a fixed order. */
export function findingActions(allowed: readonly FindingState[]): FindingState[] {
  const order: FindingState[] = ['rectified', 'closed', 'reopened', 'open']
  return order.filter((s) => allowed.includes(s))
}

/** A share in per cent with one decimal, "—" when there is nothing to divide by. */
export function percent(part: number, whole: number): string {
  if (!whole) return '—'
  return `${((part * 100) / whole).toFixed(1)}%`
}

/** A share the server sends ("+0.7%", or a bare "+0.7" from an older office), with one "%". */
export function withPercent(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  return value.endsWith('%') ? value : `${value}%`
}

/** A server time (RFC 3339) as local "YYYY-MM-DD HH:mm"; a bare date stays as it is. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return '—'
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return value
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

/** The kinds of synced records a conflict can be about; an unknown kind shows as its code. */
export const RECORD_KIND: Record<string, Text> = {
  household: t('住户信息', 'Household'),
  submission: t('检查记录', 'Inspection'),
  draft: t('检查草稿', 'Draft inspection'),
  finding: t('整改问题', 'Finding'),
  assignment: t('分配', 'Assignment'),
  photo: t('照片', 'Photo'),
  signature: t('签字', 'Signature'),
  policy: t('政策版本', 'Policy version'),
  conflict: t('数据冲突', 'Conflict'),
}

export function recordKind(kind: string, language: string): string {
  return RECORD_KIND[kind] ? pick(RECORD_KIND[kind], language) : kind
}

/** The inspectors' departments (anju-core's Department codes), as in the acceptance team. */
export const DEPARTMENT: Record<string, Text> = {
  poverty: t('扶贫办', 'Poverty alleviation office'),
  reform: t('发改委', 'Development and reform'),
  land: t('国土局', 'Land and resources'),
  housing: t('住建局', 'Housing and construction'),
}

/** "li（发改委）": an inspector with their department, an unknown department as its code. */
export function inspectorLabel(inspector: { name: string; department: string | null; display?: Text }, language: string): string {
  // Official records name people 姓名（单位/部门）, never by their login (issue 13).
  if (inspector.display) return pick(inspector.display, language)
  if (!inspector.department) return inspector.name
  const d = DEPARTMENT[inspector.department]
  const dept = d ? pick(d, language) : inspector.department
  return language.startsWith('zh') ? `${inspector.name}（${dept}）` : `${inspector.name} (${dept})`
}

/** The audit log's actions (anju-office's AuditAction codes); the server names them in Chinese only. */
export const AUDIT_ACTION: Record<string, Text> = {
  sign_in: t('登录', 'Sign-in'),
  sign_out: t('退出登录', 'Sign-out'),
  lockout: t('账号锁定', 'Name locked out'),
  address_lockout: t('地址锁定', 'Address locked out'),
  unlock: t('解除锁定', 'Lock-out lifted'),
  reveal: t('查看完整个人信息', 'Personal data shown in full'),
  review: t('审核验收', 'Review'),
  conflict_decision: t('裁决冲突', 'Conflict decided'),
  import: t('导入名册', 'Roster import'),
  policy_change: t('修改政策', 'Policy changed'),
  form_publish: t('发布表单', 'Form published'),
  finding_transition: t('问题状态变更', 'Finding moved'),
  export_full: t('导出完整个人信息', 'Personal data exported in full'),
  user_profile: t('修改用户姓名单位', 'User name or organisation changed'),
  integration_token_create: t('创建数据接口令牌', 'Integration token made'),
  integration_token_revoke: t('撤销数据接口令牌', 'Integration token revoked'),
}

/** An audit action in the language shown: the server's own label in Chinese and for a code not known here. */
export function auditAction(code: string, serverLabel: string, language: string): string {
  const known = AUDIT_ACTION[code]
  return known && !language.startsWith('zh') ? known.en : serverLabel
}
