// What the summary before 提交 says: what is still missing, section by section and by name
// ("照片：厨房（至少1张）", "签字：户主签字" rather than 未填写), and what the answers imply for
// the acceptance. The office judges the submission by the district's policy; this is the
// inspector's view of their own form before it leaves the device.
import type { AreaAssessment } from '../bindings/AreaAssessment'
import type { FormAnswers } from '../bindings/FormAnswers'
import type { FormIssueView } from '../bindings/FormIssueView'
import type { Item } from '../bindings/Item'
import type { SignatureState } from '../bindings/SignatureState'
import { isProblem, textOf } from './answers'
import type { DisplaySection } from './layout'

export type Missing =
  | { kind: 'photos', item: Item, min: number, have: number }
  | { kind: 'signature', item: Item, stale: boolean }
  | { kind: 'answer', item: Item, messages: FormIssueView[] }

export interface SectionMissing { section: DisplaySection, missing: Missing[] }

export interface MissingInput {
  answers: FormAnswers
  /** The issues the Rust validation reported for the draft as last saved. */
  issues: readonly FormIssueView[]
  photoCount: (slot: string) => number
  signatures: readonly SignatureState[]
}

function missingOf(item: Item, input: MissingInput): Missing | null {
  const answer = input.answers[item.key]
  const issues = input.issues.filter((i) => i.item === item.key)
  if (item.kind.type === 'photos') {
    const have = input.photoCount(item.key)
    if (have < item.kind.min) return { kind: 'photos', item, min: item.kind.min, have }
  } else if (item.kind.type === 'signature') {
    if (item.required && answer === undefined) return { kind: 'signature', item, stale: false }
    if (input.signatures.some((s) => s.slot === item.key && s.stale)) return { kind: 'signature', item, stale: true }
  } else if (item.required && answer === undefined) {
    return { kind: 'answer', item, messages: [] }
  }
  return issues.length > 0 ? { kind: 'answer', item, messages: issues } : null
}

/** Every displayed section with what it still lacks, in form order (empty lists included). */
export function missingBySection(sections: readonly DisplaySection[], input: MissingInput): SectionMissing[] {
  return sections.map((section) => ({
    section,
    missing: section.items.flatMap((p) => missingOf(p.item, input) ?? []),
  }))
}

/** "户主签字（或按手印、亲属代签）" → "户主签字": the name of a slot without its explanation. */
export function shortLabel(label: string): string {
  const cut = label.search(/[（(]/)
  return cut > 0 ? label.slice(0, cut).trim() : label
}

type Translate = (key: string, values?: Record<string, unknown>) => string

/** One line of the missing list, in the inspector's language. */
export function missingText(m: Missing, t: Translate, locale: string): string {
  const name = shortLabel(textOf(m.item.label, locale))
  switch (m.kind) {
    case 'photos':
      return m.have > 0 ? t('summary.photosFew', { name, min: m.min, have: m.have }) : t('summary.photos', { name, min: m.min })
    case 'signature':
      return m.stale ? t('summary.signatureStale', { name }) : t('summary.signature', { name })
    case 'answer': {
      const messages = m.messages.map((i) => (locale.startsWith('zh') ? i.message_zh : i.message_en))
      return t('summary.answer', { name, message: messages.length ? messages.join('；') : t('summary.notAnswered') })
    }
  }
}

export interface Problem {
  /** The item it is about, to jump to; null for a problem only the findings list names. */
  item: string | null
  label: string
}

export interface AcceptanceOutlook {
  verdict: 'pass' | 'problems'
  problems: Problem[]
}

/**
 * 合格 when nothing was found; 存在问题 with each problem: a check answered as a problem, a
 * recorded finding (once, even when it came from a check), the built area over the cap.
 */
export function acceptanceOutlook(
  sections: readonly DisplaySection[], answers: FormAnswers, area: AreaAssessment | null, t: Translate, locale: string,
): AcceptanceOutlook {
  const problems: Problem[] = []
  const seen = new Set<string>()
  for (const section of sections) {
    for (const { item } of section.items) {
      if (isProblem(item, answers[item.key])) {
        problems.push({ item: item.key, label: textOf(item.label, locale) })
        seen.add(item.key)
      }
    }
  }
  for (const section of sections) {
    for (const { item } of section.items) {
      const answer = answers[item.key]
      if (item.kind.type !== 'findings' || answer?.type !== 'findings') continue
      for (const f of answer.items) {
        if (f.item !== null && seen.has(f.item)) continue
        if (f.description.trim() === '') continue
        problems.push({ item: f.item ?? item.key, label: f.description.trim() })
      }
    }
  }
  if (area?.verdict.kind === 'over') {
    const areaItem = sections.flatMap((s) => s.items).find((p) => p.item.kind.type === 'area_measurement')
    problems.push({ item: areaItem?.item.key ?? null, label: t('summary.areaOver', { m2: area.verdict.by.m2 }) })
  }
  return { verdict: problems.length === 0 ? 'pass' : 'problems', problems }
}
