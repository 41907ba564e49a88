import { describe, expect, it } from 'vitest'
import type { JudgementView } from '../src/bindings/JudgementView'
import { judgementNotes } from '../src/judgement'

const judgement = (over: Partial<JudgementView> = {}): JudgementView => ({
  policy_version: 2, device_policy_version: 2, policy_mismatch: null, over_cap: false, critical_failures: [],
  people_found: 4, people_registered: 4, people_differ: false, ...over,
})

describe('judgement notes', () => {
  it('says which policy version decides, and nothing else when all is well', () => {
    expect(judgementNotes(judgement(), 'zh-CN')).toEqual([
      { kind: 'policy', level: 'info', text: '按第2版政策评定', short: '第2版政策' },
    ])
    expect(judgementNotes(judgement(), 'en')[0].text).toBe('Judged by policy version 2')
    expect(judgementNotes(null, 'zh-CN')).toEqual([])
  })

  it('warns when the device assessed by another version, with the server’s words', () => {
    const notes = judgementNotes(judgement({
      device_policy_version: 1,
      policy_mismatch: { zh: '设备按第1版政策评定，办公室按第2版', en: 'the device assessed by version 1, the office by version 2' },
    }), 'zh-CN')
    expect(notes[1]).toEqual({ kind: 'mismatch', level: 'warning', text: '设备按第1版政策评定，办公室按第2版', short: '设备按第1版评定' })
    expect(judgementNotes(judgement({ device_policy_version: null, policy_mismatch: { zh: 'x', en: 'y' } }), 'en')[1].short)
      .toBe('Device used another version')
  })

  it('lists the critical items that fail in red', () => {
    const notes = judgementNotes(judgement({
      critical_failures: [{ zh: '房屋安全等级', en: 'Safety grade' }, { zh: '墙体', en: 'Walls' }],
    }), 'zh-CN')
    expect(notes[1]).toMatchObject({ kind: 'critical', level: 'danger', text: '关键项不合格：房屋安全等级、墙体', short: '关键项不合格 2 项' })
    expect(judgementNotes(judgement({ critical_failures: [{ zh: '墙体', en: 'Walls' }] }), 'en')[1].text).toBe('Critical items failed: Walls')
  })

  it('asks the poverty office to check when the people found differ from the registry', () => {
    const j = judgement({ people_found: 5, people_registered: 4, people_differ: true })
    const [, people] = judgementNotes(j, 'zh-CN')
    expect(people).toMatchObject({ kind: 'people', level: 'warning' })
    expect(people.text).toBe('实际家庭人口5人，登记4人：请扶贫办核实（面积上限按登记人口计算）')
    expect(judgementNotes(j, 'en')[1].text)
      .toBe('5 people found on site, 4 registered: for the poverty office to check (the cap is counted for the registered household)')
  })

  it('says 面积超标 in red', () => {
    const [, over] = judgementNotes(judgement({ over_cap: true }), 'zh-CN')
    expect(over).toMatchObject({ kind: 'over_cap', level: 'danger', short: '面积超标' })
    expect(over.text).toBe('面积超标：建筑面积超过面积上限（按登记人口计算）')
  })

  it('keeps the order a reviewer reads: policy, mismatch, area, critical, people', () => {
    const notes = judgementNotes(judgement({
      policy_mismatch: { zh: 'a', en: 'a' }, over_cap: true, critical_failures: [{ zh: 'b', en: 'b' }], people_differ: true, people_found: 1,
    }), 'zh-CN')
    expect(notes.map((n) => n.kind)).toEqual(['policy', 'mismatch', 'over_cap', 'critical', 'people'])
  })
})
