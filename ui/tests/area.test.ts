import { describe, expect, it } from 'vitest'
import { draftFromPart, measurementFromDrafts, newPartDraft, partFromDraft } from '../src/form/area'

describe('area drafts', () => {
  it('turns typed metres into a measured part in millimetres', () => {
    const d = newPartDraft('一层主体')
    d.length = '12'
    d.width = '８．０'
    d.height = '2.90'
    d.voids.push({ length: '1', width: '0.5' })
    const { part, errors } = partFromDraft(d)
    expect(errors).toEqual({})
    expect(part).toEqual({
      label: '一层主体', storey: 1,
      shape: { kind: 'rectangle', length_mm: 12000, width_mm: 8000 },
      voids: [{ kind: 'rectangle', length_mm: 1000, width_mm: 500 }],
      rule: { kind: 'storey', height_mm: 2900 },
    })
  })

  it('never fills in a measured value: the storey height starts empty and is missing until typed', () => {
    const d = newPartDraft('一层主体')
    expect(d.height).toBe('')
    d.length = '12'
    d.width = '8'
    expect(partFromDraft(d)).toEqual({ part: null, errors: { height: 'empty' } })
  })

  it('names every field that does not parse', () => {
    const d = newPartDraft('')
    d.length = '12,5'
    d.width = ''
    d.rule = 'canopy_cantilever'
    d.voids.push({ length: '1.2345', width: '1' })
    const { part, errors } = partFromDraft(d)
    expect(part).toBeNull()
    expect(errors).toEqual({ label: 'label', length: 'format', width: 'empty', canopyWidth: 'empty', 'void-0-length': 'precision' })
  })

  it('builds polygons from corners, negative coordinates allowed', () => {
    const d = newPartDraft('阳台')
    d.shapeKind = 'polygon'
    d.points = [{ x: '-1', y: '0' }, { x: '3', y: '0' }, { x: '3', y: '1.5' }]
    d.rule = 'balcony_outside'
    expect(partFromDraft(d).part?.shape).toEqual({ kind: 'polygon', points: [{ x_mm: -1000, y_mm: 0 }, { x_mm: 3000, y_mm: 0 }, { x_mm: 3000, y_mm: 1500 }] })
    d.points = d.points.slice(0, 2)
    expect(partFromDraft(d).errors.points).toBe('points')
  })

  it('gives a measurement only when every part is good', () => {
    const good = newPartDraft('一层主体'); good.length = '10'; good.width = '8'; good.height = '3.00'
    const bad = newPartDraft('二层主体', 2); bad.length = '10'; bad.height = '3.00'
    expect(measurementFromDrafts([good]).measurement?.parts).toHaveLength(1)
    const mixed = measurementFromDrafts([good, bad])
    expect(mixed.measurement).toBeNull()
    expect(mixed.errors[0]).toEqual({})
    expect(mixed.errors[1]).toEqual({ width: 'empty' })
  })

  it('reopens a saved part as the text typed', () => {
    const back = draftFromPart({ label: '坡屋顶', storey: 3, shape: { kind: 'rectangle', length_mm: 10250, width_mm: 8000 }, voids: [],
      rule: { kind: 'sloped_roof', clear_height_mm: 1800 } })
    expect(back).toMatchObject({ label: '坡屋顶', storey: '3', length: '10.25', width: '8', rule: 'sloped_roof', clearHeight: '1.8' })
    expect(partFromDraft(back).part?.rule).toEqual({ kind: 'sloped_roof', clear_height_mm: 1800 })
  })

})
