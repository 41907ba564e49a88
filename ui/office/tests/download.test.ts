import { describe, expect, it } from 'vitest'
import { fileNameFrom, formatBytes } from '../src/download'

describe('download names', () => {
  it('prefers the UTF-8 name of Content-Disposition', () => {
    expect(fileNameFrom(`attachment; filename="households.xlsx"; filename*=UTF-8''%E4%BD%8F%E6%88%B7%E6%B8%85%E5%8D%95.xlsx`)).toBe('住户清单.xlsx')
  })
  it('reads a plain name, quoted or not', () => {
    expect(fileNameFrom('attachment; filename="070001.pdf"')).toBe('070001.pdf')
    expect(fileNameFrom('attachment; filename=findings.xlsx')).toBe('findings.xlsx')
  })
  it('gives null without a name', () => {
    expect(fileNameFrom(null)).toBeNull()
    expect(fileNameFrom('inline')).toBeNull()
  })
  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(2048)).toBe('2.0 KB')
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB')
  })
})
