// The household list: one page of 50 at a time (a device may hold 10,000 households; the list
// never asks for, nor renders, them all).
import { defineStore } from 'pinia'
import { ref } from 'vue'
import * as api from '../api'
import type { CommandError } from '../bindings/CommandError'
import type { HouseholdQuery } from '../bindings/HouseholdQuery'
import type { HouseholdStatus } from '../bindings/HouseholdStatus'
import type { HouseholdSummary } from '../bindings/HouseholdSummary'
import type { PlaceFilter } from '../bindings/PlaceFilter'
import type { StatusCounts } from '../bindings/StatusCounts'

export const PAGE_SIZE = 50

export type StatusTab = 'all' | HouseholdStatus | 'with_open_findings'
export const STATUS_TABS: StatusTab[] = ['all', 'to_inspect', 'draft', 'submitted', 'synced', 'with_open_findings']

export interface HouseholdFilters {
  text: string
  township: string | null
  site: string | null
  tab: StatusTab
}

export function buildQuery(filters: HouseholdFilters, offset: number, limit = PAGE_SIZE): HouseholdQuery {
  const text = filters.text.trim()
  const status = filters.tab === 'all' || filters.tab === 'with_open_findings' ? null : filters.tab
  return {
    text: text === '' ? null : text,
    township: filters.township || null,
    // A site belongs to a township: without one, a site filter would be meaningless.
    site: filters.township ? filters.site || null : null,
    status,
    with_open_findings: filters.tab === 'with_open_findings',
    limit,
    offset,
  }
}

/** The colour of the office's standing (`pending`, `awaiting_review`, `accepted`…) on a tag. */
export function officeTagType(status: string): 'success' | 'danger' | 'primary' | 'warning' {
  if (status === 'accepted' || status === 'moved_in') return 'success'
  if (status === 'failed') return 'danger'
  if (status === 'rectifying') return 'warning'
  return 'primary'
}

/** The start button of a household: an accepted one is only accepted again on purpose. */
export function acceptanceAction(detail: { accepted: boolean; acceptance_draft: string | null }): 'continue' | 'start' | 'reaccept' {
  if (detail.acceptance_draft) return 'continue'
  return detail.accepted ? 'reaccept' : 'start'
}

export function countFor(counts: StatusCounts | null, tab: StatusTab): number {
  if (!counts) return 0
  return tab === 'all' ? counts.total : counts[tab]
}

export const useHouseholdsStore = defineStore('households', () => {
  const filters = ref<HouseholdFilters>({ text: '', township: null, site: null, tab: 'all' })
  const items = ref<HouseholdSummary[]>([])
  const counts = ref<StatusCounts | null>(null)
  const totalMatching = ref(0)
  const loading = ref(false)
  const finished = ref(false)
  const error = ref<CommandError | null>(null)
  const places = ref<PlaceFilter[]>([])
  /** Set when a household's status may have changed (a draft saved or submitted). */
  const stale = ref(false)
  // Answers to an older query (typed before the last key stroke) are dropped.
  let generation = 0
  // The request on its way. van-list asks for more whenever its end is on screen; answering
  // "loaded" at once while a page is still coming makes it ask again at once, in a loop of
  // microtasks that never lets the page's answer in. So a caller waits for that page.
  let inflight: Promise<void> | null = null

  function fetchPage(reset: boolean): Promise<void> {
    if (!reset && inflight) return inflight
    const request = requestPage(reset)
    inflight = request
    void request.finally(() => { if (inflight === request) inflight = null })
    return request
  }

  async function requestPage(reset: boolean) {
    const mine = reset ? ++generation : generation
    const offset = reset ? 0 : items.value.length
    loading.value = true
    error.value = null
    try {
      const page = await api.listHouseholds(buildQuery(filters.value, offset))
      if (mine !== generation) return
      items.value = reset ? page.items : [...items.value, ...page.items]
      counts.value = page.counts
      totalMatching.value = page.total_matching
      finished.value = page.items.length < PAGE_SIZE || items.value.length >= page.total_matching
    } catch (e) {
      if (mine !== generation) return
      error.value = api.toCommandError(e)
      if (reset) items.value = []
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  /** Starts the list again from the first page (filters changed, or back from a household). */
  function refresh() {
    finished.value = false
    stale.value = false
    return fetchPage(true)
  }

  function loadMore() {
    if (finished.value) { loading.value = false; return Promise.resolve() }
    return fetchPage(false)
  }

  function setFilters(change: Partial<HouseholdFilters>) {
    filters.value = { ...filters.value, ...change }
    if ('township' in change && !('site' in change)) filters.value.site = null
    return refresh()
  }

  async function loadPlaces() {
    try {
      places.value = await api.places()
    } catch {
      places.value = []
    }
  }

  return { filters, stale, items, counts, totalMatching, loading, finished, error, places, refresh, loadMore, setFilters, loadPlaces }
})
