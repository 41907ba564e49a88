import { describe, expect, it } from 'vitest'
import { formatMetres, normaliseDigits, parseMetres, parseStorey } from '../src/form/metres'

describe('parseMetres', () => {
  it.each([
    ['3.6', 3600], ['12', 12000], ['0.001', 1], ['2.90', 2900], ['10.25', 10250], ['0', 0],
    ['３．６', 3600], ['３。６', 3600], ['12。345', 12345], ['  4.5 ', 4500], ['\u30004.5\u3000', 4500], ['0.29', 290],
  ])('reads %j as %i mm', (input, mm) => {
    expect(parseMetres(input)).toEqual({ ok: true, mm })
  })

  it.each([
    ['', 'empty'], ['   ', 'empty'], ['abc', 'format'], ['3,6', 'format'], ['3.6m', 'format'], ['1e3', 'format'],
    ['.5', 'format'], ['5.', 'format'], ['1.2.3', 'format'], ['3，6', 'format'], ['1.2345', 'precision'],
    ['-2', 'negative'], ['1001', 'too_large'],
  ])('refuses %j (%s)', (input, error) => {
    expect(parseMetres(input)).toEqual({ ok: false, error })
  })

  it('takes negative coordinates only when allowed', () => {
    expect(parseMetres('-1.5', { allowNegative: true })).toEqual({ ok: true, mm: -1500 })
    expect(parseMetres('－1.5', { allowNegative: true })).toEqual({ ok: true, mm: -1500 })
    expect(parseMetres('-0', { allowNegative: true })).toEqual({ ok: true, mm: 0 })
  })

  it('has no floating point drift', () => {
    for (let mm = 0; mm < 20000; mm += 7) {
      expect(parseMetres(formatMetres(mm))).toEqual({ ok: true, mm })
    }
  })
})

describe('formatMetres and friends', () => {
  it('writes millimetres as short metres', () => {
    expect(formatMetres(2900)).toBe('2.9')
    expect(formatMetres(12000)).toBe('12')
    expect(formatMetres(1)).toBe('0.001')
    expect(formatMetres(-1500)).toBe('-1.5')
  })
  it('normalises full-width input', () => {
    expect(normaliseDigits('１２３．４')).toBe('123.4')
  })
  it('parses storeys', () => {
    expect(parseStorey('2')).toBe(2)
    expect(parseStorey('２')).toBe(2)
    expect(parseStorey('0')).toBeNull()
    expect(parseStorey('1.5')).toBeNull()
    expect(parseStorey('')).toBeNull()
  })
})
