import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { Progress } from '../src/bindings/Progress'
import type { SyncStatus } from '../src/bindings/SyncStatus'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  syncNow: vi.fn(),
  syncStatus: vi.fn(),
  onSyncProgress: vi.fn(),
  onSyncStatus: vi.fn(),
}))
const api = await import('../src/api')
const { hasPendingWork, overallPercent, progressPercent, useSyncStore } = await import('../src/stores/sync')

const progress = (p: Partial<Progress>): Progress =>
  ({ phase: 'upload', records_done: 0, records_total: 0, bytes_done: 0, bytes_total: 0, households_pulled: 0, retry: null, ...p })

const status = (s: Partial<SyncStatus>): SyncStatus => ({
  running: false, last_sync: null, pending: { records: 0, photos: 0, submissions: 0, drafts: 0, rejected: 0 }, last_report: null,
  last_error: null, progress: null, next_try_at: null, failed_tries: 0, signed_in: true, ...s,
})

describe('progress → percent', () => {
  it('follows bytes while uploading and records while pushing', () => {
    expect(progressPercent(progress({ phase: 'upload', bytes_done: 250, bytes_total: 1000 }))).toBe(25)
    expect(progressPercent(progress({ phase: 'push', records_done: 3, records_total: 4 }))).toBe(75)
    expect(progressPercent(progress({ phase: 'push', records_done: 0, records_total: 0 }))).toBe(0)
    expect(progressPercent(progress({ phase: 'done' }))).toBe(100)
    expect(progressPercent(null)).toBe(0)
  })
  it('clamps odd figures', () => {
    expect(progressPercent(progress({ phase: 'upload', bytes_done: 1200, bytes_total: 1000 }))).toBe(100)
  })
  it('never runs backwards across phases', () => {
    const steps = [
      progress({ phase: 'clock' }),
      progress({ phase: 'upload', bytes_done: 0, bytes_total: 100 }),
      progress({ phase: 'upload', bytes_done: 100, bytes_total: 100 }),
      progress({ phase: 'push', records_done: 0, records_total: 10 }),
      progress({ phase: 'push', records_done: 10, records_total: 10 }),
      progress({ phase: 'pull', households_pulled: 40 }),
      progress({ phase: 'done' }),
    ].map(overallPercent)
    expect(steps).toEqual([...steps].sort((a, b) => a - b))
    expect(steps[0]).toBe(0)
    expect(steps[steps.length - 1]).toBe(100)
  })
  it('counts drafts as no work to send', () => {
    expect(hasPendingWork({ records: 0, photos: 0, submissions: 0, drafts: 3, rejected: 0 })).toBe(false)
    expect(hasPendingWork({ records: 2, photos: 0, submissions: 0, drafts: 0, rejected: 0 })).toBe(true)
    // Refused records wait for a person, not for the next sync.
    expect(hasPendingWork({ records: 0, photos: 0, submissions: 0, drafts: 0, rejected: 4 })).toBe(false)
  })
})

describe('sync store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.mocked(api.syncNow).mockReset()
    vi.mocked(api.syncStatus).mockReset()
  })

  it('runs one sync at a time and refreshes the status after it', async () => {
    let finish: () => void = () => undefined
    vi.mocked(api.syncNow).mockImplementation(() => new Promise((r) => { finish = () => r({} as never) }))
    vi.mocked(api.syncStatus).mockResolvedValue(status({ last_sync: '2024-05-01T08:00:00Z' }))
    const store = useSyncStore()
    const a = store.syncNow()
    const b = store.syncNow()
    expect(store.running).toBe(true)
    expect(api.syncNow).toHaveBeenCalledTimes(1)
    finish()
    await Promise.all([a, b])
    expect(store.running).toBe(false)
    expect(store.status?.last_sync).toBe('2024-05-01T08:00:00Z')
  })

  it('keeps the error of a failed sync', async () => {
    vi.mocked(api.syncNow).mockRejectedValue({ code: 'network', message: '连接不上 / Cannot connect', issues: [] })
    vi.mocked(api.syncStatus).mockResolvedValue(status({ last_error: { code: 'network', message: '连接不上 / Cannot connect', issues: [] } }))
    const store = useSyncStore()
    await expect(store.syncNow()).rejects.toMatchObject({ code: 'network' })
    expect(store.lastError?.code).toBe('network')
  })

  it('syncs by itself only when work waits and nothing runs', async () => {
    vi.mocked(api.syncNow).mockResolvedValue({} as never)
    const store = useSyncStore()
    vi.mocked(api.syncStatus).mockResolvedValueOnce(status({}))
    await store.syncIfWaiting()
    vi.mocked(api.syncStatus).mockResolvedValueOnce(status({ running: true, pending: { records: 3, photos: 0, submissions: 0, drafts: 0, rejected: 0 } }))
    await store.syncIfWaiting()
    expect(api.syncNow).not.toHaveBeenCalled()
    vi.mocked(api.syncStatus).mockResolvedValue(status({ pending: { records: 3, photos: 1, submissions: 1, drafts: 0, rejected: 0 } }))
    await store.syncIfWaiting()
    expect(api.syncNow).toHaveBeenCalledTimes(1)
  })

  it('takes progress from the sync-progress events', async () => {
    let onProgress: (p: Progress) => void = () => undefined
    vi.mocked(api.onSyncProgress).mockImplementation(async (h) => { onProgress = h; return () => undefined })
    vi.mocked(api.onSyncStatus).mockResolvedValue(() => undefined)
    const store = useSyncStore()
    await store.listen()
    onProgress(progress({ phase: 'push', records_done: 5, records_total: 10 }))
    expect(store.percent).toBe(65)
  })
})
