// The placement split (安置方式): 集中安置, 分散自建, 分散购房, as numbers and as pictures.
import type { Text } from './bindings/Text'
import type { TownshipProgress } from './bindings/TownshipProgress'
import { pick } from './labels'

export type PlacementPart = 'concentrated' | 'self_built' | 'bought'

export const PLACEMENT_PARTS: readonly PlacementPart[] = ['concentrated', 'self_built', 'bought']

export const PLACEMENT_PART: Record<PlacementPart, { text: Text; color: string }> = {
  concentrated: { text: { zh: '集中安置', en: 'Concentrated' }, color: '#409eff' },
  self_built: { text: { zh: '分散自建', en: 'Scattered, self-built' }, color: '#67c23a' },
  bought: { text: { zh: '分散购房', en: 'Scattered, bought' }, color: '#e6a23c' },
}

export interface PlacementShare {
  part: PlacementPart
  households: number
  people: number
}

/** A township's (or the total's) households and people by placement. */
export function placementSplit(p: TownshipProgress): PlacementShare[] {
  return [
    { part: 'concentrated', households: p.concentrated_households, people: p.concentrated_people },
    { part: 'self_built', households: p.self_built_households, people: p.self_built_people },
    { part: 'bought', households: p.bought_households, people: p.bought_people },
  ]
}

/** "44 / 134": households, then people. */
export function householdsAndPeople(households: number, people: number): string {
  return `${households} / ${people}`
}

/** The total's split as a ring: each part with its households (people in the tooltip). */
export function placementRingOption(total: TownshipProgress, language: string, peopleUnit: (n: number) => string, householdsUnit: (n: number) => string) {
  const split = placementSplit(total)
  return {
    color: split.map((s) => PLACEMENT_PART[s.part].color),
    tooltip: {
      trigger: 'item',
      formatter: (p: { name: string; value: number; percent: number; dataIndex: number }) =>
        `${p.name}<br>${householdsUnit(p.value)} · ${peopleUnit(split[p.dataIndex]?.people ?? 0)} (${p.percent}%)`,
    },
    // No legend: the table beside the ring names the colours with the numbers.
    series: [{
      type: 'pie',
      radius: ['45%', '80%'],
      center: ['50%', '50%'],
      label: { position: 'inside', formatter: '{c}', fontSize: 13, fontWeight: 'bold', color: '#fff' },
      labelLayout: { hideOverlap: true },
      data: split.map((s) => ({ name: pick(PLACEMENT_PART[s.part].text, language), value: s.households })),
    }],
  }
}

/** Each township's households as one bar, stacked by placement. */
export function placementBarsOption(rows: TownshipProgress[], language: string) {
  return {
    color: PLACEMENT_PARTS.map((p) => PLACEMENT_PART[p].color),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.township) },
    series: PLACEMENT_PARTS.map((part) => ({
      name: pick(PLACEMENT_PART[part].text, language),
      type: 'bar',
      stack: 'placement',
      barMaxWidth: 16,
      data: rows.map((r) => placementSplit(r).find((s) => s.part === part)?.households ?? 0),
    })),
  }
}
