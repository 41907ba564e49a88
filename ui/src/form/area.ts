// The area editor keeps what the inspector typed (metres, as strings) and turns it into the
// HouseMeasurement the Rust area engine takes (integer millimetres) only when every field parses.
import type { AreaRule } from '../bindings/AreaRule'
import type { FormAnswers } from '../bindings/FormAnswers'
import type { HouseMeasurement } from '../bindings/HouseMeasurement'
import type { MeasuredPart } from '../bindings/MeasuredPart'
import type { Shape } from '../bindings/Shape'
import { formatMetres, parseMetres, parseStorey, type MetresError } from './metres'

export type RuleKind = AreaRule['kind']

export const RULE_KINDS: RuleKind[] = [
  'storey', 'sloped_roof', 'balcony_inside', 'balcony_outside',
  'canopy_with_columns', 'canopy_cantilever', 'external_stair', 'open_terrace',
]

/**
 * A usual rural storey height (counted in full, ≥ 2.20 m), shown as the hint of the empty
 * field only: a measured value is never filled in for the inspector, or an unmeasured
 * storey would pass as measured.
 */
export const DEFAULT_STOREY_HEIGHT = '2.90'

export interface PointDraft { x: string, y: string }
export interface RectDraft { length: string, width: string }

export interface PartDraft {
  label: string
  storey: string
  shapeKind: 'rectangle' | 'polygon'
  length: string
  width: string
  points: PointDraft[]
  voids: RectDraft[]
  rule: RuleKind
  height: string
  clearHeight: string
  canopyWidth: string
}

export type PartFieldError = MetresError | 'storey' | 'label' | 'points'
/** Errors by field name: label, storey, length, width, height, clearHeight, canopyWidth, point-N-x, void-N-length… */
export type PartErrors = Record<string, PartFieldError>

export function newPartDraft(label: string, storey = 1): PartDraft {
  return {
    label,
    storey: String(storey),
    shapeKind: 'rectangle',
    length: '',
    width: '',
    points: [{ x: '0', y: '0' }, { x: '', y: '0' }, { x: '', y: '' }, { x: '0', y: '' }],
    voids: [],
    rule: 'storey',
    height: '',
    clearHeight: '',
    canopyWidth: '',
  }
}

function rectangle(length: string, width: string, errors: PartErrors, prefix: string): Shape | null {
  const l = parseMetres(length)
  const w = parseMetres(width)
  if (!l.ok) errors[`${prefix}length`] = l.error
  if (!w.ok) errors[`${prefix}width`] = w.error
  return l.ok && w.ok ? { kind: 'rectangle', length_mm: l.mm, width_mm: w.mm } : null
}

function rule(draft: PartDraft, errors: PartErrors): AreaRule | null {
  const metres = (field: 'height' | 'clearHeight' | 'canopyWidth') => {
    const r = parseMetres(draft[field])
    if (!r.ok) { errors[field] = r.error; return null }
    return r.mm
  }
  switch (draft.rule) {
    case 'storey': { const mm = metres('height'); return mm === null ? null : { kind: 'storey', height_mm: mm } }
    case 'sloped_roof': { const mm = metres('clearHeight'); return mm === null ? null : { kind: 'sloped_roof', clear_height_mm: mm } }
    case 'canopy_cantilever': { const mm = metres('canopyWidth'); return mm === null ? null : { kind: 'canopy_cantilever', width_mm: mm } }
    default: return { kind: draft.rule }
  }
}

export function partFromDraft(draft: PartDraft): { part: MeasuredPart | null, errors: PartErrors } {
  const errors: PartErrors = {}
  if (draft.label.trim() === '') errors.label = 'label'
  const storey = parseStorey(draft.storey)
  if (storey === null) errors.storey = 'storey'
  let shape: Shape | null = null
  if (draft.shapeKind === 'rectangle') {
    shape = rectangle(draft.length, draft.width, errors, '')
  } else {
    const points = draft.points.map((p, i) => {
      const x = parseMetres(p.x, { allowNegative: true })
      const y = parseMetres(p.y, { allowNegative: true })
      if (!x.ok) errors[`point-${i}-x`] = x.error
      if (!y.ok) errors[`point-${i}-y`] = y.error
      return x.ok && y.ok ? { x_mm: x.mm, y_mm: y.mm } : null
    })
    if (draft.points.length < 3) errors.points = 'points'
    if (points.every((p) => p !== null) && draft.points.length >= 3) {
      shape = { kind: 'polygon', points: points as { x_mm: number, y_mm: number }[] }
    }
  }
  const voids = draft.voids.map((v, i) => rectangle(v.length, v.width, errors, `void-${i}-`))
  const r = rule(draft, errors)
  if (Object.keys(errors).length > 0 || !shape || !r || storey === null) return { part: null, errors }
  return {
    part: { label: draft.label.trim(), storey, shape, voids: voids as Shape[], rule: r },
    errors,
  }
}

/** The whole measurement, or null with each part's errors when any field does not parse. */
export function measurementFromDrafts(drafts: PartDraft[]): { measurement: HouseMeasurement | null, errors: PartErrors[] } {
  const results = drafts.map(partFromDraft)
  const errors = results.map((r) => r.errors)
  if (results.some((r) => r.part === null)) return { measurement: null, errors }
  return { measurement: { parts: results.map((r) => r.part as MeasuredPart) }, errors }
}

/** A saved part back into editable text (when a draft is reopened). */
export function draftFromPart(part: MeasuredPart): PartDraft {
  const draft = newPartDraft(part.label, part.storey)
  if (part.shape.kind === 'rectangle') {
    draft.length = formatMetres(part.shape.length_mm)
    draft.width = formatMetres(part.shape.width_mm)
  } else {
    draft.shapeKind = 'polygon'
    draft.points = part.shape.points.map((p) => ({ x: formatMetres(p.x_mm), y: formatMetres(p.y_mm) }))
  }
  draft.voids = part.voids.flatMap((v) =>
    v.kind === 'rectangle' ? [{ length: formatMetres(v.length_mm), width: formatMetres(v.width_mm) }] : [])
  draft.rule = part.rule.kind
  if (part.rule.kind === 'storey') draft.height = formatMetres(part.rule.height_mm)
  if (part.rule.kind === 'sloped_roof') draft.clearHeight = formatMetres(part.rule.clear_height_mm)
  if (part.rule.kind === 'canopy_cantilever') draft.canopyWidth = formatMetres(part.rule.width_mm)
  return draft
}

/** The measured house of a form's answers, if it has one (for the summary's area verdict). */
export function measurementOf(answers: FormAnswers): HouseMeasurement | null {
  for (const answer of Object.values(answers)) if (answer?.type === 'area') return answer.measurement
  return null
}
