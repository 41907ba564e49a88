import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as api from '../api'
import type { CommandError } from '../bindings/CommandError'
import type { PendingWork } from '../bindings/PendingWork'
import type { Progress } from '../bindings/Progress'
import type { SyncReport } from '../bindings/SyncReport'
import type { SyncStatus } from '../bindings/SyncStatus'

function ratio(done: number, total: number): number {
  if (total <= 0) return 0
  return Math.max(0, Math.min(100, Math.round((done / total) * 100)))
}

/** Percent for the progress bar: bytes while uploading evidence, records while pushing. */
export function progressPercent(progress: Progress | null): number {
  if (!progress) return 0
  switch (progress.phase) {
    case 'clock': return 0
    case 'upload': return ratio(progress.bytes_done, progress.bytes_total)
    case 'push': return ratio(progress.records_done, progress.records_total)
    case 'pull': return progress.records_total > 0 ? ratio(progress.records_done, progress.records_total) : 100
    case 'done': return 100
  }
}

/** Overall percent across the phases, so the bar never runs backwards during one sync. */
export function overallPercent(progress: Progress | null): number {
  if (!progress) return 0
  const phase = progress.phase
  if (phase === 'done') return 100
  const start = { clock: 0, upload: 5, push: 50, pull: 80 }[phase]
  const span = { clock: 5, upload: 45, push: 30, pull: 20 }[phase]
  const within = phase === 'pull' ? 0 : progressPercent(progress)
  return Math.round(start + (span * within) / 100)
}

/** A sync that sent nothing and received nothing: the device was already up to date. */
export function isUpToDate(report: SyncReport | null | undefined): boolean {
  return !!report && report.accepted + report.duplicates + report.blobs_uploaded + report.households_pulled + report.households_removed === 0
    && report.rejected.length === 0 && report.held.length === 0 && !report.full_repull
}

export function hasPendingWork(pending: PendingWork | null | undefined): boolean {
  return !!pending && pending.records + pending.photos + pending.submissions > 0
}

export const useSyncStore = defineStore('sync', () => {
  const status = ref<SyncStatus | null>(null)
  const progress = ref<Progress | null>(null)
  const running = ref(false)
  const lastError = ref<CommandError | null>(null)
  let listening = false
  let watchingNetwork = false
  let current: Promise<SyncReport> | null = null

  const percent = computed(() => overallPercent(progress.value))
  const lastReport = computed(() => status.value?.last_report ?? null)
  /** The wait before the next try of a failed request, while the sync runs. */
  const retry = computed(() => (running.value ? progress.value?.retry ?? null : null))

  function applyStatus(next: SyncStatus) {
    status.value = next
    running.value = next.running || current !== null
    if (next.progress) progress.value = next.progress
    lastError.value = next.last_error
  }

  /** Subscribes to the events the Rust side sends while syncing (once). */
  async function listen() {
    if (listening) return
    listening = true
    try {
      await api.onSyncProgress((p) => { progress.value = p })
      await api.onSyncStatus(applyStatus)
    } catch {
      listening = false
    }
  }

  async function refresh() {
    try {
      applyStatus(await api.syncStatus())
    } catch (e) {
      lastError.value = api.toCommandError(e)
    }
    return status.value
  }

  /** Runs one sync; a second call while one runs waits for the same one. */
  function syncNow(): Promise<SyncReport> {
    if (current) return current
    running.value = true
    lastError.value = null
    progress.value = { phase: 'clock', records_done: 0, records_total: 0, bytes_done: 0, bytes_total: 0, households_pulled: 0, retry: null }
    current = (async () => {
      try {
        return await api.syncNow()
      } catch (e) {
        lastError.value = api.toCommandError(e)
        throw lastError.value
      } finally {
        current = null
        running.value = false
        await refresh()
      }
    })()
    return current
  }

  /** Stops the sync that runs; it then ends with `cancelled` (what the office confirmed
   * stays synced). */
  async function cancel() {
    try {
      await api.cancelSync()
    } catch (e) {
      lastError.value = api.toCommandError(e)
    }
  }

  /** Syncs when work waits and nothing runs. The Rust side retries on its own schedule; the
   * network coming back is a reason to try at once rather than at its next try. */
  async function syncIfWaiting() {
    const s = await refresh()
    if (!s || s.running || current || !s.signed_in || !hasPendingWork(s.pending)) return
    syncNow().catch(() => { /* shown on the sync screen */ })
  }

  function startAutoSync() {
    if (watchingNetwork) return
    watchingNetwork = true
    window.addEventListener('online', syncIfWaiting)
  }

  function stopAutoSync() {
    watchingNetwork = false
    window.removeEventListener('online', syncIfWaiting)
  }

  return { status, progress, running, lastError, percent, lastReport, retry, listen, refresh, syncNow, cancel, syncIfWaiting, startAutoSync, stopAutoSync }
})
