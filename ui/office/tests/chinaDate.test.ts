import { describe, expect, it } from 'vitest'
import { afterChinaToday, chinaToday, pickerDay } from '../src/chinaDate'

describe('China dates', () => {
  it('turns to the next day at 16:00 UTC', () => {
    expect(chinaToday(new Date('2026-12-01T15:59:59Z'))).toBe('2026-12-01')
    expect(chinaToday(new Date('2026-12-01T16:00:00Z'))).toBe('2026-12-02')
    expect(chinaToday(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01')
  })

  it('reads a picker day as the calendar day it shows', () => {
    expect(pickerDay(new Date(2026, 0, 5))).toBe('2026-01-05')
    expect(pickerDay(new Date(2026, 11, 31))).toBe('2026-12-31')
  })

  it('greys out only the days after China’s today', () => {
    const eveningInEurope = new Date('2026-12-01T17:00:00Z') // already 2 December in China
    expect(afterChinaToday(new Date(2026, 11, 1), eveningInEurope)).toBe(false)
    expect(afterChinaToday(new Date(2026, 11, 2), eveningInEurope)).toBe(false)
    expect(afterChinaToday(new Date(2026, 11, 3), eveningInEurope)).toBe(true)
    const morningInChina = new Date('2026-12-01T01:00:00Z')
    expect(afterChinaToday(new Date(2026, 11, 2), morningInChina)).toBe(true)
  })
})
