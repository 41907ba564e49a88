// Per-township progress tables end with a total line (township_id null). The dashboard's
// total comes from the server; where a report has none, it is added up here.
import type { TownshipProgress } from './bindings/TownshipProgress'

const COUNTS = ['households', 'people', 'accepted', 'moved_in', 'agreement_signed', 'demolished', 'reclaimed', 'open_findings', 'overdue_findings'] as const

export function withTotal(rows: TownshipProgress[], totalName = '合计'): TownshipProgress[] {
  if (rows.some((r) => r.township_id === null)) return rows
  if (rows.length < 2) return rows
  const total: TownshipProgress = {
    township_id: null, township: totalName,
    households: 0, people: 0, accepted: 0, moved_in: 0, agreement_signed: 0, demolished: 0, reclaimed: 0, open_findings: 0, overdue_findings: 0,
  }
  for (const r of rows) for (const k of COUNTS) total[k] += r[k]
  return [...rows, total]
}
