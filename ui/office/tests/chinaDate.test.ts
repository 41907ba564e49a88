import { describe, expect, it } from 'vitest'
import { afterChinaToday, chinaTime, chinaToday, pickerDay } from '../src/chinaDate'

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

  it('shows a moment as China’s date and time, whatever its offset', () => {
    expect(chinaTime('2026-12-01T15:59:59+00:00')).toBe('2026-12-01 23:59:59')
    expect(chinaTime('2026-12-01T16:00:00.123456789+00:00')).toBe('2026-12-02 00:00:00')
    expect(chinaTime('2026-12-02T00:00:00+08:00')).toBe('2026-12-02 00:00:00')
    expect(chinaTime('not a time')).toBe('not a time')
  })
})
