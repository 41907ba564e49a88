// The lists' filters, as the server's query strings and as the page address (so going back
// from a household keeps the filters). An empty string means "no filter".
import type { FindingState } from './bindings/FindingState'
import type { HouseholdStatus } from './bindings/HouseholdStatus'

/** HouseholdRow.mode is a plain string in the bindings; these are its values. */
export type PlacementMode = 'concentrated' | 'scattered'

export interface HouseholdFilters {
  /** Township name. */
  township: string
  /** Site name. */
  site: string
  mode: PlacementMode | ''
  status: HouseholdStatus | ''
  /** Name, household number or ID number. */
  q: string
  /** Only the households whose latest measurement is over the cap (面积超标). */
  overCap: boolean
}

export interface FindingFilters {
  township: string
  state: FindingState | ''
  overdue: boolean
}

export const MODES: PlacementMode[] = ['concentrated', 'scattered']
/** Every household status, in the order a household goes through them. */
export const STATUSES: HouseholdStatus[] = ['pending', 'awaiting_review', 'accepted', 'rectifying', 'failed', 'moved_in']
export const FINDING_STATES: FindingState[] = ['open', 'rectified', 'closed', 'reopened']

export const emptyHouseholdFilters = (): HouseholdFilters => ({ township: '', site: '', mode: '', status: '', q: '', overCap: false })
export const emptyFindingFilters = (): FindingFilters => ({ township: '', state: '', overdue: false })

/** The households list's query: only the filters that are set, then the page. */
export function householdParams(f: HouseholdFilters, page?: { offset: number; limit: number }): URLSearchParams {
  const p = new URLSearchParams()
  if (f.township) p.set('township', f.township)
  if (f.site) p.set('site', f.site)
  if (f.mode) p.set('mode', f.mode)
  if (f.status) p.set('status', f.status)
  const q = f.q.trim()
  if (q) p.set('q', q)
  if (f.overCap) p.set('over_cap', 'true')
  if (page) {
    p.set('offset', String(Math.max(0, Math.floor(page.offset))))
    p.set('limit', String(Math.max(1, Math.floor(page.limit))))
  }
  return p
}

export function findingParams(f: FindingFilters): URLSearchParams {
  const p = new URLSearchParams()
  if (f.township) p.set('township', f.township)
  if (f.state) p.set('state', f.state)
  if (f.overdue) p.set('overdue', 'true')
  return p
}

type RouteQuery = Record<string, string | null | (string | null)[] | undefined>

function first(query: RouteQuery, key: string): string {
  const v = query[key]
  const s = Array.isArray(v) ? v[0] : v
  return typeof s === 'string' ? s : ''
}

function oneOf<T extends string>(value: string, allowed: readonly T[]): T | '' {
  return (allowed as readonly string[]).includes(value) ? (value as T) : ''
}

/** The filters and page of the households list read back from the page address. */
export function householdStateFromRoute(query: RouteQuery): { filters: HouseholdFilters; page: number; size: number } {
  const page = Number.parseInt(first(query, 'page'), 10)
  const size = Number.parseInt(first(query, 'size'), 10)
  return {
    filters: {
      township: first(query, 'township'),
      site: first(query, 'site'),
      mode: oneOf(first(query, 'mode'), MODES),
      status: oneOf(first(query, 'status'), STATUSES),
      q: first(query, 'q'),
      overCap: first(query, 'over_cap') === 'true',
    },
    page: Number.isFinite(page) && page > 0 ? page : 1,
    size: [20, 50, 100].includes(size) ? size : 20,
  }
}

/** The page address for the households list's filters and page (defaults left out). */
export function householdRouteQuery(f: HouseholdFilters, page: number, size: number): Record<string, string> {
  const out: Record<string, string> = Object.fromEntries(householdParams(f).entries())
  if (page > 1) out.page = String(page)
  if (size !== 20) out.size = String(size)
  return out
}

export function findingStateFromRoute(query: RouteQuery): FindingFilters {
  return {
    township: first(query, 'township'),
    state: oneOf(first(query, 'state'), FINDING_STATES),
    overdue: first(query, 'overdue') === 'true',
  }
}

/** Household numbers or ID numbers pasted as a list: split on spaces, commas, 、 and lines. */
export function parseHouseholdList(text: string): string[] {
  const seen = new Set<string>()
  for (const part of text.split(/[\s,，、;；]+/)) {
    const v = part.trim()
    if (v) seen.add(v)
  }
  return [...seen]
}

/** A sampling seed: empty (the server draws one) or a u64 in decimal. */
export function parseSeed(text: string): { ok: true; seed: string | null } | { ok: false } {
  const t = text.trim()
  if (!t) return { ok: true, seed: null }
  if (!/^\d{1,20}$/.test(t)) return { ok: false }
  const n = BigInt(t)
  if (n > 18446744073709551615n) return { ok: false }
  return { ok: true, seed: n.toString() }
}
