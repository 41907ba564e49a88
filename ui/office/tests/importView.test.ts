import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import type { ImportPreview } from '../src/bindings/ImportPreview'

vi.mock('../src/api', async (original) => ({
  ...(await original<typeof import('../src/api')>()),
  previewImport: vi.fn(),
  runImport: vi.fn(),
}))
const api = await import('../src/api')
const { i18n } = await import('../src/i18n')
const ImportView = (await import('../src/views/ImportView.vue')).default

const newPlaces: ImportPreview['new_places'] = [
  { kind: { zh: '乡镇', en: 'township' }, name: '施桥镇', township: null, row: 2 },
  { kind: { zh: '村', en: 'village' }, name: '新安村', township: '施桥镇', row: 2 },
]
const base: ImportPreview = {
  file_kind: 'CSV', rows: 2, valid_rows: 2, by_township: [{ township: '施桥镇', households: 2, people: 5 }], errors: [], imported: false,
  new_places: newPlaces,
}
const refused: ImportPreview = {
  ...base, valid_rows: 0, by_township: [],
  errors: [2, 3].map((row) => ({ row, column: '乡镇', message: '未知乡镇“施桥镇”，是否指“东河口镇”？ / unknown township \'施桥镇\'' })),
}

afterEach(() => {
  document.body.innerHTML = ''
  vi.mocked(api.previewImport).mockReset()
  vi.mocked(api.runImport).mockReset()
})

async function chooseRoster(wrapper: ReturnType<typeof mount>) {
  const input = wrapper.find('input[data-testid="import-file"]')
  const file = new File(['乡镇,村\n'], 'roster.csv', { type: 'text/csv' })
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
  await input.trigger('change')
  await flushPromises()
  return file
}

describe('ImportView and new places', () => {
  it('refuses unknown places until "create these places" is checked, then previews and imports with it', async () => {
    vi.mocked(api.previewImport).mockImplementation(async (_file, createPlaces) => (createPlaces ? base : refused))
    vi.mocked(api.runImport).mockResolvedValueOnce({ ...base, imported: true })
    const wrapper = mount(ImportView, { global: { plugins: [i18n, ElementPlus] }, attachTo: document.body })
    const file = await chooseRoster(wrapper)
    expect(api.previewImport).toHaveBeenLastCalledWith(file, false)

    // Refused row by row, the places listed, the box unchecked, the import off.
    expect(wrapper.findAll('[data-testid="import-errors"] .el-table__body tr')).toHaveLength(2)
    expect(wrapper.find('[data-testid="import-errors"]').text()).toContain('未知乡镇“施桥镇”，是否指“东河口镇”？')
    expect(wrapper.findAll('[data-testid="import-new-places"] .el-table__body tr').map((r) => r.text()))
      .toEqual(['乡镇施桥镇—2', '村新安村施桥镇2'])
    const box = wrapper.find('[data-testid="import-create-places"]')
    expect(box.text()).toBe('确认新建这些地点')
    expect(box.find('input').element.checked).toBe(false)
    expect(wrapper.find('[data-testid="import-confirm"]').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-testid="import-blocked"]').text()).toBe('名册中有 2 个办公室不知道的地点：请改正文件或确认新建')

    // Checking it previews again with create_places.
    await box.find('input').setValue(true)
    await flushPromises()
    expect(api.previewImport).toHaveBeenLastCalledWith(file, true)
    expect(wrapper.find('[data-testid="import-preview"]').attributes('data-create-places')).toBe('true')
    expect(wrapper.find('[data-testid="import-errors"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="import-confirm"]').attributes('disabled')).toBeUndefined()

    // The import sends it too (after the confirmation box).
    await wrapper.find('[data-testid="import-confirm"]').trigger('click')
    await flushPromises()
    const ok = document.querySelector<HTMLButtonElement>('.el-message-box .confirm-ok')!
    expect(document.querySelector('.el-message-box')?.textContent).toContain('将新建 2 个地点。将导入 2 户住户')
    ok.click()
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    await flushPromises()
    expect(api.runImport).toHaveBeenCalledWith(file, true)
    expect(wrapper.find('[data-testid="import-blocked"]').text()).toBe('已导入')
    wrapper.unmount()
  })

  it('starts unchecked again for the next file', async () => {
    vi.mocked(api.previewImport).mockImplementation(async (_file, createPlaces) => (createPlaces ? base : refused))
    const wrapper = mount(ImportView, { global: { plugins: [i18n, ElementPlus] }, attachTo: document.body })
    await chooseRoster(wrapper)
    await wrapper.find('[data-testid="import-create-places"] input').setValue(true)
    await flushPromises()
    const second = await chooseRoster(wrapper)
    expect(api.previewImport).toHaveBeenLastCalledWith(second, false)
    expect(wrapper.find('[data-testid="import-create-places"] input').element).toHaveProperty('checked', false)
    wrapper.unmount()
  })
})

describe('ImportView: the template and an empty file', () => {
  it('offers the roster template to download', async () => {
    const wrapper = mount(ImportView, { global: { plugins: [i18n, ElementPlus] }, attachTo: document.body })
    const template = wrapper.find('[data-testid="import-template"]')
    expect(template.exists()).toBe(true)
    expect(template.text()).toContain('下载模板')
    wrapper.unmount()
  })

  it('says an empty file is empty, without a retry button', async () => {
    vi.mocked(api.previewImport).mockRejectedValueOnce(new api.OfficeError(422, 'roster_empty',
      '文件“roster.csv”中没有任何户的数据 / the file \'roster.csv\' holds no household rows'))
    const wrapper = mount(ImportView, { global: { plugins: [i18n, ElementPlus] }, attachTo: document.body })
    await chooseRoster(wrapper)
    expect(wrapper.find('[data-testid="import-empty"]').text()).toContain('文件是空的')
    expect(wrapper.find('[data-testid="load-error"]').exists()).toBe(false)
    expect(wrapper.text()).not.toContain('重试')
    wrapper.unmount()
  })

  it('shows a refused file with its reason, and offers a retry only when the office could not be reached', async () => {
    vi.mocked(api.previewImport).mockRejectedValueOnce(new api.OfficeError(422, 'import_refused',
      '文件“roster.csv”不是花名册表格 / the file \'roster.csv\' is not a roster table'))
    const wrapper = mount(ImportView, { global: { plugins: [i18n, ElementPlus] }, attachTo: document.body })
    await chooseRoster(wrapper)
    expect(wrapper.find('[data-testid="import-refused"]').text()).toContain('不是花名册表格')
    expect(wrapper.find('[data-testid="load-error"]').exists()).toBe(false)
    vi.mocked(api.previewImport).mockRejectedValueOnce(new api.OfficeError(0, 'network', '无法连接办公室服务器 / Cannot reach the office server'))
    await chooseRoster(wrapper)
    expect(wrapper.find('[data-testid="load-error"]').exists()).toBe(true)
    wrapper.unmount()
  })
})
