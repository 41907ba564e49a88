// The names of the states and kinds the server sends as codes, in both languages, with the
// colour of their tag. The words are those of the domain (docs: DOMAIN.md glossary).
import type { FindingState } from './bindings/FindingState'
import type { HouseholdStatus } from './bindings/HouseholdStatus'
import type { Role } from './bindings/Role'
import type { SubmissionView } from './bindings/SubmissionView'
import type { Text } from './bindings/Text'
import type { PlacementMode } from './query'

export type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'

/** The half of a server Text for the language shown. */
export function pick(text: Text | null | undefined, language: string): string {
  if (!text) return ''
  return language.startsWith('zh') ? text.zh : text.en
}

const t = (zh: string, en: string): Text => ({ zh, en })

export const HOUSEHOLD_STATUS: Record<HouseholdStatus, { text: Text; tag: TagType }> = {
  pending: { text: t('待验收', 'Awaiting acceptance'), tag: 'info' },
  accepted: { text: t('已验收', 'Accepted'), tag: 'success' },
  rectifying: { text: t('整改中', 'Rectifying'), tag: 'warning' },
  moved_in: { text: t('已入住', 'Moved in'), tag: 'primary' },
}

export const FINDING_STATE: Record<FindingState, { text: Text; tag: TagType }> = {
  open: { text: t('待整改', 'Open'), tag: 'warning' },
  rectified: { text: t('已整改待核查', 'Rectified, to verify'), tag: 'primary' },
  closed: { text: t('已销号', 'Closed'), tag: 'success' },
  reopened: { text: t('重新整改', 'Reopened'), tag: 'danger' },
}

/** The button that moves a finding to a state. */
export const FINDING_ACTION: Record<FindingState, { text: Text; button: TagType; noteRequired: boolean; evidence: boolean }> = {
  open: { text: t('重新打开', 'Open again'), button: 'warning', noteRequired: true, evidence: false },
  rectified: { text: t('标记已整改', 'Mark rectified'), button: 'primary', noteRequired: true, evidence: true },
  closed: { text: t('核查销号', 'Verify and close'), button: 'success', noteRequired: false, evidence: false },
  reopened: { text: t('重新整改', 'Reopen'), button: 'danger', noteRequired: true, evidence: false },
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
export type SubmissionKind = 'acceptance' | 'spot_check'
export type ReviewDecisionKind = NonNullable<SubmissionView['review']>['decision']

export const SUBMISSION_KIND: Record<SubmissionKind, Text> = {
  acceptance: t('验收', 'Acceptance'),
  spot_check: t('抽查复核', 'Spot check'),
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
  return s ? { text: pick(s.text, language), tag: s.tag } : { text: status, tag: 'info' as TagType }
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
export function inspectorLabel(inspector: { name: string; department: string | null }, language: string): string {
  if (!inspector.department) return inspector.name
  const d = DEPARTMENT[inspector.department]
  const dept = d ? pick(d, language) : inspector.department
  return language.startsWith('zh') ? `${inspector.name}（${dept}）` : `${inspector.name} (${dept})`
}
