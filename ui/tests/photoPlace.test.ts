// A photo item's position line, the distance to the house, and photos from the gallery,
// with positions injected through navigator.geolocation as the end-to-end tests do.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import Vant from 'vant'
import type { DraftView } from '../src/bindings/DraftView'
import type { Item } from '../src/bindings/Item'
import type { PhotoView } from '../src/bindings/PhotoView'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  openDraft: vi.fn(),
  addPhoto: vi.fn(),
  fileUrl: (p: string) => `asset://${p}`,
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const PhotosItem = (await import('../src/components/PhotosItem.vue')).default
const { useDraftStore } = await import('../src/stores/draft')
const geo = await import('../src/geo')

const tx = (zh: string) => ({ zh, en: zh })
const item: Item = { key: 'photo_front', label: tx('房屋正面'), required: true, help: null, kind: { type: 'photos', min: 1, max: 3 } }

function photo(source: 'camera' | 'gallery', cameraTime: string | null): PhotoView {
  return { sha256: 'a'.repeat(64), slot: 'photo_front', path: '/p/a.jpg', thumbnail_path: '/p/a.t.jpg', width: 1600, height: 1200,
    taken: { device_time: '', trusted_time: null, offset_ms: null }, watermark_lines: ['户主：郑怀圣'],
    fix: null, source, camera_time: cameraTime }
}

function view(location: { latitude: number, longitude: number } | undefined): DraftView {
  return {
    draft: { id: 'd1', household_id: 'h1', kind: 'acceptance', form_id: 'anju.acceptance', form_version: 1, answers: {}, revision: 1, updated_at: '', finding_id: null },
    form: { id: 'anju.acceptance', version: 1, title: tx('验收监督表'), sections: [{ key: 'photos', title: tx('照片'), department: null, items: [item] }] },
    household: { id: 'h1', number: '001', head_name: '郑怀圣', id_number: '341502198001011234', size: 4, members: [], phone: null,
      township: '东河口镇', village: '长岭村', site: null, mode: 'scattered', kind: 'self_built', location },
    photos: [], signatures: [],
    state: { draft_id: 'd1', revision: 1, updated_at: '', issues: [], progress: [], hidden: [], signatures: [] },
    inspector: null, evidence: [], task: null, original_photo: null, pin_signers: [],
  } as DraftView
}

/** The injection an end-to-end test runs in the webview, here on jsdom's navigator. */
function inject(answer: { latitude: number, longitude: number, accuracy: number } | { code: number }) {
  const respond = (ok: PositionCallback, fail?: PositionErrorCallback | null) => {
    if ('code' in answer) fail?.({ code: answer.code, message: '' } as GeolocationPositionError)
    else ok({ coords: { ...answer, altitude: null, altitudeAccuracy: null, heading: null, speed: null }, timestamp: Date.now() } as GeolocationPosition)
  }
  Object.defineProperty(navigator, 'geolocation', {
    configurable: true,
    value: { getCurrentPosition: respond, watchPosition: (ok: PositionCallback, fail?: PositionErrorCallback | null) => { respond(ok, fail); return 1 }, clearWatch: () => {} },
  })
}

async function mountWith(location?: { latitude: number, longitude: number }) {
  vi.mocked(api.openDraft).mockResolvedValue(view(location))
  await useDraftStore().open('h1', 'acceptance')
  const wrapper = mount(PhotosItem, { props: { item }, global: { plugins: [i18n, Vant] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

describe('photo position and gallery', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    geo.currentFix.value = null
  })
  afterEach(() => Object.defineProperty(navigator, 'geolocation', { value: undefined, configurable: true }))

  it('shows the fix and the distance to the house', async () => {
    inject({ latitude: 31.766, longitude: 116.51, accuracy: 12 })
    const wrapper = await mountWith({ latitude: 31.765, longitude: 116.51 })
    const line = wrapper.find('[data-testid="photo-fix"]')
    expect(line.attributes('data-fix')).toBe('position')
    expect(line.text()).toContain('当前定位：31.7660°N 116.5100°E ±12 m')
    const distance = wrapper.find('[data-testid="photo-distance"]')
    expect(distance.attributes('data-metres')).toBe('111')
    expect(distance.text()).toContain('距房屋 111 m')
    wrapper.unmount()
  })

  it('says why there is no fix, and shows no distance without the house coordinates', async () => {
    inject({ code: 1 })
    const wrapper = await mountWith()
    expect(wrapper.find('[data-testid="photo-fix"]').text()).toBe('无定位（已拒绝）')
    expect(wrapper.find('[data-testid="photo-distance"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('adds a gallery photo with its source and the fix, and shows its camera time', async () => {
    inject({ latitude: 31.7655, longitude: 116.5101, accuracy: 8 })
    const wrapper = await mountWith({ latitude: 31.765, longitude: 116.51 })
    vi.mocked(api.addPhoto).mockResolvedValue({ photo: photo('gallery', '2026-05-03T10:12:40'), state: view(undefined).state })
    const input = wrapper.find('[data-testid="photo-gallery-input-photo_front"]')
    expect(input.attributes('capture')).toBeUndefined()
    const file = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'a.png', { type: 'image/png' })
    Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
    await input.trigger('change')
    await flushPromises()
    const origin = vi.mocked(api.addPhoto).mock.calls[0][4]
    expect(origin?.source).toBe('gallery')
    expect(origin?.fix).toMatchObject({ kind: 'position', latitude: 31.7655, accuracy_m: 8 })
    expect(wrapper.find('[data-testid="photo-gallery-badge"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="photo-gallery-time"]').text()).toBe('拍摄于 2026-05-03 10:12（相册）')
    wrapper.unmount()
  })

  it("shows a re-check's photo slot the problem as first photographed, and how far from where it was taken", async () => {
    inject({ latitude: 31.7651, longitude: 116.51, accuracy: 8 })
    const recheckItem: Item = { key: 'photo_recheck', label: tx('复查照片'), required: true, help: null, kind: { type: 'photos', min: 1, max: 3 } }
    const original = { ...photo('camera', null), sha256: 'b'.repeat(64), slot: 'photo_kitchen', thumbnail_path: '/p/kitchen.t.jpg',
      fix: { kind: 'position', latitude: 31.765, longitude: 116.51, accuracy_m: 10, fixed_at: '' } } as PhotoView
    const task = { id: 't1', visit: 'recheck', household_id: 'h1', finding_id: 'f1', finding_description: '厨房可用：灶台未砌', item_label: tx('厨房可用'),
      rectification_note: null, instructions: null, planned_by: null, due_on: '2026-12-12', created_at: '', original_photo_sha256: 'b'.repeat(64) }
    const recheckView = (withPhoto: boolean) => ({
      ...view({ latitude: 31.765, longitude: 116.51 }),
      draft: { ...view(undefined).draft, kind: 'recheck', form_id: 'anju.recheck', finding_id: 'f1' },
      task, original_photo: withPhoto ? original : null,
    }) as DraftView
    vi.mocked(api.openDraft).mockResolvedValue(recheckView(true))
    await useDraftStore().open('h1', 'recheck')
    let wrapper = mount(PhotosItem, { props: { item: recheckItem }, global: { plugins: [i18n, Vant] }, attachTo: document.body })
    await flushPromises()
    const reference = wrapper.find('[data-testid="photo-reference"]')
    expect(reference.find('img').attributes('src')).toBe('asset:///p/kitchen.t.jpg')
    expect(reference.text()).toContain('发现问题时的照片')
    expect(wrapper.find('[data-testid="photo-from-before"]').attributes('data-metres')).toBe('11')
    wrapper.unmount()

    vi.mocked(api.openDraft).mockResolvedValue(recheckView(false))
    setActivePinia(createPinia())
    await useDraftStore().open('h1', 'recheck')
    wrapper = mount(PhotosItem, { props: { item: recheckItem }, global: { plugins: [i18n, Vant] }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.find('[data-testid="photo-reference"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="photo-reference-elsewhere"]').text()).toContain('在其他设备上')
    wrapper.unmount()
  })
})
