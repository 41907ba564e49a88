import { describe, expect, it } from 'vitest'
import {
  emptyHouseholdFilters, findingParams, findingStateFromRoute, householdParams, householdRouteQuery, householdStateFromRoute,
  parseHouseholdList, parseSeed, STATUSES,
} from '../src/query'

describe('household filters', () => {
  it('leaves out the filters that are not set', () => {
    expect(householdParams(emptyHouseholdFilters()).toString()).toBe('')
    expect(householdParams(emptyHouseholdFilters(), { offset: 0, limit: 20 }).toString()).toBe('offset=0&limit=20')
  })
  it('sends every filter that is set, the search trimmed', () => {
    const p = householdParams({ township: '东河口镇', site: '东河口村中心村安置点', mode: 'concentrated', status: 'rectifying', q: '  郑怀圣 ', overCap: true }, { offset: 40, limit: 20 })
    expect([...p.entries()]).toEqual([
      ['township', '东河口镇'], ['site', '东河口村中心村安置点'], ['mode', 'concentrated'], ['status', 'rectifying'],
      ['q', '郑怀圣'], ['over_cap', 'true'], ['offset', '40'], ['limit', '20'],
    ])
    expect(p.toString()).toContain('township=%E4%B8%9C%E6%B2%B3%E5%8F%A3%E9%95%87')
  })
  it('does not send a blank search', () => {
    expect(householdParams({ ...emptyHouseholdFilters(), q: '   ' }).has('q')).toBe(false)
  })
  it('keeps paging sane', () => {
    expect(householdParams(emptyHouseholdFilters(), { offset: -5, limit: 0 }).toString()).toBe('offset=0&limit=1')
  })
  it('round-trips through the page address', () => {
    const f = { township: '马头镇', site: '', mode: 'scattered' as const, status: 'pending' as const, q: '王', overCap: false }
    const query = householdRouteQuery(f, 3, 50)
    expect(query).toEqual({ township: '马头镇', mode: 'scattered', status: 'pending', q: '王', page: '3', size: '50' })
    expect(householdStateFromRoute(query)).toEqual({ filters: f, page: 3, size: 50 })
    // 面积超标 only, as the dashboard's card opens the list.
    const over = householdRouteQuery({ ...emptyHouseholdFilters(), overCap: true }, 1, 20)
    expect(over).toEqual({ over_cap: 'true' })
    expect(householdStateFromRoute(over).filters.overCap).toBe(true)
  })
  it('knows all six statuses, 待审核 and 不合格 included', () => {
    for (const status of ['awaiting_review', 'failed'] as const) {
      const query = householdRouteQuery({ ...emptyHouseholdFilters(), status }, 1, 20)
      expect(query).toEqual({ status })
      expect(householdStateFromRoute(query).filters.status).toBe(status)
    }
    expect(STATUSES).toEqual(['pending', 'awaiting_review', 'accepted', 'rectifying', 'failed', 'moved_in'])
  })
  it('ignores codes and pages it does not know', () => {
    const s = householdStateFromRoute({ mode: 'floating', status: ['accepted', 'pending'], page: '-2', size: '7' })
    expect(s.filters.mode).toBe('')
    expect(s.filters.status).toBe('accepted')
    expect(s.page).toBe(1)
    expect(s.size).toBe(20)
  })
})

describe('finding filters', () => {
  it('sends overdue only when asked', () => {
    expect(findingParams({ township: '', state: '', overdue: false }).toString()).toBe('')
    expect(findingParams({ township: '张店镇', state: 'rectified', overdue: true }).toString())
      .toBe(`township=${encodeURIComponent('张店镇')}&state=rectified&overdue=true`)
    expect(findingStateFromRoute({ state: 'closed', overdue: 'true' })).toEqual({ township: '', state: 'closed', overdue: true })
    expect(findingStateFromRoute({ state: 'done' }).state).toBe('')
  })
})

describe('pasted lists and seeds', () => {
  it('splits a pasted list of households and drops repeats', () => {
    expect(parseHouseholdList('070001\n070002，070003、 070001\t341502196901019990')).toEqual(['070001', '070002', '070003', '341502196901019990'])
    expect(parseHouseholdList('  \n ')).toEqual([])
  })
  it('takes an empty seed as "draw one" and a u64 as it is', () => {
    expect(parseSeed('')).toEqual({ ok: true, seed: null })
    expect(parseSeed(' 20261201 ')).toEqual({ ok: true, seed: '20261201' })
    expect(parseSeed('007')).toEqual({ ok: true, seed: '7' })
    expect(parseSeed('18446744073709551615')).toEqual({ ok: true, seed: '18446744073709551615' })
  })
  it('refuses seeds that are not a u64', () => {
    expect(parseSeed('18446744073709551616').ok).toBe(false)
    expect(parseSeed('-1').ok).toBe(false)
    expect(parseSeed('12ab').ok).toBe(false)
    expect(parseSeed('1.5').ok).toBe(false)
  })
})
