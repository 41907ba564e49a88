import { describe, expect, it } from 'vitest'
import type { ImportPreview } from '../src/bindings/ImportPreview'
import { importBlocked, needsPlacesConfirmation, offersPlaces } from '../src/importFlow'

const preview = (over: Partial<ImportPreview> = {}): ImportPreview => ({
  file_kind: 'CSV', rows: 2, valid_rows: 2, by_township: [], errors: [], imported: false, new_places: [], ...over,
})
const newPlaces: ImportPreview['new_places'] = [
  { kind: { zh: '乡镇', en: 'township' }, name: '施桥镇', township: null, row: 2 },
  { kind: { zh: '村', en: 'village' }, name: '新安村', township: '施桥镇', row: 2 },
]
const placeErrors: ImportPreview['errors'] = [
  { row: 2, column: '乡镇', message: '未知乡镇“施桥镇” / unknown township \'施桥镇\'' },
  { row: 3, column: '乡镇', message: '未知乡镇“施桥镇” / unknown township \'施桥镇\'' },
]

describe('the roster import', () => {
  it('may import a clean preview', () => {
    expect(importBlocked(preview(), false)).toBeNull()
    expect(importBlocked(null, false)).toBeNull()
  })
  it('refuses unknown places until the person confirms them', () => {
    const refused = preview({ valid_rows: 0, errors: placeErrors, new_places: newPlaces })
    expect(needsPlacesConfirmation(refused, false)).toBe(true)
    expect(offersPlaces(refused)).toBe(true)
    expect(importBlocked(refused, false)).toEqual({ key: 'import.blockedPlaces', n: 2 })
    // Checked, before the new preview arrives: still blocked by the rows it refused.
    expect(importBlocked(refused, true)).toEqual({ key: 'import.blockedErrors', n: 2 })
    // The preview with create_places=true: the places are listed as new, the rows valid.
    const confirmed = preview({ new_places: newPlaces })
    expect(needsPlacesConfirmation(confirmed, true)).toBe(false)
    expect(offersPlaces(confirmed)).toBe(true)
    expect(importBlocked(confirmed, true)).toBeNull()
    // Unchecked again: not without confirmation.
    expect(importBlocked(confirmed, false)).toEqual({ key: 'import.blockedPlaces', n: 2 })
  })
  it('says what else blocks: errors, nothing to import, already imported', () => {
    expect(importBlocked(preview({ errors: [{ row: 3, column: '身份证号', message: 'x' }], valid_rows: 1 }), false))
      .toEqual({ key: 'import.blockedErrors', n: 1 })
    expect(importBlocked(preview({ valid_rows: 0 }), false)).toEqual({ key: 'import.blockedEmpty' })
    expect(importBlocked(preview({ imported: true, new_places: newPlaces }), true)).toEqual({ key: 'import.imported' })
    expect(needsPlacesConfirmation(preview({ imported: true, new_places: newPlaces }), false)).toBe(false)
  })
})
