// The forms page (issue 15), driven by the district office: version 2 of the acceptance form
// is checked (its changes and the phone preview shown), published with a confirmation, then
// previewed and compared with version 1. office.e2e.mjs runs it in its place.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { byTestId, clearToasts, clickMenu, confirmBox, screenshot, settled, state, step, toast, apiJson } from './lib.mjs'

const SAMPLE = new URL('../../../docs/forms/acceptance-v2.json', import.meta.url)

export async function formsPage() {
  const page = state.page
  await step('forms: version 2 of the acceptance form checked (changes, phone preview), published, previewed and compared with version 1', async () => {
    const before = await apiJson('/form-versions')
    const acceptance = before.versions.filter((v) => v.form_id === 'anju.acceptance')
    const latest = Math.max(...acceptance.map((v) => v.version))
    await clickMenu('forms')
    await settled('[data-testid="form-versions"]')
    assert.equal(await page.locator('[data-testid="form-versions"] .el-table__body tr.el-table__row').count(), before.versions.length)
    if (latest === 1) {
      // The sample file, as a district would upload it.
      const text = await readFile(SAMPLE, 'utf8')
      await page.locator('textarea[data-testid="form-text"]').fill(text)
      await byTestId('form-check').click()
      const checked = byTestId('form-checked')
      await checked.waitFor({ timeout: 15_000 }).catch(() => { throw new Error('the sample was not checked') })
      assert.match(await checked.innerText(), /新增[\s\S]*购房合同已签订并备案/, 'the changes name the new item')
      const preview = checked.locator('[data-testid="form-preview"]')
      assert.equal(await preview.getAttribute('data-version'), '2')
      assert.match(await preview.locator('[data-item="bought_contract"] [data-testid="shown-when"]').innerText(), /分散安置、购买/)
      assert.equal((await apiJson('/form-versions')).versions.length, before.versions.length, 'a check publishes nothing')
      await screenshot('forms-checked')
      await clearToasts()
      await byTestId('form-publish-now').click()
      await page.locator('.el-message-box').waitFor({ timeout: 10_000 })
      await confirmBox()
      assert.match(await toast('success'), /第2版/)
    }
    await page.locator('[data-testid="form-version"][data-form="anju.acceptance"][data-version="2"]').waitFor({ timeout: 15_000 })
    // The phone preview of version 2 from the table.
    const row = page.locator('[data-testid="form-versions"] .el-table__body tr.el-table__row', { has: page.locator('[data-testid="form-version"][data-form="anju.acceptance"][data-version="2"]') })
    await row.locator('[data-testid="form-preview-open"]').click()
    const dialog = page.locator('.el-dialog [data-testid="form-preview"][data-version="2"]')
    await dialog.waitFor({ timeout: 10_000 })
    assert.ok(await dialog.locator('[data-section="bought"]').count() === 1, 'the bought-house section is in the preview')
    await screenshot('forms-preview')
    await page.keyboard.press('Escape')
    // Compared with version 1.
    await byTestId('compare').click()
    const changes = byTestId('form-changes')
    await changes.waitFor({ timeout: 10_000 })
    assert.ok(Number(await changes.getAttribute('data-count')) >= 4, 'the sample changes at least four things')
    assert.equal(await changes.locator('[data-change="added"][data-item="photo_wall_cracks"]').count(), 1)
    await screenshot('forms-diff')
  })
}
