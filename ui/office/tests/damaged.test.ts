import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { damagedLines } from '../src/damaged'
import { i18n } from '../src/i18n'
import DamagedNotice from '../src/components/DamagedNotice.vue'

const rows = [
  { kind: 'submission', id: '0193-aaaa', reason: "device_time 'yesterday' is not a time" },
  { kind: 'finding', id: 'f-7', reason: '状态“done”未知 / unknown state done' },
  { kind: 'blob', id: 'x1', reason: 'unreadable' },
]

describe('damaged records', () => {
  it('names the kind, keeps the id and the reason in the language shown', () => {
    expect(damagedLines(rows, 'zh-CN')).toEqual([
      { kind: '检查记录', id: '0193-aaaa', reason: "device_time 'yesterday' is not a time" },
      { kind: '整改问题', id: 'f-7', reason: '状态“done”未知' },
      { kind: 'blob', id: 'x1', reason: 'unreadable' },
    ])
    expect(damagedLines(rows, 'en')[1]).toEqual({ kind: 'Finding', id: 'f-7', reason: 'unknown state done' })
    expect(damagedLines(undefined, 'zh-CN')).toEqual([])
  })

  it('shows a notice listing them, and nothing when there are none', () => {
    const wrapper = mount(DamagedNotice, { props: { rows }, global: { plugins: [i18n, ElementPlus] } })
    const notice = wrapper.find('[data-testid="damaged-notice"]')
    expect(notice.exists()).toBe(true)
    expect(notice.attributes('data-count')).toBe('3')
    expect(notice.text()).toContain('以下记录已损坏，无法显示')
    expect(wrapper.findAll('[data-testid="damaged-row"]').map((r) => r.text())).toEqual([
      "检查记录 0193-aaaa：device_time 'yesterday' is not a time", '整改问题 f-7：状态“done”未知', 'blob x1：unreadable',
    ])
    const empty = mount(DamagedNotice, { props: { rows: [] }, global: { plugins: [i18n, ElementPlus] } })
    expect(empty.find('[data-testid="damaged-notice"]').exists()).toBe(false)
  })
})
