// The reviewer sees where each photo was taken: its fix, the distance to the house (red over
// the policy distance, with 照片位置距房屋 N 米 among the notes), and photos from the gallery.
import { describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import type { SubmissionView } from '../src/bindings/SubmissionView'

const { i18n } = await import('../src/i18n')
const SubmissionPanel = (await import('../src/components/SubmissionPanel.vue')).default

if (typeof ResizeObserver === 'undefined') {
  vi.stubGlobal('ResizeObserver', class { observe() {} unobserve() {} disconnect() {} })
}

const tx = (zh: string, en = zh) => ({ zh, en })
const far = tx('照片位置距房屋 334 米（超过 200 米）', 'the photo was taken 334 m from the house (over 200 m)')
const gallery = tx('相册照片，非现场拍摄；拍摄于 2026-05-03 10:12（相机时间）')

const submission: SubmissionView = {
  id: 's1', kind: 'acceptance', form_version: 1, inspector: 'li', inspector_display: tx('李晓峰'),
  device_time: '2026-12-01T10:00:00Z', trusted_time: '2026-12-01T10:00:00Z', received_at: '2026-12-01T10:30:00Z',
  review: null, sections: [], area: null, signatures: [], judgement: null,
  photos: [
    { sha256: 'a'.repeat(64), slot: 'photo_front', slot_label: tx('房屋正面'), url: '/a', width: 1600, height: 1200,
      taken_at: '2026-12-01T09:00:00Z', fix_text: '31.7680°N 116.5100°E ±10 m', distance_m: 334, too_far: far, gallery: null },
    { sha256: 'b'.repeat(64), slot: 'photo_front', slot_label: tx('房屋正面'), url: '/b', width: 1600, height: 1200,
      taken_at: '2026-12-01T09:01:00Z', fix_text: '无定位（已拒绝）', distance_m: null, too_far: null, gallery },
  ],
  location_notes: [tx(`房屋正面：${far.zh}`), tx(`房屋正面：${gallery.zh}`)],
  position_text: '31.7651°N 116.5100°E ±8 m', position_distance_m: 11, finding_id: null, recheck_confirmed: null, township_verdict: null,
}

describe('SubmissionPanel: where the photos were taken', () => {
  it('shows each photo’s fix, the distance, the gallery flag and the notes', () => {
    const wrapper = mount(SubmissionPanel, { props: { submission }, global: { plugins: [ElementPlus, i18n] } })
    const fixes = wrapper.findAll('[data-testid="photo-fix"]').map((e) => e.text())
    expect(fixes).toEqual(['31.7680°N 116.5100°E ±10 m', '无定位（已拒绝）'])
    const distance = wrapper.find('[data-testid="photo-distance"]')
    expect(distance.attributes('data-metres')).toBe('334')
    expect(distance.text()).toContain('照片位置距房屋 334 米')
    expect(wrapper.find('[data-testid="photo-gallery"]').text()).toContain('相册照片')
    const notes = wrapper.findAll('[data-testid="location-note"]').map((e) => e.text())
    expect(notes).toEqual([`房屋正面：${far.zh}`, `房屋正面：${gallery.zh}`])
    expect(wrapper.find('[data-testid="submission-position"]').text()).toBe('提交时位置：31.7651°N 116.5100°E ±8 m · 距房屋 11 米')
  })
})
