import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { HouseholdPage } from '../src/bindings/HouseholdPage'
import type { HouseholdQuery } from '../src/bindings/HouseholdQuery'
import type { HouseholdSummary } from '../src/bindings/HouseholdSummary'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  listHouseholds: vi.fn(),
  places: vi.fn(),
}))
const api = await import('../src/api')
const { PAGE_SIZE, buildQuery, countFor, useHouseholdsStore } = await import('../src/stores/households')

const counts = { total: 121, to_inspect: 100, draft: 5, submitted: 6, synced: 10, with_open_findings: 3 }
const summary = (i: number): HouseholdSummary => ({
  id: `h${i}`, number: String(i), head_name: `户主${i}`, id_number: '341502198001011234', size: 3,
  township: '东河口镇', village: '长岭村', site: null, status: 'to_inspect', office_status: null, open_findings: 0,
})
/** A fake office of `total` households answering list_households by offset and limit. */
function serve(total: number) {
  vi.mocked(api.listHouseholds).mockImplementation(async (q: HouseholdQuery): Promise<HouseholdPage> => {
    const offset = q.offset ?? 0
    const end = Math.min(total, offset + (q.limit ?? PAGE_SIZE))
    const items = Array.from({ length: Math.max(0, end - offset) }, (_, i) => summary(offset + i))
    return { items, counts, total_matching: total }
  })
}

describe('buildQuery', () => {
  const base = { text: '', township: null, site: null, tab: 'all' as const }
  it('asks for everything on the first page', () => {
    expect(buildQuery(base, 0)).toEqual({ text: null, township: null, site: null, status: null, with_open_findings: false, limit: 50, offset: 0 })
  })
  it('trims the search text and maps tabs', () => {
    expect(buildQuery({ ...base, text: '  郑怀圣 ', tab: 'draft' }, 50)).toMatchObject({ text: '郑怀圣', status: 'draft', offset: 50 })
    expect(buildQuery({ ...base, tab: 'with_open_findings' }, 0)).toMatchObject({ status: null, with_open_findings: true })
  })
  it('drops a site without its township', () => {
    expect(buildQuery({ ...base, site: '黄墩中心村' }, 0).site).toBeNull()
    expect(buildQuery({ ...base, township: '横塘岗乡', site: '黄墩中心村' }, 0)).toMatchObject({ township: '横塘岗乡', site: '黄墩中心村' })
  })
  it('reads the count of a tab', () => {
    expect(countFor(counts, 'all')).toBe(121)
    expect(countFor(counts, 'with_open_findings')).toBe(3)
    expect(countFor(null, 'draft')).toBe(0)
  })
})

describe('households store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.mocked(api.listHouseholds).mockReset()
  })

  it('pages by 50 until all are there', async () => {
    serve(121)
    const store = useHouseholdsStore()
    await store.refresh()
    expect(store.items).toHaveLength(50)
    expect(store.finished).toBe(false)
    await store.loadMore()
    await store.loadMore()
    expect(store.items).toHaveLength(121)
    expect(store.items[120].id).toBe('h120')
    expect(store.finished).toBe(true)
    const offsets = vi.mocked(api.listHouseholds).mock.calls.map(([q]) => q.offset)
    expect(offsets).toEqual([0, 50, 100])
    await store.loadMore()
    expect(api.listHouseholds).toHaveBeenCalledTimes(3)
    expect(store.counts?.total).toBe(121)
  })

  it('starts again from the first page when a filter changes', async () => {
    serve(120)
    const store = useHouseholdsStore()
    await store.refresh()
    await store.loadMore()
    await store.setFilters({ tab: 'draft', text: '长岭' })
    const calls = vi.mocked(api.listHouseholds).mock.calls
    const last = calls[calls.length - 1][0]
    expect(last).toMatchObject({ offset: 0, status: 'draft', text: '长岭' })
    expect(store.items).toHaveLength(50)
  })

  it('clears the site when the township changes', async () => {
    serve(10)
    const store = useHouseholdsStore()
    await store.setFilters({ township: '横塘岗乡', site: '黄墩中心村' })
    await store.setFilters({ township: '东河口镇' })
    expect(store.filters.site).toBeNull()
  })

  it('drops the answer to an older query', async () => {
    const store = useHouseholdsStore()
    let answerFirst: (p: HouseholdPage) => void = () => undefined
    vi.mocked(api.listHouseholds)
      .mockImplementationOnce(() => new Promise((r) => { answerFirst = r }))
      .mockImplementationOnce(async () => ({ items: [summary(7)], counts, total_matching: 1 }))
    const first = store.setFilters({ text: '郑' })
    await store.setFilters({ text: '郑怀圣' })
    answerFirst({ items: [summary(1), summary(2)], counts, total_matching: 2 })
    await first
    expect(store.items.map((h) => h.id)).toEqual(['h7'])
  })

  it('keeps the error to show it', async () => {
    vi.mocked(api.listHouseholds).mockRejectedValueOnce({ code: 'store', message: '数据库损坏 / Database damaged', issues: [] })
    const store = useHouseholdsStore()
    await store.refresh()
    expect(store.error?.code).toBe('store')
    expect(store.items).toEqual([])
  })
})

describe('asking for more while a page is on its way', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('waits for that page instead of answering at once (van-list would ask again in a loop)', async () => {
    let answer: (page: HouseholdPage) => void = () => {}
    vi.mocked(api.listHouseholds).mockClear()
    vi.mocked(api.listHouseholds).mockImplementation(
      () => new Promise<HouseholdPage>((resolve) => { answer = resolve }),
    )
    const store = useHouseholdsStore()
    const first = store.refresh()
    let moreDone = false
    const more = store.loadMore().then(() => { moreDone = true })
    // Let every queued microtask run: the request is still out, so loadMore must not be done.
    for (let i = 0; i < 20; i += 1) await Promise.resolve()
    expect(moreDone).toBe(false)
    expect(api.listHouseholds).toHaveBeenCalledTimes(1)
    answer({ items: [summary(1)], counts, total_matching: 1 })
    await Promise.all([first, more])
    expect(moreDone).toBe(true)
    expect(store.items).toHaveLength(1)
    expect(store.finished).toBe(true)
  })
})
