// The rules behind the form screen's outline and summary: where photo slots go, how far a
// section is, what is missing by name, and what the answers say about the acceptance.
import { describe, expect, it } from 'vitest'
import type { AreaAssessment } from '../src/bindings/AreaAssessment'
import type { FormAnswers } from '../src/bindings/FormAnswers'
import type { FormSchema } from '../src/bindings/FormSchema'
import type { Item } from '../src/bindings/Item'
import { shiftDateParts } from '../src/form/findings'
import { layoutForm, sectionProgress } from '../src/form/layout'
import { acceptanceOutlook, missingBySection, missingText, shortLabel } from '../src/form/summary'
import { i18n } from '../src/i18n'

const tx = (zh: string) => ({ zh, en: zh })
const yesNo = (key: string, zh: string): Item =>
  ({ key, label: tx(zh), required: true, help: null, kind: { type: 'yes_no', allow_not_applicable: false, problem_when: 'no' } })
const photos = (key: string, zh: string, min: number): Item =>
  ({ key, label: tx(zh), required: min > 0, help: null, kind: { type: 'photos', min, max: 8 } })

const form: FormSchema = { id: 'anju.acceptance', version: 1, title: tx('验收监督表'), sections: [
  { key: 'move_in', title: tx('入住条件'), department: 'reform', items: [
    yesNo('move_in_kitchen', '厨房可用'), yesNo('move_in_toilet', '卫生间可用'),
    { key: 'people', label: tx('实际家庭人口'), required: true, help: null, kind: { type: 'number', unit: tx('人'), min: 1, max: 20, decimals: 0 } },
  ] },
  { key: 'findings', title: tx('发现问题及整改'), department: null, items: [
    { key: 'findings', label: tx('问题清单'), required: false, help: null, kind: { type: 'findings' } },
  ] },
  { key: 'photos', title: tx('照片'), department: null, items: [
    photos('photo_kitchen', '厨房', 1), photos('photo_rooms', '各房间', 2), photos('photo_misc', '其他', 0),
  ] },
  { key: 'signatures', title: tx('签字确认'), department: null, items: [
    { key: 'sign_household_head', label: tx('户主签字（或按手印、亲属代签）'), required: true, help: null, kind: { type: 'signature', signer: { role: 'household_head' } } },
  ] },
] }

const placement = [{ item: 'move_in_kitchen', photo: 'photo_kitchen' }, { item: 'move_in_kitchen', photo: 'photo_rooms' }]
const t = (key: string, values?: Record<string, unknown>) => i18n.global.t(key, values ?? {})

describe('evidence placement', () => {
  it('shows each placed photo slot right under its item and leaves the others at the end', () => {
    const layout = layoutForm(form, placement)
    const moveIn = layout.find((s) => s.key === 'move_in')!
    expect(moveIn.items.map((p) => [p.item.key, p.evidenceFor])).toEqual([
      ['move_in_kitchen', null], ['photo_kitchen', 'move_in_kitchen'], ['photo_rooms', 'move_in_kitchen'],
      ['move_in_toilet', null], ['people', null],
    ])
    expect(layout.find((s) => s.key === 'photos')!.items.map((p) => p.item.key)).toEqual(['photo_misc'])
    // Each item appears once in the whole layout.
    const keys = layout.flatMap((s) => s.items.map((p) => p.item.key))
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('drops a section left empty and ignores pairs that do not name a photo item of the form', () => {
    const all = [...placement, { item: 'move_in_toilet', photo: 'photo_misc' }, { item: 'nowhere', photo: 'photo_misc' },
      { item: 'move_in_toilet', photo: 'people' }]
    const layout = layoutForm(form, all)
    expect(layout.map((s) => s.key)).toEqual(['move_in', 'findings', 'signatures'])
    expect(layout[0].items.filter((p) => p.item.key === 'people')).toEqual([{ item: form.sections[0].items[2], evidenceFor: null }])
    expect(layoutForm(form, []).map((s) => s.key)).toEqual(['move_in', 'findings', 'photos', 'signatures'])
  })

  it('leaves out the items the draft does not ask, and a photo slot placed under one', () => {
    // Rust says which items the answers (or the household's placement) do not ask.
    const layout = layoutForm(form, placement, ['move_in_toilet', 'photo_rooms'])
    expect(layout[0].items.map((p) => p.item.key)).toEqual(['move_in_kitchen', 'photo_kitchen', 'people'])
    expect(sectionProgress(layout[0], {})).toEqual({ answered: 0, required: 3 })
    // A section whose every item is not asked is dropped.
    expect(layoutForm(form, [], ['sign_household_head']).map((s) => s.key)).toEqual(['move_in', 'findings', 'photos'])
  })

  it('counts a section by the required items shown in it', () => {
    const moveIn = layoutForm(form, placement)[0]
    expect(sectionProgress(moveIn, {})).toEqual({ answered: 0, required: 5 })
    const answers: FormAnswers = { move_in_kitchen: { type: 'yes_no', value: 'yes', note: null }, photo_kitchen: { type: 'photos', sha256: ['a'] } }
    expect(sectionProgress(moveIn, answers)).toEqual({ answered: 2, required: 5 })
  })
})

describe('missing by name', () => {
  it('calls photos and signatures by their names, with what is short', () => {
    const layout = layoutForm(form, placement)
    const missing = missingBySection(layout, {
      answers: { move_in_kitchen: { type: 'yes_no', value: 'no', note: null }, people: { type: 'number', value: 4 }, photo_rooms: { type: 'photos', sha256: ['a'] } },
      issues: [{ section: 'move_in', item: 'move_in_kitchen', label: tx('厨房可用'), message_zh: '存在问题时须填写说明', message_en: 'a note is required' }],
      photoCount: (slot) => (slot === 'photo_rooms' ? 1 : 0),
      signatures: [],
    })
    const lines = missing.map((s) => [s.section.key, s.missing.map((m) => missingText(m, t, 'zh-CN'))])
    expect(lines).toEqual([
      ['move_in', ['厨房可用：存在问题时须填写说明', '照片：厨房（至少1张）', '照片：各房间（至少2张，已拍1张）', '卫生间可用：未填写']],
      ['findings', []],
      ['photos', []],
      ['signatures', ['签字：户主签字']],
    ])
  })

  it('names a signature made before the form changed', () => {
    const layout = layoutForm(form, placement)
    const sig = { type: 'signature' as const, signature: { id: 's', slot: 'sign_household_head', signer_name: '郑怀圣', method: { method: 'handwritten' as const },
      image_sha256: 'x', signed_content_sha256: 'y', signed_at: '' } }
    const missing = missingBySection(layout, { answers: { sign_household_head: sig }, issues: [], photoCount: () => 0,
      signatures: [{ slot: 'sign_household_head', signed: true, stale: true }] })
    expect(missingText(missing[3].missing[0], t, 'zh-CN')).toBe('签字：户主签字（表单已修改，需重新签字）')
    expect(shortLabel('Head of household (or thumbprint)')).toBe('Head of household')
  })
})

describe('acceptance outlook', () => {
  const layout = layoutForm(form, placement)
  const over = { verdict: { kind: 'over', by: { quarter_mm2: 0, m2: '6.00' } } } as unknown as AreaAssessment
  const within = { verdict: { kind: 'within', margin: { quarter_mm2: 0, m2: '4.00' } } } as unknown as AreaAssessment

  it('is 合格 when nothing was found', () => {
    const answers: FormAnswers = { move_in_kitchen: { type: 'yes_no', value: 'yes', note: null } }
    expect(acceptanceOutlook(layout, answers, within, t, 'zh-CN')).toEqual({ verdict: 'pass', problems: [] })
  })

  it('lists each problem once: checks answered as problems, findings, the area over the cap', () => {
    const answers: FormAnswers = {
      move_in_toilet: { type: 'yes_no', value: 'no', note: '没有门' },
      findings: { type: 'findings', items: [
        { description: '卫生间可用：没有门', item: 'move_in_toilet', deadline: '2026-12-20' },
        { description: '屋后排水沟未修通', item: null, deadline: '2026-12-20' },
      ] },
    }
    const outlook = acceptanceOutlook(layout, answers, over, t, 'zh-CN')
    expect(outlook.verdict).toBe('problems')
    expect(outlook.problems.map((p) => p.label)).toEqual(['卫生间可用', '屋后排水沟未修通', '面积超标 6.00 m²'])
  })
})

describe('the deadline picker under a mouse wheel', () => {
  const min = new Date(2026, 11, 5)
  const max = new Date(2027, 11, 5)
  it('turns the column under the wheel by one, inside the allowed dates', () => {
    expect(shiftDateParts(['2026', '12', '20'], 2, 1, min, max)).toEqual(['2026', '12', '21'])
    expect(shiftDateParts(['2026', '12', '31'], 2, 1, min, max)).toEqual(['2027', '01', '01'])
    expect(shiftDateParts(['2027', '01', '31'], 1, 1, min, max)).toEqual(['2027', '02', '28'])
    expect(shiftDateParts(['2026', '12', '20'], 0, 1, min, max)).toEqual(['2027', '12', '05'])
    expect(shiftDateParts(['2026', '12', '06'], 2, -5, min, max)).toEqual(['2026', '12', '05'])
  })
})
