// What the office pages' end-to-end steps share: the settings (environment), the browser page,
// and the helpers that act as a user does (click, type, choose a file, confirm) or ask the API.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { deflateSync } from 'node:zlib'

export const BASE = (process.env.ANJU_OFFICE_URL ?? 'http://127.0.0.1:8090').replace(/\/+$/, '')
export const ARTIFACTS = resolve(process.env.ANJU_ARTIFACTS ?? 'artifacts/office-e2e')
export const ADMIN = process.env.ANJU_ADMIN ?? 'admin'
export const TOWNSHIP_USER = process.env.ANJU_TOWNSHIP_USER ?? 'zhang'
export const PASSWORD = process.env.ANJU_PASSWORD ?? 'anju-demo'
export const OWN_TOWNSHIP = process.env.ANJU_TOWNSHIP ?? '东河口镇'
export const CHROMIUM = process.env.ANJU_CHROMIUM ?? '/usr/bin/chromium'
export const SEED = '20261201'
export const OTHER_SEED = '7'
export const EXPECTED = { households: 121, people: 340 }
// The source's placement split (households / people): 集中安置, 分散自建, 分散购房.
export const SPLIT = { concentrated: [44, 134], self_built: [72, 191], bought: [5, 15] }
// What the pages call the six household statuses, in order.
export const STATUS_LABELS = ['待验收', '待审核', '验收合格', '整改中', '不合格', '已入住']
// The roster import step adds households named so, in this township with this region code.
export const IMPORT_TOWNSHIP = '施桥镇'
export const IMPORT_HEAD = '测试户'
export const IMPORT_REGION = '341502'
export const IMPORT_BIRTH = '19700309'
export const INSPECTOR = process.env.ANJU_INSPECTOR ?? 'li'
// Pages name people as official records do, 姓名（单位/部门）, never by login (the demo's users).
export const INSPECTOR_NAME = process.env.ANJU_INSPECTOR_NAME ?? '李晓峰（区发改委）'
export const RECORD_NAMES = { admin: '王建国（区易地扶贫搬迁办公室）', zhang: '张明华（东河口镇人民政府）', li: INSPECTOR_NAME }

/** What the steps share: the browser page, the number of the last screenshot. */
export const state = { page: null, shot: 0 }
export const passed = []
export const pageErrors = []

export async function screenshot(name) {
  state.shot += 1
  const file = join(ARTIFACTS, `office-${String(state.shot).padStart(2, '0')}-${name}.png`)
  // From the top: the sticky header would otherwise be drawn across the middle of a full-page picture.
  await state.page.evaluate(() => window.scrollTo(0, 0)).catch(() => undefined)
  await state.page.screenshot({ path: file, fullPage: true, animations: 'disabled' })
  return file
}

export async function step(name, fn) {
  console.log(`▶ ${name}`)
  try {
    if (state.page) await clearToasts().catch(() => undefined) // an earlier step's message would cover this one's screenshot
    await fn()
  } catch (error) {
    error.message = `step "${name}" failed: ${error.message}`
    throw error
  }
  passed.push(name)
}

export const byTestId = (id) => state.page.locator(`[data-testid="${id}"]`)

/** The page of a route (the app sets body[data-route]). */
export async function waitRoute(name, timeout = 15_000) {
  await state.page.waitForFunction((n) => document.body.dataset.route === n, name, { timeout })
    .catch(() => { throw new Error(`state.page "${name}" did not open (at ${state.page.url()})`) })
}

/** No loading mask left in the element (element-plus v-loading). */
export async function settled(selector, timeout = 20_000) {
  await state.page.waitForFunction((s) => {
    const el = document.querySelector(s)
    return !!el && !el.querySelector('.el-loading-mask')
  }, selector, { timeout })
}

export async function clickMenu(name, route) {
  await byTestId(`menu-${name}`).click()
  await waitRoute(route ?? name)
}

export async function signIn(name) {
  await state.page.goto(`${BASE}/`)
  await waitRoute('sign-in')
  await byTestId('product-name').waitFor()
  assert.match(await byTestId('product-name').innerText(), /安居验收 · 乡镇办公室/, 'the sign-in page names the product')
  await state.page.locator('input[data-testid="login-name"]').fill(name)
  await state.page.locator('input[data-testid="login-password"]').fill(PASSWORD)
  await byTestId('login-submit').click()
  await waitRoute('dashboard').catch(async (e) => {
    const error = await byTestId('login-error').innerText().catch(() => '')
    throw new Error(`sign-in as ${name} did not reach the dashboard${error ? `: ${error}` : ''} (${e.message})`)
  })
  await byTestId('user-name').waitFor()
  assert.equal(await byTestId('user-name').getAttribute('title'), name, 'the header knows the login')
  if (RECORD_NAMES[name]) assert.equal((await byTestId('user-name').innerText()).trim(), RECORD_NAMES[name], 'the header names the user')
}

/** Pick an option of an element-plus select by its text. */
export async function choose(testId, text) {
  await byTestId(testId).click()
  const option = state.page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()
  await option.waitFor({ timeout: 10_000 }).catch(() => { throw new Error(`the select ${testId} has no option "${text}"`) })
  await option.click()
}

/** The households list's township cells once the list is loaded. */
export async function householdTownships() {
  await settled('[data-testid="households-table"]')
  return state.page.locator('[data-testid="households-table"] [data-testid="household-township"]').allInnerTexts()
}

export async function saveDownload(testId, fileName, timeout = 60_000) {
  const [download] = await Promise.all([
    state.page.waitForEvent('download', { timeout }),
    byTestId(testId).click(),
  ])
  const failure = await download.failure()
  assert.equal(failure, null, `the download of ${fileName} failed: ${failure}`)
  const file = join(ARTIFACTS, fileName)
  await download.saveAs(file)
  const bytes = await readFile(file)
  assert.ok(bytes.length > 0, `${fileName} is empty`)
  return { file, bytes, suggested: download.suggestedFilename() }
}

export async function sampleWithSeed(seed, previousId) {
  await state.page.locator('input[data-testid="sample-seed-input"]').fill(seed)
  await byTestId('sample-draw').click()
  await state.page.waitForFunction((prev) => {
    const el = document.querySelector('[data-testid="sample-result"]')
    return !!el && el.getAttribute('data-sample-id') !== prev
  }, previousId ?? null, { timeout: 20_000 }).catch(() => { throw new Error(`no sample was drawn with seed ${seed}`) })
  const id = await byTestId('sample-result').getAttribute('data-sample-id')
  const shownSeed = (await byTestId('sample-seed').innerText()).trim()
  const numbers = await state.page.locator('[data-testid="sample-household"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-number')))
  return { id, seed: shownSeed, numbers }
}

/** GET an office API path with the page's session; the JSON answer or the status on failure. */
export async function apiGet(path) {
  return state.page.evaluate(async (p) => {
    const r = await fetch(`/api/office${p}`, { credentials: 'same-origin' })
    return { status: r.status, body: r.ok ? await r.json() : await r.text() }
  }, path)
}

export async function apiJson(path) {
  const { status, body } = await apiGet(path)
  assert.equal(status, 200, `GET /api/office${path} answered ${status}: ${typeof body === 'string' ? body : ''}`)
  return body
}

/** The households an earlier run of this script imported (see the import step). */
export async function earlierImports() {
  const page_ = await apiJson(`/households?${new URLSearchParams({ q: IMPORT_HEAD, limit: '1000' })}`)
  return page_.rows.filter((r) => r.township === IMPORT_TOWNSHIP && r.head_name.startsWith(IMPORT_HEAD))
}

/** An 18-digit resident ID number with its GB 11643 check digit. */
export function idNumber(region, birth, sequence) {
  const body = `${region}${birth}${String(sequence).padStart(3, '0')}`
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((n, d, i) => n + Number(d) * weights[i], 0)
  return body + '10X98765432'[sum % 11]
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(bytes) {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** A small valid PNG: a colour gradient, the colour varying with `tint` so each run's photo differs. */
export function pngImage(width, height, tint) {
  const chunk = (type, data) => {
    const head = Buffer.alloc(8)
    head.writeUInt32BE(data.length, 0)
    head.write(type, 4, 'latin1')
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
    return Buffer.concat([head, data, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1)
    raw[row] = 0 // no filter
    for (let x = 0; x < width; x++) {
      raw[row + 1 + x * 3] = (x * 255) / (width - 1)
      raw[row + 2 + x * 3] = (y * 255) / (height - 1)
      raw[row + 3 + x * 3] = tint & 0xff
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** Choose a file as a user does: click what opens the file dialog, then pick the file in it. */
export async function chooseFile(clickTarget, file) {
  const [chooser] = await Promise.all([
    state.page.waitForEvent('filechooser', { timeout: 10_000 }),
    clickTarget.click(),
  ])
  await chooser.setFiles(file)
}

/** The element-plus message (toast) of a type that appears next, as text. */
export async function toast(type, timeout = 15_000) {
  const message = state.page.locator(`.el-message--${type}`).last()
  await message.waitFor({ timeout }).catch(() => { throw new Error(`no ${type} message appeared`) })
  return (await message.innerText()).trim()
}

/** Confirm the element-plus confirmation box (ui.ts confirmAction). */
export async function confirmBox() {
  const ok = state.page.locator('.el-message-box .confirm-ok')
  await ok.waitFor({ timeout: 10_000 }).catch(() => { throw new Error('no confirmation box appeared') })
  await ok.click()
  await state.page.locator('.el-message-box').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined)
}

/** Close every message still shown, so the next step reads its own. */
export async function clearToasts() {
  await state.page.evaluate(() => document.querySelectorAll('.el-message').forEach((m) => m.remove()))
}

/** The row of a table (by its data-testid) that contains an element matching `has`. */
export function tableRow(tableTestId, has) {
  return state.page.locator(`[data-testid="${tableTestId}"] .el-table__body tr.el-table__row`, { has: state.page.locator(has) })
}

/** The texts of a table row's cells, by the column headers' texts. */
export async function rowByHeader(tableTestId, row) {
  const headers = await state.page.locator(`[data-testid="${tableTestId}"] .el-table__header-wrapper th`).allInnerTexts()
  const cells = await row.locator('td').allInnerTexts()
  return Object.fromEntries(headers.map((h, i) => [h.trim(), (cells[i] ?? '').trim()]))
}

export async function dashboardNumber(testId) {
  await clickMenu('dashboard')
  await settled('[data-testid="dashboard"]')
  await byTestId(testId).waitFor({ timeout: 20_000 })
  return Number((await byTestId(testId).innerText()).trim())
}

/** Open a household from the households list by searching its number, as a user does. */
export async function openHousehold(number) {
  await clickMenu('households')
  await settled('[data-testid="households-table"]')
  const search = state.page.locator('[data-testid="filter-q"] input, input[data-testid="filter-q"]').first()
  await search.fill(number)
  await search.press('Enter')
  const row = state.page.locator('[data-testid="households-table"] .el-table__body tr.el-table__row', {
    has: state.page.locator(`[data-testid="household-number"]:text-is("${number}")`),
  }).first()
  await row.waitFor({ timeout: 20_000 }).catch(() => { throw new Error(`searching ${number} did not list it`) })
  await row.click()
  await waitRoute('household')
  await state.page.locator('[data-testid="household-header"] [data-testid="household-number"]', { hasText: number }).waitFor({ timeout: 20_000 })
}

/** Type a date into a milestone's date picker (as the keyboard does) and leave the field. */
export async function typeMilestone(key, date) {
  const input = state.page.locator(`[data-testid="milestone-${key}"] input, input[data-testid="milestone-${key}"]`).first()
  await input.click()
  await input.fill(date)
  await input.press('Enter')
  await state.page.keyboard.press('Escape').catch(() => undefined)
  assert.equal(await input.inputValue(), date, `the ${key} field shows ${date}`)
}

