import { describe, expect, it } from 'vitest'
import { emptyProgress } from '../src/progress'
import { householdsAndPeople, placementBarsOption, placementRingOption, placementSplit } from '../src/placement'

// The demo's programme: 44 households (134 people) in concentrated sites, 72 (191) self-built, 5 (15) bought.
const total = {
  ...emptyProgress('合计'), households: 121, people: 340,
  concentrated_households: 44, concentrated_people: 134, self_built_households: 72, self_built_people: 191,
  bought_households: 5, bought_people: 15,
}

describe('the placement split', () => {
  it('gives households and people by placement', () => {
    expect(placementSplit(total)).toEqual([
      { part: 'concentrated', households: 44, people: 134 },
      { part: 'self_built', households: 72, people: 191 },
      { part: 'bought', households: 5, people: 15 },
    ])
    expect(householdsAndPeople(44, 134)).toBe('44 / 134')
  })
  it('draws the total as a ring of households, named in the language shown', () => {
    const option = placementRingOption(total, 'zh-CN', (n) => `${n} 人`, (n) => `${n} 户`)
    expect(option.series[0].data).toEqual([
      { name: '集中安置', value: 44 }, { name: '分散自建', value: 72 }, { name: '分散购房', value: 5 },
    ])
    const tip = option.tooltip.formatter({ name: '分散购房', value: 5, percent: 4.13, dataIndex: 2 })
    expect(tip).toBe('分散购房<br>5 户 · 15 人 (4.13%)')
    expect(placementRingOption(total, 'en', String, String).series[0].data[1].name).toBe('Scattered, self-built')
  })
  it('stacks each township by placement', () => {
    const a = { ...emptyProgress('东河口镇', 't7'), concentrated_households: 5, self_built_households: 8, bought_households: 1 }
    const b = { ...emptyProgress('木厂镇', 't9'), self_built_households: 2 }
    const option = placementBarsOption([a, b], 'zh-CN')
    expect(option.yAxis.data).toEqual(['东河口镇', '木厂镇'])
    expect(option.series.map((s) => [s.name, s.stack, s.data])).toEqual([
      ['集中安置', 'placement', [5, 0]], ['分散自建', 'placement', [8, 2]], ['分散购房', 'placement', [1, 0]],
    ])
  })
})
