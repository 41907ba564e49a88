// Records the office cannot read (DamagedRow): listed by kind, id and reason while the rest
// of the page still shows.
import type { DamagedRow } from './bindings/DamagedRow'
import { localise } from './api'
import { recordKind } from './labels'

export interface DamagedLine {
  /** The kind's name in the language shown (an unknown kind as its code). */
  kind: string
  id: string
  reason: string
}

/** The lines of the notice; none when nothing is damaged (then no notice shows). */
export function damagedLines(rows: readonly DamagedRow[] | null | undefined, language: string): DamagedLine[] {
  return (rows ?? []).map((r) => ({ kind: recordKind(r.kind, language), id: r.id, reason: localise(r.reason, language) }))
}
