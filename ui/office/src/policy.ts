// The district's policy page: a new version starts from the one in force, and a file the
// office refuses is shown at its line.
import type { PolicyView } from './bindings/PolicyView'
import type { SampleRule } from './bindings/SampleRule'
import { localise, toOfficeError } from './api'

/**
 * The editor's starting text: the in-force version's file with `effective_from` set to today
 * (a new version cannot take effect before today) and without what the office gives itself
 * (`version`, `set_by`, `set_at`). A file that is not the expected JSON is left as it is.
 */
export function draftPolicyFile(file: string, today: string): string {
  try {
    const parsed = JSON.parse(file) as unknown
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !('policy' in parsed)) return file
    const { policy } = parsed as { policy: unknown }
    return `${JSON.stringify({ effective_from: today, policy }, null, 2)}\n`
  } catch {
    return file
  }
}

/** What the office said about a policy file, ready to show. */
export interface PolicyProblem {
  /** `file` (a mistake in the file), `effective_from` (a date before today), or another field. */
  field: string | null
  /** The reason, in the language shown, with its place ("第9行第5列：…" / "line 9, column 5: …"). */
  message: string
  line: number | null
  column: number | null
}

// "第9行第5列：原因 / line 9, column 5: reason" (the JSON reader's own reasons are English in
// both halves): the place is read from the Chinese half, the language's half is shown.
const AT_LINE = /^第(\d+)行第(\d+)列：/

export function policyProblem(error: unknown, language: string): PolicyProblem {
  const e = toOfficeError(error)
  const m = AT_LINE.exec(e.message)
  const message = localise(e.message, language)
  if (m) return { field: e.field ?? 'file', message, line: Number(m[1]), column: Number(m[2]) }
  return { field: e.field, message, line: null, column: null }
}

/** The text of line `line` (1-based) of `text`, or null when there is no such line. */
export function lineText(text: string, line: number): string | null {
  const lines = text.split('\n')
  return line >= 1 && line <= lines.length ? lines[line - 1].replace(/\r$/, '') : null
}

/** Where line `line` (1-based) of `text` starts and ends, to select it in the editor. */
export function lineRange(text: string, line: number): { start: number; end: number } | null {
  if (line < 1) return null
  let start = 0
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', start)
    if (next < 0) return null
    start = next + 1
  }
  let end = text.indexOf('\n', start)
  if (end < 0) end = text.length
  if (end > start && text[end - 1] === '\r') end -= 1
  return { start, end }
}

export type PolicyStanding = 'in_force' | 'future' | 'past'

/** A version is in force, waits for its date, or was replaced. */
export function policyStanding(version: Pick<PolicyView, 'in_force' | 'effective_from'>, today: string): PolicyStanding {
  if (version.in_force) return 'in_force'
  return version.effective_from > today ? 'future' : 'past'
}

/** The version in force today (the page lists the newest first). */
export function inForce(versions: readonly PolicyView[]): PolicyView | null {
  return versions.find((v) => v.in_force) ?? null
}

type Translate = (key: string, params?: Record<string, unknown>) => string

/** The sampling rule in words: the concentrated sites, then the scattered households (or that none are drawn). */
export function samplingText(rule: SampleRule, t: Translate): string {
  const sites = t('samples.ruleHint', { site: rule.site_share_pct, min: rule.min_site_households, hh: rule.household_share_pct })
  const scattered = rule.scattered_share_pct > 0
    ? t('samples.scatteredHint', { pct: rule.scattered_share_pct })
    : t('samples.noScatteredHint')
  return `${sites}${t('samples.ruleJoin')}${scattered}`
}
