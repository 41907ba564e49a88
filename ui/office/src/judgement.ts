// What the office made of a submission (JudgementView), as the lines a reviewer reads:
// the policy version that decides, a device that assessed by another, an area over the cap,
// the critical items that fail, and people found on site who differ from the registry (for the poverty office).
import type { JudgementView } from './bindings/JudgementView'
import { pick } from './labels'

export type JudgementNoteKind = 'policy' | 'mismatch' | 'over_cap' | 'critical' | 'people'

export interface JudgementNote {
  kind: JudgementNoteKind
  /** How it shows: a plain line, a warning, or red. */
  level: 'info' | 'warning' | 'danger'
  text: string
  /** A short form for a table cell. */
  short: string
}

const zh = (language: string) => language.startsWith('zh')

/** The notes in the order a reviewer reads them; the policy line always comes first. */
export function judgementNotes(j: JudgementView | null | undefined, language: string): JudgementNote[] {
  if (!j) return []
  const z = zh(language)
  const notes: JudgementNote[] = [{
    kind: 'policy', level: 'info',
    text: z ? `按第${j.policy_version}版政策评定` : `Judged by policy version ${j.policy_version}`,
    short: z ? `第${j.policy_version}版政策` : `Policy v${j.policy_version}`,
  }]
  if (j.policy_mismatch) {
    const device = j.device_policy_version
    notes.push({
      kind: 'mismatch', level: 'warning',
      text: pick(j.policy_mismatch, language),
      short: z
        ? (device !== null ? `设备按第${device}版评定` : '设备按其他版本评定')
        : (device !== null ? `Device used v${device}` : 'Device used another version'),
    })
  }
  if (j.over_cap) {
    notes.push({
      kind: 'over_cap', level: 'danger',
      text: z ? '面积超标：建筑面积超过面积上限（按登记人口计算）' : 'Over the area cap: the built area is over the cap (counted for the registered household)',
      short: z ? '面积超标' : 'Over the area cap',
    })
  }
  if (j.critical_failures.length) {
    const items = j.critical_failures.map((f) => pick(f, language))
    notes.push({
      kind: 'critical', level: 'danger',
      text: z ? `关键项不合格：${items.join('、')}` : `Critical items failed: ${items.join(', ')}`,
      short: z ? `关键项不合格 ${items.length} 项` : `${items.length} critical ${items.length === 1 ? 'item' : 'items'} failed`,
    })
  }
  if (j.people_differ) {
    const found = j.people_found ?? '?'
    const registered = j.people_registered
    notes.push({
      kind: 'people', level: 'warning',
      text: z
        ? `实际家庭人口${found}人，登记${registered}人：请扶贫办核实（面积上限按登记人口计算）`
        : `${found} ${found === 1 ? 'person' : 'people'} found on site, ${registered} registered: for the poverty office to check (the cap is counted for the registered household)`,
      short: z ? `人口不符（${found}/${registered}）` : `People differ (${found}/${registered})`,
    })
  }
  return notes
}
