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

/**
 * The date picker's value (['2026', '12', '20']) moved by `step` years, months or days
 * (`column` 0, 1, 2), inside min..max: what one notch of a mouse wheel over that column
 * does, since Vant's picker columns only follow touches. A shorter month keeps its last day.
 */
export function shiftDateParts(parts: readonly string[], column: number, step: number, min: Date, max: Date): string[] {
  const [y, m, d] = parts.map(Number)
  if (![y, m, d].every(Number.isFinite)) return [...parts]
  let next: Date
  if (column === 2) {
    next = new Date(y, m - 1, d + step)
  } else {
    const months = column === 0 ? step * 12 : step
    const first = new Date(y, m - 1 + months, 1)
    const last = new Date(first.getFullYear(), first.getMonth() + 1, 0).getDate()
    next = new Date(first.getFullYear(), first.getMonth(), Math.min(d, last))
  }
  const lo = new Date(min.getFullYear(), min.getMonth(), min.getDate())
  const hi = new Date(max.getFullYear(), max.getMonth(), max.getDate())
  if (next < lo) next = lo
  if (next > hi) next = hi
  return isoDate(next).split('-')
}
