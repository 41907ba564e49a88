// A problem noted at a yes/no item becomes a rectification finding for the township, with the
// usual 15 days to fix it.
import type { FindingDraft } from '../bindings/FindingDraft'

export const RECTIFICATION_DAYS = 15

/** A local calendar date as YYYY-MM-DD (the deadline is a date in China, not an instant). */
export function isoDate(date: Date): string {
  const y = date.getFullYear()
  const m = String(date.getMonth() + 1).padStart(2, '0')
  const d = String(date.getDate()).padStart(2, '0')
  return `${y}-${m}-${d}`
}

export function addDays(date: Date, days: number): Date {
  const result = new Date(date.getFullYear(), date.getMonth(), date.getDate())
  result.setDate(result.getDate() + days)
  return result
}

export function problemDescription(label: string, note: string | null): string {
  const detail = (note ?? '').trim()
  return detail ? `${label}：${detail}` : label
}

export function findingFromProblem(label: string, note: string | null, itemKey: string, today: Date): FindingDraft {
  return {
    description: problemDescription(label, note),
    item: itemKey,
    deadline: isoDate(addDays(today, RECTIFICATION_DAYS)),
  }
}

/** Appends a finding unless the same item already has one with the same description. */
export function appendFinding(items: readonly FindingDraft[], finding: FindingDraft): FindingDraft[] {
  if (items.some((f) => f.item === finding.item && f.description === finding.description)) return [...items]
  return [...items, finding]
}

/** Whole days a deadline (YYYY-MM-DD) is past, 0 when not overdue. */
export function daysOverdue(deadline: string, today: Date): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(deadline)
  if (!match) return 0
  const due = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate())
  const days = Math.round((start.getTime() - due.getTime()) / 86_400_000)
  return days > 0 ? days : 0
}
