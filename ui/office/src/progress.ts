// Per-township progress tables end with a total line (township_id null). The dashboard's
// total comes from the server; where a report has none, it is added up here.
import type { TownshipProgress } from './bindings/TownshipProgress'

type Count = Exclude<keyof TownshipProgress, 'township_id' | 'township'>

// A Record, so that a count the server adds and this list forgets does not type-check.
const IS_COUNT: Record<Count, true> = {
  households: true, people: true,
  concentrated_households: true, concentrated_people: true, self_built_households: true, self_built_people: true,
  bought_households: true, bought_people: true,
  accepted: true, awaiting_review: true, failed: true, over_cap: true,
  moved_in: true, agreement_signed: true, demolished: true, reclaimed: true, open_findings: true, overdue_findings: true,
}

/** Every count of a line, the placement split and the decisions included. */
export const COUNTS = Object.keys(IS_COUNT) as Count[]

/** A line of zeros (the start of a total). */
export function emptyProgress(township: string, township_id: string | null = null): TownshipProgress {
  const line = { township_id, township } as TownshipProgress
  for (const k of COUNTS) line[k] = 0
  return line
}

export function withTotal(rows: TownshipProgress[], totalName = '合计'): TownshipProgress[] {
  if (rows.some((r) => r.township_id === null)) return rows
  if (rows.length < 2) return rows
  const total = emptyProgress(totalName)
  for (const r of rows) for (const k of COUNTS) total[k] += r[k] ?? 0
  return [...rows, total]
}
