// How a finding's deadline reads in the list: overdue ones stand out.
import type { FindingRow } from './bindings/FindingRow'
import type { TagType } from './labels'

export interface DeadlineDisplay {
  kind: 'overdue' | 'today' | 'due' | 'done'
  /** Days overdue (kind overdue) or left (kind due). */
  days: number
  tag: TagType
  zh: string
  en: string
}

/** days_left counts down to the deadline and goes negative past it; the server's `overdue` decides. */
export function deadlineDisplay(row: Pick<FindingRow, 'state' | 'overdue' | 'days_left'>): DeadlineDisplay {
  if (row.state === 'closed') return { kind: 'done', days: 0, tag: 'info', zh: '—', en: '—' }
  if (row.overdue) {
    const days = Math.max(1, Math.abs(row.days_left))
    return { kind: 'overdue', days, tag: 'danger', zh: `逾期 ${days} 天`, en: `${days} ${days === 1 ? 'day' : 'days'} overdue` }
  }
  if (row.days_left <= 0) return { kind: 'today', days: 0, tag: 'warning', zh: '今天到期', en: 'Due today' }
  const days = row.days_left
  return {
    kind: 'due', days, tag: days <= 3 ? 'warning' : 'info',
    zh: `剩 ${days} 天`, en: `${days} ${days === 1 ? 'day' : 'days'} left`,
  }
}

export function deadlineText(row: Pick<FindingRow, 'state' | 'overdue' | 'days_left'>, language: string): string {
  const d = deadlineDisplay(row)
  return language.startsWith('zh') ? d.zh : d.en
}

/** The table row's class: overdue rows are red. */
export function findingRowClass(row: Pick<FindingRow, 'state' | 'overdue'>): string {
  return row.overdue && row.state !== 'closed' ? 'row-overdue' : ''
}
